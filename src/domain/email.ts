/**
 * Email addresses Paperboy accepts: plain ASCII, one @, no whitespace or control characters (no header
 * injection), at most 254 characters (RFC 5321), a dotted domain. Unicode addresses are refused: look-alike
 * letters (Cyrillic "а" for Latin "a") would let one person pass for another.
 */
import { z } from 'zod';

export const MAX_EMAIL_LENGTH = 254;

export type EmailCheck = { ok: true; email: string } | { ok: false; error: string };

const shape = z.email();

export function checkEmail(input: string): EmailCheck {
  const email = input.trim();
  if (email === '') return { ok: false, error: 'Please enter an email address.' };
  if (email.length > MAX_EMAIL_LENGTH) return { ok: false, error: `An email address has at most ${MAX_EMAIL_LENGTH} characters.` };
  if (/[\u0000-\u001f\u007f\s]/.test(email)) return { ok: false, error: 'An email address cannot contain spaces or line breaks.' };
  if (/[^\x21-\x7e]/.test(email)) {
    return { ok: false, error: 'Please use a plain ASCII address: letters outside it can imitate other addresses.' };
  }
  if (!shape.safeParse(email).success) return { ok: false, error: `“${email.slice(0, 80)}” is not an email address.` };
  // Domains are case-insensitive; local parts are in theory not, but no real mail system treats them so.
  return { ok: true, email: email.toLowerCase() };
}
