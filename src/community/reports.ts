/**
 * Reports: a member flags a comment or a paper with a reason; moderators resolve each reported item once, by
 * hiding it, warning its owner or dismissing the reports, and every resolution is in the public moderation log
 * (hiding as 'hide-comment' / 'hide-paper', the others as 'warn-member' / 'dismiss-report').
 *
 * Reach is the roles' (roles.ts): a moderator does not act on the content of moderators or administrators. An
 * administrator may still dismiss reports about another administrator's content (nobody outranks them, and a
 * queue entry nobody may close would stay for ever); nobody resolves reports about their own content.
 */
import type { Account } from '../store/community-store.ts';
import type { ReportCase, ReportTarget } from '../store/report-store.ts';
import type { Store } from '../store/store.ts';
import type { RateLimiter } from './rate-limits.ts';
import { outranks } from './roles.ts';
import { hideComment, hidePaper } from './moderation.ts';
import { notifyDecision } from './notifications.ts';

export const REPORT_REASON_MAX = 500;

export type Decision = 'hide' | 'warn' | 'dismiss';

export type ReportResult =
  | { ok: true; status: 'reported' | 'already' }
  | { ok: false; status: 400 | 404 | 429; message: string; retryAfter?: number };

/** Files a member's report (reason already trimmed); the target must exist and be visible. */
export async function fileReport(
  store: Store,
  limiter: RateLimiter,
  reporter: Account,
  address: string,
  target: ReportTarget,
  reason: string,
): Promise<ReportResult> {
  if (reason === '') return { ok: false, status: 400, message: 'Say what is wrong: a report needs a reason.' };
  if (reason.length > REPORT_REASON_MAX)
    return { ok: false, status: 400, message: `A reason has at most ${REPORT_REASON_MAX} characters.` };
  const owner = await ownerOf(store, target);
  if (owner === null) return { ok: false, status: 404, message: `There is no such ${target.kind} to report.` };
  if (owner.id === reporter.id)
    return { ok: false, status: 400, message: `This is your own ${target.kind}: edit or delete it instead.` };
  const limit = await limiter.hit('report', String(reporter.id), address);
  if (!limit.allowed)
    return {
      ok: false,
      status: 429,
      message: 'You have sent many reports in a short time. The moderators have them; please wait before sending more.',
      retryAfter: limit.retryAfter,
    };
  return { ok: true, status: await store.reports.report(target, reporter.id, reason, new Date()) };
}

/** The visible item's owner: { id } (0 for a paper nobody here submitted), or null when there is no such item. */
async function ownerOf(store: Store, target: ReportTarget): Promise<{ id: number } | null> {
  if (target.kind === 'comment') {
    const comment = await store.community.getComment(Number(target.id));
    if (!comment || comment.deleted || comment.hiddenReason !== null) return null;
    if (!(await store.getPaper(comment.paperId))) return null;
    return { id: comment.author.id };
  }
  if (!(await store.getPaper(target.id))) return null;
  const [first] = await store.notifications.paperMembers(target.id);
  return { id: first?.memberId ?? 0 };
}

/** Which decisions this moderator may take on this item. */
export function allowedDecisions(moderator: Account, item: ReportCase): Decision[] {
  if (moderator.role === 'member') return [];
  const owner = item.owner;
  if (owner?.id === moderator.id) return [];
  if (owner === null) return ['hide', 'dismiss'];
  if (outranks(moderator, owner)) return ['hide', 'warn', 'dismiss'];
  return moderator.role === 'admin' ? ['dismiss'] : [];
}

export type ResolveResult = { ok: true } | { ok: false; status: 400 | 403 | 404; message: string };

export async function resolveReports(
  store: Store,
  moderator: Account,
  target: ReportTarget,
  decision: Decision,
  reason: string,
  now = new Date(),
): Promise<ResolveResult> {
  if (reason === '') return { ok: false, status: 400, message: 'Every moderation action records why: add a reason.' };
  const item = await store.reports.openCase(target);
  if (!item) return { ok: false, status: 404, message: 'These reports were resolved already, or the item is gone.' };
  if (!allowedDecisions(moderator, item).includes(decision))
    return {
      ok: false,
      status: 403,
      message: 'Content of moderators and administrators is moderated by those above them only.',
    };
  const label = `${target.kind} ${target.id}`;
  if (decision === 'dismiss') {
    const closed = await store.reports.resolve(
      target,
      'dismissed',
      { moderatorId: moderator.id, action: 'dismiss-report', target: label, reason },
      now,
    );
    return closed > 0 ? { ok: true } : gone();
  }
  if (decision === 'warn') {
    const owner = item.owner!;
    const closed = await store.reports.resolve(
      target,
      'warned',
      { moderatorId: moderator.id, action: 'warn-member', target: owner.name, reason },
      now,
    );
    if (closed === 0) return gone();
    await notifyDecision(
      store,
      {
        action: 'warn-member',
        moderatorId: moderator.id,
        memberIds: [owner.id],
        paperId: item.paperId,
        reason,
        subject: `${target.kind}:${target.id}`,
      },
      now,
    );
    return { ok: true };
  }
  // Hiding: the reports are closed first (of moderators deciding at once, one decides), then the item is hidden
  // as from its page, which writes the log entry and tells its owner.
  if ((await store.reports.resolve(target, 'hidden', null, now)) === 0) return gone();
  if (target.kind === 'comment') {
    const comment = await store.community.getComment(Number(target.id));
    if (comment) await hideComment(store, moderator, comment, reason, now);
  } else {
    await hidePaper(store, moderator, target.id, reason, now);
  }
  return { ok: true };
}

function gone(): ResolveResult {
  return { ok: false, status: 404, message: 'Another moderator resolved these reports a moment ago.' };
}
