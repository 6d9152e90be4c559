/**
 * The similarity below which a semantic neighbour means nothing, per model. Nearest-neighbour search always
 * returns its `limit` nearest papers, however far: without a floor, a query of unknown words (the zero
 * vector) or of words unrelated to every paper brings the same padding of unrelated papers. The floor is
 * read from the model's own scores of queries against papers they have nothing to do with: the titles of
 * some papers against the stored vectors of other papers, in the store's stable order (repeatable), and a
 * high quantile of those. It is computed once per model and kept in the store's job state with the model id.
 */
import type { CoreStore } from '../store/store.ts';
import type { Embedder } from './embedder.ts';

/** Papers sampled: half give queries (their titles), half their stored vectors; their pairs make the distribution. */
const SAMPLE_PAPERS = 160;
/** Share of unrelated pairs a kept neighbour must beat (of 6,400 pairs: the ~6 highest are above the floor). */
const FLOOR_QUANTILE = 0.999;
/** Below any sample, a zero query vector still scores 0 against every paper: never above the floor. */
const MIN_FLOOR = 1e-6;

export const similarityFloorKey = (modelId: string) => `search-similarity-floor/${modelId}`;

type FloorStore = Pick<CoreStore, 'paperTexts' | 'getVector' | 'getJobState' | 'setJobState'>;

/** The model's floor, as stored, or calibrated now and stored. */
export async function similarityFloor(store: FloorStore, embedder: Embedder): Promise<number> {
  const stored = await store.getJobState<{ floor: number }>(similarityFloorKey(embedder.id));
  if (stored && Number.isFinite(stored.floor)) return stored.floor;
  const floor = await calibrateFloor(store, embedder);
  await store.setJobState(similarityFloorKey(embedder.id), {
    floor,
    samplePapers: SAMPLE_PAPERS,
    quantile: FLOOR_QUANTILE,
  });
  return floor;
}

async function calibrateFloor(store: FloorStore, embedder: Embedder): Promise<number> {
  const papers = await store.paperTexts(0, SAMPLE_PAPERS);
  const half = Math.floor(papers.length / 2);
  const queries = await Promise.all(papers.slice(0, half).map((p) => embedder.embedQuery(p.title)));
  const vectors = (await Promise.all(papers.slice(half).map((p) => store.getVector(embedder.id, p.id)))).filter(
    (v): v is Float32Array => v !== null,
  );
  const scores: number[] = [];
  for (const q of queries) for (const v of vectors) scores.push(dot(q, v));
  if (scores.length === 0) return MIN_FLOOR;
  scores.sort((a, b) => a - b);
  return Math.max(MIN_FLOOR, scores[Math.min(scores.length - 1, Math.floor(FLOOR_QUANTILE * scores.length))]!);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length && i < b.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
