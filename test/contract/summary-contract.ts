/**
 * The contract of the summaries facet (summaries a language model writes here, and the claims that keep two
 * workers from paying for the same paper), written once and run on every backend.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContractBackend } from './backends.ts';
import { entry, madeUp } from './fixtures.ts';

const NOW = new Date('2026-08-21T10:00:00.000Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const HOUR = 3600;
const summary = (text: string, at = NOW) => ({ text, keywords: ['a', 'b'], model: 'tiny-model', at: at.toISOString() });

export function summaryContract(backend: () => ContractBackend): void {
  const name = () => backend().name;

  describe('generated summaries', () => {
    test('feed papers without a summary are claimed one at a time, newest first; a claim lapses', async (t) => {
      const store = await backend().open(t);
      await store.importBatch({
        papers: [
          madeUp(1, { publishedAt: '2026-08-01T00:00:00.000Z' }),
          madeUp(2, { publishedAt: '2026-08-03T00:00:00.000Z' }),
          madeUp(3, { publishedAt: '2026-08-02T00:00:00.000Z', aiSummary: 'Imported.' }),
          madeUp(4, { publishedAt: '2026-08-04T00:00:00.000Z' }),
          madeUp(5, { publishedAt: '2026-08-05T00:00:00.000Z' }),
        ],
        entries: [1, 2, 3, 4].map((n, i) => entry('2026-08-20', madeUp(n).id, i)),
        replaceDays: [],
      });
      const moderator = await store.community.accountForEmail('mod@example.org', NOW);
      await store.community.hidePaper('2101.00004', moderator.id, 'spam', NOW);

      const first = await store.summaries.claimNext(NOW, later(HOUR));
      assert.deepEqual(
        first,
        { id: '2101.00002', title: 'Made-up paper number 2', abstract: 'An abstract of the made-up paper 2.' },
        `${name()}: not 5 (never on the feed), 4 (hidden) or 3 (has one): the newest of the rest`,
      );
      assert.equal((await store.summaries.claimNext(NOW, later(HOUR)))?.id, '2101.00001', 'the next one');
      assert.equal(await store.summaries.claimNext(NOW, later(HOUR)), null, 'both are claimed');
      assert.equal(
        (await store.summaries.claimNext(later(HOUR), later(2 * HOUR)))?.id,
        '2101.00002',
        'a claim lapses at its end',
      );

      assert.equal(await store.summaries.save('2101.00002', summary('Written here.')), true);
      assert.equal(await store.summaries.save('2101.00002', summary('Again.')), false, 'kept once');
      assert.equal(await store.summaries.save('2101.00003', summary('Over an import.')), false, 'imports win');
      const paper = (await store.getPaper('2101.00002'))!;
      assert.deepEqual(paper.generatedSummary, summary('Written here.'));
      assert.equal(paper.aiSummary, null, 'the imported field is left alone');
      assert.equal((await store.getPaper('2101.00003'))!.generatedSummary, null);
      assert.equal(await store.summaries.claimNext(later(3 * HOUR), later(4 * HOUR)).then((p) => p?.id), '2101.00001');
      assert.equal(await store.summaries.claimNext(later(5 * HOUR), later(6 * HOUR)).then((p) => p?.id), '2101.00001');

      assert.equal(await store.summaries.generatedSince(new Date('2026-08-21T00:00:00.000Z')), 1);
      assert.equal(await store.summaries.generatedSince(later(1)), 0);
    });

    test('two processes claiming at once never get the same paper', async (t) => {
      const [one, two] = await backend().openTwo(t);
      await one.importBatch({
        papers: [1, 2, 3, 4, 5, 6].map((n) => madeUp(n)),
        entries: [1, 2, 3, 4, 5, 6].map((n, i) => entry('2026-08-20', madeUp(n).id, i)),
        replaceDays: [],
      });
      const claimed = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? one : two).summaries.claimNext(NOW, later(HOUR))),
      );
      const ids = claimed.filter((p) => p !== null).map((p) => p.id);
      assert.equal(new Set(ids).size, ids.length, `${name()}: no paper twice: ${ids.join(', ')}`);
      assert.ok(ids.length >= 4, `most papers claimed: ${ids.length}`);
      assert.ok(claimed.filter((p) => p === null).length >= 2, 'six papers for eight claims');
    });
  });
}
