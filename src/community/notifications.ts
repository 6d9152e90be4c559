/**
 * Who hears of what. A new (or edited) comment notifies the authors of the comment it answers and of its thread
 * (reply), the members it mentions (mention), and the members whose paper it is on (paper-comment): each member
 * once per comment, under the first of those reasons. A moderators' decision about a member's content notifies
 * that member. Nobody hears of their own action; deleted accounts hear nothing.
 *
 * What may be shown is decided again when notifications are read (store/notification-store.ts): a comment
 * hidden or deleted later, or an author banned later, takes its notifications away.
 */
import type { Account, CommentRecord } from '../store/community-store.ts';
import type { NotificationInput, NotificationKind } from '../store/notification-store.ts';
import type { Store } from '../store/store.ts';
import { mentionedHandles } from './mentions.ts';
import { approvedClaimants } from './author-claims.ts';

export async function notifyComment(
  store: Store,
  comment: CommentRecord,
  author: Pick<Account, 'id'>,
  /** The comments it answers: the one replied to and the top of its thread (none for an edit or a new thread). */
  answers: readonly CommentRecord[],
  now = new Date(),
): Promise<number> {
  const recipients = new Map<number, NotificationKind>();
  const add = (memberId: number, kind: NotificationKind) => {
    if (memberId !== author.id && !recipients.has(memberId)) recipients.set(memberId, kind);
  };
  for (const answered of answers) if (!answered.author.deletedAt) add(answered.author.id, 'reply');
  for (const member of await store.notifications.membersByHandle(mentionedHandles(comment.body)))
    add(member.id, 'mention');
  for (const { memberId } of await store.notifications.paperMembers(comment.paperId)) add(memberId, 'paper-comment');
  for (const { member } of await approvedClaimants(store, comment.paperId)) add(member.id, 'paper-comment');
  const inputs: NotificationInput[] = [...recipients].map(([memberId, kind]) => ({
    memberId,
    kind,
    actorId: author.id,
    commentId: comment.id,
    paperId: comment.paperId,
    action: null,
    reason: null,
    source: `comment:${comment.id}`,
  }));
  return (await store.notifications.add(inputs, now)).length;
}

export type ModerationDecision = 'hide-comment' | 'hide-paper' | 'warn-member';

/** Tells members what the moderators decided about their content (never the moderator about their own). */
export async function notifyDecision(
  store: Store,
  decision: {
    action: ModerationDecision;
    moderatorId: number;
    memberIds: readonly number[];
    paperId: string;
    reason: string;
    /** What was decided about, e.g. `comment:42`; with the time, it names the decision. */
    subject: string;
  },
  now = new Date(),
): Promise<void> {
  const inputs: NotificationInput[] = [...new Set(decision.memberIds)]
    .filter((id) => id !== decision.moderatorId)
    .map((memberId) => ({
      memberId,
      kind: 'moderation',
      actorId: null,
      commentId: null,
      paperId: decision.paperId,
      action: decision.action,
      reason: decision.reason,
      source: `moderation:${decision.action}:${decision.subject}:${now.toISOString()}`,
    }));
  await store.notifications.add(inputs, now);
}
