/**
 * In-memory nearest-neighbour search over unit vectors: every vector is kept as int8 (one byte per dimension
 * and a scale per vector: a quarter of float32) and as a sign-bit code; a query first ranks all codes by
 * Hamming distance (cheap: 8 words of popcount per 256-d vector), then rescores the best few thousand by
 * dot product with the int8 vectors, and, given the exact vectors of the best few (read from storage), ranks
 * those by their exact dot product. sqlite-vec 0.1.9's brute-force KNN took
 * ~115 ms at 133k × 256 here; this takes a few milliseconds with recall@10 measured by bench:search.
 */

export interface VectorHit {
  doc: number;
  score: number;
}

/** The exact (float32) vectors of some documents, read from where they are stored. */
export type ExactVectors = (docs: readonly number[]) => Map<number, Float32Array>;

/** Beyond k, hits of the int8 ranking rescored with exact vectors (int8 dot products err by ~1e-3). */
const EXACT_MARGIN = 16;

/**
 * Sign-bit candidates rescored at least: a fixed number for small sets, and a share of the vectors for large
 * ones. A fixed 2,000 gave recall@10 0.977 at 133k papers but 0.948 at 300k; the neighbours a query misses by
 * sign bits grow with the corpus (bench/vector-recall.ts measures recall and latency per setting).
 */
export const MIN_CANDIDATES = 2_000;
export const CANDIDATE_SHARE = 0.01;

export function candidateFloor(vectors: number): number {
  return Math.max(MIN_CANDIDATES, Math.ceil(vectors * CANDIDATE_SHARE));
}

/** Set bits of every 16-bit number: two table reads count a 32-bit word. */
const POPCOUNT16 = Uint8Array.from({ length: 1 << 16 }, (_, x) => {
  let bits = 0;
  for (let v = x; v !== 0; v &= v - 1) bits++;
  return bits;
});

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
}

/** 32-bit words of a vector's sign-bit code. */
export const codeWords = (dimensions: number) => Math.ceil(dimensions / 32);

export class BinaryQuantizedIndex {
  readonly dimensions: number;
  readonly #words: number;
  #vectors: Int8Array;
  /** Per slot: the int8 vector times this is the vector. */
  #scales: Float32Array;
  #codes: Uint32Array;
  /** Slot -> document number, -1 for a free slot. */
  #docs: Int32Array;
  readonly #slots = new Map<number, number>();
  #size = 0;

  constructor(dimensions: number, capacity = 1024) {
    this.dimensions = dimensions;
    this.#words = codeWords(dimensions);
    this.#vectors = new Int8Array(capacity * dimensions);
    this.#scales = new Float32Array(capacity);
    this.#codes = new Uint32Array(capacity * this.#words);
    this.#docs = new Int32Array(capacity).fill(-1);
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
    };
    let at = 0;
    for (let slot = 0; slot < this.#size; slot++) {
      const doc = this.#docs[slot]!;
      if (doc < 0) continue;
      parts.docs[at] = doc;
      parts.scales[at] = this.#scales[slot]!;
      parts.vectors.set(this.#vectors.subarray(slot * dims, (slot + 1) * dims), at * dims);
      parts.codes.set(this.#codes.subarray(slot * words, (slot + 1) * words), at * words);
      at++;
    }
    return parts;
  }

  /** An index holding these vectors in these slots, with room for `spare` more before it grows. */
  static fromParts(parts: BinaryParts, spare = 1024): BinaryQuantizedIndex {
    const count = parts.docs.length;
    const words = codeWords(parts.dimensions);
    if (
      parts.scales.length !== count ||
      parts.vectors.length !== count * parts.dimensions ||
      parts.codes.length !== count * words
    )
      throw new Error('vector parts of different lengths');
    const index = new BinaryQuantizedIndex(parts.dimensions, count + spare);
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
    return index;
  }

  #grow(): void {
    const capacity = this.#docs.length * 2;
    const vectors = new Int8Array(capacity * this.dimensions);
    vectors.set(this.#vectors);
    const scales = new Float32Array(capacity);
    scales.set(this.#scales);
    const codes = new Uint32Array(capacity * this.#words);
    codes.set(this.#codes);
    const docs = new Int32Array(capacity).fill(-1);
    docs.set(this.#docs);
    this.#vectors = vectors;
    this.#scales = scales;
    this.#codes = codes;
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
    return this.#vectors.byteLength + this.#scales.byteLength + this.#codes.byteLength + this.#docs.byteLength;
  }

  remove(doc: number): void {
    const slot = this.#slots.get(doc);
    if (slot === undefined) return;
    this.#slots.delete(doc);
    this.#docs[slot] = -1;
  }

  #dot(slot: number, query: Float32Array): number {
    const base = slot * this.dimensions;
    const v = this.#vectors;
    let sum = 0;
    for (let i = 0; i < this.dimensions; i++) sum += v[base + i]! * query[i]!;
    return sum * this.#scales[slot]!;
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
    admits: (doc: number) => boolean = () => true,
    exact?: ExactVectors,
  ): VectorHit[] {
    const hits: VectorHit[] = [];
    for (let slot = 0; slot < this.#size; slot++) {
      const doc = this.#docs[slot]!;
      if (doc >= 0 && admits(doc)) hits.push({ doc, score: this.#dot(slot, query) });
    }
    return this.#best(hits, query, k, exact);
  }

  /**
   * Hamming pre-selection of max(k × oversample, minCandidates) candidates, then exact rescoring. Sign bits
   * are coarse: for small k a floor of candidates that grows with the corpus (candidateFloor) is what keeps
   * recall@10 above 0.95.
   */
  search(
    query: Float32Array,
    k: number,
    oversample = 20,
    admits: (doc: number) => boolean = () => true,
    minCandidates = candidateFloor(this.#slots.size),
    exact?: ExactVectors,
  ): VectorHit[] {
    const words = this.#words;
    const candidates = Math.min(this.#size, Math.max(k * oversample, minCandidates));
    if (this.#size <= candidates * 2) return this.searchExact(query, k, admits, exact);
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
      let distance = 0;
      const base = slot * words;
      for (let w = 0; w < words; w++) {
        const x = codes[base + w]! ^ code[w]!;
        distance += POPCOUNT16[x & 0xffff]! + POPCOUNT16[x >>> 16]!;
      }
      distances[slot] = distance;
      histogram[distance]!++;
    }
    let cutoff = 0;
    let closer = 0;
    for (; cutoff <= this.dimensions && closer + histogram[cutoff]! < candidates; cutoff++)
      closer += histogram[cutoff]!;
    // Everything closer than the cutoff distance, and only as many at the cutoff as make up the count:
    // real vectors cluster, and the bucket at the cutoff can hold thousands.
    let atCutoff = candidates - closer;
    const hits: VectorHit[] = [];
    for (let slot = 0; slot < this.#size; slot++) {
      const distance = distances[slot]!;
      if (distance > cutoff || (distance === cutoff && atCutoff-- <= 0)) continue;
      const doc = docs[slot]!;
      if (admits(doc)) hits.push({ doc, score: this.#dot(slot, query) });
    }
    return this.#best(hits, query, k, exact);
  }
}
