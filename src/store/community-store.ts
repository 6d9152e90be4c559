/**
 * The community facet of the store: accounts, sign-in tokens, sessions, votes, submissions, moderation and
 * rate limits. Comments live here too. Tokens and session ids reach the store only as SHA-256 hashes.
 */

export type Role = 'member' | 'moderator' | 'admin';

export interface Account {
  id: number;
  /** Handle, unique across imported and local members. */
  name: string;
  fullname: string;
  email: string | null;
  role: Role;
  avatarUrl: string | null;
  createdAt: string | null;
  /** Set when a moderator banned the member: a banned member cannot act. */
  bannedAt: string | null;
  banReason: string | null;
  /** False until the member chose their handle (new accounts start with a random suggestion). */
  handleChosen: boolean;
  /** Whether others see the papers the member upvoted (on their profile). */
  upvotesPublic: boolean;
  /** Set when the member deleted their account: the row stays, anonymised, for the comments they kept. */
  deletedAt: string | null;
}

export interface SessionRecord {
  account: Account;
  /** Secret the session's forms carry against CSRF. */
  csrfSecret: string;
  createdAt: string;
  expiresAt: string;
}

export type VoteResult = { voted: boolean; upvotes: number };

export type SubmitResult =
  | { status: 'added'; day: string }
  /** The paper is on the feed already; `day` is its first day. */
  | { status: 'exists'; day: string };

export interface CommentRecord {
  id: number;
  paperId: string;
  parentId: number | null;
  author: Pick<Account, 'id' | 'name' | 'fullname' | 'avatarUrl' | 'role' | 'deletedAt'>;
  /** Markdown source (rendered safely by the web layer). Empty when deleted or hidden. */
  body: string;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  hiddenReason: string | null;
}

export interface ModerationEntry {
  id: number;
  /** The moderator's handle; DELETED_MEMBER (domain/handles.ts) when they deleted their account. */
  moderator: string;
  moderatorDeleted: boolean;
  action:
    | 'hide-paper'
    | 'unhide-paper'
    | 'hide-comment'
    | 'ban-member'
    | 'unban-member'
    | 'set-role'
    /** A report resolved by warning the member (target: their handle). */
    | 'warn-member'
    /** A report dismissed (target: "comment 12" or "paper 2607.12345"). */
    | 'dismiss-report'
    | 'approve-claim'
    | 'reject-claim'
    | 'revoke-claim'
    | 'auto-approve-claim'
    | 'tie-domain'
    | 'untie-domain';
  target: string;
  reason: string;
  at: string;
}

/** How long an expired sign-in token is kept (for renewLoginToken) before it is purged: the sign-in rate window. */
export const LOGIN_TOKEN_KEPT_MS = 3_600_000;

export type ChooseHandleResult = 'chosen' | 'taken';

/** What goes when a member deletes their account, besides everything that is theirs alone (see deleteAccount). */
export interface AccountDeletion {
  /** 'keep': their comments stay, signed "deleted member"; 'remove': deleted as if by them (a placeholder where
   *  replies remain under one). */
  comments: 'keep' | 'remove';
  /** Rate-limit counters kept under the member's id or address (their keys are the rate limiter's to make). */
  rateLimitKeys: readonly string[];
}

/** A paper's links that members may edit (what Hugging Face's POST /api/papers/{id}/links sets). */
export interface PaperLinks {
  githubRepo: string | null;
  projectPage: string | null;
}

export function sameLinks(a: PaperLinks, b: PaperLinks): boolean {
  return a.githubRepo === b.githubRepo && a.projectPage === b.projectPage;
}

export type SetLinksResult =
  | { status: 'changed' | 'unchanged'; links: PaperLinks }
  /** The links were not the ones the editor saw (someone changed them meanwhile): nothing was written. */
  | { status: 'conflict'; links: PaperLinks }
  /** No such paper, or it is hidden. */
  | { status: 'missing' };

/** One edit of a paper's links, as logged. */
export interface LinkChange {
  id: number;
  paperId: string;
  /** The editor's handle; DELETED_MEMBER (domain/handles.ts) when they deleted their account. */
  editor: string;
  editorDeleted: boolean;
  at: string;
  before: PaperLinks;
  after: PaperLinks;
}

/** Who upvoted a paper here (imported upvotes have no names). */
export interface PaperUpvoters {
  /** Local votes, named or not. */
  total: number;
  /** Of them, votes of members who keep their upvotes private: counted, never named. */
  private: number;
  /** Members who show their upvotes, newest vote first, at most the limit asked for. */
  members: Pick<Account, 'name' | 'fullname' | 'avatarUrl'>[];
}

export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window opens again (0 when allowed). */
  retryAfter: number;
}

export interface CommunityStore {
  /** The account with this email, created when there is none: with a random free handle (randomHandle, never made
   *  from the address), not yet chosen, and that handle as display name. */
  accountForEmail(email: string, now: Date): Promise<Account>;
  getAccount(id: number): Promise<Account | null>;
  /** The account with this handle; deleted accounts are found by id only. */
  getAccountByName(name: string): Promise<Account | null>;
  updateProfile(id: number, fullname: string): Promise<void>;
  /**
   * Gives the account this handle (checked by checkHandle) and display name, and marks the handle chosen. 'taken'
   * when another member holds the handle in any letter case (imported members hold many names). Atomic: of two
   * members choosing one handle at once, one gets it.
   */
  chooseHandle(id: number, handle: string, fullname: string): Promise<ChooseHandleResult>;
  setUpvotesPublic(id: number, upvotesPublic: boolean): Promise<void>;
  /**
   * Deletes the member's account, in one transaction: their sessions, sign-in tokens, votes (each paper's count
   * down by one, as toggleVote would), collections, follows, dismissals, the digest subscription of their address
   * and the rate-limit counters named; their submissions stay, without their name; their comments stay or go as
   * chosen; the moderation log keeps its entries (naming them as a deleted member). The row itself stays for
   * the references to it, with nothing personal: no email, a tombstone name (tombstoneName), display name
   * DELETED_MEMBER, no avatar, role member. False when there is no such account, or it was deleted already.
   */
  deleteAccount(id: number, deletion: AccountDeletion, now: Date): Promise<boolean>;
  setRole(id: number, role: Role): Promise<void>;
  /** Members whose role is above member, administrators first, then by handle. */
  staff(): Promise<Account[]>;
  /**
   * Changes a member's role from `from` to `to`, logged as 'set-role' with the reason; false when the member does
   * not have the role `from` (any more): two administrators changing one role at once do it once.
   */
  changeRole(accountId: number, from: Role, to: Role, byId: number, reason: string, now: Date): Promise<boolean>;
  countAdmins(): Promise<number>;

  /**
   * The one-time code that makes the first administrator, kept by hash. Stores `codeHash` as the pending code
   * unless one is pending already; true when this call stored it (so that of processes starting together on
   * one database, one makes the code and the others leave it alone).
   */
  offerAdminClaim(codeHash: string, now: Date): Promise<boolean>;
  /** Makes `codeHash` the pending code, replacing any other. */
  replaceAdminClaim(codeHash: string, now: Date): Promise<void>;
  /**
   * Spends the pending code if its hash is `codeHash` and there is no administrator yet: the account becomes
   * admin and the code is gone. Atomic: of any number of members claiming at once, one wins (true).
   */
  spendAdminClaim(codeHash: string, accountId: number): Promise<boolean>;

  /** Stores a single-use sign-in token (by hash) for an email. */
  createLoginToken(tokenHash: string, email: string, expiresAt: Date): Promise<void>;
  /** Marks the token used and returns its email; null if unknown, used or expired. Atomic: a token works once. */
  consumeLoginToken(tokenHash: string, now: Date): Promise<string | null>;
  /**
   * Keeps the newest unused token of the email issued after `issuedAfter` valid until `expiresAt` (even if it had
   * expired); false when there is none. For sign-in requests over the per-address limit: no new email is sent,
   * and the link the member already has still works, so that nobody can lock a member out by asking for links.
   */
  renewLoginToken(email: string, issuedAfter: Date, expiresAt: Date): Promise<boolean>;

  createSession(idHash: string, accountId: number, csrfSecret: string, expiresAt: Date): Promise<void>;
  /** The live session with this id hash, with its account; null if unknown or expired. */
  getSession(idHash: string, now: Date): Promise<SessionRecord | null>;
  deleteSession(idHash: string): Promise<void>;
  /** Signs a member out everywhere. */
  deleteSessionsOf(accountId: number): Promise<void>;

  /** Adds the vote if absent, removes it if present; updates the paper's counts in the same transaction.
   *  Null when there is no such (visible) paper. */
  toggleVote(accountId: number, paperId: string, now: Date): Promise<VoteResult | null>;
  /** Makes the member's vote on the paper `voted` (nothing changes when it is so already), counts in the same
   *  transaction: two requests asking for the same state at once leave one vote. Null when there is no such
   *  (visible) paper. */
  setVote(accountId: number, paperId: string, voted: boolean, now: Date): Promise<VoteResult | null>;
  /** Which of these papers the member has upvoted. */
  votedPapers(accountId: number, paperIds: readonly string[]): Promise<Set<string>>;
  /** Papers the member upvoted, newest vote first, whether public or not (callers showing them to others check
   *  upvotesPublic). */
  upvotedBy(accountId: number, limit: number): Promise<string[]>;
  submittedBy(accountId: number, limit: number): Promise<string[]>;

  /** Puts a paper (already in the store) on a day's feed as the member's submission. */
  submitPaper(paperId: string, accountId: number, day: string, now: Date): Promise<SubmitResult>;
  /** The members (ids) who put the paper on the feed here, by submitting it; imported submitters are not among them. */
  paperSubmitters(paperId: string): Promise<number[]>;
  /** Who upvoted the paper here; members who hide their upvotes are counted, not named. */
  paperUpvoters(paperId: string, limit: number): Promise<PaperUpvoters>;

  /**
   * Sets a visible paper's links if they still are `expected` (else 'conflict', nothing written), logging the
   * change (who, when, before, after) in the same transaction; a new repository forgets the old one's star
   * count. Once edited here, links are no longer replaced by imports. Of two edits at once from one state,
   * one changes the links and the other finds a conflict.
   */
  setPaperLinks(
    paperId: string,
    expected: PaperLinks,
    next: PaperLinks,
    accountId: number,
    now: Date,
  ): Promise<SetLinksResult>;
  /** The logged edits of a paper's links, newest first. */
  paperLinkChanges(paperId: string, limit: number): Promise<LinkChange[]>;
  /** The member's logged edits of papers' links, newest first (for their data download). */
  linkChangesBy(accountId: number, limit: number): Promise<LinkChange[]>;

  addComment(
    paperId: string,
    accountId: number,
    parentId: number | null,
    body: string,
    now: Date,
  ): Promise<CommentRecord>;
  editComment(id: number, accountId: number, body: string, now: Date): Promise<CommentRecord | null>;
  deleteComment(id: number, accountId: number, now: Date): Promise<boolean>;
  getComment(id: number): Promise<CommentRecord | null>;
  /** A paper's comments, oldest first (replies after their parent's siblings are ordered by the caller). */
  commentsOn(paperId: string): Promise<CommentRecord[]>;
  commentsBy(accountId: number, limit: number): Promise<CommentRecord[]>;

  hidePaper(paperId: string, moderatorId: number, reason: string, now: Date): Promise<boolean>;
  unhidePaper(paperId: string, moderatorId: number, reason: string, now: Date): Promise<boolean>;
  /** Papers moderators hid, most recent first. */
  hiddenPapers(): Promise<{ id: string; title: string; reason: string; at: string }[]>;
  hideComment(commentId: number, moderatorId: number, reason: string, now: Date): Promise<boolean>;
  banMember(accountId: number, moderatorId: number, reason: string, now: Date): Promise<boolean>;
  unbanMember(accountId: number, moderatorId: number, reason: string, now: Date): Promise<boolean>;
  moderationLog(limit: number): Promise<ModerationEntry[]>;

  /** Counts one hit against `key` in a fixed window; shared by every process that uses this store. */
  hitRateLimit(key: string, windowSeconds: number, max: number, now: Date): Promise<RateLimitResult>;

  /** A secret shared by every process on this store (HMAC key for CSRF and signed links), made on first use. */
  instanceSecret(): Promise<string>;
}
