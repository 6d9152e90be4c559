/**
 * The notification facet of the store: what happened that a member should hear of (a reply, a mention, a
 * comment on a paper of theirs, a moderators' decision), whether they have read it, how they want it by email,
 * and the per-notification email claim that makes each one go out once however many processes send.
 *
 * What a member sees is decided when it is read, not when it was written: a notification whose comment was
 * since deleted or hidden, whose paper was hidden, or whose author was banned, is left out of every list,
 * count and email (moderators' decisions about the member's own content stay).
 */

export type NotificationKind = 'reply' | 'mention' | 'paper-comment' | 'moderation';

export const NOTIFICATION_KINDS: readonly NotificationKind[] = ['reply', 'mention', 'paper-comment', 'moderation'];

/** off: in the app only (the default); immediate: one email per notification; daily: one email a day. */
export type EmailMode = 'off' | 'immediate' | 'daily';

export const EMAIL_MODES: readonly EmailMode[] = ['off', 'immediate', 'daily'];

/** Why a member hears of comments on a paper: they submitted it, or (author claims) they wrote it. */
export type PaperRelation = 'submitted' | 'claimed';

export interface NotificationInput {
  memberId: number;
  kind: NotificationKind;
  /** Who did it (the comment's author); null for moderators' decisions, which speak for the moderators. */
  actorId: number | null;
  /** The comment it is about (reply, mention, paper-comment). */
  commentId: number | null;
  paperId: string | null;
  /** moderation: the decision ('hide-comment', 'hide-paper', 'warn-member') and its reason. */
  action: string | null;
  reason: string | null;
  /** What caused it, e.g. `comment:42`: a member gets one notification per source (adding it again is a no-op). */
  source: string;
}

export interface NotificationRecord {
  id: number;
  memberId: number;
  kind: NotificationKind;
  actor: { name: string; fullname: string; avatarUrl: string | null } | null;
  commentId: number | null;
  paperId: string | null;
  paperTitle: string | null;
  /** The comment's Markdown source, for an excerpt. */
  commentBody: string | null;
  action: string | null;
  reason: string | null;
  createdAt: string;
  readAt: string | null;
}

/** A notification due by email, with where it goes. */
export interface PendingEmail extends NotificationRecord {
  email: string;
}

export interface NotificationStore {
  /** Adds the notifications not yet there (by member and source); returns those it added. */
  add(inputs: readonly NotificationInput[], now: Date): Promise<NotificationRecord[]>;
  /** The member's visible notifications, newest first, ids below `beforeId` when given. */
  list(memberId: number, limit: number, beforeId?: number): Promise<NotificationRecord[]>;
  unreadCount(memberId: number): Promise<number>;
  /** Marks these of the member's notifications read (all of them when `ids` is 'all'); returns how many changed. */
  markRead(memberId: number, ids: readonly number[] | 'all', now: Date): Promise<number>;

  /** Members who hear of comments on the paper: its local submitters (members of this instance, not submitters imported
   *  from Hugging Face), and, once author claims exist, the members who claimed it (relation 'claimed'). */
  paperMembers(paperId: string): Promise<{ memberId: number; relation: PaperRelation }[]>;
  /** Local, not deleted members with these handles (any letter case), for mentions. */
  membersByHandle(handles: readonly string[]): Promise<{ id: number; name: string }[]>;

  /** The member's email choice per kind ('off' where never chosen). */
  emailModes(memberId: number): Promise<Record<NotificationKind, EmailMode>>;
  /** Sets one kind's choice; only notifications made from now on are emailed under it. */
  setEmailMode(memberId: number, kind: NotificationKind, mode: EmailMode, now: Date): Promise<void>;

  /**
   * Visible notifications due by email under `mode`, made before `before` and after the member chose the mode,
   * whose email is not final and not held by a live claim, by id above `afterId`. Recipients must have an
   * address, and be neither banned nor deleted.
   */
  pendingEmails(
    mode: 'immediate' | 'daily',
    before: Date,
    afterId: number,
    limit: number,
    now: Date,
    /** Only this member's (a daily batch is one member's). */
    memberId?: number,
  ): Promise<PendingEmail[]>;
  /** The members who have emails due under `mode` (as pendingEmails), by id above `afterMemberId`. */
  pendingEmailMembers(
    mode: 'immediate' | 'daily',
    before: Date,
    afterMemberId: number,
    limit: number,
    now: Date,
  ): Promise<number[]>;
  /**
   * Claims these notifications' emails for run `runId` until `leaseUntil`, each in one atomic statement: a claim
   * wins when the email was never tried, was deferred, or its lease ended by `now`; of runs asking at once for one
   * notification, exactly one wins. Returns the ids won.
   */
  claimEmails(ids: readonly number[], runId: string, leaseUntil: Date, now: Date): Promise<number[]>;
  /** Extends the leases run `runId` holds (a live run's heartbeat). */
  renewEmailClaims(runId: string, leaseUntil: Date): Promise<void>;
  /** Records the outcome of run `runId`'s emails: sent and failed are final; deferred is tried again. */
  finishEmails(
    ids: readonly number[],
    runId: string,
    outcome: 'sent' | 'failed' | 'deferred',
    now: Date,
  ): Promise<void>;
  /** The email state of one notification (for tests and the command line). */
  emailStatus(id: number): Promise<{ status: string | null; attempts: number } | null>;
}
