/**
 * Bad input on the wire: each bad record is skipped with a logged reason, the run goes on to the end, and
 * nothing of the bad record is written. Pages are cut from the recorded ListRecords and changed as each test
 * says; the harvester runs against the local replay server through the real client and fetcher.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryStore } from './helpers.ts';
import {
  captureLogger,
  listRecordsPage,
  oaiErrorPage,
  paginate,
  recordTrees,
  startReplayServer,
  treeId,
  type Fault,
  type RecordTree,
} from './arxiv-replay.ts';
import { PoliteFetcher } from '../src/ingest/arxiv/polite-fetch.ts';
import { OaiPmhClient } from '../src/ingest/arxiv/oai-pmh-client.ts';
import { harvest } from '../src/ingest/arxiv/harvester.ts';
import { harvestStateKey } from '../src/ingest/arxiv/harvest-state.ts';
import type { Store } from '../src/store/store.ts';

async function harvestPages(pages: string[], faults: Record<number, Fault[]> = {}) {
  const server = await startReplayServer(pages, faults);
  const store = memoryStore();
  const { logger, lines } = captureLogger();
  const fetcher = new PoliteFetcher({
    userAgent: 'test',
    minIntervalMs: 0,
    maxAttempts: 3,
    backoffBaseMs: 1,
    timeoutMs: 10_000,
  });
  const client = new OaiPmhClient({ baseUrl: server.url, fetcher, logger });
  const run = harvest(
    { store, client, logger },
    { set: 'cs', metadataPrefix: 'arXiv', from: '2024-01-01', until: '2024-01-31' },
  );
  return { run, store, server, skippedLog: () => lines().filter((l) => l.msg === 'skipped an arXiv record') };
}

async function storedIds(store: Store): Promise<string[]> {
  return (await store.listPapers(null, 1000)).papers.map((p) => p.id).sort();
}

/** Six real records in two pages of three, the second record of the first page changed by `spoil`. */
function pagesWithBadRecord(spoil: (tree: RecordTree) => void): { pages: string[]; good: string[]; bad: string } {
  const trees = recordTrees().slice(1, 7);
  const bad = treeId(trees[1]!);
  spoil(trees[1]!);
  const good = trees
    .filter((_, i) => i !== 1)
    .map(treeId)
    .sort();
  return { pages: paginate(trees, 3), good, bad };
}

async function assertSkipped(pages: string[], good: string[], bad: string, reason: RegExp) {
  const { run, store, skippedLog } = await harvestPages(pages);
  const summary = await run;
  assert.equal(summary.pages, 2, 'the run went on to the last page');
  assert.equal(summary.skipped.length, 1);
  assert.match(summary.skipped[0]!.reason, reason);
  assert.deepEqual(await storedIds(store), good, 'the other records are written, the bad one is not');
  assert.equal(await store.getPaper(bad), null);
  const logged = skippedLog();
  assert.equal(logged.length, 1);
  assert.match(String(logged[0]!.reason), reason);
  const state = await store.getJobState<{ run: unknown }>(harvestStateKey('arXiv', 'cs'));
  assert.equal(state?.run, null, 'the run completed');
}

test('malformed XML in one record: the page is fetched again, then salvaged without that record', async () => {
  const trees = recordTrees().slice(1, 7);
  const bad = treeId(trees[1]!);
  const title = String(trees[1]!.metadata!.arXiv!.title);
  const pages = paginate(trees, 3);
  assert.ok(pages[0]!.includes(`<title>${title}</title>`));
  pages[0] = pages[0]!.replace(`<title>${title}</title>`, `<title>${title}</titel>`);
  const good = trees
    .filter((_, i) => i !== 1)
    .map(treeId)
    .sort();
  const { run, store, server } = await harvestPages(pages);
  const summary = await run;
  assert.equal(summary.skipped.length, 1);
  assert.equal(summary.skipped[0]!.id, bad);
  assert.match(summary.skipped[0]!.reason, /malformed XML in record/);
  assert.deepEqual(await storedIds(store), good);
  assert.deepEqual(
    server.requests.map((r) => r.page),
    [0, 0, 0, 1],
    'fetched three times before salvaging',
  );
});

test('a page that stays cut short stops the run where it was, without a gap or a half-written page', async () => {
  const trees = recordTrees().slice(1, 7);
  const pages = paginate(trees, 3);
  const always = Array.from({ length: 10 }, (): Fault => ({ kind: 'truncated' }));
  const { run, store } = await harvestPages(pages, { 1: always });
  await assert.rejects(run, /malformed XML/);
  assert.deepEqual(await storedIds(store), trees.slice(0, 3).map(treeId).sort());
  const state = await store.getJobState<{ run: { token: string } }>(harvestStateKey('arXiv', 'cs'));
  assert.equal(state?.run.token, 'page-1', 'the next run starts again at the page that failed');
});

test('an unknown metadata format is skipped', async () => {
  const { pages, good, bad } = pagesWithBadRecord((tree) => {
    tree.metadata = {
      'oai_dc:dc': {
        '@_xmlns:oai_dc': 'http://www.openarchives.org/OAI/2.0/oai_dc/',
        '@_xmlns:dc': 'http://purl.org/dc/elements/1.1/',
        'dc:title': 'A title',
      },
    };
  });
  await assertSkipped(pages, good, bad, /unknown metadata format <dc>/);
});

test('a record without an id is skipped', async () => {
  const { pages, good } = pagesWithBadRecord((tree) => {
    delete tree.metadata!.arXiv!.id;
    delete tree.header.identifier;
  });
  const { run, store } = await harvestPages(pages);
  const summary = await run;
  assert.equal(summary.skipped.length, 1);
  assert.deepEqual(summary.skipped[0], { id: null, reason: 'record without an id' });
  assert.deepEqual(await storedIds(store), good);
});

test('dates in the future (datestamp or created) are skipped', async () => {
  const { pages, good, bad } = pagesWithBadRecord((tree) => {
    tree.header.datestamp = '2999-01-01';
  });
  await assertSkipped(pages, good, bad, /datestamp 2999-01-01 is in the future/);
  const created = pagesWithBadRecord((tree) => {
    tree.metadata!.arXiv!.created = '2999-01-01';
  });
  await assertSkipped(created.pages, created.good, created.bad, /created date 2999-01-01 is in the future/);
});

test('a 10 MB abstract is skipped', async () => {
  const { pages, good, bad } = pagesWithBadRecord((tree) => {
    tree.metadata!.arXiv!.abstract = 'giant '.repeat((10 * 1024 * 1024) / 6);
  });
  assert.ok(pages[0]!.length > 10 * 1024 * 1024);
  await assertSkipped(pages, good, bad, /abstract is 10485\d+ bytes, more than the 65536 allowed/);
});

test('a record with more authors than the import limits allow is skipped', async () => {
  const { pages, good, bad } = pagesWithBadRecord((tree) => {
    tree.metadata!.arXiv!.authors = {
      author: Array.from({ length: 10_001 }, (_, i) => ({ keyname: `Author${i}`, forenames: 'A.' })),
    };
  });
  await assertSkipped(pages, good, bad, /^10001 authors, more than the 10000 allowed$/);
});

test('an OAI-PMH error other than noRecordsMatch fails the run with its code; noRecordsMatch completes it', async () => {
  const { run } = await harvestPages([
    listRecordsPage([], null).replace(
      '<ListRecords>',
      '<error code="cannotDisseminateFormat">no such format</error><ListRecords>',
    ),
  ]);
  await assert.rejects(run, /cannotDisseminateFormat: no such format/);
  const empty = await harvestPages([oaiErrorPage('noRecordsMatch', 'No records match')]);
  const summary = await empty.run;
  assert.equal(summary.records, 0);
  assert.equal((await empty.store.getJobState<{ run: unknown }>(harvestStateKey('arXiv', 'cs')))?.run, null);
});
