import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryStore } from '../../../test/helpers.ts';
import { captureLogger, paginate, recordTrees, treeId, type RecordTree } from '../../../test/arxiv-replay.ts';
import { harvest, type HarvestDeps } from './harvester.ts';
import { harvestStateKey, type HarvestState } from './harvest-state.ts';
import { OaiProtocolError, parseListRecords, type ListRecordsPage } from './oai-records.ts';
import type { ListRequest } from './oai-pmh-client.ts';
import { parseAutoFeatureRules } from '../../config.ts';

const NOW = new Date('2026-06-10T05:00:00Z');

/** A stand-in for the OAI-PMH client that serves pages from memory and records what was asked. */
function pagesClient(pages: string[], options: { refuseTokenOnce?: boolean } = {}) {
  const requests: ListRequest[] = [];
  let refused = false;
  return {
    requests,
    async listRecords(request: ListRequest): Promise<ListRecordsPage> {
      requests.push(request);
      if ('resumptionToken' in request) {
        if (options.refuseTokenOnce && !refused) {
          refused = true;
          throw new OaiProtocolError('badResumptionToken', 'expired');
        }
        return parseListRecords(pages[Number(request.resumptionToken.slice(5))]!, { now: NOW });
      }
      return parseListRecords(pages[0]!, { now: NOW });
    },
  };
}

function deps(client: HarvestDeps['client'], extra: Partial<HarvestDeps> = {}) {
  const store = extra.store ?? memoryStore();
  return { store, client, logger: captureLogger().logger, now: () => NOW, ...extra };
}

test('a new version updates the paper; a withdrawal marks it withdrawn; a deleted record too', async () => {
  const trees = recordTrees().slice(1, 4);
  const store = memoryStore();
  const first = await harvest(deps(pagesClient(paginate(trees, 10)), { store }), {
    set: 'cs',
    metadataPrefix: 'arXiv',
    from: '2024-01-01',
    until: '2024-01-02',
  });
  assert.equal(first.papersNew, 3);

  const changed = structuredClone(trees);
  const [revised, withdrawn, deleted] = changed as [RecordTree, RecordTree, RecordTree];
  revised.metadata!.arXiv!.title = 'A revised title for version 2';
  revised.metadata!.arXiv!.updated = '2026-06-01';
  withdrawn.metadata!.arXiv!.comments = 'This paper has been withdrawn by the authors due to a crucial error';
  deleted.header['@_status'] = 'deleted';
  delete deleted.metadata;
  const second = await harvest(deps(pagesClient(paginate(changed, 10)), { store }), {
    set: 'cs',
    metadataPrefix: 'arXiv',
    from: '2024-01-02',
    until: '2024-01-03',
  });
  assert.equal(second.papersUpdated, 3);
  assert.equal(second.withdrawn, 2);
  assert.equal((await store.getPaper(treeId(revised)))?.title, 'A revised title for version 2');
  const w = await store.getPaper(treeId(withdrawn));
  assert.equal(w?.withdrawn, true);
  assert.equal(w?.title, String(trees[1]!.metadata!.arXiv!.title).replace(/\s+/g, ' ').trim(), 'metadata kept');
  const d = await store.getPaper(treeId(deleted));
  assert.equal(d?.withdrawn, true);
  assert.ok(d && d.summary.length > 0, 'a deleted record keeps what Paperboy knew');
});

test('incremental runs go on from the last completed day; a manual range elsewhere does not move it', async () => {
  const pages = paginate(recordTrees().slice(1, 5), 2);
  const store = memoryStore();
  const client = pagesClient(pages);
  const first = await harvest(deps(client, { store }), { set: 'cs', metadataPrefix: 'arXiv' });
  assert.equal(first.from, '2026-06-09', 'a first incremental run looks one day back');
  assert.equal(first.until, '2026-06-10');
  assert.deepEqual(client.requests[0], { metadataPrefix: 'arXiv', from: '2026-06-09', until: '2026-06-10', set: 'cs' });
  const key = harvestStateKey('arXiv', 'cs');
  assert.deepEqual(await store.getJobState<HarvestState>(key), { harvestedThrough: '2026-06-10', run: null });

  await harvest(deps(pagesClient(pages), { store }), {
    set: 'cs',
    metadataPrefix: 'arXiv',
    from: '2020-01-01',
    until: '2020-01-31',
  });
  assert.equal((await store.getJobState<HarvestState>(key))?.harvestedThrough, '2026-06-10');

  const later = new Date('2026-06-12T05:00:00Z');
  const next = await harvest(deps(pagesClient(pages), { store, now: () => later }), {
    set: 'cs',
    metadataPrefix: 'arXiv',
  });
  assert.equal(next.from, '2026-06-10', 'inclusive: records stamped later on that day are not missed');
  assert.equal(next.until, '2026-06-12');
  assert.equal(next.papersNew, 0, 'a repeated record is not a duplicate');
});

test('an expired resumption token starts the list again; nothing is duplicated', async () => {
  const trees = recordTrees().slice(1, 7);
  const client = pagesClient(paginate(trees, 2), { refuseTokenOnce: true });
  const d = deps(client);
  const summary = await harvest(d, { set: 'cs', metadataPrefix: 'arXiv', from: '2024-01-01', until: '2024-01-02' });
  assert.deepEqual(
    client.requests.map((r) => ('resumptionToken' in r ? r.resumptionToken : 'start')),
    ['start', 'page-1', 'start', 'page-1', 'page-2'],
  );
  assert.equal(summary.papersNew, 6);
  assert.equal((await d.store.stats()).papers, 6);
});

test('auto-feature: matching new submissions land on the harvest day, once; old papers and withdrawals do not', async () => {
  const trees = recordTrees().slice(1, 6);
  const fresh = structuredClone(trees);
  // Make two of them new submissions (first version two days before the run), one matching each rule.
  const [byCategory, byKeyword, old, , withdrawn] = fresh as [
    RecordTree,
    RecordTree,
    RecordTree,
    RecordTree,
    RecordTree,
  ];
  byCategory.metadata!.arXiv!.created = '2026-06-08';
  byCategory.metadata!.arXiv!.categories = 'cs.CL cs.IR';
  byKeyword.metadata!.arXiv!.created = '2026-06-09';
  byKeyword.metadata!.arXiv!.title = 'Dense Retrieval for Everyone';
  old.metadata!.arXiv!.categories = 'cs.CL';
  withdrawn.metadata!.arXiv!.created = '2026-06-09';
  withdrawn.metadata!.arXiv!.categories = 'cs.CL';
  withdrawn.metadata!.arXiv!.comments = 'This paper has been withdrawn';
  const autoFeature = parseAutoFeatureRules('{"categories":["cs.CL"],"keywords":["retrieval"]}');
  const store = memoryStore();
  const summary = await harvest(deps(pagesClient(paginate(fresh, 2)), { store, autoFeature }), {
    set: 'cs',
    metadataPrefix: 'arXiv',
  });
  assert.equal(summary.featured, 2);
  const feed = await store.listDaily({
    firstDay: '2026-06-10',
    lastDay: '2026-06-10',
    sort: 'latest',
    offset: 0,
    limit: 10,
  });
  assert.deepEqual(feed.map((e) => e.paper.id).sort(), [treeId(byCategory), treeId(byKeyword)].sort());
  assert.ok(feed.every((e) => e.submittedBy === null));
  const again = await harvest(
    deps(pagesClient(paginate(fresh, 2)), { store, autoFeature, now: () => new Date('2026-06-11T05:00:00Z') }),
    { set: 'cs', metadataPrefix: 'arXiv' },
  );
  assert.equal(again.featured, 0, 'already on the feed');
});
