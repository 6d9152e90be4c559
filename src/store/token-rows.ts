/** Rows of the token facet to records, shared by the SQLite and PostgreSQL stores (see rows.ts for why). */
import type { ApiToken, TokenScope } from './token-store.ts';
import { nullableString, type Row } from './rows.ts';

/** The columns rowToApiToken reads, of a token `t`. */
export const TOKEN_COLUMNS =
  't.id AS token_id, t.member_id, t.name AS token_name, t.scope, t.created_at AS token_created_at, t.last_used_at';

export function rowToApiToken(row: Row): ApiToken {
  return {
    id: Number(row.token_id),
    accountId: Number(row.member_id),
    name: String(row.token_name),
    scope: String(row.scope) as TokenScope,
    createdAt: String(row.token_created_at),
    lastUsedAt: nullableString(row.last_used_at),
  };
}
