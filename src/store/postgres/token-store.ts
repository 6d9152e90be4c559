/** The token facet on PostgreSQL: members' personal access tokens, by hash. */
import type { Runner } from './runner.ts';
import type { Account } from '../community-store.ts';
import { MAX_TOKENS_PER_MEMBER, type ApiToken, type TokenScope, type TokenStore } from '../token-store.ts';
import { ACCOUNT_COLUMNS, rowToAccount } from '../rows.ts';
import { TOKEN_COLUMNS, rowToApiToken } from '../token-rows.ts';

export class PostgresTokenStore implements TokenStore {
  readonly #db: Runner;

  constructor(db: Runner) {
    this.#db = db;
  }

  async createToken(
    accountId: number,
    name: string,
    scope: TokenScope,
    tokenHash: string,
    now: Date,
  ): Promise<ApiToken | null> {
    return this.#db.transaction(async (tx) => {
      // The member's row lock orders the member's own creations, from every process, so the cap holds.
      await tx.query('SELECT 1 FROM members WHERE id = $1 FOR UPDATE', [accountId]);
      const [held] = await tx.query('SELECT count(*) AS n FROM api_tokens WHERE member_id = $1', [accountId]);
      if (Number(held!.n) >= MAX_TOKENS_PER_MEMBER) return null;
      const [row] = await tx.query(
        `INSERT INTO api_tokens (member_id, name, scope, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)
        RETURNING id`,
        [accountId, name, scope, tokenHash, now.toISOString()],
      );
      const [made] = await tx.query(`SELECT ${TOKEN_COLUMNS} FROM api_tokens t WHERE t.id = $1`, [Number(row!.id)]);
      return rowToApiToken(made!);
    });
  }

  async tokensOf(accountId: number): Promise<ApiToken[]> {
    const rows = await this.#db.query(
      `SELECT ${TOKEN_COLUMNS} FROM api_tokens t WHERE t.member_id = $1 ORDER BY t.id DESC`,
      [accountId],
    );
    return rows.map(rowToApiToken);
  }

  async revokeToken(accountId: number, id: number): Promise<boolean> {
    const rows = await this.#db.query('DELETE FROM api_tokens WHERE id = $1 AND member_id = $2 RETURNING id', [
      id,
      accountId,
    ]);
    return rows.length > 0;
  }

  async findToken(tokenHash: string): Promise<{ token: ApiToken; account: Account } | null> {
    const [row] = await this.#db.query(
      `SELECT ${TOKEN_COLUMNS}, ${ACCOUNT_COLUMNS} FROM api_tokens t JOIN members m ON m.id = t.member_id
      WHERE t.token_hash = $1 AND m.banned_at IS NULL AND m.deleted_at IS NULL`,
      [tokenHash],
    );
    return row ? { token: rowToApiToken(row), account: rowToAccount(row) } : null;
  }

  async markTokenUsed(id: number, now: Date, since: Date): Promise<void> {
    await this.#db.query(
      'UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)',
      [now.toISOString(), id, since.toISOString()],
    );
  }
}
