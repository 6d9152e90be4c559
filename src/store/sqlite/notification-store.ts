/** The notification facet on SQLite. */
import type { SqliteDatabase } from './database.ts';
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

export class SqliteNotificationStore implements NotificationStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async add(inputs: readonly NotificationInput[], now: Date): Promise<NotificationRecord[]> {
    if (inputs.length === 0) return [];
    const ids = this.#db.transaction(() =>
      inputs.flatMap((n) => {
        const row = this.#db
          .sql(`INSERT INTO notifications (member_id, kind, actor_id, comment_id, paper_id, action, reason, source, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (member_id, source) DO NOTHING RETURNING id`)
          .get(n.memberId, n.kind, n.actorId, n.commentId, n.paperId, n.action, n.reason, n.source, now.toISOString());
        return row ? [Number(row.id)] : [];
      }),
    );
    return this.#db
      .sql(`${NOTIFICATION_SELECT} WHERE n.id IN (SELECT value FROM json_each(?)) ORDER BY n.id`)
      .all(JSON.stringify(ids))
      .map(rowToNotification);
  }

  async list(memberId: number, limit: number, beforeId?: number): Promise<NotificationRecord[]> {
    return this.#db
      .sql(
        `${NOTIFICATION_SELECT} WHERE n.member_id = ? AND n.id < ? AND ${NOTIFICATION_VISIBLE} ORDER BY n.id DESC LIMIT ?`,
      )
      .all(memberId, beforeId ?? Number.MAX_SAFE_INTEGER, limit)
      .map(rowToNotification);
  }

  async unreadCount(memberId: number): Promise<number> {
    const row = this.#db
      .sql(
        `SELECT count(*) AS n FROM (${NOTIFICATION_SELECT} WHERE n.member_id = ? AND n.read_at IS NULL AND ${NOTIFICATION_VISIBLE})`,
      )
      .get(memberId);
    return Number(row!.n);
  }

  async markRead(memberId: number, ids: readonly number[] | 'all', now: Date): Promise<number> {
    return this.#db.transaction(() => {
      if (ids === 'all')
        return Number(
          this.#db
            .sql('UPDATE notifications SET read_at = ? WHERE member_id = ? AND read_at IS NULL')
            .run(now.toISOString(), memberId).changes,
        );
      return Number(
        this.#db
          .sql(`UPDATE notifications SET read_at = ? WHERE member_id = ? AND read_at IS NULL
          AND id IN (SELECT value FROM json_each(?))`)
          .run(now.toISOString(), memberId, JSON.stringify(ids)).changes,
      );
    });
  }

  async paperMembers(paperId: string): Promise<{ memberId: number; relation: PaperRelation }[]> {
    return this.#db
      .sql(`SELECT DISTINCT d.submitted_by AS id FROM daily_entries d JOIN members m ON m.id = d.submitted_by
      WHERE d.paper_id = ? AND m.deleted_at IS NULL AND m.email IS NOT NULL ORDER BY d.submitted_by`)
      .all(paperId)
      .map((r) => ({ memberId: Number(r.id), relation: 'submitted' as const }));
  }

  async membersByHandle(handles: readonly string[]): Promise<{ id: number; name: string }[]> {
    if (handles.length === 0) return [];
    return this.#db
      .sql(`SELECT id, name FROM members WHERE lower(name) IN (SELECT lower(value) FROM json_each(?))
      AND deleted_at IS NULL AND email IS NOT NULL ORDER BY id`)
      .all(JSON.stringify(handles))
      .map((r) => ({ id: Number(r.id), name: String(r.name) }));
  }

  async emailModes(memberId: number): Promise<Record<NotificationKind, EmailMode>> {
    const modes = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, 'off'])) as Record<NotificationKind, EmailMode>;
    for (const row of this.#db.sql('SELECT kind, mode FROM notification_email WHERE member_id = ?').all(memberId))
      modes[String(row.kind) as NotificationKind] = String(row.mode) as EmailMode;
    return modes;
  }

  async setEmailMode(memberId: number, kind: NotificationKind, mode: EmailMode, now: Date): Promise<void> {
    this.#db.transaction(() =>
      this.#db
        .sql(`INSERT INTO notification_email (member_id, kind, mode, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (member_id, kind) DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at
        WHERE notification_email.mode <> excluded.mode`)
        .run(memberId, kind, mode, now.toISOString()),
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
    return this.#db
      .sql(`${PENDING_EMAIL_SELECT} WHERE ${PENDING_EMAIL_DUE('?', '?', '?')} AND n.id > ? AND (? IS NULL OR n.member_id = ?)
      ORDER BY n.id LIMIT ?`)
      .all(mode, before.toISOString(), now.toISOString(), afterId, memberId ?? null, memberId ?? null, limit)
      .map(rowToPendingEmail);
  }

  async pendingEmailMembers(
    mode: 'immediate' | 'daily',
    before: Date,
    afterMemberId: number,
    limit: number,
    now: Date,
  ): Promise<number[]> {
    return this.#db
      .sql(`SELECT DISTINCT member_id FROM (${PENDING_EMAIL_SELECT} WHERE ${PENDING_EMAIL_DUE('?', '?', '?')}
      AND n.member_id > ?) ORDER BY member_id LIMIT ?`)
      .all(mode, before.toISOString(), now.toISOString(), afterMemberId, limit)
      .map((r) => Number(r.member_id));
  }

  async claimEmails(ids: readonly number[], runId: string, leaseUntil: Date, now: Date): Promise<number[]> {
    if (ids.length === 0) return [];
    return this.#db.transaction(() =>
      this.#db
        .sql(`UPDATE notifications AS n SET email_status = 'sending', email_run = ?, email_lease_until = ?,
        email_attempts = email_attempts + 1
        WHERE n.id IN (SELECT value FROM json_each(?)) AND ${EMAIL_CLAIMABLE('?')} RETURNING id`)
        .all(runId, leaseUntil.toISOString(), JSON.stringify(ids), now.toISOString())
        .map((r) => Number(r.id))
        .sort((a, b) => a - b),
    );
  }

  async renewEmailClaims(runId: string, leaseUntil: Date): Promise<void> {
    this.#db.transaction(() =>
      this.#db
        .sql(`UPDATE notifications SET email_lease_until = ? WHERE email_run = ? AND email_status = 'sending'`)
        .run(leaseUntil.toISOString(), runId),
    );
  }

  async finishEmails(
    ids: readonly number[],
    runId: string,
    outcome: 'sent' | 'failed' | 'deferred',
    _now: Date,
  ): Promise<void> {
    this.#db.transaction(() =>
      this.#db
        .sql(`UPDATE notifications SET email_status = ?, email_lease_until = NULL
        WHERE id IN (SELECT value FROM json_each(?)) AND email_run = ? AND email_status = 'sending'`)
        .run(outcome, JSON.stringify(ids), runId),
    );
  }

  async emailStatus(id: number): Promise<{ status: string | null; attempts: number } | null> {
    const row = this.#db.sql('SELECT email_status, email_attempts FROM notifications WHERE id = ?').get(id);
    return row
      ? { status: row.email_status === null ? null : String(row.email_status), attempts: Number(row.email_attempts) }
      : null;
  }
}
