/** Data for the store contract: the recorded Daily Papers days, the JSONL sample, and made-up papers. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DailyEntryInput, PaperInput } from '../../src/domain/types.ts';
import type { CoreStore, ImportBatch, ImportCounts } from '../../src/store/store.ts';
import { parseDayFile } from '../../src/ingest/hf-daily-file.ts';
import { parseJsonlLine } from '../../src/ingest/arxiv-jsonl.ts';
import { fileURLToPath } from 'node:url';

// The same files as test/helpers.ts names, without importing the app that module also builds.
const DAY_FIXTURES = fileURLToPath(new URL('../fixtures/hf-daily-papers/', import.meta.url));
const JSONL_FIXTURE = fileURLToPath(new URL('../fixtures/jsonl/papers.jsonl', import.meta.url));

export const DAYS = ['2024-06-03', '2025-06-02', '2026-08-21'];

export function dayBatch(day: string): ImportBatch & { day: string } {
  return parseDayFile(`${day}.json`, readFileSync(join(DAY_FIXTURES, `${day}.json`), 'utf8'));
}

export function jsonlBatch(): ImportBatch {
  const papers: PaperInput[] = [];
  const entries: DailyEntryInput[] = [];
  for (const line of readFileSync(JSONL_FIXTURE, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = parseJsonlLine(line);
    papers.push(record.paper);
    if (record.entry) entries.push(record.entry);
  }
  return { papers, entries, replaceDays: [] };
}

/** The recorded days (one batch each, as `paperboy import` does) and the JSONL sample. */
export async function importFixtures(store: CoreStore): Promise<ImportCounts[]> {
  const counts: ImportCounts[] = [];
  for (const file of readdirSync(DAY_FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    counts.push(await store.importBatch(parseDayFile(file, readFileSync(join(DAY_FIXTURES, file), 'utf8'))));
  }
  counts.push(await store.importBatch(jsonlBatch()));
  return counts;
}

/** Every paper of the fixtures, by id, as the importers hand them over (the last one of an id wins, with
 *  the highest counts seen, as the store keeps them). */
export function fixturePapers(): Map<string, PaperInput> {
  const papers = new Map<string, PaperInput>();
  for (const p of [...DAYS.flatMap((d) => dayBatch(d).papers), ...jsonlBatch().papers]) {
    const before = papers.get(p.id);
    papers.set(p.id, {
      ...p,
      upvotes: Math.max(p.upvotes ?? 0, before?.upvotes ?? 0),
      numComments: Math.max(p.numComments ?? 0, before?.numComments ?? 0),
    });
  }
  return papers;
}

export function fixtureEntries(): DailyEntryInput[] {
  return [...DAYS.flatMap((d) => dayBatch(d).entries), ...jsonlBatch().entries];
}

/** A made-up paper: `2101.000NN` ids, fixed dates unless given. */
export function madeUp(n: number, fields: Partial<PaperInput> = {}): PaperInput {
  return {
    id: `2101.${String(n).padStart(5, '0')}`,
    title: `Made-up paper number ${n}`,
    summary: `An abstract of the made-up paper ${n}.`,
    publishedAt: `2021-01-${String((n % 28) + 1).padStart(2, '0')}T00:00:00.000Z`,
    authors: [{ name: `Author ${n}`, externalId: null, hidden: false }],
    ...fields,
  };
}

export function entry(
  day: string,
  paperId: string,
  position: number,
  fields: Partial<DailyEntryInput> = {},
): DailyEntryInput {
  return {
    day,
    paperId,
    position,
    submittedAt: `${day}T08:00:00.000Z`,
    submittedBy: null,
    listedPublishedAt: `${day}T00:00:00.000Z`,
    thumbnail: null,
    isAuthorParticipating: false,
    ...fields,
  };
}
