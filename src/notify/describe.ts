/** What a notification says, in words and as a link: shared by the notification list and the emails. */
import { excerpt } from '../domain/format.ts';
import { paperUrl } from '../domain/urls.ts';
import type { NotificationKind, NotificationRecord } from '../store/notification-store.ts';

/** How the kinds are named on the settings form and in unsubscribe links. */
export const KIND_LABELS: Record<NotificationKind, string> = {
  reply: 'Replies to your comments',
  mention: 'Mentions of your @handle',
  'paper-comment': 'Comments on papers you submitted or claimed',
  moderation: 'Moderators’ decisions about your content',
};

const DECISIONS: Record<string, string> = {
  'hide-comment': 'The moderators hid your comment',
  'hide-paper': 'The moderators hid a paper you submitted',
  'warn-member': 'The moderators sent you a warning',
};

export interface Described {
  /** One line: who did what, where. */
  headline: string;
  /** The comment's first words, or the moderators' reason. */
  detail: string | null;
  /** A path on the site. */
  href: string;
}

export function describeNotification(n: NotificationRecord): Described {
  const title = n.paperTitle ? `“${excerpt(n.paperTitle, 80)}”` : 'a paper';
  const who = n.actor ? `@${n.actor.name}` : 'Someone';
  const at = n.paperId ? paperUrl(n.paperId) : '/notifications';
  const commentAt = n.commentId !== null && n.paperId ? `${at}#comment-${n.commentId}` : at;
  const words = n.commentBody ? excerpt(n.commentBody, 200) : null;
  switch (n.kind) {
    case 'reply':
      return { headline: `${who} replied to your comment on ${title}`, detail: words, href: commentAt };
    case 'mention':
      return { headline: `${who} mentioned you on ${title}`, detail: words, href: commentAt };
    case 'paper-comment':
      return { headline: `${who} commented on ${title}`, detail: words, href: commentAt };
    case 'moderation':
      return {
        headline: `${DECISIONS[n.action ?? ''] ?? 'The moderators decided about your content'} (on ${title})`,
        detail: n.reason ? `Reason: ${n.reason}` : null,
        href: n.action === 'hide-paper' ? '/moderation' : at,
      };
  }
}
