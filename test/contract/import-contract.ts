/**
 * The import contract: large batches (on PostgreSQL they go through COPY, several chunks per batch, while the next
 * chunk is merged), a malformed paper inside a batch, and the same papers imported from two connections at once.
 * PGlite has no COPY FROM STDIN: its store loads the same rows with COPY FROM '/dev/blob' (runner.ts).
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { PaperInput } from '../../src/domain/types.ts';
import type { CoreStore, ImportBatch } from '../../src/store/store.ts';
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

    test('the same papers imported twice at once from two connections: both succeed, nothing twice', async (t) => {
      const [one, two] = await backend().openTwo(t);
      const papers = Array.from({ length: 6_000 }, (_, i) => paper(i + 1, { upvotes: i % 7 }));
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
          papers: 600,
          upvotes: papers.filter((_, i) => (i + 1) % 10 === 3).reduce((n, p) => n + p.upvotes!, 0),
        });
        assert.deepEqual(
          (await store.getPaper('2101.05999'))!.authors.map((a) => a.name),
          ['Author 5999', 'Shared 9'],
        );
      }
    });
  });
}
