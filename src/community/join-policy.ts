/**
 * Who may join (PAPERBOY_SIGNUP): an address without an account gets a sign-in link only when the policy lets
 * it in — any address (open), an address at one of the listed domains (domains), or one carrying a valid
 * invitation (invite, or any policy). Existing members can always sign in, whatever the policy.
 */
import type { AccessConfig } from '../config.ts';

/** Whether a new account may be made for this address without an invitation. */
export function joinsWithoutInvitation(access: AccessConfig, email: string): boolean {
  if (access.signup === 'open') return true;
  if (access.signup === 'invite') return false;
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return access.signupDomains.includes(domain);
}

/**
 * What the sign-in form tells everyone when the instance is not open. It names the rule, never who is a member:
 * the same sentence is shown before and after asking, for members and strangers alike.
 */
export function joinRule(access: AccessConfig): string | null {
  if (access.signup === 'open') return null;
  if (access.signup === 'invite')
    return 'This instance is invitation-only: new members join with an invitation link from an administrator.';
  const domains = access.signupDomains.map((d) => `@${d}`);
  const list = domains.length === 1 ? domains[0]! : `${domains.slice(0, -1).join(', ')} or ${domains.at(-1)!}`;
  return `New members need an address at ${list} (or an invitation link from an administrator).`;
}
