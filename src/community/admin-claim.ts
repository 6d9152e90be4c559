/**
 * The first administrator of a fresh instance: while there is none, a one-time code is pending; a signed-in
 * member who enters it at /admin/claim becomes admin, and the code is spent. (`paperboy admin add EMAIL` does
 * the same from the command line.)
 *
 * The store keeps the code's hash, so only the process that made a code can show it. Several processes start
 * on one database (web processes behind a proxy): the first start without a pending code makes one and logs
 * it; the others log that one is pending and leave it alone, so the printed code keeps working. An operator
 * who has lost it runs `paperboy admin claim-code`, which replaces it and prints the new one.
 */
import type { Logger } from '../log.ts';
import type { Account } from '../store/community-store.ts';
import type { Store } from '../store/store.ts';
import { hashToken, randomToken } from './secrets.ts';

function newCode(): string {
  return randomToken().slice(0, 16);
}

/** At start: makes and logs a code when there is no administrator and no code is pending; returns it. */
export async function offerAdminClaim(store: Store, logger: Logger, publicUrl: string): Promise<string | null> {
  if ((await store.community.countAdmins()) > 0) return null;
  const claimUrl = `${publicUrl}/admin/claim`;
  const code = newCode();
  if (await store.community.offerAdminClaim(hashToken(code), new Date())) {
    logger.warn(
      { claimUrl, code },
      `no administrator yet: sign in, open ${claimUrl} and enter the one-time code ${code}`,
    );
    return code;
  }
  logger.warn(
    { claimUrl },
    `no administrator yet: a one-time claim code is pending (printed in the log of the process that made it); \`paperboy admin claim-code\` replaces it and prints the new one`,
  );
  return null;
}

/** `paperboy admin claim-code`: a new code replaces the pending one; null when the instance has an administrator. */
export async function replaceAdminClaim(store: Store): Promise<string | null> {
  if ((await store.community.countAdmins()) > 0) return null;
  const code = newCode();
  await store.community.replaceAdminClaim(hashToken(code), new Date());
  return code;
}

/** Spends the code for this member; false when it is not the pending code or there is an administrator. */
export async function claimAdmin(store: Store, account: Account, code: string): Promise<boolean> {
  // The store compares hashes (a lookup, like sign-in tokens): the code's 96 random bits and the attempt limit
  // of /admin/claim leave nothing to learn from timing.
  return store.community.spendAdminClaim(hashToken(code.trim()), account.id);
}
