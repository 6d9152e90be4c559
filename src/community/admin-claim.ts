/**
 * The first administrator of a fresh instance: while there is none, every start prints a one-time code in
 * the log; a signed-in member who enters it at /admin/claim becomes admin, and the code is spent.
 * (`paperboy admin add EMAIL` does the same from the command line.)
 */
import type { Logger } from '../log.ts';
import type { Account } from '../store/community-store.ts';
import type { Store } from '../store/store.ts';
import { hashToken, randomToken, sameSecret } from './secrets.ts';

const CLAIM_KEY = 'admin-claim';

export async function offerAdminClaim(store: Store, logger: Logger, publicUrl: string): Promise<string | null> {
  if ((await store.community.countAdmins()) > 0) return null;
  const code = randomToken().slice(0, 16);
  await store.setJobState(CLAIM_KEY, { hash: hashToken(code) });
  logger.warn({ claimUrl: `${publicUrl}/admin/claim`, code }, `no administrator yet: sign in, open ${publicUrl}/admin/claim and enter the one-time code ${code}`);
  return code;
}

export async function claimAdmin(store: Store, account: Account, code: string): Promise<boolean> {
  const claim = await store.getJobState<{ hash: string } | null>(CLAIM_KEY);
  if (!claim || (await store.community.countAdmins()) > 0) return false;
  if (!sameSecret(hashToken(code.trim()), claim.hash)) return false;
  await store.community.setRole(account.id, 'admin');
  await store.setJobState(CLAIM_KEY, null);
  return true;
}
