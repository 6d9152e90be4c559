/** The token facet on SQLite: members' personal access tokens, by hash. */
import type { SqliteDatabase } from './database.ts';
import type { Account } from '../community-store.ts';
import { MAX_TOKENS_PER_MEMBER, type ApiToken, type TokenScope, type TokenStore } from '../token-store.ts';
import { ACCOUNT_COLUMNS, rowToAccount } from '../rows.ts';
import { TOKEN_COLUMNS, rowToApiToken } from '../token-rows.ts';

export class SqliteTokenStore implements TokenStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async createToken(
    accountId: number,
    name: string,
    scope: TokenScope,
    tokenHash: string,
    now: Date,
  ): Promise<ApiToken | null> {
    return this.#db.transaction(() => {
      const held = Number(this.#db.sql('SELECT count(*) AS n FROM api_tokens WHERE member_id = ?').get(accountId)!.n);
      if (held >= MAX_TOKENS_PER_MEMBER) return null;
      const row = this.#db
        .sql(`INSERT INTO api_tokens (member_id, name, scope, token_hash, created_at) VALUES (?, ?, ?, ?, ?)
        RETURNING id`)
        .get(accountId, name, scope, tokenHash, now.toISOString());
      return rowToApiToken(
        this.#db.sql(`SELECT ${TOKEN_COLUMNS} FROM api_tokens t WHERE t.id = ?`).get(Number(row!.id))!,
      );
    });
  }

  async tokensOf(accountId: number): Promise<ApiToken[]> {
    return this.#db
      .sql(`SELECT ${TOKEN_COLUMNS} FROM api_tokens t WHERE t.member_id = ? ORDER BY t.id DESC`)
      .all(accountId)
      .map(rowToApiToken);
  }

  async revokeToken(accountId: number, id: number): Promise<boolean> {
    return this.#db.transaction(
      () => this.#db.sql('DELETE FROM api_tokens WHERE id = ? AND member_id = ?').run(id, accountId).changes > 0,
    );
  }

  async findToken(tokenHash: string): Promise<{ token: ApiToken; account: Account } | null> {
    const row = this.#db
      .sql(`SELECT ${TOKEN_COLUMNS}, ${ACCOUNT_COLUMNS} FROM api_tokens t JOIN members m ON m.id = t.member_id
      WHERE t.token_hash = ? AND m.banned_at IS NULL AND m.deleted_at IS NULL`)
      .get(tokenHash);
    return row ? { token: rowToApiToken(row), account: rowToAccount(row) } : null;
  }

  async markTokenUsed(id: number, now: Date, since: Date): Promise<void> {
    // Outside a transaction of this connection: a token's use changes no page, so it does not count as a write
    // that turns the response caches.
    this.#db
      .sql('UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)')
      .run(now.toISOString(), id, since.toISOString());
  }
}
