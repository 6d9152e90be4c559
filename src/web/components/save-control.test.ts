import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_FIXTURES, memoryStore } from '../../../test/helpers.ts';
import { importPath } from '../../ingest/import-files.ts';
import { MemberLists } from './save-control.ts';

test('the cards of one page ask the store once which of them the member saved', async () => {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  const latest = (await store.latestDay())!;
  const ids = (await store.listDaily({ firstDay: latest, lastDay: latest, sort: 'upvotes', offset: 0, limit: 3 })).map((e) => e.paper.id);
  const ada = await store.community.accountForEmail('ada@example.org', new Date());
  const list = (await store.collections.createCollection(ada.id, { name: 'Read', description: '', isPublic: false }, new Date()))!;
  await store.collections.addItem(list.id, ada.id, ids[1]!, new Date());

  let queries = 0;
  const collectionsHolding = store.collections.collectionsHolding.bind(store.collections);
  store.collections.collectionsHolding = async (...args) => {
    queries++;
    return collectionsHolding(...args);
  };
  const lists = new MemberLists(store.collections, ada, null, '/');
  const held = await Promise.all(ids.map((id) => lists.holding(id)));
  assert.deepEqual(held, [[], [list.id], []]);
  assert.equal(queries, 1);
  assert.deepEqual(await lists.holding(ids[1]!), [list.id], 'asked again: from the request\'s memory');
  assert.equal(queries, 1);
});
