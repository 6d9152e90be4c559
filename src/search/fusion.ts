/**
 * Combining a lexical and a vector ranking into one.
 *
 * - convex: each list's scores are min-max normalised to [0, 1] over its own candidates, then
 *   fused = (1 − w) · lexical + w · vector, a missing side counting 0. With a small w the dense side
 *   re-orders what BM25 found without drowning it; this is what gained in our measurements.
 * - rrf (reciprocal rank fusion): fused = Σ 1 / (k + rank). Robust to score scales, but it treats both
 *   lists as equals, which pulls BM25 down whenever the dense side is weaker.
 */
import type { ScoredPaper } from '../store/store.ts';

export type FusionMethod = 'convex' | 'rrf';

export interface FusionConfig {
  method: FusionMethod;
  /** Weight of the vector side in the convex combination, 0..1. */
  vectorWeight: number;
  /** The k of reciprocal rank fusion. */
  rrfK: number;
}

export interface FusedHit {
  id: string;
  score: number;
  /** 1-based ranks in each list, null when the paper was not in it. */
  lexicalRank: number | null;
  vectorRank: number | null;
}

function normalised(list: readonly ScoredPaper[]): Map<string, number> {
  const scores = list.map((h) => h.score);
  const min = Math.min(...scores);
  const max = Math.max(...scores);
  const span = max - min;
  return new Map(list.map((h) => [h.id, span > 0 ? (h.score - min) / span : 1]));
}

export function fuse(
  lexical: readonly ScoredPaper[],
  vector: readonly ScoredPaper[],
  config: FusionConfig,
): FusedHit[] {
  const lexicalRank = new Map(lexical.map((h, i) => [h.id, i + 1]));
  const vectorRank = new Map(vector.map((h, i) => [h.id, i + 1]));
  const ids = [...new Set([...lexical.map((h) => h.id), ...vector.map((h) => h.id)])];
  let score: (id: string) => number;
  if (config.method === 'rrf') {
    score = (id) => {
      const l = lexicalRank.get(id);
      const v = vectorRank.get(id);
      return (l ? 1 / (config.rrfK + l) : 0) + (v ? 1 / (config.rrfK + v) : 0);
    };
  } else {
    const l = normalised(lexical);
    const v = normalised(vector);
    const w = config.vectorWeight;
    score = (id) => (1 - w) * (l.get(id) ?? 0) + w * (v.get(id) ?? 0);
  }
  return ids
    .map((id) => ({
      id,
      score: score(id),
      lexicalRank: lexicalRank.get(id) ?? null,
      vectorRank: vectorRank.get(id) ?? null,
    }))
    .sort((a, b) => b.score - a.score || (a.lexicalRank ?? Infinity) - (b.lexicalRank ?? Infinity));
}
