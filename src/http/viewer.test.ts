import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { DAY_FIXTURES, memoryStore } from '../../test/helpers.ts';
import { importPath } from '../ingest/import-files.ts';
import { viewerFor, type Viewer } from './viewer.ts';

test('the cards of one page ask the store once which of them the member saved', async () => {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  const latest = (await store.latestDay())!;
  const ids = (await store.listDaily({ firstDay: latest, lastDay: latest, sort: 'upvotes', offset: 0, limit: 3 })).map(
    (e) => e.paper.id,
  );
  const ada = await store.community.accountForEmail('ada@example.org', new Date());
  const list = (await store.collections.createCollection(
    ada.id,
    { name: 'Read', description: '', isPublic: false },
    new Date(),
  ))!;
  await store.collections.addItem(list.id, ada.id, ids[1]!, new Date());

  let queries = 0;
  const collectionsHolding = store.collections.collectionsHolding.bind(store.collections);
  store.collections.collectionsHolding = async (...args) => {
    queries++;
    return collectionsHolding(...args);
  };
  // The handler of a page with these cards, for a signed-in member.
  let viewer: Viewer | undefined;
  const app = new Hono();
  app.get('/', async (c) => {
    c.set('auth', { account: ada, sessionHash: null, csrfToken: null, address: 'test' });
    viewer = await viewerFor(c, store, ids);
    return c.text('ok');
  });
  await app.request('/');
  assert.deepEqual(
    ids.map((id) => viewer!.saved.get(id) ?? []),
    [[], [list.id], []],
  );
  assert.deepEqual(
    viewer!.collections.map((c) => c.id),
    [list.id],
  );
  assert.equal(queries, 1);
});
