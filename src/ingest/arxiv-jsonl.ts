/**
 * Reads JSON Lines of papers in the format of the bundled arXiv dump:
 * {arxiv_id, title, abstract, authors[], published, categories[], upvotes?, organization?, hf_date?,
 *  num_comments?, ai_keywords?, github_repo?}. A paper with an `hf_date` was on Daily Papers that day.
 * A record that is well-formed but over the import limits (domain/import-limits.ts) throws RecordOverLimits, so
 * that an import can skip it and keep the others, where a malformed record refuses its file.
 */
import { z } from 'zod';
import type { DailyEntryInput, PaperInput } from '../domain/types.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import { organizationSlug } from '../domain/paper-record.ts';
import { paperOverLimits } from '../domain/import-limits.ts';
import { parseDay, toIsoInstant } from '../domain/periods.ts';

const jsonlPaper = z.object({
  arxiv_id: z.string(),
  title: z.string().min(1),
  abstract: z.string(),
  authors: z.array(z.string()).default([]),
  published: z.string(),
  categories: z.array(z.string()).default([]),
  upvotes: z.number().int().nonnegative().optional(),
  num_comments: z.number().int().nonnegative().optional(),
  organization: z.string().min(1).nullish(),
  hf_date: z.string().nullish(),
  ai_keywords: z.array(z.string()).nullish(),
  github_repo: z.string().nullish(),
});

export class RecordError extends Error {}
export class RecordOverLimits extends RecordError {}

export interface JsonlRecord {
  paper: PaperInput;
  entry: DailyEntryInput | null;
}

export function parseJsonlLine(line: string): JsonlRecord {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    throw new RecordError(`not valid JSON (${(error as Error).message})`);
  }
  const parsed = jsonlPaper.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RecordError(`${issue.path.join('.') || '(record)'}: ${issue.message}`);
  }
  const r = parsed.data;
  const id = normalizeArxivId(r.arxiv_id);
  if (!id) throw new RecordError(`arxiv_id is not an arXiv id: ${r.arxiv_id.slice(0, 40)}`);
  const publishedAt = toIsoInstant(r.published);
  if (!publishedAt) throw new RecordError(`published is not a date: ${r.published.slice(0, 40)}`);
  const day = r.hf_date ? parseDay(r.hf_date) : null;
  if (r.hf_date && !day) throw new RecordError(`hf_date is not a day: ${r.hf_date.slice(0, 40)}`);
  const paper: PaperInput = {
    id,
    title: r.title,
    summary: r.abstract,
    publishedAt,
    authors: r.authors.map((name) => ({ name, externalId: null, hidden: false })),
    categories: r.categories,
    organization: r.organization
      ? { name: organizationSlug(r.organization), fullname: r.organization, avatar: null, externalId: null }
      : undefined,
    githubRepo: r.github_repo,
    aiKeywords: r.ai_keywords ?? undefined,
    upvotes: r.upvotes,
    numComments: r.num_comments,
  };
  const problem = paperOverLimits(paper);
  if (problem) throw new RecordOverLimits(`${id}: ${problem}`);
  const entry: DailyEntryInput | null = day
    ? {
        day,
        paperId: id,
        position: 0,
        submittedAt: `${day}T00:00:00.000Z`,
        submittedBy: null,
        listedPublishedAt: publishedAt,
        thumbnail: null,
        isAuthorParticipating: false,
      }
    : null;
  return { paper, entry };
}
