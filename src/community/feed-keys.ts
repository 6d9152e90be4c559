/**
 * A member's private feed key, for reading feeds of a members-only instance in a feed reader (which has no
 * cookie): `/feeds/daily.rss?key=…`. The key is an HMAC of a random per-member salt under the instance secret,
 * so pages can show it again without the store keeping it; the store keeps the salt and the key's SHA-256,
 * which is what a request's key is looked up by. Resetting draws a new salt: the old key stops working.
 */
import type { Account } from '../store/community-store.ts';
import type { AccessStore } from '../store/access-store.ts';
import { hashToken, randomToken, sign } from './secrets.ts';

const KEY = /^[A-Za-z0-9_-]{43}$/;

function derive(secret: string, accountId: number, salt: string): string {
  return sign(secret, `feed-key:${accountId}:${salt}`);
}

/** The member's key, made on first use. */
export async function feedKeyOf(
  store: AccessStore,
  secret: string,
  accountId: number,
  now = new Date(),
): Promise<string> {
  const salt = await store.feedKeySalt(accountId);
  return salt === null ? resetFeedKey(store, secret, accountId, now) : derive(secret, accountId, salt);
}

/** A new key for the member; the previous one no longer opens anything. */
export async function resetFeedKey(
  store: AccessStore,
  secret: string,
  accountId: number,
  now = new Date(),
): Promise<string> {
  const salt = randomToken();
  const key = derive(secret, accountId, salt);
  await store.setFeedKey(accountId, salt, hashToken(key), now);
  return key;
}

/** The member a feed key belongs to; null for an unknown, reset or malformed key, or a banned or deleted member. */
export async function readerOfFeedKey(store: AccessStore, key: string): Promise<Account | null> {
  return KEY.test(key) ? store.accountForFeedKey(hashToken(key)) : null;
}
