/**
 * Claiming authorship: a member says they are one of a paper's authors (an author entry: the paper and a
 * position in its author list). A moderator approves or rejects the claim; or it is approved at once when an
 * administrator tied the paper's organization to an email domain and the member's address (verified: members
 * sign in by emailed link) is at that domain. Approved claimants are the paper's verified authors: they get a
 * badge, their comments make `isAuthorParticipating` true, and the papers gather on their profile.
 *
 * Other features ask `approvedClaimants` / `isVerifiedAuthor` (who may edit a paper's links, whom to tell about
 * comments on papers they claimed).
 */
import { checkAddress } from '../domain/email.ts';
import type { DailyEntry, Paper } from '../domain/types.ts';
import type { AuthorClaim, ClaimMember } from '../store/claim-store.ts';
import type { Account } from '../store/community-store.ts';
import type { Store } from '../store/store.ts';
import type { RateLimiter } from './rate-limits.ts';

export type ClaimOutcome =
  | { status: 'approved' | 'pending'; claim: AuthorClaim }
  | { status: 'refused'; httpStatus: 400 | 404 | 409 | 429; message: string };

export interface ApprovedClaimant {
  position: number;
  authorName: string;
  member: ClaimMember;
}

/** The most papers an author page reads entries of (names shared by many people stop here). */
export const AUTHOR_ENTRIES_READ = 2000;

/** The domain of an address, lower-cased; null without one. */
export function emailDomain(email: string | null): string | null {
  if (email === null) return null;
  const at = email.lastIndexOf('@');
  return at > 0 ? email.slice(at + 1).toLowerCase() : null;
}

/** A domain as an administrator types it ("@Lab.Example" or "lab.example"), checked; null when it is not one. */
export function parseDomain(input: string): string | null {
  const domain = input.trim().replace(/^@/, '').toLowerCase();
  if (domain === '' || domain.length > 253) return null;
  return checkAddress(`x@${domain}`).ok ? domain : null;
}

/** Why a claim is approved at once, for the moderation log; null when it goes to the moderators. */
export async function domainApproval(store: Store, paper: Paper, account: Account): Promise<string | null> {
  const domain = emailDomain(account.email);
  const organization = paper.organization?.name;
  if (!domain || !organization) return null;
  return (await store.claims.isDomainTied(organization, domain))
    ? `address at @${domain}, tied to organization ${organization}`
    : null;
}

export async function fileClaim(
  store: Store,
  limiter: RateLimiter,
  paperId: string,
  position: number,
  account: Account,
  address: string,
  now = new Date(),
): Promise<ClaimOutcome> {
  const paper = await store.getPaper(paperId);
  if (!paper) return refused(404, 'There is no such paper.');
  const author = paper.authors[position];
  if (!author) return refused(400, 'Choose one of the paper’s authors.');
  const limit = await limiter.hit('author-claim', String(account.id), address, now);
  if (!limit.allowed)
    return refused(
      429,
      `You have claimed many papers lately. Please wait ${Math.ceil(limit.retryAfter / 60)} minutes.`,
    );
  const approveReason = await domainApproval(store, paper, account);
  const result = await store.claims.fileClaim(
    { paperId, position, authorName: author.name, memberId: account.id, approveReason },
    now,
  );
  switch (result.status) {
    case 'filed':
      return { status: result.claim.status === 'approved' ? 'approved' : 'pending', claim: result.claim };
    case 'taken':
      return refused(
        409,
        `Another member is the verified ${author.name} of this paper. If that is wrong, tell the moderators.`,
      );
    case 'twice':
      return refused(
        409,
        'You have claimed an author of this paper already, or your claim to be this author was rejected: your claims are listed on your profile.',
      );
    case 'no-paper':
      return refused(404, 'There is no such paper.');
  }
}

/** The entries of a paper whose claims are approved, by position: its verified authors (where the entry still holds
 *  the name claimed: a re-import may change an author list). None for a paper that is not there or hidden. */
export async function approvedClaimants(store: Store, paperId: string): Promise<ApprovedClaimant[]> {
  const [paper, claims] = await Promise.all([store.getPaper(paperId), store.claims.claimsOnPaper(paperId)]);
  if (!paper) return [];
  return claims
    .filter((k) => k.status === 'approved' && paper.authors[k.position]?.name === k.authorName)
    .map((k) => ({ position: k.position, authorName: k.authorName, member: k.member }));
}

/** Whether the member is a verified author of the paper. */
export async function isVerifiedAuthor(store: Store, paperId: string, memberId: number): Promise<boolean> {
  return (await approvedClaimants(store, paperId)).some((c) => c.member.id === memberId);
}

/** Daily entries with `isAuthorParticipating` true where the source said so or a verified author has commented. */
export async function withAuthorParticipation(store: Store, entries: DailyEntry[]): Promise<DailyEntry[]> {
  const participating = await store.claims.papersWithAuthorComments(entries.map((e) => e.paper.id));
  if (participating.size === 0) return entries;
  return entries.map((e) =>
    participating.has(e.paper.id) && !e.isAuthorParticipating ? { ...e, isAuthorParticipating: true } : e,
  );
}

/** The people behind one name on author pages: each verified member apart, each Hugging Face account the imported
 *  records tie entries to, and the entries nobody is tied to. A member's claim goes before the imported tie. */
export interface AuthorPeople {
  verified: { member: ClaimMember; paperIds: string[] }[];
  hfUsers: { hfUser: string; paperIds: string[] }[];
  unclaimed: string[];
}

export async function authorPeople(store: Store, name: string): Promise<AuthorPeople> {
  const entries = await store.claims.authorEntries(name, AUTHOR_ENTRIES_READ);
  const verified = new Map<number, { member: ClaimMember; paperIds: string[] }>();
  const hfUsers = new Map<string, { hfUser: string; paperIds: string[] }>();
  const unclaimed: string[] = [];
  for (const entry of entries) {
    if (entry.claimant) {
      const person = verified.get(entry.claimant.id) ?? { member: entry.claimant, paperIds: [] };
      person.paperIds.push(entry.paperId);
      verified.set(entry.claimant.id, person);
    } else if (entry.hfUser) {
      const person = hfUsers.get(entry.hfUser) ?? { hfUser: entry.hfUser, paperIds: [] };
      person.paperIds.push(entry.paperId);
      hfUsers.set(entry.hfUser, person);
    } else unclaimed.push(entry.paperId);
  }
  return { verified: [...verified.values()], hfUsers: [...hfUsers.values()], unclaimed };
}

function refused(httpStatus: 400 | 404 | 409 | 429, message: string): ClaimOutcome {
  return { status: 'refused', httpStatus, message };
}
