/**
 * Reads the Atom feeds of the arXiv API (export.arxiv.org/api/query). The API reports a bad request as a feed
 * with one entry whose id points at /api/errors: that becomes an ArxivApiError, not a paper called "Error".
 * An entry over the import limits (domain/import-limits.ts) is skipped, as in a harvest.
 */
import { z } from 'zod';
import type { PaperInput } from '../../domain/types.ts';
import { normalizeArxivId } from '../../domain/arxiv-id.ts';
import { cleanTitle } from '../../domain/paper-record.ts';
import { toIsoInstant } from '../../domain/periods.ts';
import { MalformedXmlError, parseXml, xmlText } from './xml.ts';
import { cleanAbstract, isWithdrawalNote, skippedIfOverLimits } from './oai-records.ts';

export class ArxivApiError extends Error {}

export type AtomEntry =
  | {
      kind: 'paper';
      id: string;
      version: number | null;
      paper: PaperInput;
      affiliations: string[];
      updatedAt: string | null;
    }
  | { kind: 'skipped'; id: string | null; reason: string };

export interface AtomFeed {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  entries: AtomEntry[];
}

const optionalText = xmlText.optional();
const count = z
  .string()
  .optional()
  .transform((text) => (text !== undefined && /^\d+$/.test(text) ? Number(text) : 0));

const entry = z.object({
  id: optionalText,
  title: optionalText,
  summary: optionalText,
  published: optionalText,
  updated: optionalText,
  comment: optionalText,
  primary_category: z.object({ '@_term': z.string() }).optional(),
  category: z.array(z.object({ '@_term': z.string() })).optional(),
  author: z.array(z.object({ name: xmlText, affiliation: z.array(xmlText).optional() })).optional(),
});

const feed = z.object({
  feed: z.object(
    {
      totalResults: count,
      startIndex: count,
      itemsPerPage: count,
      entry: z.array(z.unknown()).optional(),
    },
    { error: 'not an Atom feed (no <feed> root element)' },
  ),
});

const ERROR_ID = '/api/errors';

/** "http://arxiv.org/abs/2201.13452v1" -> { id: "2201.13452", version: 1 }; old-style ids keep their archive. */
export function idFromAbsUrl(url: string): { id: string; version: number | null } | null {
  const marker = '/abs/';
  const at = url.indexOf(marker);
  if (at === -1) return null;
  const versioned = url.slice(at + marker.length);
  const id = normalizeArxivId(versioned);
  if (!id) return null;
  const suffix = versioned.slice(id.length);
  return { id, version: suffix.startsWith('v') ? Number(suffix.slice(1)) : null };
}

export function parseAtomFeed(xml: string, now: Date = new Date()): AtomFeed {
  const parsed = feed.safeParse(parseXml(xml));
  if (!parsed.success) throw new MalformedXmlError(`unexpected arXiv API response: ${parsed.error.issues[0]!.message}`);
  const f = parsed.data.feed;
  const rawEntries = f.entry ?? [];
  const entries = rawEntries.map((raw) => toEntry(raw, now));
  return { totalResults: f.totalResults, startIndex: f.startIndex, itemsPerPage: f.itemsPerPage, entries };
}

function toEntry(raw: unknown, now: Date): AtomEntry {
  const parsed = entry.safeParse(raw);
  if (!parsed.success)
    return { kind: 'skipped', id: null, reason: `unreadable entry: ${parsed.error.issues[0]!.message}` };
  const e = parsed.data;
  if (e.id?.includes(ERROR_ID))
    throw new ArxivApiError(`arXiv API error: ${(e.summary ?? e.title ?? 'unknown').trim()}`);
  const ids = e.id ? idFromAbsUrl(e.id) : null;
  if (!ids)
    return {
      kind: 'skipped',
      id: null,
      reason: e.id ? `entry id is not an arXiv abstract URL: ${e.id.slice(0, 60)}` : 'entry without an id',
    };
  const title = cleanTitle(e.title ?? '');
  if (!title) return { kind: 'skipped', id: ids.id, reason: 'entry without a title' };
  const publishedAt = e.published ? toIsoInstant(e.published) : null;
  if (!publishedAt)
    return {
      kind: 'skipped',
      id: ids.id,
      reason: `published is not a date: ${(e.published ?? '(none)').slice(0, 40)}`,
    };
  if (Date.parse(publishedAt) > now.getTime() + 36 * 3_600_000)
    return { kind: 'skipped', id: ids.id, reason: `published ${publishedAt} is in the future` };
  const primary = e.primary_category?.['@_term'];
  const terms = (e.category ?? []).map((c) => c['@_term']);
  const categories = primary ? [primary, ...terms.filter((t) => t !== primary)] : terms;
  const authors = e.author ?? [];
  return skippedIfOverLimits({
    kind: 'paper',
    id: ids.id,
    version: ids.version,
    updatedAt: e.updated ? toIsoInstant(e.updated) : null,
    affiliations: authors.flatMap((a) => a.affiliation ?? []),
    paper: {
      id: ids.id,
      title,
      summary: cleanAbstract(e.summary ?? ''),
      publishedAt,
      authors: authors
        .map((a) => ({ name: a.name.trim(), externalId: null, hidden: false }))
        .filter((a) => a.name !== ''),
      categories,
      withdrawn: isWithdrawalNote(e.comment) ? true : undefined,
    },
  });
}
