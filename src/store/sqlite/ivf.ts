/**
 * The coarse quantizer of SQLite's in-memory vector index at scale (an inverted file, IVF): the unit vectors are
 * split into lists around leaf centroids, and a query ranks only the members of the lists whose centroids are
 * nearest to it (binary-index.ts). The centroids come from spherical k-means (dot product, unit means) in two
 * levels, trained on an even sample: about √L top centroids, then each top centroid's share of the sample split
 * into leaves in proportion to its size. A vector goes to the nearest leaf of its nearest top centroid: about
 * 2√L dot products instead of L (64 instead of 1,000 at 1M vectors), which is what keeps assigning a million
 * vectors in plain JavaScript to some seconds. Training and assignment work in steps and yield between them,
 * so a server's event loop keeps answering.
 *
 * Off by default (binary-index.ts, LISTS_FROM): on this instance's vectors the lists measured no better than
 * the sign-bit scan at equal recall (docs/scale.md, "Vector lists").
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Multiply-adds between turns of the event loop (some tens of ms here). */
const STEP_WORK = 16_000_000;
/** Rounds of k-means at each level: the lists only need to be roughly right, the query probes several. */
const ITERATIONS = 6;
/** Sample vectors per leaf centroid the quantizer is trained on. */
export const SAMPLE_PER_LIST = 40;

/** Counts work done and says when it is time to pause (every STEP_WORK multiply-adds). */
export class Steps {
  #work = 0;
  readonly pause: () => Promise<void>;
  constructor(pause: () => Promise<void>) {
    this.pause = pause;
  }

  /** Counts work; true once the work since the last pause reaches STEP_WORK (then await pause()). */
  due(work: number): boolean {
    this.#work += work;
    if (this.#work < STEP_WORK) return false;
    this.#work = 0;
    return true;
  }
}

/** Leaf lists for a collection of this size: about √n (1,000 at 1M vectors, members ~√n each). */
export const listsFor = (vectors: number) => Math.max(1, Math.round(Math.sqrt(vectors)));

/** The trained centroids (what is saved; the lists are rebuilt from each vector's list number). */
export interface QuantizerParts {
  /** Top centroids, dimensions floats each. */
  top: Float32Array;
  /** Leaves of top centroid t are leaves topStart[t] .. topStart[t + 1] − 1. */
  topStart: Int32Array;
  /** Leaf centroids, dimensions floats each. */
  leaves: Float32Array;
  /** How many vectors the index held when it was trained (it is trained again once it holds twice as many). */
  trainedOn: number;
}

/** The vectors a quantizer reads: int8 rows, dimensions bytes each (the scale does not change which is nearest). */
export interface Rows {
  vectors: Int8Array;
  dimensions: number;
}

function dotRow(vectors: Int8Array, base: number, centroids: Float32Array, centroid: number, dims: number): number {
  let sum = 0;
  const c = centroid * dims;
  for (let i = 0; i < dims; i++) sum += vectors[base + i]! * centroids[c + i]!;
  return sum;
}

/** The best of centroids from .. to − 1 for the row at base. */
function nearest(vectors: Int8Array, base: number, centroids: Float32Array, from: number, to: number, dims: number) {
  let best = from;
  let bestScore = -Infinity;
  for (let c = from; c < to; c++) {
    const score = dotRow(vectors, base, centroids, c, dims);
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

/** Scales each centroid to unit length (one left at zero stays zero: it attracts nothing). */
function normalise(centroids: Float32Array, dims: number): void {
  for (let c = 0; c * dims < centroids.length; c++) {
    let norm = 0;
    for (let i = 0; i < dims; i++) norm += centroids[c * dims + i]! ** 2;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < dims; i++) centroids[c * dims + i]! /= norm;
  }
}

/**
 * Spherical k-means of the sample rows `rows` into k centroids: seeded with evenly spaced rows, then
 * `ITERATIONS` rounds of assigning each row to its best centroid and moving each centroid to the unit mean of
 * its rows. A centroid left without rows takes the row worst served by its own centroid.
 */
async function kmeans(sample: Rows, rows: Int32Array, k: number, steps: Steps): Promise<Float32Array> {
  const dims = sample.dimensions;
  const centroids = new Float32Array(k * dims);
  for (let c = 0; c < k; c++) {
    const base = rows[Math.floor((c * rows.length) / k)]! * dims;
    for (let i = 0; i < dims; i++) centroids[c * dims + i] = sample.vectors[base + i]!;
  }
  normalise(centroids, dims);
  const sums = new Float64Array(k * dims);
  const counts = new Int32Array(k);
  for (let round = 0; round < ITERATIONS; round++) {
    sums.fill(0);
    counts.fill(0);
    let worst = -1;
    let worstScore = Infinity;
    for (let r = 0; r < rows.length; r++) {
      if (steps.due(k * dims)) await steps.pause();
      const base = rows[r]! * dims;
      const c = nearest(sample.vectors, base, centroids, 0, k, dims);
      const score = dotRow(sample.vectors, base, centroids, c, dims);
      if (score < worstScore) {
        worstScore = score;
        worst = base;
      }
      counts[c]!++;
      for (let i = 0; i < dims; i++) sums[c * dims + i]! += sample.vectors[base + i]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0 && worst >= 0) for (let i = 0; i < dims; i++) sums[c * dims + i] = sample.vectors[worst + i]!;
      for (let i = 0; i < dims; i++) centroids[c * dims + i] = sums[c * dims + i]!;
    }
    normalise(centroids, dims);
  }
  return centroids;
}

/**
 * Trains the two levels on `sample` (int8 rows) for `lists` leaves: √lists top centroids on the whole sample,
 * then each top centroid's rows into a number of leaves proportional to them. `steps` paces the work.
 */
export async function trainQuantizer(
  sample: Rows,
  lists: number,
  trainedOn: number,
  steps: Steps = new Steps(() => yieldToEventLoop()),
): Promise<QuantizerParts> {
  const dims = sample.dimensions;
  const count = sample.vectors.length / dims;
  if (count === 0) throw new Error('no vectors to train on');
  const all = Int32Array.from({ length: count }, (_, i) => i);
  const tops = Math.max(1, Math.min(count, Math.round(Math.sqrt(lists))));
  const topCentroids = await kmeans(sample, all, tops, steps);
  const groups: number[][] = Array.from({ length: tops }, () => []);
  for (let r = 0; r < count; r++) {
    groups[nearest(sample.vectors, r * dims, topCentroids, 0, tops, dims)]!.push(r);
    if (steps.due(tops * dims)) await steps.pause();
  }
  const kept: number[] = [];
  const leaves: Float32Array[] = [];
  const topStart = [0];
  for (const [t, group] of groups.entries()) {
    if (group.length === 0) continue;
    const k = Math.max(1, Math.min(group.length, Math.round((lists * group.length) / count)));
    leaves.push(await kmeans(sample, Int32Array.from(group), k, steps));
    kept.push(t);
    topStart.push(topStart.at(-1)! + k);
  }
  const top = new Float32Array(kept.length * dims);
  for (const [i, t] of kept.entries()) top.set(topCentroids.subarray(t * dims, (t + 1) * dims), i * dims);
  const allLeaves = new Float32Array(topStart.at(-1)! * dims);
  let at = 0;
  for (const l of leaves) {
    allLeaves.set(l, at);
    at += l.length;
  }
  return { top, topStart: Int32Array.from(topStart), leaves: allLeaves, trainedOn };
}

/** Centroids and, per leaf, the slots of its members. */
export class CoarseQuantizer {
  readonly dimensions: number;
  readonly parts: QuantizerParts;
  /** Slot -> its leaf, -1 for none. */
  #listOf: Int32Array;
  #members: Int32Array[];
  readonly #lengths: Int32Array;

  constructor(parts: QuantizerParts, dimensions: number, capacity: number) {
    const { top, topStart, leaves } = parts;
    const tops = top.length / dimensions;
    const lists = leaves.length / dimensions;
    if (
      !Number.isInteger(tops) ||
      !Number.isInteger(lists) ||
      lists === 0 ||
      topStart.length !== tops + 1 ||
      topStart[0] !== 0 ||
      topStart[tops] !== lists ||
      topStart.some((s, t) => t > 0 && s <= topStart[t - 1]!)
    )
      throw new Error('centroids of inconsistent sizes');
    this.dimensions = dimensions;
    this.parts = parts;
    this.#listOf = new Int32Array(capacity).fill(-1);
    this.#lengths = new Int32Array(lists);
    this.#members = Array.from({ length: lists }, () => new Int32Array(16));
  }

  get lists(): number {
    return this.#lengths.length;
  }

  /** The leaf for an int8 row: the nearest leaf under the nearest top centroid. */
  leafOf(vectors: Int8Array, base: number): number {
    const { top, topStart, leaves } = this.parts;
    const t = nearest(vectors, base, top, 0, topStart.length - 1, this.dimensions);
    return nearest(vectors, base, leaves, topStart[t]!, topStart[t + 1]!, this.dimensions);
  }

  listOf(slot: number): number {
    return slot < this.#listOf.length ? this.#listOf[slot]! : -1;
  }

  /** Puts a slot into a list (out of the one it was in). */
  place(slot: number, list: number): void {
    if (list < 0 || list >= this.lists) throw new Error(`no list ${list}`);
    if (slot >= this.#listOf.length) {
      const grown = new Int32Array(Math.max(slot + 1, this.#listOf.length * 2)).fill(-1);
      grown.set(this.#listOf);
      this.#listOf = grown;
    }
    const old = this.#listOf[slot]!;
    if (old === list) return;
    if (old >= 0) this.drop(slot);
    let members = this.#members[list]!;
    const length = this.#lengths[list]!;
    if (length === members.length) {
      const grown = new Int32Array(Math.ceil(length * 1.5) + 8);
      grown.set(members);
      this.#members[list] = members = grown;
    }
    members[length] = slot;
    this.#lengths[list] = length + 1;
    this.#listOf[slot] = list;
  }

  /** Takes a slot out of its list (a scan of that one list, ~√n slots). */
  drop(slot: number): void {
    const list = this.listOf(slot);
    if (list < 0) return;
    const members = this.#members[list]!;
    const last = this.#lengths[list]! - 1;
    const at = members.subarray(0, last + 1).indexOf(slot);
    members[at] = members[last]!;
    this.#lengths[list] = last;
    this.#listOf[slot] = -1;
  }

  /** The slots of a list (a view: valid until the list changes). */
  members(list: number): Int32Array {
    return this.#members[list]!.subarray(0, this.#lengths[list]!);
  }

  /** The leaves by descending dot product with the query. */
  order(query: Float32Array): Int32Array {
    const { leaves } = this.parts;
    const dims = this.dimensions;
    const scores = new Float32Array(this.lists);
    for (let l = 0; l < this.lists; l++) {
      let sum = 0;
      for (let i = 0; i < dims; i++) sum += leaves[l * dims + i]! * query[i]!;
      scores[l] = sum;
    }
    return Int32Array.from({ length: this.lists }, (_, l) => l).sort((a, b) => scores[b]! - scores[a]! || a - b);
  }

  /** Bytes held: centroids, the slot -> list table and the lists. */
  get memoryBytes(): number {
    let bytes = this.parts.top.byteLength + this.parts.leaves.byteLength + this.#listOf.byteLength;
    for (const m of this.#members) bytes += m.byteLength;
    return bytes + this.#lengths.byteLength;
  }
}
