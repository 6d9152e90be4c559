/** The access facet on PostgreSQL: invitations and feed keys. */
import type { Runner } from './runner.ts';
import type { AccessStore, Invitation } from '../access-store.ts';
import type { Account } from '../community-store.ts';
import { ACCOUNT_COLUMNS, INVITATION_SELECT, rowToAccount, rowToInvitation } from '../rows.ts';

export class PostgresAccessStore implements AccessStore {
  readonly #db: Runner;

  constructor(db: Runner) {
    this.#db = db;
  }

  async memberExists(email: string): Promise<boolean> {
    return (await this.#db.query('SELECT 1 FROM members WHERE email = $1 AND deleted_at IS NULL', [email])).length > 0;
  }

  async createInvitation(
    tokenHash: string,
    email: string | null,
    createdById: number | null,
    expiresAt: Date,
    now: Date,
  ): Promise<Invitation> {
    const [row] = await this.#db.query(
      `INSERT INTO invitations (token_hash, email, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)
      RETURNING id`,
      [tokenHash, email, createdById, now.toISOString(), expiresAt.toISOString()],
    );
    const [made] = await this.#db.query(`${INVITATION_SELECT} WHERE i.id = $1`, [Number(row!.id)]);
    return rowToInvitation(made!);
  }

  async invitations(limit: number): Promise<Invitation[]> {
    return (await this.#db.query(`${INVITATION_SELECT} ORDER BY i.id DESC LIMIT $1`, [limit])).map(rowToInvitation);
  }

  async openInvitation(tokenHash: string, now: Date): Promise<Invitation | null> {
    const [row] = await this.#db.query(
      `${INVITATION_SELECT}
      WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2`,
      [tokenHash, now.toISOString()],
    );
    return row ? rowToInvitation(row) : null;
  }

  async useInvitation(tokenHash: string, email: string, now: Date): Promise<boolean> {
    const rows = await this.#db.query(
      `UPDATE invitations SET used_at = $1, used_by = $2
      WHERE token_hash = $3 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1 AND (email IS NULL OR lower(email) = lower($2))
      RETURNING id`,
      [now.toISOString(), email, tokenHash],
    );
    return rows.length > 0;
  }

  async revokeInvitation(id: number, now: Date): Promise<boolean> {
    const rows = await this.#db.query(
      `UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL
      RETURNING id`,
      [now.toISOString(), id],
    );
    return rows.length > 0;
  }

  async feedKeySalt(accountId: number): Promise<string | null> {
    const [row] = await this.#db.query('SELECT salt FROM feed_keys WHERE member_id = $1', [accountId]);
    return row ? String(row.salt) : null;
  }

  async setFeedKey(accountId: number, salt: string, keyHash: string, now: Date): Promise<void> {
    await this.#db.query(
      `INSERT INTO feed_keys (member_id, salt, key_hash, created_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (member_id) DO UPDATE SET salt = excluded.salt, key_hash = excluded.key_hash, created_at = excluded.created_at`,
      [accountId, salt, keyHash, now.toISOString()],
    );
  }

  async accountForFeedKey(keyHash: string): Promise<Account | null> {
    const [row] = await this.#db.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM feed_keys k JOIN members m ON m.id = k.member_id
      WHERE k.key_hash = $1 AND m.banned_at IS NULL AND m.deleted_at IS NULL`,
      [keyHash],
    );
    return row ? rowToAccount(row) : null;
  }
}
