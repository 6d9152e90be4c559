/**
 * The import contract: large batches (on PostgreSQL they go through COPY, several chunks per batch, while the next
 * chunk is merged), a malformed paper inside a batch, and the same papers imported from two connections at once.
 * PGlite has no COPY FROM STDIN: its store loads the same rows with COPY FROM '/dev/blob' (runner.ts).
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { PaperInput } from '../../src/domain/types.ts';
import type { CoreStore, ImportBatch, SearchFilters } from '../../src/store/store.ts';
import { parseQuery } from '../../src/search/query-parser.ts';
import { DEFAULT_SEARCH_CONFIG } from '../../src/search/search-service.ts';
import { lexicalSearch } from '../../src/search/lexical/lexical-search.ts';
import type { ContractBackend } from './backends.ts';
import { madeUp } from './fixtures.ts';

/** More papers than one COPY chunk of the PostgreSQL store holds (5,000), so that a batch spans three. */
const LARGE = 10_500;

const batchOf = (papers: PaperInput[]): ImportBatch => ({ papers, entries: [], replaceDays: [] });

/** Paper n with two authors: one of its own and one shared by every tenth paper. */
function paper(n: number, fields: Partial<PaperInput> = {}): PaperInput {
  return madeUp(n, {
    authors: [
      { name: `Author ${n}`, externalId: null, hidden: false },
      { name: `Shared ${n % 10}`, externalId: null, hidden: false },
    ],
    ...fields,
  });
}

/** Rows that an import leaves: papers, authors and what the daily feed counts. */
async function footprint(store: CoreStore) {
  return { stats: await store.stats(), version: await store.dataVersion() };
}

/** Paper n with words of its own to search for: a topic shared by every seventh paper, a category by every third. */
function searchable(n: number, fields: Partial<PaperInput> = {}): PaperInput {
  const topics = ['graphs', 'retrieval', 'diffusion', 'robotics', 'proteins', 'compilers', 'auctions'];
  return paper(n, {
    summary: `A study of ${topics[n % 7]} with method m${n} and ${n % 2 === 0 ? 'sparse attention' : 'dense kernels'}.`,
    categories: [`cs.${['CL', 'LG', 'RO'][n % 3]}`],
    upvotes: n % 11,
    ...fields,
  });
}

/** Queries and filters whose answers must not depend on how the papers were imported. */
const SEARCHES: { text: string; filters: SearchFilters }[] = [
  { text: 'retrieval', filters: {} },
  { text: 'diffusion sparse attention', filters: {} },
  { text: '"dense kernels" proteins', filters: {} },
  { text: 'm7001', filters: {} },
  { text: 'Author 10499', filters: {} },
  { text: 'graphs', filters: { category: 'cs.RO' } },
  { text: 'made-up paper', filters: { category: 'cs.LG' } },
];

/**
 * What users see of the papers and authors of a store: rows as read back, and the hits of SEARCHES, as a new
 * process serves them (its first search waits for the lexical index).
 */
async function visible(store: CoreStore, ids: string[]) {
  const papers = [];
  for (const id of ids) {
    const p = await store.getPaper(id);
    papers.push(p && { ...p, updatedAt: null });
  }
  const authors = [];
  for (const name of ['Author 1', 'Author 10499', 'Shared 0', 'Shared 7']) authors.push(await store.getAuthor(name));
  const fresh = lexicalSearch(store);
  const hits = [];
  for (const s of SEARCHES) hits.push(await fresh.search(parseQuery(s.text), s.filters, WEIGHTS, 20));
  return { stats: await store.stats(), papers, authors, hits };
}

const WEIGHTS = DEFAULT_SEARCH_CONFIG.weights;

export function importContract(backend: () => ContractBackend): void {
  const name = () => backend().name;
  const open = (t: TestContext) => backend().open(t);

  describe('large imports', () => {
    test('a batch of several chunks, with papers repeated across chunks, ends as if imported one by one', async (t) => {
      const store = await open(t);
      const papers = Array.from({ length: LARGE }, (_, i) => paper(i + 1, { upvotes: 1 }));
      // Characters that COPY's text format escapes, and a backslash inside a search term.
      const awkward = 'tab\there, back\\slash, C:\\new, line\nbreak\r\n, quotes \' " and \\N alone';
      papers[7_000] = paper(7_001, { upvotes: 1, summary: awkward, title: 'Back\\slash\\ed title' });
      // Papers of the first chunk again in the last one: more upvotes, a code link and one author fewer.
      const again = [3, 4_999, 5].map((n) =>
        paper(n, {
          upvotes: 9,
          githubRepo: `https://github.com/made-up/${n}`,
          authors: [{ name: `Author ${n}`, externalId: null, hidden: false }],
        }),
      );
      const counts = await store.importBatch(batchOf([...papers, ...again]));
      assert.deepEqual(counts, { papersNew: LARGE, papersUpdated: 3, papersUnchanged: 0, entries: 0 });
      const stats = await store.stats();
      assert.equal(stats.papers, LARGE);
      assert.equal(stats.authors, LARGE + 10);
      const repeated = (await store.getPaper('2101.04999'))!;
      assert.equal(repeated.upvotes, 9);
      assert.equal(repeated.githubRepo, 'https://github.com/made-up/4999');
      assert.deepEqual(
        repeated.authors.map((a) => a.name),
        ['Author 4999'],
      );
      // Shared 9 wrote 1,050 papers; 4999 left it in the last chunk.
      assert.deepEqual(await store.getAuthor('Shared 9'), { name: 'Shared 9', papers: 1_049, upvotes: 1_049 });
      assert.deepEqual(await store.getAuthor('Shared 0'), { name: 'Shared 0', papers: 1_050, upvotes: 1_050 });
      const odd = (await store.getPaper('2101.07001'))!;
      assert.equal(odd.summary, awkward);
      assert.equal(odd.title, 'Back\\slash\\ed title');
      const last = (await store.getPaper(`2101.${LARGE}`))!;
      assert.equal(last.title, `Made-up paper number ${LARGE}`);
      assert.equal(last.upvotes, 1);

      const twice = await store.importBatch(batchOf([...papers.slice(0, 6_000), ...again]));
      assert.deepEqual(
        twice,
        { papersNew: 0, papersUpdated: 6, papersUnchanged: 5_997, entries: 0 },
        `${name()}: the first occurrences of the repeated papers bring back their second author, the last take it away`,
      );
      assert.deepEqual(await store.stats(), stats);
    });

    test('a malformed paper in a batch fails it with an error that names the paper; nothing of the batch is written', async (t) => {
      const store = await open(t);
      await store.importBatch(batchOf([paper(1), paper(2)]));
      const before = await footprint(store);
      const papers = Array.from({ length: 7_000 }, (_, i) => paper(i + 3));
      // In the second chunk, after the first one was written in the same transaction.
      papers[6_000] = paper(6_003, { publishedAt: null as unknown as string });
      await assert.rejects(store.importBatch(batchOf(papers)), (error: Error) => {
        assert.match(error.message, /2101\.06003/, 'the error names the paper');
        assert.match(error.message, /published_at/, 'and the column');
        return true;
      });
      assert.deepEqual(await footprint(store), before, `${name()}: no paper, author or data version change`);
      assert.equal(await store.getPaper('2101.00003'), null, 'the first chunk was rolled back');
      assert.equal(await store.getAuthor('Author 3'), null);

      // A stored paper that arrives malformed: the import that would change it fails; it stays as it was.
      const changed = [paper(1, { title: 'A new title' }), paper(2, { publishedAt: null as unknown as string })];
      await assert.rejects(store.importBatch(batchOf(changed)), /2101\.00002.*published_at/s);
      assert.equal((await store.getPaper('2101.00001'))!.title, 'Made-up paper number 1');
      assert.deepEqual(await footprint(store), before);

      // The store takes the well-formed papers afterwards.
      const counts = await store.importBatch(batchOf(papers.filter((p) => p.publishedAt !== null)));
      assert.equal(counts.papersNew, 6_999);
    });

    test('a large batch into an empty store and into one that holds papers: the same rows and search hits', async (t) => {
      const papers = Array.from({ length: LARGE }, (_, i) => searchable(i + 1));
      const ids = ['2101.00001', '2101.05000', '2101.05251', '2101.07001', `2101.${LARGE}`, '2101.99999'];
      // At once into an empty store (on PostgreSQL a bulk load: indexes made again at the end).
      const empty = await open(t);
      const atOnce = await empty.importBatch(batchOf(papers));
      assert.deepEqual(atOnce, { papersNew: LARGE, papersUpdated: 0, papersUnchanged: 0, entries: 0 });
      // Half first, then the whole batch into a store that holds them (on PostgreSQL indexes kept up row by row).
      const half = await open(t);
      await half.importBatch(batchOf(papers.slice(0, LARGE / 2)));
      const after = await half.importBatch(batchOf(papers));
      assert.deepEqual(after, { papersNew: LARGE / 2, papersUpdated: 0, papersUnchanged: LARGE / 2, entries: 0 });

      const seen = await visible(empty, ids);
      const other = await visible(half, ids);
      assert.deepEqual(other, seen, `${name()}: the same papers, authors and hits either way`);
      // The hits are real: each query finds papers, the one it names first, only what the filter lets through.
      assert.equal(seen.stats.papers, LARGE);
      assert.equal(seen.papers.at(-1), null);
      const hits = seen.hits.map((h) => h.map((x) => x.id));
      for (const [i, found] of hits.entries()) {
        assert.ok(found.length > 0, `${name()}: "${SEARCHES[i]!.text}" finds papers`);
      }
      assert.equal(hits[3]![0], '2101.07001');
      assert.equal(hits[4]![0], '2101.10499');
      const inRobotics = new Set(papers.filter((_, i) => (i + 1) % 3 === 2).map((p) => p.id));
      assert.ok(
        hits[5]!.every((id) => inRobotics.has(id)),
        'the category filter holds',
      );
    });

    test('a large batch that fails in its last chunk leaves the store as it was, and searchable', async (t) => {
      const store = await open(t);
      await store.importBatch(batchOf([searchable(1), searchable(2)]));
      const before = await visible(store, ['2101.00001', '2101.00002', '2101.00003']);
      const papers = Array.from({ length: LARGE }, (_, i) => searchable(i + 1, { upvotes: 50 }));
      papers[LARGE - 2] = searchable(LARGE - 1, { publishedAt: null as unknown as string });
      await assert.rejects(store.importBatch(batchOf(papers)), new RegExp(`2101\\.${LARGE - 1}.*published_at`, 's'));
      const after = await visible(store, ['2101.00001', '2101.00002', '2101.00003']);
      assert.deepEqual(after, before);
      assert.equal(before.stats.papers, 2);
      // Then the well-formed batch: every paper in, and found.
      papers[LARGE - 2] = searchable(LARGE - 1, { upvotes: 50 });
      assert.equal((await store.importBatch(batchOf(papers))).papersNew, LARGE - 2);
      const hits = await lexicalSearch(store).search(parseQuery(`m${LARGE - 1}`), {}, WEIGHTS, 5);
      assert.equal(hits[0]?.id, `2101.${LARGE - 1}`);
      assert.equal((await store.getPaper('2101.00002'))!.upvotes, 50);
    });

    test('the same papers imported twice at once from two connections: both succeed, nothing twice', async (t) => {
      const [one, two] = await backend().openTwo(t);
      // As many as a bulk load takes on PostgreSQL: the second import waits for the first, then finds the papers.
      const papers = Array.from({ length: LARGE }, (_, i) => paper(i + 1, { upvotes: i % 7 }));
      const results = await Promise.allSettled([one.importBatch(batchOf(papers)), two.importBatch(batchOf(papers))]);
      const counts = results.map((r) => {
        assert.equal(r.status, 'fulfilled', r.status === 'rejected' ? String(r.reason) : '');
        return (r as PromiseFulfilledResult<Awaited<ReturnType<CoreStore['importBatch']>>>).value;
      });
      // One import wrote them; the other, after it, found them unchanged.
      assert.deepEqual(
        counts.map((c) => c.papersNew).sort((a, b) => a - b),
        [0, papers.length],
      );
      assert.deepEqual(
        counts.map((c) => c.papersUnchanged).sort((a, b) => a - b),
        [0, papers.length],
      );
      for (const store of [one, two]) {
        const stats = await store.stats();
        assert.equal(stats.papers, papers.length);
        assert.equal(stats.authors, papers.length + 10);
        assert.deepEqual(await store.getAuthor('Shared 3'), {
          name: 'Shared 3',
          papers: LARGE / 10,
          upvotes: papers.filter((_, i) => (i + 1) % 10 === 3).reduce((n, p) => n + p.upvotes!, 0),
        });
        assert.deepEqual(
          (await store.getPaper('2101.10499'))!.authors.map((a) => a.name),
          ['Author 10499', 'Shared 9'],
        );
      }
    });
  });
}
