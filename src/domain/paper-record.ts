/**
 * How an incoming paper is merged into what the store already holds. Shared by every backend so that
 * importing the same data in any order, any number of times, ends in the same record.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Organization, PaperAuthor, PaperInput } from './types.ts';

/** A paper as stored: the source's counts are kept apart from local votes and comments. */
export interface PaperRecord {
  id: string;
  title: string;
  summary: string;
  publishedAt: string;
  authors: PaperAuthor[];
  categories: string[];
  organizationName: string | null;
  githubRepo: string | null;
  githubStars: number | null;
  projectPage: string | null;
  aiSummary: string | null;
  aiKeywords: string[];
  withdrawn: boolean;
  upvotesSource: number;
  numCommentsSource: number;
  discussionId: string | null;
  /** When a member last edited the links here (null: never): imports leave edited links, and their stars, alone. */
  linksEditedAt: string | null;
}

/** arXiv titles carry the line breaks of their source ("Models with\n  Autoregressive"): one space instead. */
export function cleanTitle(title: string): string {
  return title.replace(/\s+/g, ' ').trim();
}

/** Turns an organization's display name into its URL slug: "Seoul National University" -> "seoul-national-university". */
export function organizationSlug(fullname: string): string {
  return (
    fullname
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'org'
  );
}

function keep<T>(incoming: T | null | undefined, existing: T | null): T | null {
  return incoming === undefined || incoming === null ? existing : incoming;
}

function keepList<T>(incoming: T[] | undefined, existing: T[]): T[] {
  return incoming && incoming.length > 0 ? incoming : existing;
}

/**
 * Fields the source states replace what is stored; fields it leaves out keep their stored value.
 * Counts from sources only grow (the highest snapshot wins), so import order does not matter.
 */
export function mergePaper(
  existing: PaperRecord | null,
  input: PaperInput,
  organization: Organization | null,
): PaperRecord {
  const edited = existing?.linksEditedAt ?? null;
  return {
    id: input.id,
    title: cleanTitle(input.title),
    summary: input.summary,
    publishedAt: input.publishedAt,
    authors: keepList(input.authors, existing?.authors ?? []),
    categories: keepList(input.categories, existing?.categories ?? []),
    organizationName: organization?.name ?? existing?.organizationName ?? null,
    githubRepo: edited ? existing!.githubRepo : keep(input.githubRepo, existing?.githubRepo ?? null),
    githubStars: edited ? existing!.githubStars : maxOrNull(input.githubStars, existing?.githubStars ?? null),
    projectPage: edited ? existing!.projectPage : keep(input.projectPage, existing?.projectPage ?? null),
    aiSummary: keep(input.aiSummary, existing?.aiSummary ?? null),
    aiKeywords: keepList(input.aiKeywords, existing?.aiKeywords ?? []),
    withdrawn: input.withdrawn ?? existing?.withdrawn ?? false,
    upvotesSource: Math.max(input.upvotes ?? 0, existing?.upvotesSource ?? 0),
    numCommentsSource: Math.max(input.numComments ?? 0, existing?.numCommentsSource ?? 0),
    discussionId: keep(input.discussionId, existing?.discussionId ?? null),
    linksEditedAt: edited,
  };
}

function maxOrNull(a: number | null | undefined, b: number | null): number | null {
  if (a === undefined || a === null) return b;
  return b === null ? a : Math.max(a, b);
}

export function samePaperRecord(a: PaperRecord, b: PaperRecord): boolean {
  return isDeepStrictEqual(a, b);
}
