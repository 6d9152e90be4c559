/** Thousands of random and hostile queries against the real search function: sensible results or none, never a throw. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importPath } from '../ingest/import-files.ts';
import { SearchService } from './search-service.ts';
import { DAY_FIXTURES, memoryStore } from '../../test/helpers.ts';

const PIECES = [
  '"',
  '*',
  '(',
  ')',
  'AND',
  'OR',
  'NOT',
  'NEAR',
  ':',
  '^',
  '-',
  '+',
  "'",
  ';',
  '--',
  '/*',
  '*/',
  '\\',
  '%',
  '_',
  '<script>',
  '</b>',
  '&amp;',
  '\u0000',
  '\u202e',
  '🚀',
  '日本語',
  'é',
  'ß',
  'DROP TABLE papers',
  '2608.19880',
  'arXiv:',
  'hep-th/9901001',
  'agents',
  'diffusion',
  'the',
  'of',
  'language',
  'model',
  ' ',
  '\n',
  '\t',
  'x'.repeat(300),
];

test('a few thousand random queries never throw and return well-formed results', async () => {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  const search = new SearchService(store, null);
  let seed = 42;
  const next = (n: number) => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  let withResults = 0;
  for (let i = 0; i < 3_000; i++) {
    const q = Array.from({ length: 1 + next(8) }, () =>
      next(3) === 0 ? String.fromCharCode(next(0x3000)) : PIECES[next(PIECES.length)]!,
    ).join(next(2) ? ' ' : '');
    const sort = (['relevance', 'date', 'upvotes'] as const)[next(3)]!;
    const response = await search.search({ q, filters: {}, sort, mode: 'hybrid', offset: next(3) * 10, limit: 10 });
    assert.ok(Array.isArray(response.results), q);
    assert.ok(response.results.length <= 10);
    for (const result of response.results) {
      assert.equal(typeof result.paper.id, 'string');
      assert.ok(Number.isFinite(result.score) || result.score === Infinity, `score of ${JSON.stringify(q)}`);
    }
    if (response.results.length > 0) withResults++;
  }
  // The pieces include real words and ids: a good share of random queries must find something.
  assert.ok(withResults > 250, `only ${withResults} of 3000 queries found anything`);
});

test('an arXiv id in the query puts that paper first; an exact title too', async () => {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  const search = new SearchService(store, null);
  const byId = await search.search({
    q: 'https://arxiv.org/abs/2608.19880v1',
    filters: {},
    sort: 'relevance',
    mode: 'lexical',
    offset: 0,
    limit: 5,
  });
  assert.equal(byId.results[0]?.paper.id, '2608.19880');
  const paper = (await store.getPaper('2608.19880'))!;
  const byTitle = await search.search({
    q: paper.title.toUpperCase(),
    filters: {},
    sort: 'relevance',
    mode: 'lexical',
    offset: 0,
    limit: 5,
  });
  assert.equal(byTitle.results[0]?.paper.id, '2608.19880');
});
