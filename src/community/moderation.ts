/**
 * Moderators' decisions that change content, as the pages and the report queue make them: the store's change
 * (with its log entry), then the member whose content it was is told. Who may decide is the caller's check
 * (roles.ts outranks).
 */
import type { Account, CommentRecord } from '../store/community-store.ts';
import type { Store } from '../store/store.ts';
import { notifyDecision } from './notifications.ts';

export async function hideComment(
  store: Store,
  moderator: Pick<Account, 'id'>,
  comment: CommentRecord,
  reason: string,
  now = new Date(),
): Promise<boolean> {
  const hidden = await store.community.hideComment(comment.id, moderator.id, reason, now);
  if (hidden) {
    await notifyDecision(
      store,
      {
        action: 'hide-comment',
        moderatorId: moderator.id,
        memberIds: [comment.author.id],
        paperId: comment.paperId,
        reason,
        subject: `comment:${comment.id}`,
      },
      now,
    );
  }
  return hidden;
}

export async function hidePaper(
  store: Store,
  moderator: Pick<Account, 'id'>,
  paperId: string,
  reason: string,
  now = new Date(),
): Promise<boolean> {
  const hidden = await store.community.hidePaper(paperId, moderator.id, reason, now);
  if (hidden) {
    const members = await store.notifications.paperMembers(paperId);
    await notifyDecision(
      store,
      {
        action: 'hide-paper',
        moderatorId: moderator.id,
        memberIds: members.map((m) => m.memberId),
        paperId,
        reason,
        subject: `paper:${paperId}`,
      },
      now,
    );
  }
  return hidden;
}
