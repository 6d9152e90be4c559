/**
 * Signed links: confirm a subscription (expires) and unsubscribe / resubscribe (does not: a link in a digest
 * from last year must still stop the mail). A token names the subscription by id and is signed with HMAC-SHA256
 * over its text and the subscription's address, with a secret kept in the store, so that every process of an
 * instance accepts the links any other made, and a token stops working if the id ever named another address.
 *
 *   confirm:      c.<id>.<d|w>.<expires, unix seconds>.<signature>
 *   unsubscribe:  u.<id>.<signature>
 */
import { createHmac } from 'node:crypto';
import { sameSecret } from '../community/secrets.ts';
import { emailKey, type DigestFrequency } from '../store/subscription-store.ts';

export const CONFIRM_TTL_SECONDS = 7 * 24 * 3600;

export type TokenPayload =
  | { purpose: 'confirm'; id: number; frequency: DigestFrequency; expires: number }
  | { purpose: 'unsubscribe'; id: number };

export type TokenCheck =
  | { ok: true; payload: TokenPayload }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

const FREQ_CODE: Record<DigestFrequency, string> = { daily: 'd', weekly: 'w' };

function body(payload: TokenPayload): string {
  return payload.purpose === 'confirm'
    ? `c.${payload.id}.${FREQ_CODE[payload.frequency]}.${payload.expires}`
    : `u.${payload.id}`;
}

/** HMAC-SHA256 of a link's text and the address it belongs to (notification unsubscribe links sign the same way). */
export function linkSignature(secret: string, text: string, email: string): Buffer {
  // 128 bits of the HMAC are plenty against forgery and keep links short.
  return createHmac('sha256', secret)
    .update(`${text}\n${emailKey(email)}`)
    .digest()
    .subarray(0, 16);
}

export function signToken(secret: string, payload: TokenPayload, email: string): string {
  const text = body(payload);
  return `${text}.${linkSignature(secret, text, email).toString('base64url')}`;
}

/** Reads a token's claims without trusting them: the caller looks the subscription up, then calls verifyToken. */
export function readToken(token: string): TokenPayload | null {
  if (token.length > 200) return null;
  let m = /^c\.([1-9]\d{0,15})\.([dw])\.(\d{1,12})\.[A-Za-z0-9_-]{22}$/.exec(token);
  if (m)
    return {
      purpose: 'confirm',
      id: Number(m[1]),
      frequency: m[2] === 'd' ? 'daily' : 'weekly',
      expires: Number(m[3]),
    };
  m = /^u\.([1-9]\d{0,15})\.[A-Za-z0-9_-]{22}$/.exec(token);
  if (m) return { purpose: 'unsubscribe', id: Number(m[1]) };
  return null;
}

export function verifyToken(secret: string, token: string, email: string, now: Date): TokenCheck {
  const payload = readToken(token);
  if (!payload) return { ok: false, reason: 'malformed' };
  // Compared as text, not as decoded bytes: the last base64 character carries 4 unused bits, so decoding
  // would accept several spellings of one signature.
  const expected = linkSignature(secret, body(payload), email).toString('base64url');
  if (!sameSecret(token.slice(token.lastIndexOf('.') + 1), expected)) return { ok: false, reason: 'signature' };
  if (payload.purpose === 'confirm' && payload.expires * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}

export function confirmToken(secret: string, id: number, email: string, frequency: DigestFrequency, now: Date): string {
  return signToken(
    secret,
    { purpose: 'confirm', id, frequency, expires: Math.floor(now.getTime() / 1000) + CONFIRM_TTL_SECONDS },
    email,
  );
}

export function unsubscribeToken(secret: string, id: number, email: string): string {
  return signToken(secret, { purpose: 'unsubscribe', id }, email);
}
