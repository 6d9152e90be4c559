/**
 * In-memory nearest-neighbour search over unit vectors: every vector is kept as int8 (one byte per dimension
 * and a scale per vector: a quarter of float32) and as a sign-bit code; a query first ranks all codes by
 * Hamming distance (cheap: 8 words of popcount per 256-d vector), then rescores the best few thousand by
 * dot product with the int8 vectors, and, given the exact vectors of the best few (read from storage), ranks
 * those by their exact dot product. sqlite-vec 0.1.9's brute-force KNN took
 * ~115 ms at 133k × 256 here; this takes a few milliseconds with recall@10 measured by bench:search.
 *
 * The codes and int8 vectors live in a WebAssembly memory owned by the index (vector-kernels.ts), and the two
 * loops of the scan run there in SIMD: the Hamming pass over every code, and the int8 dot products of the kept
 * candidates (against the query in i16; the best few are scored again with the float query, so hits and
 * scores are those of the TypeScript loops, which IndexOptions.kernels keeps as the reference). At 1M
 * vectors with the 2% floor: 13.0 ms of CPU per query at p50 against 44.0 ms for the TypeScript loops in the
 * same process, recall@10 0.956 both (bench/vector-recall.ts; docs/scale.md).
 *
 * An inverted file (ivf.ts: two-level spherical k-means lists, trained in the background, saved with the
 * vectors) can replace the scan of every code from IndexOptions.listsFrom vectors on. It is off by default:
 * on this instance's vectors it does not pay (see LISTS_FROM, and docs/scale.md for the figures).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { CoarseQuantizer, SAMPLE_PER_LIST, Steps, listsFor, trainQuantizer, type QuantizerParts } from './ivf.ts';
import { VectorHeap, simdFits } from './vector-kernels.ts';

export interface VectorHit {
  doc: number;
  score: number;
}

/** The exact (float32) vectors of some documents, read from where they are stored. */
export type ExactVectors = (docs: readonly number[]) => Map<number, Float32Array>;

/** Beyond k, hits of the int8 ranking rescored with exact vectors (int8 dot products err by ~1e-3). */
const EXACT_MARGIN = 16;

/** Beyond those, hits of the SIMD ranking (query in i16: errs by ~1e-5) rescored with the float query. */
const QUANTIZED_MARGIN = 16;

/**
 * Sign-bit candidates rescored at least: a fixed number for small sets, and a share of the vectors for large
 * ones. A fixed 2,000 gave recall@10 0.977 at 133k papers but 0.948 at 300k; the neighbours a query misses by
 * sign bits grow with the corpus (bench/vector-recall.ts measures recall and latency per setting). 1% gave
 * 0.952 at 300k and 0.933 at 1M; 2% gives 0.974 at 300k and 0.956 at 1M, for ~13% more CPU per query at 1M
 * (39.5 against 35.0 ms at p50: the Hamming pass over every code is most of it).
 */
export const MIN_CANDIDATES = 2_000;
export const CANDIDATE_SHARE = 0.02;

export function candidateFloor(vectors: number): number {
  return Math.max(MIN_CANDIDATES, Math.ceil(vectors * CANDIDATE_SHARE));
}

/** Bits set in the low byte of each of x's bytes, summed (x: per-byte counts ≤ 16): SWAR, no table. */
const byteSum = (x: number) => Math.imul(x, 0x01010101) >>> 24;
/** Each byte of a word: the bits set in it. */
function byteCounts(v: number): number {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (x + (x >>> 4)) & 0x0f0f0f0f;
}

/** Hamming distance between the code at `base` and a query's code (two words per step: ~25% faster than a table). */
function hamming(codes: Uint32Array, base: number, code: Uint32Array, words: number): number {
  let distance = 0;
  let w = 0;
  for (; w + 1 < words; w += 2)
    distance += byteSum(byteCounts(codes[base + w]! ^ code[w]!) + byteCounts(codes[base + w + 1]! ^ code[w + 1]!));
  if (w < words) distance += byteSum(byteCounts(codes[base + w]! ^ code[w]!));
  return distance;
}

/**
 * From this many vectors on, an index trains a coarse quantizer (ivf.ts) and is searched through its lists.
 * Off by default (IndexOptions.listsFrom turns it on): on this instance's vectors the lists do not pay.
 * Measured at 300k papers (bench/vector-recall.ts, 200 queries, CPU time per query; docs/scale.md): the exact
 * top 10 of a query are spread over many lists (queries are short texts, away from the papers' clusters), so
 * probing 3% of the 550 lists gives recall@10 0.80, 20% 0.94 and 40% 0.98 (every member scored). With the
 * members in list order and a sign-bit cut to 2% of the vectors, 40% of the lists give 0.966 for 11.0 ms,
 * where the scan gives 0.974 for 12.6 ms with 2% and 0.952 for 9.6 ms with 1%: no better at equal recall.
 */
export const LISTS_FROM = Number.POSITIVE_INFINITY;

/** How a search through the lists goes: the nearest `probes` lists, then the best `keep` of them by sign bits. */
export interface ListSearch {
  /** Lists whose members are ranked (more while fewer than k admitted members were found). */
  probes: number;
  /** Rank the probed members by Hamming distance first and score only this many by int8 dot product (0: all). */
  keep: number;
}

/**
 * Lists probed by default, as a share of them, and the sign-bit cut, as a share of the vectors: what held
 * recall@10 near 0.96 at 300k (bench/vector-recall.ts).
 */
export const PROBE_SHARE = 0.4;
export const MIN_PROBES = 8;
export const KEEP_SHARE = 0.02;

export function listSearchFor(lists: number, vectors: number): ListSearch {
  return {
    probes: Math.min(lists, Math.max(MIN_PROBES, Math.ceil(lists * PROBE_SHARE))),
    keep: Math.max(MIN_CANDIDATES, Math.ceil(vectors * KEEP_SHARE)),
  };
}

/** The dot product of the int8 vector at `base` with a query (times the vector's scale: the dot product). */
function int8Dot(vectors: Int8Array, base: number, query: Float32Array, dims: number): number {
  let sum = 0;
  for (let i = 0; i < dims; i++) sum += vectors[base + i]! * query[i]!;
  return sum;
}

/** Thrown out of a training that was asked to stop. */
class Stopped extends Error {}

/** The filter of a search that admits every document (told apart from others: no call per candidate). */
const admitAll = () => true;

/**
 * Of the distances counted in `histogram`, the cutoff that keeps `count`: every distance below it, and `atCutoff`
 * of those at it (the first ones met: real vectors cluster, and the bucket at the cutoff can hold thousands).
 */
function cutoffFor(histogram: Uint32Array, count: number, dimensions: number): { cutoff: number; atCutoff: number } {
  let cutoff = 0;
  let closer = 0;
  for (; cutoff <= dimensions && closer + histogram[cutoff]! < count; cutoff++) closer += histogram[cutoff]!;
  return { cutoff, atCutoff: count - closer };
}

/** The best `size` hits pushed (higher score, then lower document, is better): a binary heap, worst on top. */
class TopHits {
  readonly #scores: Float64Array;
  readonly #docs: Int32Array;
  #length = 0;
  readonly size: number;
  constructor(size: number) {
    this.size = size;
    this.#scores = new Float64Array(size);
    this.#docs = new Int32Array(size);
  }

  #worse(a: number, b: number): boolean {
    const sa = this.#scores[a]!;
    const sb = this.#scores[b]!;
    return sa < sb || (sa === sb && this.#docs[a]! > this.#docs[b]!);
  }

  #swap(a: number, b: number): void {
    const s = this.#scores[a]!;
    this.#scores[a] = this.#scores[b]!;
    this.#scores[b] = s;
    const d = this.#docs[a]!;
    this.#docs[a] = this.#docs[b]!;
    this.#docs[b] = d;
  }

  push(score: number, doc: number): void {
    if (this.size === 0) return;
    if (this.#length === this.size) {
      const top = this.#scores[0]!;
      if (score < top || (score === top && doc > this.#docs[0]!)) return;
      this.#scores[0] = score;
      this.#docs[0] = doc;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let w = i;
        if (l < this.#length && this.#worse(l, w)) w = l;
        if (r < this.#length && this.#worse(r, w)) w = r;
        if (w === i) break;
        this.#swap(i, w);
        i = w;
      }
      return;
    }
    let i = this.#length++;
    this.#scores[i] = score;
    this.#docs[i] = doc;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#worse(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  /** A score below this cannot enter (-Infinity until the heap is full). */
  get floor(): number {
    return this.#length === this.size && this.size > 0 ? this.#scores[0]! : -Infinity;
  }

  hits(): VectorHit[] {
    return Array.from({ length: this.#length }, (_, i) => ({ doc: this.#docs[i]!, score: this.#scores[i]! }));
  }
}

/** The live vectors of an index, slot by slot in order (what vector-file.ts saves). */
export interface BinaryParts {
  dimensions: number;
  /** Per vector: its document. */
  docs: Int32Array;
  /** Per vector: the int8 vector times this is the vector. */
  scales: Float32Array;
  /** dimensions bytes per vector. */
  vectors: Int8Array;
  /** codeWords(dimensions) words per vector. */
  codes: Uint32Array;
  /** The coarse quantizer's centroids, if one is trained. */
  quantizer: QuantizerParts | null;
  /** With a quantizer: per vector, its list. */
  lists: Int32Array;
}

export interface IndexOptions {
  /** Vectors from which the lists are searched (LISTS_FROM; tests lower it). */
  listsFrom?: number;
  /**
   * The scan's loops: WebAssembly SIMD (vector-kernels.ts; the default where simdFits) or plain TypeScript
   * (the reference; bench/vector-recall.ts compares the two).
   */
  kernels?: ScanKernels;
}

export type ScanKernels = 'wasm' | 'js';

/** 32-bit words of a vector's sign-bit code. */
export const codeWords = (dimensions: number) => Math.ceil(dimensions / 32);

export class BinaryQuantizedIndex {
  readonly dimensions: number;
  readonly #words: number;
  /** The int8 vectors and sign-bit codes, slot by slot, in a WebAssembly memory. */
  readonly #heap: VectorHeap;
  #kernels: ScanKernels = 'js';
  /** Per slot: the int8 vector times this is the vector. */
  #scales: Float32Array;
  /** Slot -> document number, -1 for a free slot. */
  #docs: Int32Array;
  readonly #slots = new Map<number, number>();
  #size = 0;
  readonly listsFrom: number;
  /** The lists searched (every live slot is in one), once trained. */
  #quantizer: CoarseQuantizer | null = null;
  /** A quantizer being filled by a training under way: slots set or removed meanwhile go to it too. */
  #pending: CoarseQuantizer | null = null;
  #training: Promise<boolean> | null = null;

  constructor(dimensions: number, capacity = 1024, options: IndexOptions = {}) {
    this.dimensions = dimensions;
    this.listsFrom = options.listsFrom ?? LISTS_FROM;
    this.#words = codeWords(dimensions);
    this.kernels = options.kernels ?? (simdFits(dimensions) ? 'wasm' : 'js');
    this.#heap = new VectorHeap(dimensions, this.#words, capacity);
    this.#scales = new Float32Array(capacity);
    this.#docs = new Int32Array(capacity).fill(-1);
  }

  /** The scan's loops (IndexOptions.kernels); switchable, for benchmarks that compare the two. */
  get kernels(): ScanKernels {
    return this.#kernels;
  }

  set kernels(kernels: ScanKernels) {
    if (kernels === 'wasm' && !simdFits(this.dimensions))
      throw new Error(`the SIMD scan takes dimensions in multiples of 128, not ${this.dimensions}`);
    this.#kernels = kernels;
  }

  /** The int8 vectors (a view: replaced when the memory grows). */
  get #vectors(): Int8Array {
    return this.#heap.vectors;
  }

  /** The sign-bit codes (a view: replaced when the memory grows). */
  get #codes(): Uint32Array {
    return this.#heap.codes;
  }

  get count(): number {
    return this.#slots.size;
  }

  /** A copy of the live vectors (free slots left out), in slot order. */
  parts(): BinaryParts {
    const live = this.#slots.size;
    const dims = this.dimensions;
    const words = this.#words;
    const parts: BinaryParts = {
      dimensions: dims,
      docs: new Int32Array(live),
      scales: new Float32Array(live),
      vectors: new Int8Array(live * dims),
      codes: new Uint32Array(live * words),
      quantizer: this.#quantizer?.parts ?? null,
      lists: new Int32Array(this.#quantizer ? live : 0),
    };
    let at = 0;
    for (let slot = 0; slot < this.#size; slot++) {
      const doc = this.#docs[slot]!;
      if (doc < 0) continue;
      parts.docs[at] = doc;
      parts.scales[at] = this.#scales[slot]!;
      parts.vectors.set(this.#vectors.subarray(slot * dims, (slot + 1) * dims), at * dims);
      parts.codes.set(this.#codes.subarray(slot * words, (slot + 1) * words), at * words);
      if (this.#quantizer) parts.lists[at] = this.#quantizer.listOf(slot);
      at++;
    }
    return parts;
  }

  /** An index holding these vectors in these slots, with room for `spare` more before it grows. */
  static fromParts(parts: BinaryParts, spare = 1024, options: IndexOptions = {}): BinaryQuantizedIndex {
    const count = parts.docs.length;
    const words = codeWords(parts.dimensions);
    if (
      parts.scales.length !== count ||
      parts.vectors.length !== count * parts.dimensions ||
      parts.codes.length !== count * words ||
      parts.lists.length !== (parts.quantizer ? count : 0)
    )
      throw new Error('vector parts of different lengths');
    const index = new BinaryQuantizedIndex(parts.dimensions, count + spare, options);
    index.#vectors.set(parts.vectors);
    index.#scales.set(parts.scales);
    index.#codes.set(parts.codes);
    index.#docs.set(parts.docs);
    for (let slot = 0; slot < count; slot++) {
      const doc = parts.docs[slot]!;
      if (doc < 0 || index.#slots.has(doc)) throw new Error(`document ${doc} in two slots or negative`);
      index.#slots.set(doc, slot);
    }
    index.#size = count;
    if (parts.quantizer) {
      const quantizer = new CoarseQuantizer(parts.quantizer, parts.dimensions, count + spare);
      for (let slot = 0; slot < count; slot++) quantizer.place(slot, parts.lists[slot]!);
      index.#quantizer = quantizer;
    }
    return index;
  }

  #grow(): void {
    const capacity = this.#docs.length * 2;
    this.#heap.grow(capacity);
    const scales = new Float32Array(capacity);
    scales.set(this.#scales);
    const docs = new Int32Array(capacity).fill(-1);
    docs.set(this.#docs);
    this.#scales = scales;
    this.#docs = docs;
  }

  #encode(vector: Float32Array, out: Uint32Array, offset: number): void {
    for (let w = 0; w < this.#words; w++) {
      let bits = 0;
      for (let i = 0; i < 32; i++) {
        const d = w * 32 + i;
        if (d < this.dimensions && vector[d]! > 0) bits |= 1 << i;
      }
      out[offset + w] = bits >>> 0;
    }
  }

  /** Adds or replaces the vector of a document. */
  set(doc: number, vector: Float32Array): void {
    if (vector.length !== this.dimensions)
      throw new Error(`expected ${this.dimensions} dimensions, got ${vector.length}`);
    let slot = this.#slots.get(doc);
    if (slot === undefined) {
      if (this.#size === this.#docs.length) this.#grow();
      slot = this.#size++;
      this.#slots.set(doc, slot);
      this.#docs[slot] = doc;
    }
    let largest = 0;
    for (const x of vector) largest = Math.max(largest, Math.abs(x));
    const scale = largest / 127;
    const base = slot * this.dimensions;
    for (let i = 0; i < this.dimensions; i++)
      this.#vectors[base + i] = scale === 0 ? 0 : Math.round(vector[i]! / scale);
    this.#scales[slot] = scale;
    this.#encode(vector, this.#codes, slot * this.#words);
    for (const quantizer of [this.#quantizer, this.#pending])
      quantizer?.place(slot, quantizer.leafOf(this.#vectors, base));
  }

  /** The vector of a document as held here (int8: within 1/254 of each component's largest magnitude). */
  get(doc: number): Float32Array | null {
    const slot = this.#slots.get(doc);
    if (slot === undefined) return null;
    const scale = this.#scales[slot]!;
    return Float32Array.from(
      this.#vectors.subarray(slot * this.dimensions, (slot + 1) * this.dimensions),
      (x) => x * scale,
    );
  }

  /** Bytes held by the vectors, codes and slots. */
  get memoryBytes(): number {
    return (
      this.#heap.byteLength + this.#scales.byteLength + this.#docs.byteLength + (this.#quantizer?.memoryBytes ?? 0)
    );
  }

  /** The lists searched, if trained: how many, and how many vectors they were trained on. */
  get quantizer(): { lists: number; trainedOn: number } | null {
    return this.#quantizer && { lists: this.#quantizer.lists, trainedOn: this.#quantizer.parts.trainedOn };
  }

  /** The training under way, if any (resolves true once its lists are searched). */
  get training(): Promise<boolean> | null {
    return this.#training;
  }

  /** Whether a (new) quantizer should be trained: large enough, and none yet or half the vectors came after. */
  get wantsTraining(): boolean {
    const count = this.#slots.size;
    return (
      this.#training === null &&
      count >= this.listsFrom &&
      (this.#quantizer === null || count > 2 * this.#quantizer.parts.trainedOn)
    );
  }

  /**
   * Trains a coarse quantizer on an even sample of the vectors, puts every vector into its list, then searches
   * through it (the previous one, or the sign-bit scan, serves until then). Works in steps between turns of the
   * event loop; vectors set or removed meanwhile are taken into account. Resolves false when `stop` said so
   * between steps (nothing changes then). One training at a time: a second call gets the first one's promise.
   */
  train(stop: () => boolean = () => false): Promise<boolean> {
    this.#training ??= this.#train(stop).finally(() => {
      this.#training = null;
    });
    return this.#training;
  }

  async #train(stop: () => boolean): Promise<boolean> {
    const pause = async () => {
      await yieldToEventLoop();
      if (stop()) throw new Stopped();
    };
    const dims = this.dimensions;
    const live = this.#slots.size;
    if (live === 0) return false;
    const lists = listsFor(live);
    const wanted = Math.min(live, lists * SAMPLE_PER_LIST);
    const sample = new Int8Array(wanted * dims);
    let taken = 0;
    let seen = 0;
    for (let slot = 0; slot < this.#size && taken < wanted; slot++) {
      if (this.#docs[slot]! < 0) continue;
      // Evenly spaced among the live vectors.
      if (Math.floor((seen * wanted) / live) === taken) {
        sample.set(this.#vectors.subarray(slot * dims, (slot + 1) * dims), taken * dims);
        taken++;
      }
      seen++;
    }
    try {
      const steps = new Steps(pause);
      const parts = await trainQuantizer(
        { vectors: sample.subarray(0, taken * dims), dimensions: dims },
        lists,
        live,
        steps,
      );
      const quantizer = new CoarseQuantizer(parts, dims, this.#docs.length);
      this.#pending = quantizer;
      // Dot products per vector: every top centroid, then the leaves of one (about).
      const tops = parts.topStart.length - 1;
      const work = (tops + lists / tops) * dims;
      for (let slot = 0; slot < this.#size; slot++) {
        if (steps.due(work)) await pause();
        if (this.#docs[slot]! >= 0) quantizer.place(slot, quantizer.leafOf(this.#vectors, slot * dims));
      }
      this.#quantizer = this.#inListOrder(quantizer);
      return true;
    } catch (error) {
      if (error instanceof Stopped) return false;
      throw error;
    } finally {
      this.#pending = null;
    }
  }

  remove(doc: number): void {
    const slot = this.#slots.get(doc);
    if (slot === undefined) return;
    this.#slots.delete(doc);
    this.#docs[slot] = -1;
    this.#quantizer?.drop(slot);
    this.#pending?.drop(slot);
  }

  #dot(slot: number, query: Float32Array): number {
    return int8Dot(this.#vectors, slot * this.dimensions, query, this.dimensions) * this.#scales[slot]!;
  }

  /** The best k of hits ranked by int8 dot product; with exact vectors, the best few re-ranked by those. */
  #best(hits: VectorHit[], query: Float32Array, k: number, exact?: ExactVectors): VectorHit[] {
    const ranked = hits.sort((a, b) => b.score - a.score || a.doc - b.doc);
    if (!exact) return ranked.slice(0, k);
    const head = ranked.slice(0, k + EXACT_MARGIN);
    const vectors = exact(head.map((h) => h.doc));
    return head
      .map((h) => {
        const v = vectors.get(h.doc);
        if (!v) return h;
        let sum = 0;
        for (let i = 0; i < this.dimensions; i++) sum += v[i]! * query[i]!;
        return { doc: h.doc, score: sum };
      })
      .sort((a, b) => b.score - a.score || a.doc - b.doc)
      .slice(0, k);
  }

  /** Exact search over every vector (the reference for recall, and fast enough for small sets). */
  searchExact(
    query: Float32Array,
    k: number,
    admits: (doc: number) => boolean = admitAll,
    exact?: ExactVectors,
  ): VectorHit[] {
    const top = new TopHits(exact ? k + EXACT_MARGIN : k);
    for (let slot = 0; slot < this.#size; slot++) {
      const doc = this.#docs[slot]!;
      if (doc >= 0 && admits(doc)) top.push(this.#dot(slot, query), doc);
    }
    return this.#best(top.hits(), query, k, exact);
  }

  /**
   * Moves the vectors into list order (each list's members in consecutive slots, free slots dropped), so that a
   * probed list is read front to back rather than from all over memory; returns the quantizer for the new
   * slots. One pass, in one go (a search must not see it half done): some hundreds of ms at 1M vectors.
   */
  #inListOrder(quantizer: CoarseQuantizer): CoarseQuantizer {
    const dims = this.dimensions;
    const words = this.#words;
    const capacity = this.#docs.length;
    const vectors = new Int8Array(capacity * dims);
    const scales = new Float32Array(capacity);
    const codes = new Uint32Array(capacity * words);
    const docs = new Int32Array(capacity).fill(-1);
    const ordered = new CoarseQuantizer(quantizer.parts, dims, capacity);
    let at = 0;
    for (let list = 0; list < quantizer.lists; list++) {
      const members = quantizer.members(list).slice().sort();
      for (const slot of members) {
        vectors.set(this.#vectors.subarray(slot * dims, (slot + 1) * dims), at * dims);
        codes.set(this.#codes.subarray(slot * words, (slot + 1) * words), at * words);
        scales[at] = this.#scales[slot]!;
        docs[at] = this.#docs[slot]!;
        this.#slots.set(docs[at]!, at);
        ordered.place(at, list);
        at++;
      }
    }
    if (at !== this.#slots.size) throw new Error(`${at} vectors in the lists, ${this.#slots.size} live`);
    this.#vectors.set(vectors);
    this.#scales = scales;
    this.#codes.set(codes);
    this.#docs = docs;
    this.#size = at;
    return ordered;
  }

  /**
   * The best k admitted vectors: through the lists when a quantizer is trained and the index holds at least
   * listsFrom vectors, else by the sign-bit scan.
   */
  search(
    query: Float32Array,
    k: number,
    admits: (doc: number) => boolean = admitAll,
    exact?: ExactVectors,
  ): VectorHit[] {
    if (this.#quantizer && this.#slots.size >= this.listsFrom)
      return this.searchLists(query, k, listSearchFor(this.#quantizer.lists, this.#slots.size), admits, exact);
    return this.scan(query, k, 20, admits, candidateFloor(this.#slots.size), exact);
  }

  /**
   * Through the lists: the members of the `probes` lists whose centroids are nearest the query (and of further
   * lists, in order, while fewer than k admitted members were found), ranked by int8 dot product (optionally
   * after a sign-bit cut to `keep`), then the best few rescored exactly. Without a quantizer: the scan.
   */
  searchLists(
    query: Float32Array,
    k: number,
    settings: ListSearch,
    admits: (doc: number) => boolean = admitAll,
    exact?: ExactVectors,
  ): VectorHit[] {
    const quantizer = this.#quantizer;
    if (!quantizer) return this.scan(query, k, 20, admits, candidateFloor(this.#slots.size), exact);
    const dims = this.dimensions;
    const vectors = this.#vectors;
    const scales = this.#scales;
    const docs = this.#docs;
    const top = new TopHits(exact ? k + EXACT_MARGIN : k);
    const score = (slot: number) => top.push(int8Dot(vectors, slot * dims, query, dims) * scales[slot]!, docs[slot]!);
    const order = quantizer.order(query);
    let admitted = 0;
    let next = 0;
    if (settings.keep > 0) {
      // The members of the probed lists, cut to the best `keep` by Hamming distance, then those admitted
      // scored (as the scan: a filter is asked about the few kept, not every member).
      const probed: Int32Array[] = [];
      let total = 0;
      for (; next < Math.min(settings.probes, order.length); next++) {
        const members = quantizer.members(order[next]!);
        probed.push(members);
        total += members.length;
      }
      const slots = new Int32Array(total);
      let at = 0;
      for (const members of probed) {
        slots.set(members, at);
        at += members.length;
      }
      for (const slot of this.#nearestByCode(query, slots, Math.max(settings.keep, k)))
        if (admits(docs[slot]!)) {
          admitted++;
          score(slot);
        }
      // A filter that admits few: every admitted member of the probed lists, and of further lists if need be.
      if (admitted < k) return this.searchLists(query, k, { probes: settings.probes, keep: 0 }, admits, exact);
    }
    for (; next < order.length && (next < settings.probes || admitted < k); next++) {
      const members = quantizer.members(order[next]!);
      for (let i = 0; i < members.length; i++) {
        const slot = members[i]!;
        if (!admits(docs[slot]!)) continue;
        admitted++;
        score(slot);
      }
    }
    return this.#best(top.hits(), query, k, exact);
  }

  /** Of these slots, the `count` with the nearest sign-bit codes to the query's (all of them when fewer). */
  #nearestByCode(query: Float32Array, slots: Int32Array, count: number): Int32Array {
    if (slots.length <= count) return slots;
    const words = this.#words;
    const code = new Uint32Array(words);
    this.#encode(query, code, 0);
    const codes = this.#codes;
    const distances = new Uint16Array(slots.length);
    const histogram = new Uint32Array(this.dimensions + 2);
    for (let j = 0; j < slots.length; j++) {
      const distance = hamming(codes, slots[j]! * words, code, words);
      distances[j] = distance;
      histogram[distance]!++;
    }
    let { cutoff, atCutoff } = cutoffFor(histogram, count, this.dimensions);
    const kept = new Int32Array(count);
    let n = 0;
    for (let j = 0; j < slots.length; j++) {
      const distance = distances[j]!;
      if (distance > cutoff || (distance === cutoff && atCutoff-- <= 0)) continue;
      kept[n++] = slots[j]!;
    }
    return kept.subarray(0, n);
  }

  /**
   * Hamming pre-selection of max(k × oversample, minCandidates) candidates, then exact rescoring. Sign bits
   * are coarse: for small k a floor of candidates that grows with the corpus (candidateFloor) is what keeps
   * recall@10 above 0.95.
   */
  scan(
    query: Float32Array,
    k: number,
    oversample = 20,
    admits: (doc: number) => boolean = admitAll,
    minCandidates = candidateFloor(this.#slots.size),
    exact?: ExactVectors,
  ): VectorHit[] {
    const candidates = Math.min(this.#size, Math.max(k * oversample, minCandidates));
    if (this.#size <= candidates * 2) return this.searchExact(query, k, admits, exact);
    const { distances, histogram } = this.kernels === 'wasm' ? this.#distancesSimd(query) : this.#distancesJs(query);
    // Everything closer than the cutoff distance, and only as many at the cutoff as make up the count.
    let { cutoff, atCutoff } = cutoffFor(histogram, candidates, this.dimensions);
    const size = exact ? k + EXACT_MARGIN : k;
    const docs = this.#docs;
    if (this.kernels === 'wasm') {
      // Candidates in batches through the SIMD dot products with the query quantized to i16 (scores off by
      // ~1e-5); the best few more than wanted are scored again with the float query, so that the hits and
      // their scores are those of the TypeScript loops (unless more than 16 hits lie within the i16 rounding
      // of the last one wanted).
      const top = new TopHits(size + QUANTIZED_MARGIN);
      const heap = this.#heap;
      const factor = heap.setQuery(query);
      const slots = heap.slots;
      const scales = this.#scales;
      // The candidates come out of the memory a batch at a time (the SIMD select); the admitted ones of each
      // batch are moved to its front and scored together.
      let next = 0;
      while (next < this.#size) {
        const batch = heap.select(next, this.#size, cutoff, atCutoff);
        next = batch.next;
        atCutoff = batch.atCutoff;
        let n = batch.count;
        if (admits !== admitAll) {
          n = 0;
          for (let i = 0; i < batch.count; i++) {
            const slot = slots[i]!;
            if (admits(docs[slot]!)) slots[n++] = slot;
          }
        }
        if (n === 0) continue;
        const sums = heap.dots(n);
        // Most candidates score below the heap's floor: they are passed over without a call.
        let floor = top.floor;
        for (let i = 0; i < n; i++) {
          const slot = slots[i]!;
          const score = sums[i]! * factor * scales[slot]!;
          if (score < floor) continue;
          top.push(score, docs[slot]!);
          floor = top.floor;
        }
      }
      const rescored = top.hits().map((h) => ({ doc: h.doc, score: this.#dot(this.#slots.get(h.doc)!, query) }));
      return this.#best(rescored, query, k, exact);
    }
    const top = new TopHits(size);
    for (let slot = 0; slot < this.#size; slot++) {
      const distance = distances[slot]!;
      if (distance > cutoff || (distance === cutoff && atCutoff-- <= 0)) continue;
      const doc = docs[slot]!;
      if (admits(doc)) top.push(this.#dot(slot, query), doc);
    }
    return this.#best(top.hits(), query, k, exact);
  }

  /** Each slot's Hamming distance to the query's code (free slots: dimensions + 1), and their histogram. */
  #distancesJs(query: Float32Array): { distances: Uint16Array; histogram: Uint32Array } {
    const words = this.#words;
    const code = new Uint32Array(words);
    this.#encode(query, code, 0);
    // Counting sort by distance: distances are 0..dimensions.
    const distances = new Uint16Array(this.#size);
    const histogram = new Uint32Array(this.dimensions + 2);
    const codes = this.#codes;
    const docs = this.#docs;
    for (let slot = 0; slot < this.#size; slot++) {
      if (docs[slot]! < 0) {
        distances[slot] = this.dimensions + 1;
        continue;
      }
      const distance = hamming(codes, slot * words, code, words);
      distances[slot] = distance;
      histogram[distance]!++;
    }
    return { distances, histogram };
  }

  /** #distancesJs by the SIMD kernel (views into the index's memory, valid until the next search). */
  #distancesSimd(query: Float32Array): { distances: Uint16Array; histogram: Uint32Array } {
    this.#encode(query, this.#heap.queryCode, 0);
    const result = this.#heap.hamming(this.#size);
    if (this.#slots.size < this.#size) {
      // Free slots still hold a code: taken out of the histogram and put beyond every distance.
      const { distances, histogram } = result;
      const docs = this.#docs;
      for (let slot = 0; slot < this.#size; slot++)
        if (docs[slot]! < 0) {
          histogram[distances[slot]!]!--;
          distances[slot] = this.dimensions + 1;
        }
    }
    return result;
  }
}
