import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRun, mrrAt, ndcgAt, pairedRandomizationTest, recallAt } from './metrics.ts';

const relevant = new Map([
  ['d1', 1],
  ['d2', 1],
]);

test('nDCG@10, recall@100 and MRR@10 by hand', () => {
  // d1 at rank 2, d2 at rank 4: DCG = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3)
  const expected = (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3));
  assert.equal(ndcgAt(10, ['x', 'd1', 'y', 'd2'], relevant), expected);
  assert.equal(recallAt(100, ['x', 'd1'], relevant), 0.5);
  assert.equal(mrrAt(10, ['x', 'd1', 'd2'], relevant), 0.5);
  assert.equal(mrrAt(1, ['x', 'd1'], relevant), 0);
  assert.equal(ndcgAt(10, ['d1', 'd2'], relevant), 1);
});

test('evaluateRun averages over the judged queries; missing runs count zero', () => {
  const qrels = new Map([
    ['q1', relevant],
    ['q2', new Map([['d9', 1]])],
  ]);
  const metrics = evaluateRun(new Map([['q1', ['d1', 'd2']]]), qrels);
  assert.deepEqual(metrics, { ndcg10: 0.5, recall100: 0.5, mrr10: 0.5, queries: 2 });
});

test('the randomisation test finds a consistent gain and not a null one', () => {
  const a = Array.from({ length: 200 }, (_, i) => 0.5 + (i % 3) * 0.1);
  assert.ok(
    pairedRandomizationTest(
      a.map((x) => x + 0.05),
      a,
      2000,
    ) < 0.01,
  );
  const noise = a.map((x, i) => x + (i % 2 ? 0.05 : -0.05));
  assert.ok(pairedRandomizationTest(noise, a, 2000) > 0.5);
});

test('the randomization test matches the exact sign-flip distribution', () => {
  // Ten differences of ±1 summing to 2: P(|S| >= 2) for S a sum of ten fair ±1 signs is 1 - C(10,5)/2^10 = 0.754.
  const a = [1, 0, 1, 0, 1, 0, 1, 0, 1, 1];
  const b = [0, 1, 0, 1, 0, 1, 0, 1, 0, 0];
  const p = pairedRandomizationTest(a, b, 20_000);
  assert.ok(Math.abs(p - 0.754) < 0.02, `p = ${p}`);
});
