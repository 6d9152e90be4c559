/**
 * The bounds of the long posting lists computed ahead of their first query (Bm25Index.prepareLong, a slice at a
 * time; TextIndex.prepare, in the background after warm-up): the same top k as bounds computed at first use,
 * each slice stopping at its deadline, and the index a merge installs prepared again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Bm25Index, LONG_LIST, type AnalyzedDocument } from './bm25-index.ts';
import { lexicalSearch } from './lexical-search.ts';
import { decodeIndex } from './index-file.ts';
import { parseQuery } from '../query-parser.ts';
import { DEFAULT_SEARCH_CONFIG } from '../search-service.ts';
import { madeUp } from '../../../test/contract/fixtures.ts';
import { tempDatabase } from '../../../test/support/temp-database.ts';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.ts';

const WEIGHTS = DEFAULT_SEARCH_CONFIG.weights;

test('long lists prepared ahead, a slice at a time, rank exactly as bounds computed at first use', () => {
  // "common" in every paper and "often" in five of six: lists past LONG_LIST; "half" and the w-words shorter.
  const documents: AnalyzedDocument[] = Array.from({ length: LONG_LIST + 2_000 }, (_, i) => ({
    doc: 1 + i * (1 + (i % 3)),
    id: `p${i}`,
    title: ['common', ...(i % 6 === 0 ? [] : ['often']), ...(i % 2 === 0 ? ['half'] : []), `w${i % 50}`],
    authors: i % 5 === 0 ? ['often'] : [],
    abstract: Array.from({ length: 5 + (i % 23) }, (_, j) => (j % 3 === 0 ? 'common' : `w${(i * 7 + j) % 300}`)),
  }));
  const ahead = Bm25Index.build(documents);
  const lazy = Bm25Index.build(documents);
  const long = [...ahead.termFrequencies()].filter(([, df]) => df > LONG_LIST).map(([term]) => term);
  assert.deepEqual(long.sort(), ['common', 'often']);
  const before = ahead.memoryBytes;
  // A deadline already passed: each slice computes one long list and stops there.
  const stops: number[] = [];
  for (let t = 0; t < ahead.vocabularySize; ) {
    t = ahead.prepareLong(WEIGHTS, t, 0);
    stops.push(t);
  }
  assert.equal(stops.length, 3, `${stops}`);
  assert.ok(stops[1]! < ahead.vocabularySize, 'the second slice stopped at its deadline');
  const prepared = ahead.memoryBytes;
  assert.ok(prepared > before, 'the bounds are held');
  ahead.prepareLong(WEIGHTS, 0, Infinity);
  assert.equal(ahead.memoryBytes, prepared, 'computed once');
  const queries = [['common'], ['common', 'often'], ['often', 'half'], ['half', 'w3'], ['common', 'w7', 'w12']];
  // Another weighting has its bounds computed at first use, as before.
  for (const weights of [WEIGHTS, { title: 1, authors: 0, abstract: 2 }])
    for (const terms of queries)
      for (const k of [1, 10, 100]) {
        const expected = lazy.topK(terms, weights, k);
        assert.equal(expected.length, k);
        assert.deepEqual(ahead.topK(terms, weights, k), expected, `[${terms}] k=${k}`);
      }
});

const QUERIES = ['numbats', 'numbats wombats', 'paper number', 'wombats 17'];

async function topK(store: SqliteStore) {
  const search = lexicalSearch(store);
  return Promise.all(QUERIES.map((q) => search.search(parseQuery(q), {}, WEIGHTS, 20)));
}

const numbats = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) =>
    madeUp(from + i, { title: `Numbats ${i % 2 === 0 ? 'and wombats' : 'alone'} ${i % 100}` }),
  );

test('a process prepares the long lists in the background after warm-up, and again the index a merge installs', async (t) => {
  const db = tempDatabase(t, 'bounds-ahead');
  const first = db.open();
  await first.importBatch({ papers: numbats(1, LONG_LIST + 500), entries: [], replaceDays: [] });
  const search = lexicalSearch(first);
  await search.warmUp();
  const built = search.index.memoryBytes;
  await search.prepare(WEIGHTS);
  assert.ok(search.index.memoryBytes > built, 'the long lists have their bounds');
  // A process that computes them at first use ranks the same.
  const second = db.open();
  await lexicalSearch(second).warmUp();
  const expected = await topK(second);
  assert.ok(expected.every((hits) => hits.length > 0));
  assert.deepEqual(await topK(first), expected);

  // Papers enough to be merged in: the merged index replaces the prepared one, and is prepared in turn.
  await first.importBatch({ papers: numbats(20_000, 2_100), entries: [], replaceDays: [] });
  await topK(first);
  await search.warmUp();
  assert.equal(search.index.merges, 1);
  await search.prepare(WEIGHTS);
  const merged = decodeIndex(readFileSync(`${db.path}.lexical-index`)).index;
  assert.ok(search.index.memoryBytes > merged.memoryBytes, 'the merged index has its bounds too');
  const third = db.open();
  await lexicalSearch(third).warmUp();
  assert.deepEqual(await topK(first), await topK(third));
});
