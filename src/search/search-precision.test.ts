import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_FIXTURES, memoryStore } from '../../test/helpers.ts';
import { importPath } from '../ingest/import-files.ts';
import { analyze, stemWord, words } from '../domain/analyzer.ts';
import type { Paper } from '../domain/types.ts';
import type { Store } from '../store/store.ts';
import type { Embedder } from './embedder.ts';
import { SearchService, type SearchRequest } from './search-service.ts';
import { similarityFloorKey } from './similarity-floor.ts';
import { lexicalSearch } from './lexical/lexical-search.ts';
import { parseQuery } from './query-parser.ts';
import { madeUp } from '../../test/contract/fixtures.ts';

const WEIGHTS = { title: 3, authors: 2, abstract: 1 };

const DIMENSIONS = 64;

/** A bag of known words hashed into a few dimensions: unknown words give the zero vector, as the learned model's do. */
function bagEmbedder(vocabulary: ReadonlySet<string>): Embedder {
  const embed = (text: string) => {
    const v = new Float32Array(DIMENSIONS);
    for (const term of analyze(text)) {
      if (!vocabulary.has(term)) continue;
      let h = 0;
      for (const ch of term) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
      v[h % DIMENSIONS]! += 1;
    }
    const norm = Math.hypot(...v);
    return norm > 0 ? v.map((x) => x / norm) : v;
  };
  return {
    id: 'bag/1',
    dimensions: DIMENSIONS,
    embedDocuments: async (texts) => texts.map(embed),
    embedQuery: async (text) => embed(text),
  };
}

const fieldsOf = (paper: Paper) =>
  [paper.title, paper.authors.map((a) => a.name).join(' '), paper.summary].map(analyze);

async function setUp(): Promise<{ store: Store; service: SearchService; papers: Paper[] }> {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  const papers = await store.getPapers((await store.paperTexts(0, 1_000)).map((p) => p.id));
  const embedder = bagEmbedder(new Set(papers.flatMap((p) => fieldsOf(p).flat())));
  const vectors = await embedder.embedDocuments(papers.map((p) => `${p.title}. ${p.summary}`));
  await store.putVectors(
    embedder.id,
    DIMENSIONS,
    papers.map((p, i) => ({ id: p.id, vector: vectors[i]! })),
  );
  return { store, service: new SearchService(store, embedder), papers };
}

const request = (q: string, more: Partial<SearchRequest> = {}): SearchRequest => ({
  q,
  filters: {},
  sort: 'relevance',
  mode: 'hybrid',
  offset: 0,
  limit: 100,
  ...more,
});

function containsSequence(terms: readonly string[], phrase: readonly string[]): boolean {
  return terms.some((_, i) => phrase.every((t, j) => terms[i + j] === t));
}

test("nonsense finds nothing: no semantic neighbour below the model's similarity floor pads the results", async () => {
  const { store, service } = await setUp();
  for (const q of ['qwxzv', 'xyzzy plugh', 'difusion modle', 'kissa koira']) {
    const response = await service.search(request(q));
    assert.equal(response.total, 0, q);
    assert.deepEqual(response.results, [], q);
  }
  const stored = await store.getJobState<{ floor: number }>(similarityFloorKey('bag/1'));
  assert.ok(stored && stored.floor > 0, 'the floor is kept with the model id');
  const real = await service.search(request('video diffusion'));
  assert.ok(real.results.length > 0 && real.lexicalTotal > 0);
});

test('total is the exact match set; quoted phrases and -exclusions hold for every result', async () => {
  const { service, papers } = await setUp();
  const withTerm = (term: string) => papers.filter((p) => fieldsOf(p).some((f) => f.includes(term)));
  const diffusion = await service.search(request('diffusion', { mode: 'lexical', limit: 5 }));
  assert.equal(diffusion.total, withTerm('diffus').length);
  assert.equal(diffusion.lexicalTotal, diffusion.total);

  const phrase = analyze('diffusion model');
  const quoted = await service.search(request('"diffusion model"'));
  const expected = papers
    .filter((p) => fieldsOf(p).some((f) => containsSequence(f, phrase)))
    .map((p) => p.id)
    .sort();
  assert.ok(expected.length > 0);
  assert.deepEqual(quoted.results.map((r) => r.paper.id).sort(), expected);
  assert.equal(quoted.total, expected.length);

  const excluded = await service.search(request('diffusion -video'));
  assert.ok(excluded.results.length > 0);
  for (const r of excluded.results) assert.ok(!fieldsOf(r.paper).some((f) => f.includes('video')), r.paper.title);
  assert.equal(
    excluded.lexicalTotal,
    withTerm('diffus').filter((p) => !fieldsOf(p).some((f) => f.includes('video'))).length,
  );
});

test('sorted by date or upvotes: every paper with the words, none without, in order (against a full scan)', async () => {
  const { service, papers } = await setUp();
  const matching = papers.filter((p) => fieldsOf(p).some((f) => f.includes('video') || f.includes('diffus')));
  for (const sort of ['date', 'upvotes'] as const) {
    const response = await service.search(request('video diffusion', { sort, limit: 100 }));
    assert.deepEqual(response.results.map((r) => r.paper.id).sort(), matching.map((p) => p.id).sort(), sort);
    const keys = response.results.map((r) => (sort === 'date' ? r.paper.publishedAt : r.paper.upvotes));
    assert.deepEqual(
      keys,
      [...keys].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)),
      sort,
    );
    const firstPage = await service.search(request('video diffusion', { sort, limit: 3 }));
    assert.deepEqual(
      firstPage.results.map((r) => r.paper.id),
      response.results.slice(0, 3).map((r) => r.paper.id),
    );
  }
});

test('an arXiv id or URL gives its paper alone; an unknown id says so', async () => {
  const { service, papers } = await setUp();
  const id = papers[0]!.id;
  for (const q of [id, `https://arxiv.org/abs/${id}`]) {
    const response = await service.search(request(q));
    assert.deepEqual(
      response.results.map((r) => r.paper.id),
      [id],
      q,
    );
    assert.equal(response.total, 1);
  }
  const missing = await service.search(request('2607.21461'));
  assert.deepEqual(missing.results, []);
  assert.equal(missing.missingArxivId, '2607.21461');
});

test('a prefix matches the words as written: transformer* finds "Transformers"', async () => {
  const { service } = await setUp();
  const response = await service.search(request('transformer*', { mode: 'lexical' }));
  assert.ok(response.results.some((r) => /transformers/i.test(r.paper.title)));
  assert.ok(response.results.length > 0);
});

test('a prefix longer than the stem matches the words as written: optimiz* finds "optimization" (term "optim"), exactly the brute-force set', async () => {
  const { service, papers } = await setUp();
  const wordsOf = (paper: Paper) =>
    words(`${paper.title} ${paper.authors.map((a) => a.name).join(' ')} ${paper.summary}`);
  const all = [...new Set(papers.flatMap(wordsOf))].sort();
  // Words whose stem is shorter than the word: the prefix one letter past the stem starts no term.
  const prefixes = [
    ...new Set(
      all.flatMap((w) => {
        const stem = stemWord(w);
        return w.startsWith(stem) && w.length >= stem.length + 3 && stem.length >= 4
          ? [w.slice(0, stem.length + 1)]
          : [];
      }),
    ),
  ].slice(0, 12);
  assert.ok(prefixes.length >= 5, `prefixes to try: ${prefixes}`);
  for (const prefix of prefixes) {
    // Brute force: the terms of the words starting with the prefix; a paper matches when it holds one of them.
    const terms = new Set(all.filter((w) => w.startsWith(prefix)).map(stemWord));
    const expected = papers
      .filter((p) =>
        fieldsOf(p)
          .flat()
          .some((t) => terms.has(t)),
      )
      .map((p) => p.id);
    const response = await service.search(request(`${prefix}*`, { mode: 'lexical', limit: 1_000 }));
    assert.ok(expected.length > 0, prefix);
    assert.equal(response.total, expected.length, prefix);
    assert.deepEqual(response.results.map((r) => r.paper.id).sort(), expected.sort(), prefix);
  }
  // A prefix no word starts with finds nothing, even when its stem would.
  const none = await service.search(request('optimizzz*', { mode: 'lexical' }));
  assert.equal(none.total, 0);
});

test('the list holds exactly `total` papers, each once, whatever the page size; depth past the cached ranking ranks again', async () => {
  const { service } = await setUp();
  for (const q of ['video diffusion', 'language model', '"diffusion model"']) {
    const all = await service.search(request(q, { limit: 100 }));
    const ids = all.results.map((r) => r.paper.id);
    assert.equal(new Set(ids).size, ids.length, q);
    assert.equal(ids.length, all.total, q);
    assert.ok(all.lexicalTotal <= all.total);
    const paged: string[] = [];
    for (let offset = 0; offset < all.total; offset += 7)
      paged.push(...(await service.search(request(q, { offset, limit: 7 }))).results.map((r) => r.paper.id));
    assert.deepEqual(paged, ids, q);
  }
});

test('a misspelling that finds nothing gets a "did you mean" from the index\'s own words', async () => {
  const { service } = await setUp();
  const response = await service.search(request('difusion modle'));
  assert.equal(response.total, 0);
  assert.equal(response.suggestion, 'diffusion model');
  assert.equal((await service.search(request('qwxzv'))).suggestion, null);
  assert.equal((await service.search(request('diffusion'))).suggestion, null);
});

test('a counted search tells which probed papers match, wherever they rank, papers written since the build too', async () => {
  const { store, papers } = await setUp();
  const lexical = lexicalSearch(store);
  const stem = stemWord('diffusion');
  const withWord = (paper: Paper) => fieldsOf(paper).some((field) => field.includes(stem));
  const matching = papers.filter(withWord);
  const other = papers.filter((paper) => !withWord(paper));
  assert.ok(matching.length >= 4 && other.length >= 3);
  await lexical.warmUp();
  // Written after the index was built: matched among the recent papers.
  const late = madeUp(900, { title: 'Diffusion written late' });
  await store.importBatch({ papers: [late], entries: [], replaceDays: [] });
  // A paper a moderator hid: neither counted nor matching.
  const moderator = await store.community.accountForEmail('mod@example.org', new Date());
  await store.community.hidePaper(matching[0]!.id, moderator.id, 'test', new Date());
  const probe = new Set(
    [...matching.slice(0, 1), ...matching.slice(-3), ...other.slice(0, 3)].map((paper) => paper.id),
  );
  probe.add(late.id).add('2101.99999');
  const expected = [...matching.slice(-3).map((paper) => paper.id), late.id].sort();
  for (const limit of [1, Infinity]) {
    const counted = await lexical.searchCounted(parseQuery('diffusion'), {}, WEIGHTS, limit, probe);
    assert.equal(counted.hits.length, limit === 1 ? 1 : matching.length);
    assert.ok(!counted.hits.some((hit) => hit.id === matching[0]!.id));
    assert.equal(counted.total, matching.length, 'every paper with the word, the late one in, the hidden one out');
    assert.deepEqual([...counted.matching].sort(), expected);
  }
  // Through a phrase, only those that hold it.
  const phrase = await lexical.searchCounted(parseQuery('"written late"'), {}, WEIGHTS, 10, probe);
  assert.deepEqual([...phrase.matching], [late.id]);
});
