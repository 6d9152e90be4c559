/**
 * How large an imported paper, and the files papers come in, may be. Every way papers come in checks these:
 * day files and JSON Lines (`paperboy import`), the Daily Papers mirror, the arXiv harvest (OAI-PMH) and the
 * arXiv API (look-ups for submissions, the harvest's fallback). One record over a limit could otherwise cost
 * every search that shows it, every page and every digest that lists it, for as long as it is stored.
 *
 * Each limit is far above anything real: the 133k arXiv papers and 560 days of Daily Papers of the project's data
 * have titles up to 240 bytes, abstracts up to 4 kB (arXiv's form allows 1,920 characters), at most 3,303
 * authors (Gemini 2.5's report; the ATLAS and CMS collaborations have signed papers with 5,154), author names up
 * to 512 bytes, AI summaries up to 1.6 kB, 44 keywords, 10 categories, and day files up to 360 kB.
 *
 * Sizes are UTF-8 bytes. No path shortens a record to fit: a cut abstract or author list would be shown as if it
 * were whole. What each path does instead (skip the record, refuse the file) is in docs/ingestion.md.
 */
import type { DailyEntryInput, Member, Organization, PaperInput } from './types.ts';

export const PAPER_LIMITS = {
  titleBytes: 1024,
  abstractBytes: 64 * 1024,
  aiSummaryBytes: 16 * 1024,
  authors: 10_000,
  categories: 100,
  aiKeywords: 100,
  /** Every other text: a name (of an author, an organization, a member), a category, a keyword, a link, an id. */
  textBytes: 1024,
} as const;

export const FILE_LIMITS = {
  /** A day file, alone or inside an archive (counted as it is decompressed). */
  dayFileBytes: 64 * 1024 * 1024,
  /** One line of JSON Lines (counted as it is read, before it becomes a string). */
  jsonlLineBytes: 16 * 1024 * 1024,
} as const;

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** `label is N bytes, more than the L allowed`, or null when the text fits (or is absent). */
function textProblem(
  label: string,
  text: string | null | undefined,
  limit: number = PAPER_LIMITS.textBytes,
): string | null {
  if (text === null || text === undefined) return null;
  // Cheap first: no UTF-16 code unit takes more than 3 bytes.
  if (text.length * 3 <= limit) return null;
  const bytes = utf8Bytes(text);
  return bytes > limit ? `${label} is ${bytes} bytes, more than the ${limit} allowed` : null;
}

function countProblem(label: string, list: readonly unknown[] | null | undefined, limit: number): string | null {
  return list && list.length > limit ? `${list.length} ${label}, more than the ${limit} allowed` : null;
}

function firstProblem(checks: Iterable<string | null>): string | null {
  for (const problem of checks) if (problem !== null) return problem;
  return null;
}

function* organizationChecks(org: Organization | null | undefined): Iterable<string | null> {
  if (!org) return;
  yield textProblem('organization name', org.name);
  yield textProblem('organization full name', org.fullname);
  yield textProblem('organization avatar', org.avatar);
  yield textProblem('organization id', org.externalId);
}

function* memberChecks(member: Member | null): Iterable<string | null> {
  if (!member) return;
  yield textProblem('submitter name', member.name);
  yield textProblem('submitter full name', member.fullname);
  yield textProblem('submitter avatar', member.avatarUrl);
  yield textProblem('submitter id', member.externalId);
}

function* paperChecks(paper: PaperInput): Iterable<string | null> {
  yield textProblem('title', paper.title, PAPER_LIMITS.titleBytes);
  yield textProblem('abstract', paper.summary, PAPER_LIMITS.abstractBytes);
  yield countProblem('authors', paper.authors, PAPER_LIMITS.authors);
  for (const [index, author] of paper.authors.entries()) {
    yield textProblem(`author ${index + 1}'s name`, author.name);
    yield textProblem(`author ${index + 1}'s id`, author.externalId);
    yield textProblem(`author ${index + 1}'s Hugging Face account`, author.hfUser);
  }
  yield countProblem('categories', paper.categories, PAPER_LIMITS.categories);
  for (const category of paper.categories ?? []) yield textProblem('a category', category);
  yield* organizationChecks(paper.organization);
  yield textProblem('GitHub repository', paper.githubRepo);
  yield textProblem('project page', paper.projectPage);
  yield textProblem('AI summary', paper.aiSummary, PAPER_LIMITS.aiSummaryBytes);
  yield countProblem('AI keywords', paper.aiKeywords, PAPER_LIMITS.aiKeywords);
  for (const keyword of paper.aiKeywords ?? []) yield textProblem('an AI keyword', keyword);
  yield textProblem('discussion id', paper.discussionId);
}

/** Why a paper is over the limits (the first field that is), or null when it fits. */
export function paperOverLimits(paper: PaperInput): string | null {
  return firstProblem(paperChecks(paper));
}

/** Why a feed entry is over the limits (its submitter, its thumbnail), or null when it fits. */
export function entryOverLimits(entry: DailyEntryInput): string | null {
  return firstProblem([...memberChecks(entry.submittedBy), textProblem('thumbnail', entry.thumbnail)]);
}
