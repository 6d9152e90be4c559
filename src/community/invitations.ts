/**
 * Invitation links, made by administrators (/admin/invitations, `paperboy admin invite`). Each is 256 random
 * bits, kept only as a hash, used once, and may be for one address only. Opening the link leads to the sign-in
 * form carrying it; the account is made only when the invited person completes sign-in (SignInService).
 */
import type { AccessStore, Invitation } from '../store/access-store.ts';
import { hashToken, randomToken } from './secrets.ts';

export const INVITATION_DAYS = [1, 7, 30] as const;
export const DEFAULT_INVITATION_DAYS = 7;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function invitationUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/invite/${token}`;
}

/** Makes an invitation; the link (with its token) is returned this once and never stored. */
export async function createInvitation(
  store: AccessStore,
  publicUrl: string,
  options: { email: string | null; days: number; createdById: number | null },
  now = new Date(),
): Promise<{ invitation: Invitation; link: string }> {
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + options.days * 86_400_000);
  const invitation = await store.createInvitation(hashToken(token), options.email, options.createdById, expiresAt, now);
  return { invitation, link: invitationUrl(publicUrl, token) };
}

/** The invitation a token stands for, while it can still be used; null for anything else (even garbage). */
export async function openInvitation(store: AccessStore, token: string, now = new Date()): Promise<Invitation | null> {
  return TOKEN.test(token) ? store.openInvitation(hashToken(token), now) : null;
}

/** Spends the invitation for this address; false when it cannot (used meanwhile, revoked, expired, for another address). */
export async function useInvitation(
  store: AccessStore,
  token: string,
  email: string,
  now = new Date(),
): Promise<boolean> {
  return TOKEN.test(token) && store.useInvitation(hashToken(token), email, now);
}

export function invitationFits(invitation: Invitation, email: string): boolean {
  return invitation.email === null || invitation.email.toLowerCase() === email.toLowerCase();
}
