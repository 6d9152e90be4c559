/**
 * Paperboy records in the shapes of the Hugging Face papers API, so that clients written for that site
 * work against ours. Rules that clients rely on: datetimes end in Z, authors are objects, and an item of a
 * list carries title/numComments/submittedBy/organization (and the AI and code fields) at its top level.
 */
import { createHash } from 'node:crypto';
import type { DailyEntry, Member, Organization, Paper } from '../domain/types.ts';

export interface HfAuthor {
  _id: string;
  name: string;
  hidden: boolean;
}
export interface HfUser {
  _id: string;
  name: string;
  fullname: string;
  avatarUrl: string | null;
  type: 'user';
  isPro: boolean;
}
export interface HfOrganization {
  _id: string;
  name: string;
  fullname: string;
  avatar: string | null;
}

export interface HfPaper {
  id: string;
  authors: HfAuthor[];
  publishedAt: string;
  submittedOnDailyAt?: string;
  submittedOnDailyBy?: HfUser;
  title: string;
  summary: string;
  upvotes: number;
  discussionId: string;
  ai_summary?: string;
  ai_keywords?: string[];
  githubRepo?: string;
  githubStars?: number;
  projectPage?: string;
  organization?: HfOrganization;
  withdrawnAt?: string;
}

export interface HfFlatPaper extends HfPaper {
  numComments: number;
}

export interface HfDailyItem {
  paper: HfPaper;
  publishedAt: string;
  title: string;
  summary: string;
  thumbnail: string;
  numComments: number;
  submittedBy: HfUser | null;
  organization?: HfOrganization;
  isAuthorParticipating: boolean;
  ai_summary?: string;
  ai_keywords?: string[];
  githubRepo?: string;
  githubStars?: number;
  projectPage?: string;
}

/** A stable 24-hex-digit id (the form of the source's ids) for records that came without one. */
export function stableObjectId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24);
}

export function toHfUser(member: Member): HfUser {
  return {
    _id: member.externalId ?? stableObjectId('member', member.name),
    name: member.name,
    fullname: member.fullname,
    avatarUrl: member.avatarUrl,
    type: 'user',
    isPro: false,
  };
}

export function toHfOrganization(org: Organization): HfOrganization {
  return {
    _id: org.externalId ?? stableObjectId('org', org.name),
    name: org.name,
    fullname: org.fullname,
    avatar: org.avatar,
  };
}

/** Optional fields are left out rather than sent as null, as the source does. */
function optionalFields(paper: Paper) {
  return {
    ...(paper.aiSummary !== null && { ai_summary: paper.aiSummary }),
    ...(paper.aiKeywords.length > 0 && { ai_keywords: paper.aiKeywords }),
    ...(paper.githubRepo !== null && { githubRepo: paper.githubRepo }),
    ...(paper.githubStars !== null && { githubStars: paper.githubStars }),
    ...(paper.projectPage !== null && { projectPage: paper.projectPage }),
  };
}

export function toHfPaper(paper: Paper, submission?: { at: string; by: Member | null }): HfPaper {
  const submittedAt = submission?.at ?? paper.submittedOnDailyAt;
  const submittedBy = submission ? submission.by : paper.submittedOnDailyBy;
  return {
    id: paper.id,
    authors: paper.authors.map((a, position) => ({
      _id: a.externalId ?? stableObjectId('author', paper.id, String(position)),
      name: a.name,
      hidden: a.hidden,
    })),
    publishedAt: paper.publishedAt,
    ...(submittedAt !== null && { submittedOnDailyAt: submittedAt }),
    ...(submittedBy !== null && { submittedOnDailyBy: toHfUser(submittedBy) }),
    title: paper.title,
    summary: paper.summary,
    upvotes: paper.upvotes,
    discussionId: paper.discussionId ?? stableObjectId('discussion', paper.id),
    ...optionalFields(paper),
    ...(paper.organization !== null && { organization: toHfOrganization(paper.organization) }),
    ...(paper.withdrawn && { withdrawnAt: paper.publishedAt }),
  };
}

/**
 * The API's `numComments`: every comment on the paper, the ones it had on Hugging Face when imported plus this
 * instance's discussion, so that a client moving from huggingface.co sees no count drop (docs/community.md).
 * Pages, trending and feeds use the local count alone.
 */
export function hfNumComments(paper: Paper): number {
  return paper.hfComments + paper.numComments;
}

/** GET /api/papers/{id}: the flat paper object, with its comment count. */
export function toHfFlatPaper(paper: Paper): HfFlatPaper {
  return { ...toHfPaper(paper), numComments: hfNumComments(paper) };
}

export function toHfDailyItem(entry: DailyEntry): HfDailyItem {
  const { paper } = entry;
  return {
    paper: toHfPaper(paper, { at: entry.submittedAt, by: entry.submittedBy }),
    publishedAt: entry.listedPublishedAt,
    title: paper.title,
    summary: paper.summary,
    // Papers that did not come with a thumbnail get an empty string: the field is a string for clients.
    thumbnail: entry.thumbnail ?? '',
    numComments: hfNumComments(paper),
    submittedBy: entry.submittedBy ? toHfUser(entry.submittedBy) : null,
    ...(paper.organization !== null && { organization: toHfOrganization(paper.organization) }),
    isAuthorParticipating: entry.isAuthorParticipating,
    ...optionalFields(paper),
  };
}
