/**
 * One oversized paper (a 595 KB abstract) once made every search that showed it slow for everyone. Imported fields
 * have exact limits (src/domain/import-limits.ts), checked on every way papers come in, each with its own answer:
 * a day file with an item over them is refused whole (the Daily Papers mirror too: it imports days the same way),
 * JSON Lines skip the record and name its file and line, and the arXiv harvest and API skip the record with the
 * reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_FIXTURES, FIXTURES, JSONL_FIXTURE, memoryStore, tempDir } from '../helpers.ts';
import { captureLogger } from '../arxiv-replay.ts';
import { importPath } from '../../src/ingest/import-files.ts';
import { mirrorDailyPapers } from '../../src/ingest/daily-papers-mirror.ts';
import { PoliteFetcher } from '../../src/ingest/arxiv/polite-fetch.ts';
import { ArxivApiClient } from '../../src/ingest/arxiv/atom-client.ts';
import { PAPER_LIMITS } from '../../src/domain/import-limits.ts';

const HUGE_ABSTRACT = 'quokka '.repeat(85_000);
type DayItem = { paper: { id: string; summary: string; title: string; authors: { name: string }[] } };
const recorded = (day: string) => JSON.parse(readFileSync(join(DAY_FIXTURES, `${day}.json`), 'utf8')) as DayItem[];

test('a day file with one item over the limits is refused whole, with the item and the field; the other files go on', async () => {
  const dir = tempDir();
  copyFileSync(join(DAY_FIXTURES, '2024-06-03.json'), join(dir, '2024-06-03.json'));
  const items = recorded('2025-06-02');
  items[3]!.paper.summary = HUGE_ABSTRACT;
  writeFileSync(join(dir, '2025-06-02.json'), JSON.stringify(items));
  const authors = recorded('2026-08-21');
  authors[0]!.paper.authors = Array.from({ length: PAPER_LIMITS.authors + 1 }, (_, i) => ({ name: `Author ${i}` }));
  writeFileSync(join(dir, '2026-08-21.json'), JSON.stringify(authors));
  const store = memoryStore();
  const summary = await importPath(store, dir);
  assert.deepEqual(summary.failures, [
    {
      file: '2025-06-02.json',
      reason: `item 3 (${items[3]!.paper.id}): abstract is 595000 bytes, more than the 65536 allowed`,
    },
    { file: '2026-08-21.json', reason: `item 0 (${authors[0]!.paper.id}): 10001 authors, more than the 10000 allowed` },
  ]);
  const stats = await store.stats();
  assert.equal(stats.days, 1);
  assert.equal(stats.papers, recorded('2024-06-03').length);
  for (const item of [...items, ...authors]) assert.equal(await store.getPaper(item.paper.id), null);
});

test('JSON Lines: records over the limits are skipped and reported with file and line; the rest is imported', async () => {
  const dir = tempDir();
  const lines = readFileSync(JSONL_FIXTURE, 'utf8').trim().split('\n');
  const record = (id: string, fields: Record<string, unknown>) =>
    JSON.stringify({ arxiv_id: id, title: 'A paper', abstract: 'An abstract.', published: '2024-01-01', ...fields });
  lines.splice(2, 0, record('2401.00001', { abstract: HUGE_ABSTRACT }));
  lines.splice(5, 0, record('2401.00002', { title: 'T'.repeat(2000) }));
  lines.push(record('2401.00003', { authors: Array.from({ length: 10_001 }, (_, i) => `Author ${i}`) }));
  writeFileSync(join(dir, 'papers.jsonl'), lines.join('\n'));
  const store = memoryStore();
  const summary = await importPath(store, join(dir, 'papers.jsonl'));
  assert.deepEqual(summary.failures, []);
  assert.deepEqual(summary.skipped, [
    { file: 'papers.jsonl', line: 3, reason: '2401.00001: abstract is 595000 bytes, more than the 65536 allowed' },
    { file: 'papers.jsonl', line: 6, reason: '2401.00002: title is 2000 bytes, more than the 1024 allowed' },
    { file: 'papers.jsonl', line: 11, reason: '2401.00003: 10001 authors, more than the 10000 allowed' },
  ]);
  assert.equal(summary.papersNew, 8);
  assert.equal((await store.stats()).papers, 8);
  for (const id of ['2401.00001', '2401.00002', '2401.00003']) assert.equal(await store.getPaper(id), null);
});

test('the Daily Papers mirror refuses an upstream day with an item over the limits, and mirrors the others', async () => {
  const items = recorded('2024-06-03');
  items[1]!.paper.title = 'T'.repeat(PAPER_LIMITS.titleBytes + 1);
  const answers: Record<string, string> = {
    '2024-06-03': JSON.stringify(items),
    '2025-06-02': JSON.stringify(recorded('2025-06-02')),
  };
  const fetcher = new PoliteFetcher({
    userAgent: 'test',
    minIntervalMs: 0,
    maxAttempts: 1,
    backoffBaseMs: 0,
    timeoutMs: 1000,
    fetch: async (input) =>
      new Response(answers[new URL(String(input)).searchParams.get('date')!] ?? '[]', { status: 200 }),
  });
  const store = memoryStore();
  const summary = await mirrorDailyPapers(
    { store, fetcher, logger: captureLogger().logger },
    { upstream: 'http://upstream.test', from: '2024-06-03', until: '2024-06-03' },
  );
  assert.deepEqual(summary.failures, [
    { day: '2024-06-03', reason: `item 1 (${items[1]!.paper.id}): title is 1025 bytes, more than the 1024 allowed` },
  ]);
  assert.equal((await store.stats()).papers, 0);
  const next = await mirrorDailyPapers(
    { store, fetcher, logger: captureLogger().logger },
    { upstream: 'http://upstream.test', from: '2025-06-02', until: '2025-06-02' },
  );
  assert.deepEqual(next.failures, []);
  assert.equal((await store.stats()).papers, recorded('2025-06-02').length);
});

test('an arXiv API entry over the limits is skipped with the reason (a submission finds no paper to take)', async () => {
  const xml = readFileSync(join(FIXTURES, 'arxiv', 'arxiv-api', 'id_1605.08386.xml'), 'utf8');
  const crowd = Array.from(
    { length: PAPER_LIMITS.authors + 1 },
    (_, i) => `<author><name>Author ${i}</name></author>`,
  ).join('');
  const answers = [
    xml,
    xml.replace('</entry>', `${crowd}</entry>`),
    xml.replace(/<summary>[^<]*<\/summary>/, `<summary>${HUGE_ABSTRACT}</summary>`),
  ];
  const results = [];
  for (const answer of answers) {
    const fetcher = new PoliteFetcher({
      userAgent: 'test',
      minIntervalMs: 0,
      maxAttempts: 1,
      backoffBaseMs: 0,
      timeoutMs: 5000,
      fetch: async () => new Response(answer, { status: 200, headers: { 'content-type': 'application/atom+xml' } }),
    });
    const client = new ArxivApiClient({
      baseUrl: 'http://export.arxiv.org/api/query',
      fetcher,
      now: () => new Date('2026-12-01T00:00:00Z'),
    });
    results.push(await client.lookup(['1605.08386']));
  }
  assert.ok(results[0]!.found.has('1605.08386'));
  assert.deepEqual(results[1]!.skipped, [
    { kind: 'skipped', id: '1605.08386', reason: '10003 authors, more than the 10000 allowed' },
  ]);
  assert.deepEqual(results[2]!.skipped, [
    { kind: 'skipped', id: '1605.08386', reason: 'abstract is 594999 bytes, more than the 65536 allowed' },
  ]);
  assert.ok(!results[1]!.found.has('1605.08386') && !results[2]!.found.has('1605.08386'));
});

// The harvest's own case (a record over the limits on a ListRecords page is skipped and the run goes on) is in
// test/ingest-bad-input.test.ts, next to the other bad records.
