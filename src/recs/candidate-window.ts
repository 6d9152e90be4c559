/**
 * The papers a member's list is drawn from: every paper published in the last `days` days (ending with the
 * newest paper's day, or a given day), with its features as one row of a matrix, the window's second
 * moments for the linear model, and document frequencies for the words of the reasons. Built from the store
 * (newest papers first, then one vector read per paper) and shared by every member until it is stale.
 */
import { addDays } from '../domain/periods.ts';
import type { Paper } from '../domain/types.ts';
import type { Store } from '../store/store.ts';
import { windowMoments, type WindowMoments } from './linear-model.ts';
import { termCounts } from './reasons.ts';

export interface CandidateWindow {
  modelId: string;
  firstDay: string;
  lastDay: string;
  /** Dimensions of the embeddings. */
  dimensions: number;
  /** Features per paper: the unit-length embedding, then (when enabled) popularity (see `popularity`). */
  stride: number;
  /** Papers of the window that have a vector, newest first; row r of `matrix` is papers[r]. */
  papers: Paper[];
  rowOf: Map<string, number>;
  /** papers.length × stride, row-major. */
  matrix: Float32Array;
  moments: WindowMoments;
  /** Papers of the window containing each analysed term (for idf). */
  documentFrequency: Map<string, number>;
  /** Papers in the window without a vector yet (not recommended until embedded). */
  withoutVector: number;
  /** tf-idf of papers already explained against this window (candidates and liked papers), by id. */
  termCache: Map<string, Map<string, number>>;
}

const PAGE = 1_000;

/** The newest publication day in the store, or null for an empty store. */
export async function newestPublicationDay(store: Store): Promise<string | null> {
  const page = await store.listPapers(null, 1);
  return page.papers[0]?.publishedAt.slice(0, 10) ?? null;
}

/**
 * How much the community read a paper, as a feature beside its embedding: log(1 + upvotes) / log(101), so
 * 0 for no votes and 1 for 100. The linear model learns from a member's likes how much it matters to them.
 */
export function popularity(upvotes: number): number {
  return Math.log1p(Math.max(0, upvotes)) / Math.log(101);
}

/** A paper's feature row: its embedding, then its popularity when the window has that feature. */
export function featureRow(vector: Float32Array, upvotes: number, stride: number): Float32Array {
  if (stride === vector.length) return vector;
  const row = new Float32Array(stride);
  row.set(vector);
  row[vector.length] = popularity(upvotes);
  return row;
}

export async function buildCandidateWindow(
  store: Store,
  modelId: string,
  days: number,
  lastDay: string,
  withPopularity = true,
): Promise<CandidateWindow> {
  const firstDay = addDays(lastDay, -(days - 1));
  const papers: Paper[] = [];
  const vectors: Float32Array[] = [];
  let withoutVector = 0;
  let dimensions = 0;
  let cursor: string | null = null;
  // listPapers runs newest first: read until a page reaches past the window's start.
  for (;;) {
    const page = await store.listPapers(cursor, PAGE);
    let done = page.nextCursor === null;
    for (const paper of page.papers) {
      const day = paper.publishedAt.slice(0, 10);
      if (day > lastDay) continue;
      if (day < firstDay) {
        done = true;
        break;
      }
      const vector = await store.getVector(modelId, paper.id);
      if (!vector) {
        withoutVector++;
        continue;
      }
      dimensions = vector.length;
      papers.push(paper);
      vectors.push(vector);
    }
    if (done) break;
    cursor = page.nextCursor;
  }
  const stride = dimensions + (withPopularity ? 1 : 0);
  const matrix = new Float32Array(papers.length * stride);
  vectors.forEach((v, r) => {
    matrix.set(featureRow(v, papers[r]!.upvotes, stride), r * stride);
  });
  const documentFrequency = new Map<string, number>();
  for (const paper of papers) {
    for (const term of termCounts(paper).keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  return {
    modelId,
    firstDay,
    lastDay,
    dimensions,
    stride,
    papers,
    rowOf: new Map(papers.map((p, r) => [p.id, r])),
    matrix,
    moments: windowMoments(matrix, papers.length, stride),
    documentFrequency,
    withoutVector,
    termCache: new Map(),
  };
}
