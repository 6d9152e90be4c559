/**
 * Member handles (the @name in profile addresses). A new account gets a random suggestion, never anything
 * made from its email address (an address is not shown to others, and a handle is), and its owner chooses the
 * handle they want at their first sign-in.
 */
import { randomInt } from 'node:crypto';

export const HANDLE_MIN = 2;
export const HANDLE_MAX = 24;
/** What a new account is called until its owner chooses: `reader-` and a few random letters and digits. */
export const SUGGESTED_PREFIX = 'reader-';
const SUGGESTED_RANDOM = 5;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Shown for the comments and moderation-log entries of members who deleted their account. */
export const DELETED_MEMBER = 'deleted member';

/** A suggested handle, e.g. `reader-k3x9q` (36^5 ≈ 60 million of them: the store draws again when one is taken). */
export function randomHandle(): string {
  let suffix = '';
  for (let i = 0; i < SUGGESTED_RANDOM; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `${SUGGESTED_PREFIX}${suffix}`;
}

/**
 * The name a deleted account keeps so that its row (and the comments its owner chose to keep) can stay: unique,
 * not personal, and outside what anyone can choose or import (a `~` is in neither handles nor Hugging Face names),
 * so the handle it had is free again and no later member or import takes this one over.
 */
export function tombstoneName(accountId: number): string {
  return `deleted~${accountId}`;
}

export type HandleCheck = { ok: true; handle: string } | { ok: false; error: string };

/**
 * A handle as typed (an @ in front and surrounding spaces are forgiven, capitals lower-cased): 2–24 characters,
 * a–z, 0–9 and single dashes between them. Whether it is taken is the store's answer.
 */
export function checkHandle(input: string): HandleCheck {
  const handle = input.trim().replace(/^@/, '').toLowerCase();
  if (handle.length < HANDLE_MIN || handle.length > HANDLE_MAX) {
    return { ok: false, error: `A handle has ${HANDLE_MIN} to ${HANDLE_MAX} characters.` };
  }
  if (!/^[a-z0-9-]+$/.test(handle)) {
    return { ok: false, error: 'A handle may hold the letters a–z, the digits 0–9 and dashes only.' };
  }
  if (handle.startsWith('-') || handle.endsWith('-') || handle.includes('--')) {
    return {
      ok: false,
      error: 'Dashes go between letters or digits, one at a time (not first, last or two in a row).',
    };
  }
  return { ok: true, handle };
}

export const DISPLAY_NAME_MAX = 60;

export type DisplayNameCheck = { ok: true; name: string } | { ok: false; error: string };

/** A display name as typed, runs of white space made one space: 1–60 characters. */
export function checkDisplayName(input: string): DisplayNameCheck {
  const name = input.replace(/\s+/g, ' ').trim();
  if (name === '' || name.length > DISPLAY_NAME_MAX)
    return { ok: false, error: `A display name has 1 to ${DISPLAY_NAME_MAX} characters.` };
  return { ok: true, name };
}
