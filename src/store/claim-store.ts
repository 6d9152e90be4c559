/**
 * The authorship facet of the store: members' claims to be one of a paper's authors, and the email domains an
 * administrator ties to organizations (a claim on an organization's paper from an address at a tied domain is
 * approved at once). An author entry is a paper and a position in its author list.
 */

export type ClaimStatus = 'pending' | 'approved' | 'rejected';

export interface ClaimMember {
  id: number;
  name: string;
  fullname: string;
  avatarUrl: string | null;
}

export interface AuthorClaim {
  id: number;
  paperId: string;
  /** Position of the entry in the paper's author list, from 0. */
  position: number;
  /** The entry's name when the claim was filed. */
  authorName: string;
  member: ClaimMember;
  status: ClaimStatus;
  /** How an approved claim was approved: by a moderator, or at once by a tied email domain. */
  approvedVia: 'moderator' | 'domain' | null;
  /** Handle of the moderator who decided (the claimant for a domain approval); null while pending. */
  decidedBy: string | null;
  reason: string | null;
  /** Whether the paper shows on the claimant's profile (their switch; approved claims only show). */
  showOnProfile: boolean;
  createdAt: string;
  decidedAt: string | null;
}

export interface ClaimInput {
  paperId: string;
  position: number;
  authorName: string;
  memberId: number;
  /** Approve at once (a tied email domain), with this reason for the moderation log; null leaves it pending. */
  approveReason: string | null;
}

export type FileClaimResult =
  | { status: 'filed'; claim: AuthorClaim }
  /** The entry has an approved claimant already. */
  | { status: 'taken' }
  /** The member has a pending or approved claim on this paper, or had this very entry rejected. */
  | { status: 'twice' }
  /** No such visible paper. */
  | { status: 'no-paper' };

export type DecideResult = 'done' | 'not-pending' | 'taken';

export interface DomainTie {
  organization: string;
  organizationFullname: string;
  domain: string;
  createdBy: string | null;
  createdAt: string;
}

/** One paper on which a name appears, with the member whose approved claim it is, if any (for author pages). */
export interface AuthorEntry {
  paperId: string;
  position: number;
  publishedAt: string;
  claimant: ClaimMember | null;
  /** The Hugging Face account the imported record ties the entry to, if any (see PaperAuthor.hfUser). */
  hfUser: string | null;
}

export interface ClaimStore {
  /**
   * Files a claim, atomically (claims on one paper are filed one at a time, from any process): refused when the
   * entry has an approved claimant, or the member a live claim on the paper; approved at once with
   * `approveReason`, logged in the moderation log as 'auto-approve-claim' by the claimant.
   */
  fileClaim(input: ClaimInput, now: Date): Promise<FileClaimResult>;
  getClaim(id: number): Promise<AuthorClaim | null>;
  /** Claims waiting for a moderator, oldest first. */
  pendingClaims(limit: number): Promise<AuthorClaim[]>;
  /**
   * Approves or rejects a pending claim, logged with the reason ('approve-claim', 'reject-claim'). Approving
   * rejects the other pending claims on the same entry. 'not-pending' when it was decided already (two
   * moderators at once: one decides); 'taken' when the entry has another approved claimant.
   */
  decideClaim(
    id: number,
    moderatorId: number,
    decision: 'approve' | 'reject',
    reason: string,
    now: Date,
  ): Promise<DecideResult>;
  /** Takes back an approved claim (a moderator's mistake, a member who is not the author after all), logged as
   *  'revoke-claim' with the reason; false when it is not approved (any more). */
  revokeClaim(id: number, moderatorId: number, reason: string, now: Date): Promise<boolean>;
  /** The member takes back their own pending or approved claim (it is gone: they may claim again); false when
   *  there is no such claim of theirs, or it was rejected. */
  withdrawClaim(id: number, memberId: number): Promise<boolean>;
  /** A paper's claims that are pending or approved, by position. */
  claimsOnPaper(paperId: string): Promise<AuthorClaim[]>;
  /** A member's claims, newest first (visible papers only). */
  claimsOf(memberId: number): Promise<AuthorClaim[]>;
  /** The member's switch for one of their claims; false when the claim is not theirs. */
  setShowOnProfile(claimId: number, memberId: number, show: boolean): Promise<boolean>;
  /** Of these papers, those on which an approved claimant has a comment that is neither deleted nor hidden. */
  papersWithAuthorComments(paperIds: readonly string[]): Promise<Set<string>>;
  /** Every visible paper on which this exact name is an author, newest first, with its approved claimant (a claim
   *  whose entry now holds another name, after a re-import changed the author list, is no claim of this name). */
  authorEntries(name: string, limit: number): Promise<AuthorEntry[]>;

  /** Ties an email domain to an organization (logged 'tie-domain'); false when tied already or no such organization. */
  tieDomain(organization: string, domain: string, adminId: number, now: Date): Promise<boolean>;
  /** Unties it (logged 'untie-domain'); false when it was not tied. */
  untieDomain(organization: string, domain: string, adminId: number, now: Date): Promise<boolean>;
  domainTies(): Promise<DomainTie[]>;
  /** Whether the domain is tied to the organization. */
  isDomainTied(organization: string, domain: string): Promise<boolean>;
}
