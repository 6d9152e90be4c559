/**
 * The token facet of the store: members' personal access tokens, for scripts and assistants (the JSON API and
 * /mcp). Like sign-in tokens, a token reaches the store only as its SHA-256 hash; what it may do is its scope.
 */
import type { Account } from './community-store.ts';

export const TOKEN_SCOPES = ['read', 'write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** The most tokens a member holds at once. */
export const MAX_TOKENS_PER_MEMBER = 20;

export interface ApiToken {
  id: number;
  accountId: number;
  name: string;
  scope: TokenScope;
  createdAt: string;
  /** When a request last used it (written at most once a minute); null before the first. */
  lastUsedAt: string | null;
}

export interface TokenStore {
  /** Stores a new token of the member (by hash); null when they hold MAX_TOKENS_PER_MEMBER already. */
  createToken(
    accountId: number,
    name: string,
    scope: TokenScope,
    tokenHash: string,
    now: Date,
  ): Promise<ApiToken | null>;
  /** The member's tokens, newest first. */
  tokensOf(accountId: number): Promise<ApiToken[]>;
  /** Deletes the member's token: it stops working at once. False when the member has no such token. */
  revokeToken(accountId: number, id: number): Promise<boolean>;
  /** The token with this hash and its member; null when unknown or revoked, or the member is banned or deleted. */
  findToken(tokenHash: string): Promise<{ token: ApiToken; account: Account } | null>;
  /** Records a use, unless one at or after `since` is recorded already (every process writes it once a minute at most). */
  markTokenUsed(id: number, now: Date, since: Date): Promise<void>;
}
