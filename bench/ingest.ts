/**
 * `npm run bench:ingest`: records per second through the arXiv harvest path without a network: OAI-PMH XML
 * parsing, record checks, and writing pages into a fresh SQLite file (store.importBatch, job state after every
 * page), exactly as `paperboy ingest arxiv` does.
 *
 *   npm run bench:ingest -- [--records N] [--page-size N] [--keep]
 *
 * Input: the 33 real records of test/fixtures/arxiv/oai-pmh/ListRecords_arXiv_derived.xml, replicated to N
 * records (default 20,064) with SYNTHETIC ids (8000.00000 onwards) and a copy number in the title, cut into
 * pages of 1,000 like arXiv's. Target: >= 2,000 records/s through parse + store.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { importPath } from '../src/ingest/import-files.ts';
import { DEMO_ARCHIVE } from '../src/ingest/demo.ts';
import { StaticEmbedder, trainStaticModel } from '../src/search/learned/index.ts';
import { embedMissing, storeTrainingDocs } from '../src/search/semantic-indexer.ts';
import { REPO, databaseSize, fmt, formatTable, loadLine, shortPath, verdict, writeResult } from './lib.ts';
import { parseListRecords, type ListRecordsPage } from '../src/ingest/arxiv/oai-records.ts';
import { harvest } from '../src/ingest/arxiv/harvester.ts';
import type { ListRequest } from '../src/ingest/arxiv/oai-pmh-client.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { createLogger } from '../src/log.ts';

const TARGET_RECORDS_PER_SECOND = 2_000;
const FIXTURE = join(REPO, 'test/fixtures/arxiv/oai-pmh/ListRecords_arXiv_derived.xml');

const { values: flags } = parseArgs({
  options: {
    records: { type: 'string', default: '20064' },
    'page-size': { type: 'string', default: '1000' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write('usage: npm run bench:ingest -- [--records N] [--page-size N] [--keep]\n');
  process.exit(0);
}
const wanted = Number(flags.records);
const pageSize = Number(flags['page-size']);

type Tree = { header: Record<string, unknown>; metadata: { arXiv: Record<string, unknown> } };

/** Replicates the recorded records under synthetic ids and builds the pages (not timed). */
function buildPages(): { pages: string[]; records: number; recordedRecords: number; bytes: number } {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    isArray: (name) => name === 'record',
  });
  const recorded = (parser.parse(readFileSync(FIXTURE, 'utf8')) as { 'OAI-PMH': { ListRecords: { record: Tree[] } } })[
    'OAI-PMH'
  ].ListRecords.record;
  // Unindented, like arXiv's own responses (one record's metadata is one line there).
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: false });
  const pages: string[] = [];
  for (let start = 0; start < wanted; start += pageSize) {
    const records: Tree[] = [];
    for (let n = start; n < Math.min(wanted, start + pageSize); n++) {
      const source = recorded[n % recorded.length]!;
      const id = `${8000 + Math.floor(n / 100_000)}.${String(n % 100_000).padStart(5, '0')}`;
      records.push({
        header: { ...source.header, identifier: `oai:arXiv.org:${id}` },
        metadata: {
          arXiv: {
            ...source.metadata.arXiv,
            id,
            title: `${String(source.metadata.arXiv.title)} (copy ${Math.floor(n / recorded.length)})`,
          },
        },
      });
    }
    const last = start + pageSize >= wanted;
    pages.push(
      builder.build({
        '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
        'OAI-PMH': {
          '@_xmlns': 'http://www.openarchives.org/OAI/2.0/',
          responseDate: '2026-05-12T00:00:00Z',
          ListRecords: {
            record: records,
            resumptionToken: {
              '#text': last ? '' : `page-${pages.length + 1}`,
              '@_cursor': String(start),
              '@_completeListSize': String(wanted),
            },
          },
        },
      }) as string,
    );
  }
  return {
    pages,
    records: wanted,
    recordedRecords: recorded.length,
    bytes: pages.reduce((sum, p) => sum + Buffer.byteLength(p), 0),
  };
}

function pagesClient(pages: string[]) {
  return {
    async listRecords(request: ListRequest): Promise<ListRecordsPage> {
      const index = 'resumptionToken' in request ? Number(request.resumptionToken.slice(5)) : 0;
      return parseListRecords(pages[index]!);
    },
  };
}

const built = buildPages();
process.stdout.write(`${loadLine()}\n`);
process.stdout.write(
  `input: ${fmt.int(built.records)} records (${built.recordedRecords} recorded, replicated with synthetic ids) in ${built.pages.length} pages, ${fmt.mib(built.bytes)} of XML\n\n`,
);

// Parse only.
let started = performance.now();
let parsed = 0;
for (const page of built.pages) parsed += parseListRecords(page).records.filter((r) => r.kind === 'paper').length;
const parseSeconds = (performance.now() - started) / 1000;
if (parsed !== built.records) throw new Error(`parsed ${parsed} papers, expected ${built.records}`);

// Parse + store, into a fresh database, then the same harvest again (every paper unchanged).
const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-ingest-'));
const databasePath = join(dir, 'ingest.db');
const store = new SqliteStore(databasePath);
const logger = createLogger('warn');
started = performance.now();
const fresh = await harvest(
  { store, client: pagesClient(built.pages), logger },
  { set: 'cs', metadataPrefix: 'arXiv', from: '2026-05-01', until: '2026-05-12' },
);
const freshSeconds = (performance.now() - started) / 1000;
started = performance.now();
const again = await harvest(
  { store, client: pagesClient(built.pages), logger },
  { set: 'cs', metadataPrefix: 'arXiv', from: '2026-05-12', until: '2026-05-12' },
);
const againSeconds = (performance.now() - started) / 1000;
const stats = await store.stats();

// Embedding the new papers with the default model (the one Paperboy learns): trained here on the bundled
// demo papers (real text; the model's quality does not change its speed), then applied to every harvested paper.
const demoStore = new SqliteStore(':memory:');
await importPath(demoStore, DEMO_ARCHIVE);
const model = new StaticEmbedder(await trainStaticModel(storeTrainingDocs(demoStore), { epochs: 2, seed: 1 }));
await demoStore.close();
started = performance.now();
const embedded = await embedMissing(store, model, 1_000);
const embedSeconds = (performance.now() - started) / 1000;
await store.close();
if (embedded !== built.records) throw new Error(`embedded ${embedded} papers, expected ${built.records}`);
const dbBytes = databaseSize(databasePath);
if (fresh.papersNew !== built.records || stats.papers !== built.records)
  throw new Error(`stored ${stats.papers} papers, expected ${built.records}`);
if (again.papersUnchanged !== built.records)
  throw new Error(`re-harvest changed ${built.records - again.papersUnchanged} papers`);
if (!flags.keep) rmSync(dir, { recursive: true, force: true });

const rate = (seconds: number) => built.records / seconds;
const rows = [
  ['parse only (XML -> records)', fmt.int(rate(parseSeconds)), fmt.s(parseSeconds), '-'],
  [
    'parse + store, fresh DB',
    fmt.int(rate(freshSeconds)),
    fmt.s(freshSeconds),
    verdict(rate(freshSeconds) >= TARGET_RECORDS_PER_SECOND),
  ],
  ['parse + store, re-harvest (unchanged)', fmt.int(rate(againSeconds)), fmt.s(againSeconds), '-'],
  ['embed the new papers (default model)', fmt.int(embedded / embedSeconds), fmt.s(embedSeconds), '-'],
];
process.stdout.write(
  `${formatTable(['phase', 'records/s', 'time', `target ${fmt.int(TARGET_RECORDS_PER_SECOND)}/s`], rows)}\n\n`,
);
process.stdout.write(`database: ${fmt.mib(dbBytes)}${flags.keep ? ` (kept: ${shortPath(databasePath)})` : ''}\n`);

const resultPath = writeResult('ingest', {
  input: {
    fixture: 'test/fixtures/arxiv/oai-pmh/ListRecords_arXiv_derived.xml',
    recordedRecords: built.recordedRecords,
    records: built.records,
    syntheticIds: true,
    pageSize,
    pages: built.pages.length,
    xmlBytes: built.bytes,
  },
  targetRecordsPerSecond: TARGET_RECORDS_PER_SECOND,
  parseOnly: { seconds: parseSeconds, recordsPerSecond: rate(parseSeconds) },
  parseAndStoreFresh: {
    seconds: freshSeconds,
    recordsPerSecond: rate(freshSeconds),
    papersNew: fresh.papersNew,
    pass: rate(freshSeconds) >= TARGET_RECORDS_PER_SECOND,
  },
  parseAndStoreUnchanged: {
    seconds: againSeconds,
    recordsPerSecond: rate(againSeconds),
    papersUnchanged: again.papersUnchanged,
  },
  databaseBytes: dbBytes,
  embedNewPapers: {
    papers: embedded,
    seconds: embedSeconds,
    papersPerSecond: embedded / embedSeconds,
    model: model.id,
    trainedOn: 'bundled demo papers',
  },
});
process.stdout.write(`result: ${shortPath(resultPath)}\n`);
if (rate(freshSeconds) < TARGET_RECORDS_PER_SECOND) process.exitCode = 1;
