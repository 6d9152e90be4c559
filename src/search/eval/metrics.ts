/** Standard ranking metrics, as BEIR reports them (binary gain for MRR and recall, graded for nDCG). */
import { Rng } from '../learned/prng.ts';

export function ndcgAt(k: number, ranked: readonly string[], relevant: ReadonlyMap<string, number>): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    const gain = relevant.get(id) ?? 0;
    if (gain > 0) dcg += (2 ** gain - 1) / Math.log2(i + 2);
  });
  const ideal = [...relevant.values()].sort((a, b) => b - a).slice(0, k);
  const idcg = ideal.reduce((sum, gain, i) => sum + (2 ** gain - 1) / Math.log2(i + 2), 0);
  return idcg > 0 ? dcg / idcg : 0;
}

export function recallAt(k: number, ranked: readonly string[], relevant: ReadonlyMap<string, number>): number {
  if (relevant.size === 0) return 0;
  return ranked.slice(0, k).filter((id) => relevant.has(id)).length / relevant.size;
}

export function mrrAt(k: number, ranked: readonly string[], relevant: ReadonlyMap<string, number>): number {
  const index = ranked.slice(0, k).findIndex((id) => relevant.has(id));
  return index < 0 ? 0 : 1 / (index + 1);
}

export interface RunMetrics {
  ndcg10: number;
  recall100: number;
  mrr10: number;
  queries: number;
}

export function evaluateRun(
  runs: ReadonlyMap<string, readonly string[]>,
  qrels: ReadonlyMap<string, ReadonlyMap<string, number>>,
): RunMetrics {
  let ndcg = 0;
  let recall = 0;
  let mrr = 0;
  for (const [queryId, relevant] of qrels) {
    const ranked = runs.get(queryId) ?? [];
    ndcg += ndcgAt(10, ranked, relevant);
    recall += recallAt(100, ranked, relevant);
    mrr += mrrAt(10, ranked, relevant);
  }
  const n = Math.max(1, qrels.size);
  return { ndcg10: ndcg / n, recall100: recall / n, mrr10: mrr / n, queries: qrels.size };
}

/** Per-query nDCG@10 values, for paired significance tests between two runs. */
export function perQueryNdcg(
  runs: ReadonlyMap<string, readonly string[]>,
  qrels: ReadonlyMap<string, ReadonlyMap<string, number>>,
): number[] {
  return [...qrels].map(([queryId, relevant]) => ndcgAt(10, runs.get(queryId) ?? [], relevant));
}

/** Two-sided paired randomisation (sign-flip) test of mean difference; deterministic given the seed. */
export function pairedRandomizationTest(a: readonly number[], b: readonly number[], rounds = 10_000, seed = 1): number {
  const diffs = a.map((x, i) => x - b[i]!);
  const observed = Math.abs(diffs.reduce((s, d) => s + d, 0));
  // Signs from the top bit of xoshiro128**: a power-of-two LCG's low bit alternates 0, 1, 0, 1, which once
  // made every p-value here 1 or 1/(rounds + 1).
  const random = new Rng(seed);
  let extreme = 0;
  for (let r = 0; r < rounds; r++) {
    let sum = 0;
    for (const d of diffs) sum += random.nextU32() >>> 31 ? d : -d;
    if (Math.abs(sum) >= observed - 1e-12) extreme++;
  }
  return (extreme + 1) / (rounds + 1);
}
