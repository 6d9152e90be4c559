/** The access facet on SQLite: invitations and feed keys. */
import type { SqliteDatabase } from './database.ts';
import type { AccessStore, Invitation } from '../access-store.ts';
import type { Account } from '../community-store.ts';
import { ACCOUNT_COLUMNS, INVITATION_SELECT, rowToAccount, rowToInvitation } from '../rows.ts';

export class SqliteAccessStore implements AccessStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async memberExists(email: string): Promise<boolean> {
    return this.#db.sql('SELECT 1 FROM members WHERE email = ? AND deleted_at IS NULL').get(email) !== undefined;
  }

  async createInvitation(
    tokenHash: string,
    email: string | null,
    createdById: number | null,
    expiresAt: Date,
    now: Date,
  ): Promise<Invitation> {
    return this.#db.transaction(() => {
      const row = this.#db
        .sql(`INSERT INTO invitations (token_hash, email, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
        RETURNING id`)
        .get(tokenHash, email, createdById, now.toISOString(), expiresAt.toISOString());
      return rowToInvitation(this.#db.sql(`${INVITATION_SELECT} WHERE i.id = ?`).get(Number(row!.id))!);
    });
  }

  async invitations(limit: number): Promise<Invitation[]> {
    return this.#db.sql(`${INVITATION_SELECT} ORDER BY i.id DESC LIMIT ?`).all(limit).map(rowToInvitation);
  }

  async openInvitation(tokenHash: string, now: Date): Promise<Invitation | null> {
    const row = this.#db
      .sql(
        `${INVITATION_SELECT} WHERE i.token_hash = ? AND i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ?`,
      )
      .get(tokenHash, now.toISOString());
    return row ? rowToInvitation(row) : null;
  }

  async useInvitation(tokenHash: string, email: string, now: Date): Promise<boolean> {
    return this.#db.transaction(
      () =>
        this.#db
          .sql(`UPDATE invitations SET used_at = ?, used_by = ?
      WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ? AND (email IS NULL OR lower(email) = lower(?))
      RETURNING id`)
          .get(now.toISOString(), email, tokenHash, now.toISOString(), email) !== undefined,
    );
  }

  async revokeInvitation(id: number, now: Date): Promise<boolean> {
    return this.#db.transaction(
      () =>
        this.#db
          .sql(`UPDATE invitations SET revoked_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL
      RETURNING id`)
          .get(now.toISOString(), id) !== undefined,
    );
  }

  async feedKeySalt(accountId: number): Promise<string | null> {
    const row = this.#db.sql('SELECT salt FROM feed_keys WHERE member_id = ?').get(accountId);
    return row ? String(row.salt) : null;
  }

  async setFeedKey(accountId: number, salt: string, keyHash: string, now: Date): Promise<void> {
    this.#db.transaction(() => {
      this.#db
        .sql(`INSERT INTO feed_keys (member_id, salt, key_hash, created_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (member_id) DO UPDATE SET salt = excluded.salt, key_hash = excluded.key_hash, created_at = excluded.created_at`)
        .run(accountId, salt, keyHash, now.toISOString());
    });
  }

  async accountForFeedKey(keyHash: string): Promise<Account | null> {
    const row = this.#db
      .sql(`SELECT ${ACCOUNT_COLUMNS} FROM feed_keys k JOIN members m ON m.id = k.member_id
      WHERE k.key_hash = ? AND m.banned_at IS NULL AND m.deleted_at IS NULL`)
      .get(keyHash);
    return row ? rowToAccount(row) : null;
  }
}
