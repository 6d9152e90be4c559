/** The notification facet on PostgreSQL. */
import type { Runner } from './runner.ts';
import {
  NOTIFICATION_KINDS,
  type EmailMode,
  type NotificationInput,
  type NotificationKind,
  type NotificationRecord,
  type NotificationStore,
  type PaperRelation,
  type PendingEmail,
} from '../notification-store.ts';
import {
  EMAIL_CLAIMABLE,
  NOTIFICATION_SELECT,
  NOTIFICATION_VISIBLE,
  PENDING_EMAIL_DUE,
  PENDING_EMAIL_SELECT,
  rowToNotification,
  rowToPendingEmail,
} from '../upkeep-rows.ts';

export class PostgresNotificationStore implements NotificationStore {
  readonly #db: Runner;

  constructor(db: Runner) {
    this.#db = db;
  }

  async add(inputs: readonly NotificationInput[], now: Date): Promise<NotificationRecord[]> {
    if (inputs.length === 0) return [];
    const ids = await this.#db.transaction(async (tx) => {
      const added: number[] = [];
      for (const n of inputs) {
        const [row] = await tx.query(
          `INSERT INTO notifications (member_id, kind, actor_id, comment_id, paper_id, action, reason, source, created_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (member_id, source) DO NOTHING RETURNING id`,
          [n.memberId, n.kind, n.actorId, n.commentId, n.paperId, n.action, n.reason, n.source, now.toISOString()],
        );
        if (row) added.push(Number(row.id));
      }
      return added;
    });
    return (await this.#db.query(`${NOTIFICATION_SELECT} WHERE n.id = ANY($1::bigint[]) ORDER BY n.id`, [ids])).map(
      rowToNotification,
    );
  }

  async list(memberId: number, limit: number, beforeId?: number): Promise<NotificationRecord[]> {
    return (
      await this.#db.query(
        `${NOTIFICATION_SELECT} WHERE n.member_id = $1 AND n.id < $2 AND ${NOTIFICATION_VISIBLE} ORDER BY n.id DESC LIMIT $3`,
        [memberId, beforeId ?? Number.MAX_SAFE_INTEGER, limit],
      )
    ).map(rowToNotification);
  }

  async unreadCount(memberId: number): Promise<number> {
    const [row] = await this.#db.query(
      `SELECT count(*) AS n FROM (${NOTIFICATION_SELECT} WHERE n.member_id = $1 AND n.read_at IS NULL AND ${NOTIFICATION_VISIBLE}) AS v`,
      [memberId],
    );
    return Number(row!.n);
  }

  async markRead(memberId: number, ids: readonly number[] | 'all', now: Date): Promise<number> {
    const rows =
      ids === 'all'
        ? await this.#db.query(
            'UPDATE notifications SET read_at = $1 WHERE member_id = $2 AND read_at IS NULL RETURNING id',
            [now.toISOString(), memberId],
          )
        : await this.#db.query(
            `UPDATE notifications SET read_at = $1 WHERE member_id = $2 AND read_at IS NULL AND id = ANY($3::bigint[])
            RETURNING id`,
            [now.toISOString(), memberId, [...ids]],
          );
    return rows.length;
  }

  async paperMembers(paperId: string): Promise<{ memberId: number; relation: PaperRelation }[]> {
    return (
      await this.#db.query(
        `SELECT DISTINCT d.submitted_by AS id FROM daily_entries d JOIN members m ON m.id = d.submitted_by
        WHERE d.paper_id = $1 AND m.deleted_at IS NULL AND m.email IS NOT NULL ORDER BY d.submitted_by`,
        [paperId],
      )
    ).map((r) => ({ memberId: Number(r.id), relation: 'submitted' as const }));
  }

  async membersByHandle(handles: readonly string[]): Promise<{ id: number; name: string }[]> {
    if (handles.length === 0) return [];
    return (
      await this.#db.query(
        `SELECT id, name FROM members WHERE lower(name) = ANY(SELECT lower(h) FROM unnest($1::text[]) AS h)
        AND deleted_at IS NULL AND email IS NOT NULL ORDER BY id`,
        [[...handles]],
      )
    ).map((r) => ({ id: Number(r.id), name: String(r.name) }));
  }

  async emailModes(memberId: number): Promise<Record<NotificationKind, EmailMode>> {
    const modes = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, 'off'])) as Record<NotificationKind, EmailMode>;
    for (const row of await this.#db.query('SELECT kind, mode FROM notification_email WHERE member_id = $1', [
      memberId,
    ]))
      modes[String(row.kind) as NotificationKind] = String(row.mode) as EmailMode;
    return modes;
  }

  async setEmailMode(memberId: number, kind: NotificationKind, mode: EmailMode, now: Date): Promise<void> {
    await this.#db.query(
      `INSERT INTO notification_email (member_id, kind, mode, updated_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (member_id, kind) DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at
      WHERE notification_email.mode <> excluded.mode`,
      [memberId, kind, mode, now.toISOString()],
    );
  }

  async pendingEmails(
    mode: 'immediate' | 'daily',
    before: Date,
    afterId: number,
    limit: number,
    now: Date,
    memberId?: number,
  ): Promise<PendingEmail[]> {
    return (
      await this.#db.query(
        `${PENDING_EMAIL_SELECT} WHERE ${PENDING_EMAIL_DUE('$1', '$2', '$3')} AND n.id > $4
        AND ($5::bigint IS NULL OR n.member_id = $5) ORDER BY n.id LIMIT $6`,
        [mode, before.toISOString(), now.toISOString(), afterId, memberId ?? null, limit],
      )
    ).map(rowToPendingEmail);
  }

  async pendingEmailMembers(
    mode: 'immediate' | 'daily',
    before: Date,
    afterMemberId: number,
    limit: number,
    now: Date,
  ): Promise<number[]> {
    return (
      await this.#db.query(
        `SELECT DISTINCT member_id FROM (${PENDING_EMAIL_SELECT} WHERE ${PENDING_EMAIL_DUE('$1', '$2', '$3')}
        AND n.member_id > $4) AS due ORDER BY member_id LIMIT $5`,
        [mode, before.toISOString(), now.toISOString(), afterMemberId, limit],
      )
    ).map((r) => Number(r.member_id));
  }

  async claimEmails(ids: readonly number[], runId: string, leaseUntil: Date, now: Date): Promise<number[]> {
    if (ids.length === 0) return [];
    // One statement: under READ COMMITTED a run that finds a row another run just claimed re-checks the condition
    // on the new row and leaves it.
    const rows = await this.#db.query(
      `UPDATE notifications AS n SET email_status = 'sending', email_run = $1, email_lease_until = $2,
      email_attempts = n.email_attempts + 1
      WHERE n.id = ANY($3::bigint[]) AND ${EMAIL_CLAIMABLE('$4')} RETURNING n.id`,
      [runId, leaseUntil.toISOString(), [...ids], now.toISOString()],
    );
    return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  }

  async renewEmailClaims(runId: string, leaseUntil: Date): Promise<void> {
    await this.#db.query(
      `UPDATE notifications SET email_lease_until = $1 WHERE email_run = $2 AND email_status = 'sending'`,
      [leaseUntil.toISOString(), runId],
    );
  }

  async finishEmails(
    ids: readonly number[],
    runId: string,
    outcome: 'sent' | 'failed' | 'deferred',
    _now: Date,
  ): Promise<void> {
    await this.#db.query(
      `UPDATE notifications SET email_status = $1, email_lease_until = NULL
      WHERE id = ANY($2::bigint[]) AND email_run = $3 AND email_status = 'sending'`,
      [outcome, [...ids], runId],
    );
  }

  async emailStatus(id: number): Promise<{ status: string | null; attempts: number } | null> {
    const [row] = await this.#db.query('SELECT email_status, email_attempts FROM notifications WHERE id = $1', [id]);
    return row
      ? { status: row.email_status === null ? null : String(row.email_status), attempts: Number(row.email_attempts) }
      : null;
  }
}
