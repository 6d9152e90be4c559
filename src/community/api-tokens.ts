/**
 * Personal access tokens: a member's scripts and assistants act as them on the JSON API and /mcp with
 * `Authorization: Bearer pb_…`. A token is 256 random bits behind a recognisable prefix (secret scanners and
 * people can tell it from other secrets); the store keeps only its SHA-256, so it is shown once, when made.
 * Each has a name and a scope: `read` reads (including the member's own collections and "for you"), `write`
 * also upvotes, saves, submits and comments. Revoking deletes it; a banned or deleted member's tokens are not
 * found by the store at all, so they stop working with the next request. The last use is written at most once
 * a minute per token, however many requests it makes.
 */
import type { Account } from '../store/community-store.ts';
import type { ApiToken, TokenScope, TokenStore } from '../store/token-store.ts';
import { MAX_TOKENS_PER_MEMBER, TOKEN_SCOPES } from '../store/token-store.ts';
import { hashToken, randomToken } from './secrets.ts';

export const TOKEN_PREFIX = 'pb_';
const TOKEN_FORMAT = /^pb_[A-Za-z0-9_-]{43}$/;
export const TOKEN_NAME_MAX = 80;
/** A token's last use is written when the one recorded is older than this. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export type TokenCreation = { ok: true; token: ApiToken; secret: string } | { ok: false; error: string };

export function isTokenScope(value: unknown): value is TokenScope {
  return typeof value === 'string' && (TOKEN_SCOPES as readonly string[]).includes(value);
}

/** Makes a token for the member; `secret` is the only time the token itself exists outside the request. */
export async function createApiToken(
  store: TokenStore,
  account: Account,
  nameInput: string,
  scope: unknown,
  now = new Date(),
): Promise<TokenCreation> {
  const name = nameInput.replace(/\s+/g, ' ').trim();
  if (name === '') return { ok: false, error: 'Give the token a name, e.g. the script or assistant that uses it.' };
  if ([...name].length > TOKEN_NAME_MAX) return { ok: false, error: `Names are at most ${TOKEN_NAME_MAX} characters.` };
  if (!isTokenScope(scope)) return { ok: false, error: 'Choose what the token may do: read, or read and write.' };
  const secret = `${TOKEN_PREFIX}${randomToken()}`;
  const token = await store.createToken(account.id, name, scope, hashToken(secret), now);
  if (!token)
    return {
      ok: false,
      error: `You have ${MAX_TOKENS_PER_MEMBER} tokens, as many as a member can hold. Revoke one you no longer use.`,
    };
  return { ok: true, token, secret };
}

export interface TokenHolder {
  account: Account;
  token: ApiToken;
}

/**
 * The member and token a bearer secret stands for; null for anything else (malformed, unknown, revoked, or a
 * banned or deleted member's). Records the use, once a minute at most.
 */
export async function tokenHolder(store: TokenStore, secret: string, now = new Date()): Promise<TokenHolder | null> {
  if (!TOKEN_FORMAT.test(secret)) return null;
  const found = await store.findToken(hashToken(secret));
  if (!found) return null;
  const since = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (found.token.lastUsedAt === null || found.token.lastUsedAt < since.toISOString())
    await store.markTokenUsed(found.token.id, now, since);
  return found;
}

/** Whether a token of this scope may change things (upvote, save, submit, comment). */
export function mayWrite(scope: TokenScope): boolean {
  return scope === 'write';
}
