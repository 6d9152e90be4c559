/**
 * Reads one raw response of the Hugging Face `GET /api/daily_papers?date=D` (a "day file") into an
 * ImportBatch. Accepts the plain list and the `{status,date,count,data}` wrapper; rejects anything else
 * with a message that says why. A day is the truth for its day, so it is taken whole or not at all: an item over
 * the import limits (domain/import-limits.ts) refuses the file, as a malformed one does.
 */
import { z } from 'zod';
import type { DailyEntryInput, Member, Organization, PaperInput } from '../domain/types.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import { entryOverLimits, paperOverLimits } from '../domain/import-limits.ts';
import { parseDay, toIsoInstant } from '../domain/periods.ts';
import type { ImportBatch } from '../store/store.ts';

const isoInstant = z.string().transform((text, ctx) => {
  const iso = toIsoInstant(text);
  if (!iso) ctx.addIssue({ code: 'custom', message: `not a date: ${text.slice(0, 40)}` });
  return iso ?? '';
});

const hfUser = z.object({
  _id: z.string().optional(),
  name: z.string().min(1),
  fullname: z.string().optional(),
  avatarUrl: z.string().optional(),
});

const hfOrganization = z.object({
  _id: z.string().optional(),
  name: z.string().min(1),
  fullname: z.string().optional(),
  avatar: z.string().optional(),
});

const hfPaper = z.object({
  id: z.string(),
  title: z.string().min(1),
  summary: z.string(),
  publishedAt: isoInstant,
  submittedOnDailyAt: isoInstant.optional(),
  authors: z.array(
    z.object({
      _id: z.string().optional(),
      name: z.string(),
      hidden: z.boolean().optional(),
      // The account the entry is tied to, and how sure the site is of it.
      user: z.object({ user: z.string().optional() }).optional(),
      status: z.string().optional(),
    }),
  ),
  upvotes: z.number().int().nonnegative(),
  discussionId: z.string().optional(),
  githubRepo: z.string().nullish(),
  githubStars: z.number().int().nonnegative().nullish(),
  projectPage: z.string().nullish(),
  ai_summary: z.string().nullish(),
  ai_keywords: z.array(z.string()).nullish(),
  withdrawnAt: z.string().nullish(),
  organization: hfOrganization.nullish(),
});

const hfItem = z.object({
  paper: hfPaper,
  publishedAt: isoInstant.optional(),
  title: z.string().optional(),
  thumbnail: z.string().nullish(),
  numComments: z.number().int().nonnegative().optional(),
  submittedBy: hfUser.nullish(),
  organization: hfOrganization.nullish(),
  isAuthorParticipating: z.boolean().optional(),
});

export type HfItem = z.infer<typeof hfItem>;

export class DayFileError extends Error {}

/** The day a file belongs to is the date it was requested with, taken from its name (…YYYY-MM-DD.json). */
export function dayFromFileName(name: string): string | null {
  const matches = name.match(/\d{4}-\d{2}-\d{2}/g);
  return matches ? parseDay(matches.at(-1)!) : null;
}

function toOrganization(org: z.infer<typeof hfOrganization> | null | undefined): Organization | null {
  if (!org) return null;
  return {
    name: org.name,
    fullname: org.fullname ?? org.name,
    avatar: org.avatar ?? null,
    externalId: org._id ?? null,
  };
}

function toMember(user: z.infer<typeof hfUser> | null | undefined): Member | null {
  if (!user) return null;
  return {
    name: user.name,
    fullname: user.fullname ?? user.name,
    avatarUrl: user.avatarUrl ?? null,
    externalId: user._id ?? null,
  };
}

function unwrap(json: unknown): { items: unknown[]; wrappedDate: string | null } {
  if (Array.isArray(json)) return { items: json, wrappedDate: null };
  if (json && typeof json === 'object' && Array.isArray((json as { data?: unknown }).data)) {
    const date = (json as { date?: unknown }).date;
    return { items: (json as { data: unknown[] }).data, wrappedDate: typeof date === 'string' ? parseDay(date) : null };
  }
  throw new DayFileError('expected a JSON array of daily-paper items or an object {status,date,count,data}');
}

export function parseDayFile(fileName: string, text: string): ImportBatch & { day: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DayFileError(`not valid JSON (${(error as Error).message})`);
  }
  const { items, wrappedDate } = unwrap(json);
  const day = dayFromFileName(fileName) ?? wrappedDate;
  if (!day) throw new DayFileError('cannot tell the day: name the file YYYY-MM-DD.json');
  if (items.some((item) => typeof item === 'string')) {
    throw new DayFileError('items are strings (Python repr?), not JSON objects');
  }
  const papers: PaperInput[] = [];
  const entries: DailyEntryInput[] = [];
  const seen = new Set<string>();
  items.forEach((raw, index) => {
    const parsed = hfItem.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new DayFileError(`item ${index}: ${issue.path.join('.') || '(item)'}: ${issue.message}`);
    }
    const item = parsed.data;
    const id = normalizeArxivId(item.paper.id);
    if (!id) throw new DayFileError(`item ${index}: paper.id is not an arXiv id: ${item.paper.id.slice(0, 40)}`);
    if (seen.has(id)) return;
    seen.add(id);
    const paper = toPaperInput(id, item);
    const entry: DailyEntryInput = {
      day,
      paperId: id,
      position: index,
      submittedAt: item.paper.submittedOnDailyAt ?? `${day}T00:00:00.000Z`,
      submittedBy: toMember(item.submittedBy),
      listedPublishedAt: item.publishedAt ?? item.paper.publishedAt,
      thumbnail: item.thumbnail ?? null,
      isAuthorParticipating: item.isAuthorParticipating ?? false,
    };
    const problem = paperOverLimits(paper) ?? entryOverLimits(entry);
    if (problem) throw new DayFileError(`item ${index} (${id}): ${problem}`);
    papers.push(paper);
    entries.push(entry);
  });
  return { day, papers, entries, replaceDays: [day] };
}

/** Author entries the source ties to an account with confidence: claimed and verified by the account's holder,
 *  assigned by the site's administrators, or extracted and confirmed ('extracted_pending' is a guess). */
const TIED_STATUSES = new Set(['claimed_verified', 'admin_assigned', 'extracted_confirmed']);
const HF_HANDLE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

function toPaperInput(id: string, item: HfItem): PaperInput {
  const { paper } = item;
  return {
    id,
    title: paper.title,
    summary: paper.summary,
    publishedAt: paper.publishedAt,
    authors: paper.authors.map((a) => ({
      name: a.name,
      externalId: a._id ?? null,
      hidden: a.hidden ?? false,
      ...(a.user?.user && TIED_STATUSES.has(a.status ?? '') && HF_HANDLE.test(a.user.user) && { hfUser: a.user.user }),
    })),
    organization: toOrganization(paper.organization ?? item.organization),
    githubRepo: paper.githubRepo,
    githubStars: paper.githubStars,
    projectPage: paper.projectPage,
    aiSummary: paper.ai_summary,
    aiKeywords: paper.ai_keywords ?? undefined,
    withdrawn: paper.withdrawnAt ? true : undefined,
    upvotes: paper.upvotes,
    numComments: item.numComments,
    discussionId: paper.discussionId,
  };
}
