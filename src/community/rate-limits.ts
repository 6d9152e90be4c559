/**
 * Rate limits, per member and per client address, kept in the store so that every web process counts
 * the same hits. Fixed windows: simple to read, and the store does one upsert per hit.
 */
import type { Account, CommunityStore, RateLimitResult } from '../store/community-store.ts';

export type LimitedAction =
  | 'sign-in'
  | 'subscribe'
  | 'vote'
  | 'comment'
  | 'submit'
  | 'admin-claim'
  | 'report'
  | 'links'
  | 'author-claim';

interface Limit {
  windowSeconds: number;
  perMember: number;
  perAddress: number;
}

/** Generous for people, tight for scripts. Sign-in emails are limited per address and per email. */
export const RATE_LIMITS: Record<LimitedAction, Limit> = {
  'sign-in': { windowSeconds: 3600, perMember: 5, perAddress: 20 },
  subscribe: { windowSeconds: 3600, perMember: 5, perAddress: 20 },
  vote: { windowSeconds: 60, perMember: 60, perAddress: 600 },
  comment: { windowSeconds: 600, perMember: 20, perAddress: 60 },
  submit: { windowSeconds: 3600, perMember: 20, perAddress: 40 },
  // Attempts at the one-time administrator code: a person mistypes it a few times, a script must not guess on.
  'admin-claim': { windowSeconds: 3600, perMember: 5, perAddress: 20 },
  // Reports of comments and papers: enough for a member who meets a wave of spam, too few to flood the queue.
  report: { windowSeconds: 3600, perMember: 10, perAddress: 30 },
  // Edits of a paper's project page and repository: a person fixes a few, a script must not rewrite many.
  links: { windowSeconds: 3600, perMember: 30, perAddress: 60 },
  // Each claim is a moderator's work: enough for an author to claim their papers from an author page.
  'author-claim': { windowSeconds: 3600, perMember: 50, perAddress: 100 },
};

export class RateLimiter {
  readonly #store: CommunityStore;
  readonly #factor: number;

  constructor(store: CommunityStore, factor: number) {
    this.#store = store;
    this.#factor = factor;
  }

  /** Counts one hit for the member (or email, for sign-in) and for the address; refused if either is over. */
  async hit(action: LimitedAction, who: string, address: string, now = new Date()): Promise<RateLimitResult> {
    const { member, client } = await this.hitEach(action, who, address, now);
    if (member.allowed && client.allowed) return member;
    return { allowed: false, retryAfter: Math.max(member.retryAfter, client.retryAfter) };
  }

  /** The same hit, with the two verdicts apart: sign-in answers differently when the email is over its limit. */
  async hitEach(
    action: LimitedAction,
    who: string,
    address: string,
    now = new Date(),
  ): Promise<{ member: RateLimitResult; client: RateLimitResult }> {
    const limit = RATE_LIMITS[action];
    const max = (n: number) => Math.max(1, Math.round(n * this.#factor));
    const [member, client] = await Promise.all([
      this.#store.hitRateLimit(memberKey(action, who), limit.windowSeconds, max(limit.perMember), now),
      this.#store.hitRateLimit(`${action}:ip:${address}`, limit.windowSeconds, max(limit.perAddress), now),
    ]);
    return { member, client };
  }
}

/** The counter of one member (their id, or their address for the actions limited per address). */
function memberKey(action: LimitedAction, who: string): string {
  return `${action}:who:${who}`;
}

/** Every counter kept under the member's id or address (lower-cased, as sign-in and subscriptions count it), for
 *  deleting their account. Counters of client addresses are shared by everyone behind one and stay. */
export function rateLimitKeysOf(account: Pick<Account, 'id' | 'email'>): string[] {
  const actions = Object.keys(RATE_LIMITS) as LimitedAction[];
  const whos = [String(account.id), ...(account.email ? [account.email.toLowerCase()] : [])];
  return actions.flatMap((action) => whos.map((who) => memberKey(action, who)));
}
