/**
 * One-click unsubscribe links of notification emails, one per kind (or all kinds, in a daily batch): the member's
 * id and the kind, signed like the digest's links (digest/tokens.ts) with the store's signing secret and the
 * member's address, so a link keeps working for ever, in any process, and stops when the account's address
 * changes or it is deleted.
 *
 *   n.<member id>.<r|m|p|d|a>.<signature>
 */
import { sameSecret } from '../community/secrets.ts';
import { linkSignature } from '../digest/tokens.ts';
import type { NotificationKind } from '../store/notification-store.ts';

export type UnsubscribeScope = NotificationKind | 'all';

const CODES: Record<UnsubscribeScope, string> = {
  reply: 'r',
  mention: 'm',
  'paper-comment': 'p',
  moderation: 'd',
  all: 'a',
};

export function notificationUnsubscribeToken(
  secret: string,
  memberId: number,
  scope: UnsubscribeScope,
  email: string,
): string {
  const text = `n.${memberId}.${CODES[scope]}`;
  return `${text}.${linkSignature(secret, text, email).toString('base64url')}`;
}

/** The member and scope a token names, unverified: the caller looks the member up, then calls verify. */
export function readNotificationToken(token: string): { memberId: number; scope: UnsubscribeScope } | null {
  const m = /^n\.([1-9]\d{0,15})\.([rmpda])\.[A-Za-z0-9_-]{22}$/.exec(token);
  if (!m) return null;
  const scope = (Object.keys(CODES) as UnsubscribeScope[]).find((k) => CODES[k] === m[2])!;
  return { memberId: Number(m[1]), scope };
}

export function verifyNotificationToken(secret: string, token: string, email: string): boolean {
  const read = readNotificationToken(token);
  if (!read) return false;
  return sameSecret(token, notificationUnsubscribeToken(secret, read.memberId, read.scope, email));
}
