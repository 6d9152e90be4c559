/**
 * The access facet of the store: invitation links and members' private feed keys. Like sign-in tokens, an
 * invitation's token and a feed key reach the store only as SHA-256 hashes.
 */
import type { Account } from './community-store.ts';

export interface Invitation {
  id: number;
  /** The only address that may use it; null: anyone holding the link. */
  email: string | null;
  /** Handle of the administrator who made it; null when made from the command line. */
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  /** The address that used it. */
  usedBy: string | null;
  revokedAt: string | null;
}

export interface AccessStore {
  /** Whether a (not deleted) account has this address: existing members may always sign in. */
  memberExists(email: string): Promise<boolean>;
  createInvitation(
    tokenHash: string,
    email: string | null,
    createdById: number | null,
    expiresAt: Date,
    now: Date,
  ): Promise<Invitation>;
  /** Newest first. */
  invitations(limit: number): Promise<Invitation[]>;
  /** The invitation with this token hash while it can be used (not used, revoked or expired); null otherwise. */
  openInvitation(tokenHash: string, now: Date): Promise<Invitation | null>;
  /**
   * Spends the invitation for `email`, once: false when it is not open any more, or is addressed to another
   * address (compared in lower case).
   */
  useInvitation(tokenHash: string, email: string, now: Date): Promise<boolean>;
  /** False when there is no such invitation, or it was used or revoked already. */
  revokeInvitation(id: number, now: Date): Promise<boolean>;
  /** The member's feed key salt (the key is derived from it, see community/feed-keys.ts); null before the first. */
  feedKeySalt(accountId: number): Promise<string | null>;
  /** Replaces the member's feed key: the old one stops working at once. */
  setFeedKey(accountId: number, salt: string, keyHash: string, now: Date): Promise<void>;
  /** The member whose feed key has this hash; null when unknown, or the member is banned or deleted. */
  accountForFeedKey(keyHash: string): Promise<Account | null>;
}
