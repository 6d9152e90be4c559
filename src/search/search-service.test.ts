import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_FIXTURES, memoryStore } from '../../test/helpers.ts';
import { importPath } from '../ingest/import-files.ts';
import { SearchService } from './search-service.ts';
import { lexicalSearch } from './lexical/lexical-search.ts';

test('without an embedder, a hybrid search is answered lexically and that answer is cached', async () => {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  let textSearches = 0;
  const lexical = lexicalSearch(store);
  const searchText = lexical.searchCounted.bind(lexical);
  lexical.searchCounted = async (...args) => {
    textSearches++;
    return searchText(...args);
  };
  const service = new SearchService(store, null);
  const request = {
    q: 'language model',
    filters: {},
    sort: 'relevance',
    mode: 'hybrid',
    offset: 0,
    limit: 10,
  } as const;
  const first = await service.search(request);
  const second = await service.search(request);
  assert.equal(first.mode, 'lexical');
  assert.ok(first.results.length > 0);
  assert.deepEqual(
    second.results.map((r) => r.paper.id),
    first.results.map((r) => r.paper.id),
  );
  assert.equal(textSearches, 1, 'the second search came from the cache');
});
