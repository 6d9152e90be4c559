/**
 * Rows to records, shared by the SQLite and PostgreSQL stores. The two drivers differ in small ways, handled
 * here once: JSON columns arrive as text from SQLite and parsed from PostgreSQL; booleans arrive as 0/1 from
 * SQLite and true/false from PostgreSQL; counts may arrive as strings or bigints from PostgreSQL.
 */
import type { GeneratedSummary, Member, Paper } from '../domain/types.ts';
import type { Account, CommentRecord, LinkChange, ModerationEntry, PaperUpvoters, Role } from './community-store.ts';
import { DELETED_MEMBER } from '../domain/handles.ts';
import type {
  Delivery,
  DeliveryStatus,
  DigestFrequency,
  Subscription,
  SubscriptionStatus,
} from './subscription-store.ts';
import type { Collection } from './collection-store.ts';
import type { Invitation } from './access-store.ts';

export type Row = Record<string, unknown>;

/** The columns rowToPaper reads, from papers `p` joined with ORG_JOIN; dialect-free SQL both stores use. */
export const PAPER_COLUMNS = `
  p.id, p.title, p.summary, p.published_at, p.authors, p.categories, p.organization_name,
  p.github_repo, p.github_stars, p.project_page, p.ai_summary, p.ai_keywords, p.withdrawn,
  p.discussion_id, p.upvotes_source, p.upvotes, p.num_comments_source, p.local_comments,
  p.generated_summary, p.generated_keywords, p.generated_model, p.generated_at,
  o.fullname AS org_fullname, o.avatar AS org_avatar, o.external_id AS org_external_id`;
export const ORG_JOIN = 'LEFT JOIN organizations o ON o.name = p.organization_name';
/** A member `m` as the columns rowToMember reads. */
export const MEMBER_COLUMNS = `m.name AS member_name, m.fullname AS member_fullname, m.avatar_url AS member_avatar_url,
  m.external_id AS member_external_id`;
/** Papers with their first submission, for rowToPaperWithFirstEntry: the first entry `fe` and its member `fm`
 *  are joined by each store in its own dialect. */
export const PAPER_SELECT = `${PAPER_COLUMNS}, fe.submitted_at AS first_submitted_at, fm.name AS first_member_name,
  fm.fullname AS first_member_fullname, fm.avatar_url AS first_member_avatar_url, fm.external_id AS first_member_external_id`;

export function nullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function flag(value: unknown): boolean {
  return value === true || value === 1 || value === 1n;
}

export function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function rowToMember(row: Row, prefix = 'member_'): Member | null {
  const name = row[`${prefix}name`];
  if (name === null || name === undefined) return null;
  return {
    name: String(name),
    fullname: String(row[`${prefix}fullname`]),
    avatarUrl: nullableString(row[`${prefix}avatar_url`]),
    externalId: nullableString(row[`${prefix}external_id`]),
  };
}

/** `submission` is the one that put the paper on the daily feed (the listed one, or the first), if any. */
export function rowToPaper(row: Row, submission: { at: string; by: Member | null } | null): Paper {
  const organizationName = nullableString(row.organization_name);
  return {
    ...paperColumns(row),
    organization:
      organizationName === null
        ? null
        : {
            name: organizationName,
            fullname: String(row.org_fullname),
            avatar: nullableString(row.org_avatar),
            externalId: nullableString(row.org_external_id),
          },
    upvotes: Number(row.upvotes),
    numComments: Number(row.local_comments),
    hfComments: Number(row.num_comments_source),
    generatedSummary: rowToGeneratedSummary(row),
    submittedOnDailyAt: submission?.at ?? null,
    submittedOnDailyBy: submission?.by ?? null,
  };
}

function rowToGeneratedSummary(row: Row): GeneratedSummary | null {
  const text = nullableString(row.generated_summary);
  if (text === null) return null;
  return {
    text,
    keywords: row.generated_keywords === null ? [] : json<string[]>(row.generated_keywords),
    model: String(row.generated_model),
    at: String(row.generated_at),
  };
}

/** A paper with its first submission, joined as columns first_* (see the stores' PAPER_SELECT). */
export function rowToPaperWithFirstEntry(row: Row): Paper {
  const at = nullableString(row.first_submitted_at);
  return rowToPaper(row, at === null ? null : { at, by: rowToMember(row, 'first_member_') });
}

/** The columns a stored record and a served paper read alike. */
export function paperColumns(row: Row) {
  return {
    id: String(row.id),
    title: String(row.title),
    summary: String(row.summary),
    publishedAt: String(row.published_at),
    authors: json<Paper['authors']>(row.authors),
    categories: json<string[]>(row.categories),
    githubRepo: nullableString(row.github_repo),
    githubStars: nullableNumber(row.github_stars),
    projectPage: nullableString(row.project_page),
    aiSummary: nullableString(row.ai_summary),
    aiKeywords: json<string[]>(row.ai_keywords),
    withdrawn: flag(row.withdrawn),
    discussionId: nullableString(row.discussion_id),
  };
}

export function rowToAccount(row: Row): Account {
  return {
    id: Number(row.id),
    name: String(row.name),
    fullname: String(row.fullname),
    email: nullableString(row.email),
    role: String(row.role) as Role,
    avatarUrl: nullableString(row.avatar_url),
    createdAt: nullableString(row.created_at),
    bannedAt: nullableString(row.banned_at),
    banReason: nullableString(row.ban_reason),
    handleChosen: flag(row.handle_chosen),
    upvotesPublic: flag(row.upvotes_public),
    deletedAt: nullableString(row.deleted_at),
  };
}

/** The columns rowToAccount reads, of a member `m`. */
export const ACCOUNT_COLUMNS = `m.id, m.name, m.fullname, m.email, m.role, m.avatar_url, m.created_at, m.banned_at, m.ban_reason,
  m.handle_chosen, m.upvotes_public, m.deleted_at`;

/** Comments `c` with their authors `m`, as rowToComment reads them. */
export const COMMENT_SELECT = `SELECT c.id, c.paper_id, c.parent_id, c.body, c.created_at, c.edited_at, c.deleted_at, c.hidden_at,
  c.hidden_reason, m.id AS author_id, m.name AS author_name, m.fullname AS author_fullname, m.avatar_url AS author_avatar_url,
  m.role AS author_role, m.deleted_at AS author_deleted_at
  FROM comments c JOIN members m ON m.id = c.member_id`;

/** The moderation log's entries about a member, whose target is the member's handle (SQL condition). */
export const MEMBER_LOG_ACTIONS = `action IN ('ban-member', 'unban-member', 'set-role', 'warn-member')`;

/** The moderation log `l` with its moderators `m`, as rowToModerationEntry reads it. */
export const MODERATION_LOG_SELECT = `SELECT l.id, m.name AS moderator, m.deleted_at AS moderator_deleted_at, l.action, l.target, l.reason, l.at
  FROM moderation_log l JOIN members m ON m.id = l.moderator_id`;

export function rowToModerationEntry(row: Row): ModerationEntry {
  const deleted = row.moderator_deleted_at !== null && row.moderator_deleted_at !== undefined;
  return {
    id: Number(row.id),
    moderator: deleted ? DELETED_MEMBER : String(row.moderator),
    moderatorDeleted: deleted,
    action: String(row.action) as ModerationEntry['action'],
    target: String(row.target),
    reason: String(row.reason),
    at: String(row.at),
  };
}

/** Logged link edits `l` with their editors `m`, as rowToLinkChange reads them. */
export const LINK_CHANGE_SELECT = `SELECT l.id, l.paper_id, l.at, l.github_before, l.github_after, l.project_before,
  l.project_after, m.name AS editor, m.deleted_at AS editor_deleted_at
  FROM paper_link_changes l JOIN members m ON m.id = l.member_id`;

export function rowToLinkChange(row: Row): LinkChange {
  const deleted = row.editor_deleted_at !== null && row.editor_deleted_at !== undefined;
  return {
    id: Number(row.id),
    paperId: String(row.paper_id),
    editor: deleted ? DELETED_MEMBER : String(row.editor),
    editorDeleted: deleted,
    at: String(row.at),
    before: { githubRepo: nullableString(row.github_before), projectPage: nullableString(row.project_before) },
    after: { githubRepo: nullableString(row.github_after), projectPage: nullableString(row.project_after) },
  };
}

/** A paper's upvoters `m` who show their upvotes, newest vote `v` first (the caller adds the paper and the limit). */
export const PUBLIC_UPVOTERS_SELECT = `SELECT m.name, m.fullname, m.avatar_url FROM votes v JOIN members m ON m.id = v.member_id
  WHERE m.upvotes_public AND m.deleted_at IS NULL`;
/** Local votes on a paper and how many of them are private, as counts `total` and `private` (the caller adds the paper). */
export const UPVOTE_COUNTS_SELECT = `SELECT count(*) AS total, count(*) FILTER (WHERE NOT m.upvotes_public) AS private
  FROM votes v JOIN members m ON m.id = v.member_id`;

export function rowsToUpvoters(counts: Row | undefined, members: Row[]): PaperUpvoters {
  return {
    total: Number(counts?.total ?? 0),
    private: Number(counts?.private ?? 0),
    members: members.map((m) => ({
      name: String(m.name),
      fullname: String(m.fullname),
      avatarUrl: nullableString(m.avatar_url),
    })),
  };
}

export function rowToComment(row: Row): CommentRecord {
  const deleted = row.deleted_at !== null;
  const hiddenReason = nullableString(row.hidden_reason);
  return {
    id: Number(row.id),
    paperId: String(row.paper_id),
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    author: {
      id: Number(row.author_id),
      name: String(row.author_name),
      fullname: String(row.author_fullname),
      avatarUrl: nullableString(row.author_avatar_url),
      role: String(row.author_role) as Role,
      deletedAt: nullableString(row.author_deleted_at),
    },
    body: deleted || hiddenReason !== null ? '' : String(row.body),
    createdAt: String(row.created_at),
    editedAt: nullableString(row.edited_at),
    deleted,
    hiddenReason,
  };
}

export function rowToSubscription(row: Row): Subscription {
  return {
    id: Number(row.id),
    email: String(row.email),
    frequency: String(row.frequency) as DigestFrequency,
    status: String(row.status) as SubscriptionStatus,
    createdAt: String(row.created_at),
    confirmedAt: nullableString(row.confirmed_at),
    unsubscribedAt: nullableString(row.unsubscribed_at),
    hardBounces: Number(row.hard_bounces),
    lastConfirmationAt: nullableString(row.last_confirmation_at),
  };
}

export function rowToDelivery(row: Row): Delivery {
  return {
    subscriptionId: Number(row.subscription_id),
    periodKey: String(row.period_key),
    status: String(row.status) as DeliveryStatus,
    attempts: Number(row.attempts),
    messageId: nullableString(row.message_id),
    lastError: nullableString(row.last_error),
    claimedBy: nullableString(row.claimed_by),
    leaseUntil: nullableString(row.lease_until),
    updatedAt: String(row.updated_at),
  };
}

export function rowToCollection(row: Row): Collection {
  return {
    id: Number(row.id),
    ownerId: Number(row.member_id),
    ownerName: String(row.owner_name),
    name: String(row.name),
    description: String(row.description),
    isPublic: flag(row.is_public),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
    papers: Number(row.papers),
  };
}

/** Invitations `i` with the handle of their maker, as rowToInvitation reads them. */
export const INVITATION_SELECT = `SELECT i.id, i.email, i.created_at, i.expires_at, i.used_at, i.used_by, i.revoked_at, m.name AS created_by
  FROM invitations i LEFT JOIN members m ON m.id = i.created_by`;

export function rowToInvitation(row: Row): Invitation {
  return {
    id: Number(row.id),
    email: row.email == null ? null : String(row.email),
    createdBy: row.created_by == null ? null : String(row.created_by),
    createdAt: String(row.created_at),
    expiresAt: String(row.expires_at),
    usedAt: row.used_at == null ? null : String(row.used_at),
    usedBy: row.used_by == null ? null : String(row.used_by),
    revokedAt: row.revoked_at == null ? null : String(row.revoked_at),
  };
}
