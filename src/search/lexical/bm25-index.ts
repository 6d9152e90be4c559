/**
 * An in-memory BM25F index over title, authors and abstract, held in a few flat byte and integer arrays so
 * that a paper costs a few hundred bytes rather than kilobytes of objects: the term dictionary is one sorted
 * buffer of UTF-8 terms (found by binary search, prefixes as a range), each term's postings are document-number
 * gaps as varints, each followed by a one-byte code of the three field frequencies, and per-document lengths
 * and ids are typed arrays. FTS5's bm25() costs ~8 µs per matching paper, so a common word over 133k papers
 * takes ~400 ms; accumulating scores term by term over postings here costs a few nanoseconds each.
 *
 * Score of a paper for terms t (weighted term frequency tf_w = Σ_f w_f · tf_f, length dl = Σ_f w_f · len_f):
 *   Σ_t idf(t) · tf_w · (k1 + 1) / (tf_w + k1 · (1 − b + b · dl / avgdl)),  idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))
 *
 * The arrays are also what is saved (index-file.ts), so that a process loads an index instead of rebuilding it.
 */
import type { FieldWeights } from '../../store/store.ts';
import { forEachWord, stemWord } from '../../domain/analyzer.ts';
import { SurfaceWords, type SurfaceWordParts } from './surface-words.ts';

export interface AnalyzedDocument {
  /** A small positive integer naming the document (the store's row id). */
  doc: number;
  id: string;
  title: string[];
  authors: string[];
  abstract: string[];
  /** The document's words as written (folded, before stemming), for prefix queries; none if left out. */
  words?: readonly string[];
}

export interface Bm25Parameters {
  k1: number;
  b: number;
}

export const DEFAULT_BM25: Bm25Parameters = { k1: 1.2, b: 0.75 };

/** A weighting as a string: what is computed per weighting (length norms, bounds) is kept under it. */
export const weightsKey = (weights: FieldWeights) => `${weights.title}/${weights.authors}/${weights.abstract}`;

const FIELDS = ['title', 'authors', 'abstract'] as const;
type Field = (typeof FIELDS)[number];

/** Term frequencies of one document per field, capped at 255. */
export interface DocumentTerms {
  doc: number;
  id: string;
  lengths: [number, number, number];
  terms: Map<string, [number, number, number]>;
  /** Its distinct words as written (see SurfaceWords). */
  words: readonly string[];
}

export function documentTerms(document: AnalyzedDocument): DocumentTerms {
  const terms = new Map<string, [number, number, number]>();
  FIELDS.forEach((field: Field, f) => {
    for (const term of document[field]) {
      let tf = terms.get(term);
      if (!tf) {
        tf = [0, 0, 0];
        terms.set(term, tf);
      }
      if (tf[f]! < 255) tf[f]!++;
    }
  });
  return {
    doc: document.doc,
    id: document.id,
    lengths: [document.title.length, document.authors.length, document.abstract.length],
    terms,
    words: [...new Set(document.words)],
  };
}

export interface Hit {
  doc: number;
  id: string;
  score: number;
}

/** Whether hit a ranks below hit b: a lower score, or the same score and a later document. */
const below = (a: Hit, b: Hit) => a.score < b.score || (a.score === b.score && a.doc > b.doc);

/**
 * Keeps the best `limit` hits: a min-heap, ranked by score, then by document number (the earlier first), so that
 * which of several equal scores are kept does not depend on the order they were offered in.
 */
export class TopK {
  readonly #limit: number;
  readonly #heap: Hit[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** The k-th best score so far (a hit needs at least this much to enter), -Infinity while there are fewer. */
  get threshold(): number {
    return this.#heap.length < this.#limit ? -Infinity : this.#heap[0]!.score;
  }

  get full(): boolean {
    return this.#heap.length >= this.#limit;
  }

  offer(hit: Hit): void {
    const heap = this.#heap;
    if (this.#limit <= 0) return;
    if (heap.length < this.#limit) {
      heap.push(hit);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!below(heap[i]!, heap[parent]!)) break;
        [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
        i = parent;
      }
    } else if (below(heap[0]!, hit)) {
      heap[0] = hit;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && below(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && below(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
        i = smallest;
      }
    }
  }

  /** Best first; ties broken by document number so results are repeatable. */
  sorted(): Hit[] {
    return [...this.#heap].sort((a, b) => b.score - a.score || a.doc - b.doc);
  }
}

/** The flat arrays an index is made of; also its serialised form (see index-file.ts). */
export interface Bm25Parts extends SurfaceWordParts {
  /** Every term's UTF-8 bytes, in byte order, back to back; term t is terms[termStarts[t], termStarts[t + 1]). */
  terms: Uint8Array;
  termStarts: Uint32Array;
  /** Per term, the number of documents holding it (the length of its posting list). */
  df: Uint32Array;
  /** Term t's postings are postings[postingStarts[t], postingStarts[t + 1]). */
  postingStarts: Uint32Array;
  /** Per posting, in increasing document order: the gap from the previous document as a varint, then the tf code. */
  postings: Uint8Array;
  /** Per document number: lengths of title, authors, abstract. */
  lengths: Uint16Array;
  /** Document d's id is idBytes[idStarts[d], idStarts[d + 1]) in UTF-8; empty where there is no document. */
  idBytes: Uint8Array;
  idStarts: Uint32Array;
  documentCount: number;
  avgLength: [number, number, number];
  parameters: Bm25Parameters;
}

/**
 * A posting's term frequencies in title, authors and abstract fit one byte (title and authors below 4, abstract
 * below 15) for nearly every posting: tt aa bbbb. Others are this byte followed by the three frequencies.
 */
const ESCAPE = 0xff;

const tfCodeLength = (t: number, a: number, b: number) => (t < 4 && a < 4 && b < 15 ? 1 : 4);

const varintLength = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);

function writePosting(out: Uint8Array, at: number, gap: number, t: number, a: number, b: number): number {
  let p = at;
  let n = gap;
  while (n >= 0x80) {
    out[p++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[p++] = n;
  if (tfCodeLength(t, a, b) === 1) out[p++] = (t << 6) | (a << 4) | b;
  else {
    out[p++] = ESCAPE;
    out[p++] = t;
    out[p++] = a;
    out[p++] = b;
  }
  return p;
}

const utf8 = new TextEncoder();

/**
 * The varint at postings[p] (a posting's gap; its length is varintLength of it, since the writer writes the
 * shortest form). The scoring loops (accumulate, topK, #fullScore) decode inline instead: through these two
 * helpers they measured ~5% more CPU per query (bench:lexical, 133k, four alternating runs each).
 */
function readVarint(postings: Uint8Array, p: number): number {
  let value = postings[p]!;
  if (value < 0x80) return value;
  value &= 0x7f;
  let scale = 0x80;
  let byte: number;
  do {
    byte = postings[++p]!;
    value += (byte & 0x7f) * scale;
    scale *= 0x80;
  } while (byte >= 0x80);
  return value;
}

/** The field-weighted term frequency of the tf code at postings[p] (one byte, or ESCAPE and three). */
function weightedTf(postings: Uint8Array, p: number, wt: number, wa: number, wb: number): number {
  const code = postings[p]!;
  return code === ESCAPE
    ? wt * postings[p + 1]! + wa * postings[p + 2]! + wb * postings[p + 3]!
    : wt * (code >> 6) + wa * ((code >> 4) & 3) + wb * (code & 15);
}

/** A Buffer over the same memory (its utf8 slices are much faster than TextDecoder for short strings). */
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Compares the bytes a[start, end) with b, as strcmp does. */
function compareBytes(a: Uint8Array, start: number, end: number, b: Uint8Array): number {
  const n = Math.min(end - start, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[start + i]! - b[i]!;
    if (d !== 0) return d;
  }
  return end - start - b.length;
}

export class Bm25Index {
  readonly #terms: Buffer;
  readonly #termStarts: Uint32Array;
  readonly #df: Uint32Array;
  readonly #postingStarts: Uint32Array;
  readonly #postings: Uint8Array;
  readonly #lengths: Uint16Array;
  readonly #idBytes: Buffer;
  readonly #idStarts: Uint32Array;
  readonly #dead: Uint8Array;
  readonly documentCount: number;
  readonly #avgLength: [number, number, number];
  readonly #parameters: Bm25Parameters;
  /** The words of the documents as written, for prefix queries. */
  readonly surface: SurfaceWords;
  /** The number of postings (document–term pairs). */
  readonly postings: number;

  private constructor(parts: Bm25Parts) {
    this.#terms = asBuffer(parts.terms);
    this.#termStarts = parts.termStarts;
    this.#df = parts.df;
    this.#postingStarts = parts.postingStarts;
    this.#postings = parts.postings;
    this.#lengths = parts.lengths;
    this.#idBytes = asBuffer(parts.idBytes);
    this.#idStarts = parts.idStarts;
    this.#dead = new Uint8Array(Math.max(0, parts.idStarts.length - 1));
    this.documentCount = parts.documentCount;
    this.#avgLength = parts.avgLength;
    this.#parameters = parts.parameters;
    this.surface = SurfaceWords.fromParts(parts);
    let postings = 0;
    for (const df of parts.df) postings += df;
    this.postings = postings;
  }

  /** For a handful of documents (tests, small instances); large corpora go through Bm25Builder. */
  static build(documents: readonly AnalyzedDocument[], parameters: Bm25Parameters = DEFAULT_BM25): Bm25Index {
    const builder = new Bm25Builder(parameters);
    for (const document of documents) builder.add(document);
    return builder.build();
  }

  /** An index over arrays built by Bm25Builder or read back from a saved index. */
  static fromParts(parts: Bm25Parts): Bm25Index {
    return new Bm25Index(parts);
  }

  /** The arrays this index is made of (for saving it), as built: documents removed since are not recorded. */
  parts(): Bm25Parts {
    return {
      terms: this.#terms,
      termStarts: this.#termStarts,
      df: this.#df,
      postingStarts: this.#postingStarts,
      postings: this.#postings,
      lengths: this.#lengths,
      idBytes: this.#idBytes,
      idStarts: this.#idStarts,
      documentCount: this.documentCount,
      avgLength: this.#avgLength,
      parameters: this.#parameters,
      ...this.surface.parts(),
    };
  }

  /** Bytes held by the index's arrays (the length normalisers and score bounds of the last weighting included). */
  get memoryBytes(): number {
    return (
      this.#terms.byteLength +
      this.#termStarts.byteLength +
      this.#df.byteLength +
      this.#postingStarts.byteLength +
      this.#postings.byteLength +
      this.#lengths.byteLength +
      this.#idBytes.byteLength +
      this.#idStarts.byteLength +
      this.#dead.byteLength +
      this.#norms.byteLength +
      this.#topScores.byteLength +
      this.#windowScores.byteLength +
      this.#windowHeld.byteLength +
      this.#boundBytes +
      this.surface.memoryBytes
    );
  }

  get vocabularySize(): number {
    return this.#df.length;
  }

  /** The number of a term in the dictionary, or -1. */
  #termNumber(term: string): number {
    const key = utf8.encode(term);
    let lo = 0;
    let hi = this.#df.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareBytes(this.#terms, this.#termStarts[mid]!, this.#termStarts[mid + 1]!, key);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  #term(t: number): string {
    return this.#terms.toString('utf8', this.#termStarts[t]!, this.#termStarts[t + 1]!);
  }

  documentFrequency(term: string): number {
    const t = this.#termNumber(term);
    return t < 0 ? 0 : this.#df[t]!;
  }

  idf(term: string): number {
    return this.#idf(this.documentFrequency(term));
  }

  #idf(df: number): number {
    return Math.log(1 + (this.documentCount - df + 0.5) / (df + 0.5));
  }

  /** Terms of the vocabulary starting with a prefix (for prefix queries), most frequent first. */
  expandPrefix(prefix: string, limit: number): string[] {
    const key = utf8.encode(prefix);
    const terms = this.#terms;
    const starts = this.#termStarts;
    // The first term not below the prefix: the terms that start with it follow in a run.
    let lo = 0;
    let hi = this.#df.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(terms, starts[mid]!, starts[mid + 1]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    const matches: number[] = [];
    for (let t = lo; t < this.#df.length; t++) {
      const start = starts[t]!;
      if (starts[t + 1]! - start < key.length || compareBytes(terms, start, start + key.length, key) !== 0) break;
      matches.push(t);
    }
    return matches
      .sort((a, b) => this.#df[b]! - this.#df[a]! || a - b)
      .slice(0, limit)
      .map((t) => this.#term(t));
  }

  /** Calls `visit` with each posting of term number t, in document order. */
  #forEachDoc(t: number, visit: (doc: number) => void): void {
    const postings = this.#postings;
    const end = this.#postingStarts[t + 1]!;
    let doc = 0;
    for (let p = this.#postingStarts[t]!; p < end; ) {
      const gap = readVarint(postings, p);
      p += varintLength(gap);
      doc += gap;
      p += postings[p] === ESCAPE ? 4 : 1;
      visit(doc);
    }
  }

  /** The documents of term number t's postings, in increasing order. */
  #docs(t: number): Uint32Array {
    const docs = new Uint32Array(this.#df[t]!);
    let i = 0;
    this.#forEachDoc(t, (doc) => {
      docs[i++] = doc;
    });
    return docs;
  }

  /** Live documents whose postings contain every one of the terms (posting lists are sorted by document). */
  documentsWithAll(terms: readonly string[]): number[] {
    const lists = [...new Set(terms)].map((term) => this.#termNumber(term));
    if (lists.length === 0 || lists.some((t) => t < 0)) return [];
    lists.sort((a, b) => this.#df[a]! - this.#df[b]!);
    let candidates: ArrayLike<number> = this.#docs(lists[0]!);
    for (const t of lists.slice(1)) {
      const kept: number[] = [];
      let c = 0;
      this.#forEachDoc(t, (doc) => {
        while (c < candidates.length && candidates[c]! < doc) c++;
        if (c < candidates.length && candidates[c] === doc) kept.push(doc);
      });
      candidates = kept;
    }
    return Array.from(candidates).filter((doc) => this.#dead[doc] === 0);
  }

  /** Every term of the vocabulary with its document frequency. */
  *termFrequencies(): IterableIterator<[string, number]> {
    for (let t = 0; t < this.#df.length; t++) yield [this.#term(t), this.#df[t]!];
  }

  /** Live documents whose postings contain any of the terms. */
  documentsWithAny(terms: readonly string[]): Set<number> {
    const result = new Set<number>();
    for (const term of new Set(terms)) {
      const t = this.#termNumber(term);
      if (t < 0) continue;
      this.#forEachDoc(t, (doc) => {
        if (this.#dead[doc] === 0) result.add(doc);
      });
    }
    return result;
  }

  /** Marks a document as gone (deleted or replaced by a newer version held elsewhere). */
  remove(doc: number): void {
    if (doc < this.#dead.length) this.#dead[doc] = 1;
  }

  has(doc: number): boolean {
    return doc < this.#dead.length && this.#idStarts[doc] !== this.#idStarts[doc + 1] && this.#dead[doc] === 0;
  }

  #normsFor: string | null = null;
  #norms = new Float32Array(0);

  /** Per document, the weighted length normaliser k1 · (1 − b + b · dl / avgdl), computed once per weighting. */
  #lengthNorms(weights: FieldWeights): Float32Array {
    const key = weightsKey(weights);
    if (this.#normsFor === key) return this.#norms;
    const { k1, b } = this.#parameters;
    const l = this.#lengths;
    const avg = Math.max(
      1e-9,
      weights.title * this.#avgLength[0] + weights.authors * this.#avgLength[1] + weights.abstract * this.#avgLength[2],
    );
    const norms = new Float32Array(this.#dead.length);
    for (let doc = 0; doc < norms.length; doc++) {
      const dl = weights.title * l[doc * 3]! + weights.authors * l[doc * 3 + 1]! + weights.abstract * l[doc * 3 + 2]!;
      norms[doc] = k1 * (1 - b + (b * dl) / avg);
    }
    this.#normsFor = key;
    this.#norms = norms;
    return norms;
  }

  #matchBits = new Uint32Array(0);

  /**
   * The live documents holding any of the terms with a weighted frequency above zero (those accumulate
   * touches), as a bitmap over document numbers valid until the next call, and how many there are: the count
   * of a search without scoring every posting.
   */
  matchSet(terms: readonly string[], weights: FieldWeights): { count: number; has(doc: number): boolean } {
    const words = (this.maxDoc >>> 5) + 1;
    if (this.#matchBits.length < words) this.#matchBits = new Uint32Array(words);
    else this.#matchBits.fill(0, 0, words);
    const bits = this.#matchBits;
    const starts = this.#postingStarts;
    const postings = this.#postings;
    const dead = this.#dead;
    const wt = weights.title;
    const wa = weights.authors;
    const wb = weights.abstract;
    let count = 0;
    for (const term of new Set(terms)) {
      const t = this.#termNumber(term);
      if (t < 0) continue;
      const end = starts[t + 1]!;
      let doc = 0;
      for (let p = starts[t]!; p < end; ) {
        let gap = postings[p++]!;
        if (gap >= 0x80) {
          gap &= 0x7f;
          let scale = 0x80;
          let byte: number;
          do {
            byte = postings[p++]!;
            gap += (byte & 0x7f) * scale;
            scale *= 0x80;
          } while (byte >= 0x80);
        }
        doc += gap;
        const code = postings[p++]!;
        let tf: number;
        if (code === ESCAPE) {
          tf = wt * postings[p]! + wa * postings[p + 1]! + wb * postings[p + 2]!;
          p += 3;
        } else tf = wt * (code >> 6) + wa * ((code >> 4) & 3) + wb * (code & 15);
        if (tf === 0 || dead[doc] === 1) continue;
        const word = doc >>> 5;
        const bit = 1 << (doc & 31);
        if ((bits[word]! & bit) === 0) {
          bits[word] = bits[word]! | bit;
          count++;
        }
      }
    }
    const maxDoc = this.maxDoc;
    return { count, has: (doc) => doc <= maxDoc && (bits[doc >>> 5]! & (1 << (doc & 31))) !== 0 };
  }

  /**
   * Adds each term's contribution to `scores` (indexed by document number); lists newly touched documents.
   * With `k`, rare terms go first, and once the terms left could not lift a paper that has none of the
   * terms so far above the k-th best score seen, those terms only update papers already touched (the
   * MaxScore idea): the top k are exactly those of full scoring, at a fraction of the work on common words.
   */
  accumulate(terms: readonly string[], weights: FieldWeights, scores: Float32Array, touched: number[], k = 0): void {
    const k1 = this.#parameters.k1;
    const norms = this.#lengthNorms(weights);
    const starts = this.#postingStarts;
    const postings = this.#postings;
    const dead = this.#dead;
    const wt = weights.title;
    const wa = weights.authors;
    const wb = weights.abstract;
    const known = terms
      .flatMap((term) => {
        const t = this.#termNumber(term);
        return t < 0 ? [] : [{ t, boost: this.#idf(this.#df[t]!) * (k1 + 1) }];
      })
      .sort((a, b) => b.boost - a.boost);
    // No term adds more than its boost (tf / (tf + norm) < 1): what the remaining terms can add at most.
    let remaining = known.reduce((sum, term) => sum + term.boost, 0);
    // The k-th best score so far, taken once, before the first common term: scores only grow, so it stays a
    // valid lower bound of the final k-th best.
    let floor = -Infinity;
    let touchedOnly = false;
    const common = this.documentCount * COMMON_FRACTION;
    for (const { t, boost } of known) {
      if (k > 0 && floor === -Infinity && touched.length >= k && this.#df[t]! > common) {
        floor = kthLargest(scores, touched, k);
      }
      if (remaining < floor) touchedOnly = true;
      remaining -= boost;
      const end = starts[t + 1]!;
      let doc = 0;
      for (let p = starts[t]!; p < end; ) {
        let gap = postings[p++]!;
        if (gap >= 0x80) {
          gap &= 0x7f;
          let scale = 0x80;
          let byte: number;
          do {
            byte = postings[p++]!;
            gap += (byte & 0x7f) * scale;
            scale *= 0x80;
          } while (byte >= 0x80);
        }
        doc += gap;
        const code = postings[p++]!;
        let tt: number;
        let ta: number;
        let tb: number;
        if (code === ESCAPE) {
          tt = postings[p]!;
          ta = postings[p + 1]!;
          tb = postings[p + 2]!;
          p += 3;
        } else {
          tt = code >> 6;
          ta = (code >> 4) & 3;
          tb = code & 15;
        }
        if (touchedOnly && scores[doc] === 0) continue;
        const tf = wt * tt + wa * ta + wb * tb;
        if (tf === 0 || dead[doc] === 1) continue;
        if (scores[doc] === 0) touched.push(doc);
        scores[doc]! += (boost * tf) / (tf + norms[doc]!);
      }
    }
  }

  /** Per weighting (the last two used; a process normally uses one), the bounds of the terms queried so far. */
  readonly #bounds = new Map<string, Map<number, TermBounds>>();
  #boundBytes = 0;

  /** Computes the bounds of every term for a weighting now rather than at each term's first query. */
  prepare(weights: FieldWeights): void {
    for (let t = 0; t < this.#df.length; t++) this.#termBounds(t, weights);
  }

  /**
   * Computes, for a weighting, the bounds of the terms with more than LONG_LIST postings (a term's first query
   * would otherwise pay a pass over its whole list: milliseconds for the common words at 1M papers), from term
   * `from` on, until `deadline` (performance.now()). Returns the term to go on from: the vocabulary's size when
   * done.
   */
  prepareLong(weights: FieldWeights, from: number, deadline: number): number {
    const df = this.#df;
    let t = from;
    while (t < df.length) {
      if (df[t++]! > LONG_LIST) {
        this.#termBounds(t - 1, weights);
        if (performance.now() >= deadline) break;
      }
    }
    return t;
  }

  /**
   * The most term t adds to any score under a weighting, and, for a list longer than a block, per block of
   * BLOCK_POSTINGS postings: where it starts, its last document and the most it adds there. Computed on the
   * term's first query with that weighting (one pass over its postings), then kept.
   */
  #termBounds(t: number, weights: FieldWeights): TermBounds {
    const key = weightsKey(weights);
    let byTerm = this.#bounds.get(key);
    if (!byTerm) {
      if (this.#bounds.size >= 2) {
        const oldest = this.#bounds.keys().next().value!;
        for (const bounds of this.#bounds.get(oldest)!.values()) this.#boundBytes -= boundBytes(bounds);
        this.#bounds.delete(oldest);
      }
      byTerm = new Map();
      this.#bounds.set(key, byTerm);
    }
    const cached = byTerm.get(t);
    if (cached) return cached;
    const norms = this.#lengthNorms(weights);
    const postings = this.#postings;
    const df = this.#df[t]!;
    const boost = this.#idf(df) * (this.#parameters.k1 + 1);
    const blocks = df > BLOCK_POSTINGS ? Math.ceil(df / BLOCK_POSTINGS) : 0;
    const offsets = new Uint32Array(blocks);
    const last = new Uint32Array(blocks);
    const blockMax = new Float32Array(blocks);
    const wt = weights.title;
    const wa = weights.authors;
    const wb = weights.abstract;
    // Block by block (one block of every posting for a short list), decoding inline as the scoring loops do:
    // through readVarint and weightedTf, the lists of more than LONG_LIST postings at 1M papers took 1.8 to 2.3 s
    // of CPU, against 1.3 s.
    const size = blocks > 0 ? BLOCK_POSTINGS : df;
    let termMax = 0;
    let doc = 0;
    let p = this.#postingStarts[t]!;
    for (let b = 0, left = df; left > 0; b++, left -= size) {
      if (blocks > 0) offsets[b] = p;
      let best = 0;
      for (let i = Math.min(size, left); i > 0; i--) {
        let gap = postings[p++]!;
        if (gap >= 0x80) {
          gap &= 0x7f;
          let scale = 0x80;
          let byte: number;
          do {
            byte = postings[p++]!;
            gap += (byte & 0x7f) * scale;
            scale *= 0x80;
          } while (byte >= 0x80);
        }
        doc += gap;
        const code = postings[p++]!;
        let tf: number;
        if (code === ESCAPE) {
          tf = wt * postings[p]! + wa * postings[p + 1]! + wb * postings[p + 2]!;
          p += 3;
        } else tf = wt * (code >> 6) + wa * ((code >> 4) & 3) + wb * (code & 15);
        if (tf === 0) continue;
        const contribution = (boost * tf) / (tf + norms[doc]!);
        if (contribution > best) best = contribution;
      }
      if (blocks > 0) {
        last[b] = doc;
        blockMax[b] = roundUp(best);
      }
      if (best > termMax) termMax = best;
    }
    const bounds = { max: roundUp(termMax), offsets, last, blockMax };
    byTerm.set(t, bounds);
    this.#boundBytes += boundBytes(bounds);
    return bounds;
  }

  #topScores = new Float32Array(0);
  readonly #windowScores = new Float32Array(WINDOW);
  readonly #windowHeld = new Int32Array(WINDOW / 32);

  /** A document's score for the terms (in their summing order), each looked up in its list: one block each. */
  #fullScore(
    doc: number,
    known: readonly { t: number; boost: number; bounds: TermBounds }[],
    weights: FieldWeights,
  ): number {
    const postings = this.#postings;
    const norm = this.#lengthNorms(weights)[doc]!;
    let score = 0;
    for (const { t, boost, bounds } of known) {
      const last = bounds.last;
      let p = this.#postingStarts[t]!;
      let end = this.#postingStarts[t + 1]!;
      let current = 0;
      if (last.length > 0) {
        // The first block whose last document is not before doc.
        let lo = 0;
        let hi = last.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (last[mid]! < doc) lo = mid + 1;
          else hi = mid;
        }
        if (lo === last.length) continue;
        p = bounds.offsets[lo]!;
        if (lo + 1 < last.length) end = bounds.offsets[lo + 1]!;
        current = lo > 0 ? last[lo - 1]! : 0;
      }
      while (p < end) {
        let gap = postings[p++]!;
        if (gap >= 0x80) {
          gap &= 0x7f;
          let scale = 0x80;
          let byte: number;
          do {
            byte = postings[p++]!;
            gap += (byte & 0x7f) * scale;
            scale *= 0x80;
          } while (byte >= 0x80);
        }
        current += gap;
        const code = postings[p++]!;
        if (current < doc) {
          if (code === ESCAPE) p += 3;
          continue;
        }
        if (current === doc) {
          const tf =
            code === ESCAPE
              ? weights.title * postings[p]! + weights.authors * postings[p + 1]! + weights.abstract * postings[p + 2]!
              : weights.title * (code >> 6) + weights.authors * ((code >> 4) & 3) + weights.abstract * (code & 15);
          if (tf > 0) score = Math.fround(score + (boost * tf) / (tf + norm));
        }
        break;
      }
    }
    return score;
  }

  /**
   * The best k live documents for the terms, best first (ties: the earlier document), with exactly the scores
   * and order of scoring every posting (accumulate with k = 0): each paper's contributions are summed in float32
   * in the same term order (rare terms first). MaxScore with block bounds, a window of WINDOW documents at a time:
   *
   * - The floor (what a paper needs to enter) starts as the k-th best full score of a few likely papers (from
   *   the best-bounded blocks of the two rarest terms), then is the k-th best score found so far, which only
   *   rises: the final k-th best can only be higher.
   * - Terms 0 .. e - 1 are essential: a paper holding none of them scores at most the other terms' bounds,
   *   under the floor. In each window, the essential terms' postings are summed term by term; as the floor
   *   rises, e falls for the next windows, so the rarer terms' lists too stop being read in full. Where a
   *   block's bound plus the later terms' cannot reach the floor, the block adds no new papers, and the
   *   first term passes over such blocks undecoded (so a query of one or two words reads few blocks).
   * - Then each paper they hold, in document order, is looked up in the other terms' lists (forward only,
   *   passing over blocks that end before it undecoded), and dropped as soon as its partial score plus the
   *   block bounds of the terms left at it cannot reach the floor.
   */
  topK(terms: readonly string[], weights: FieldWeights, k: number): Hit[] {
    if (k <= 0) return [];
    const k1 = this.#parameters.k1;
    const norms = this.#lengthNorms(weights);
    const postings = this.#postings;
    const dead = this.#dead;
    const wt = weights.title;
    const wa = weights.authors;
    const wb = weights.abstract;
    const known = terms
      .flatMap((term) => {
        const t = this.#termNumber(term);
        return t < 0 ? [] : [{ t, boost: this.#idf(this.#df[t]!) * (k1 + 1), bounds: this.#termBounds(t, weights) }];
      })
      .sort((a, b) => b.boost - a.boost);
    const n = known.length;
    if (n === 0) return [];
    const bounds = known.map((term) => term.bounds);
    const boost = Float64Array.from(known, (term) => term.boost);
    // What the terms from i on add at most.
    const rest = new Float64Array(n + 1);
    for (let i = n - 1; i >= 0; i--) rest[i] = rest[i + 1]! + bounds[i]!.max;
    const safe = (bound: number, floor: number) => bound * SAFETY <= floor;

    // One cursor per term: the byte after its current posting, the list's end, the current document (END when
    // done) and weighted term frequency, and the block of the current posting.
    const at = new Float64Array(n);
    const end = new Float64Array(n);
    const cur = new Float64Array(n);
    const tf = new Float64Array(n);
    const block = new Int32Array(n);
    const reset = (i: number) => {
      at[i] = this.#postingStarts[known[i]!.t]!;
      end[i] = this.#postingStarts[known[i]!.t + 1]!;
      cur[i] = 0;
      block[i] = 0;
    };
    /** Moves cursor i to its next posting. */
    const advance = (i: number) => {
      let p = at[i]!;
      if (p >= end[i]!) {
        cur[i] = END;
        return;
      }
      let gap = postings[p++]!;
      if (gap >= 0x80) {
        gap &= 0x7f;
        let scale = 0x80;
        let byte: number;
        do {
          byte = postings[p++]!;
          gap += (byte & 0x7f) * scale;
          scale *= 0x80;
        } while (byte >= 0x80);
      }
      const code = postings[p++]!;
      if (code === ESCAPE) {
        tf[i] = wt * postings[p]! + wa * postings[p + 1]! + wb * postings[p + 2]!;
        p += 3;
      } else tf[i] = wt * (code >> 6) + wa * ((code >> 4) & 3) + wb * (code & 15);
      cur[i]! += gap;
      at[i] = p;
    };
    /**
     * Moves cursor i to its first posting at or after target: blocks that end before it are not decoded, nor
     * the frequencies of the postings passed over. block[i] is a block at or before the current posting's.
     */
    const seek = (i: number, target: number) => {
      let doc = cur[i]!;
      if (doc >= target) return;
      let p = at[i]!;
      const { offsets, last } = bounds[i]!;
      if (offsets.length > 0) {
        let x = block[i]!;
        while (x < offsets.length && last[x]! < target) x++;
        block[i] = x;
        if (x === offsets.length) {
          cur[i] = END;
          at[i] = end[i]!;
          return;
        }
        if (offsets[x]! >= p) {
          p = offsets[x]!;
          doc = x > 0 ? last[x - 1]! : 0;
        }
      }
      const stop = end[i]!;
      for (;;) {
        if (p >= stop) {
          cur[i] = END;
          at[i] = p;
          return;
        }
        let gap = postings[p++]!;
        if (gap >= 0x80) {
          gap &= 0x7f;
          let scale = 0x80;
          let byte: number;
          do {
            byte = postings[p++]!;
            gap += (byte & 0x7f) * scale;
            scale *= 0x80;
          } while (byte >= 0x80);
        }
        doc += gap;
        const code = postings[p++]!;
        if (doc >= target) {
          if (code === ESCAPE) {
            tf[i] = wt * postings[p]! + wa * postings[p + 1]! + wb * postings[p + 2]!;
            p += 3;
          } else tf[i] = wt * (code >> 6) + wa * ((code >> 4) & 3) + wb * (code & 15);
          cur[i] = doc;
          at[i] = p;
          return;
        }
        if (code === ESCAPE) p += 3;
      }
    };

    // The first floor: the k-th best full score of the papers with the largest contributions in the
    // best-bounded blocks of the two rarest terms.
    const likely = new Set<number>();
    for (let i = 0; i < Math.min(n, 2); i++) {
      const { offsets, last, blockMax } = bounds[i]!;
      const best = new TopK(k);
      for (const x of offsets.length === 0 ? [-1] : largest(blockMax, SEED_BLOCKS)) {
        reset(i);
        if (x >= 0) {
          block[i] = x;
          at[i] = offsets[x]!;
          cur[i] = x > 0 ? last[x - 1]! : 0;
        }
        const stop = x >= 0 && x + 1 < offsets.length ? offsets[x + 1]! : end[i]!;
        while (at[i]! < stop) {
          advance(i);
          const doc = cur[i]!;
          const w = tf[i]!;
          if (w > 0 && dead[doc] === 0) best.offer({ doc, id: '', score: (boost[i]! * w) / (w + norms[doc]!) });
        }
      }
      for (const hit of best.sorted()) likely.add(hit.doc);
    }
    const seeds = new TopK(k);
    for (const doc of likely) {
      const score = this.#fullScore(doc, known, weights);
      if (score > 0) seeds.offer({ doc, id: '', score });
    }
    let floor = seeds.threshold;
    // Terms 0 .. e - 1 are essential: a paper none of them holds scores at most rest[e], under the floor.
    let e = n;
    const shrink = () => {
      while (e > 0 && safe(rest[e - 1]!, floor)) e--;
    };
    shrink();
    for (let i = 0; i < n; i++) {
      reset(i);
      advance(i);
    }

    const top = new TopK(k);
    // Per term from e on, what the terms from it on add at most at the current paper (their block bounds).
    const left = new Float64Array(n + 1);
    const boundBlock = new Int32Array(n);
    // A window of documents at a time: the essential terms' postings in it are summed term by term, then the
    // papers they hold are finished in document order.
    const scores = this.#windowScores;
    const held = this.#windowHeld;
    for (;;) {
      let first = END;
      for (let i = 0; i < e; i++) if (cur[i]! < first) first = cur[i]!;
      if (first === END) break;
      const base = first - (first % WINDOW);
      const limit = base + WINDOW;
      const essential = e;
      let leftUntil = -1;
      for (let i = 0; i < essential; i++) {
        let doc = cur[i]!;
        if (doc >= limit) continue;
        const b = boost[i]!;
        const stop = end[i]!;
        const { offsets, last, blockMax, max } = bounds[i]!;
        const blocks = offsets.length;
        const after = rest[i + 1]!;
        let w = tf[i]!;
        let p = at[i]!;
        // The block of the current posting, and whether a paper no earlier term holds can reach the floor
        // with this block: if not, it is left out (should a later term add to it, its partial sum stays below
        // the floor, where the k best, whose sums are all whole, never fall). The first term skips such
        // blocks undecoded.
        let x = block[i]!;
        while (x + 1 < blocks && offsets[x + 1]! < p) x++;
        let blockEnd = x + 1 < blocks ? offsets[x + 1]! : stop;
        let admit = !safe((blocks > 0 ? blockMax[x]! : max) + after, floor);
        // advance(i) inlined: this loop is where most postings are read.
        for (;;) {
          if (w > 0 && dead[doc] === 0) {
            const at = doc - base;
            const score = scores[at]!;
            if (score !== 0 || admit) {
              if (score === 0) held[at >>> 5]! |= 1 << (at & 31);
              scores[at] = score + (b * w) / (w + norms[doc]!);
            }
          }
          if (p >= stop) {
            doc = END;
            break;
          }
          if (p >= blockEnd) {
            x++;
            blockEnd = x + 1 < blocks ? offsets[x + 1]! : stop;
            admit = !safe(blockMax[x]! + after, floor);
            if (i === 0) {
              while (!admit && blockEnd < stop) {
                doc = last[x]!;
                p = blockEnd;
                x++;
                blockEnd = x + 1 < blocks ? offsets[x + 1]! : stop;
                admit = !safe(blockMax[x]! + after, floor);
              }
              if (!admit) {
                doc = END;
                p = stop;
                break;
              }
            }
          }
          let gap = postings[p++]!;
          if (gap >= 0x80) {
            gap &= 0x7f;
            let scale = 0x80;
            let byte: number;
            do {
              byte = postings[p++]!;
              gap += (byte & 0x7f) * scale;
              scale *= 0x80;
            } while (byte >= 0x80);
          }
          doc += gap;
          const code = postings[p++]!;
          if (code === ESCAPE) {
            w = wt * postings[p]! + wa * postings[p + 1]! + wb * postings[p + 2]!;
            p += 3;
          } else w = wt * (code >> 6) + wa * ((code >> 4) & 3) + wb * (code & 15);
          if (doc >= limit) break;
        }
        cur[i] = doc;
        tf[i] = w;
        at[i] = p;
        block[i] = x;
      }
      for (let word = 0; word < WINDOW / 32; word++) {
        let bits = held[word]!;
        if (bits === 0) continue;
        held[word] = 0;
        while (bits !== 0) {
          const bit = 31 - Math.clz32(bits & -bits);
          bits &= bits - 1;
          const at = word * 32 + bit;
          const d = base + at;
          let score = scores[at]!;
          scores[at] = 0;
          if (essential < n) {
            if (safe(score + rest[essential]!, floor)) continue;
            if (d > leftUntil) {
              // The blocks at d, and until where they all hold.
              leftUntil = END;
              for (let j = n - 1; j >= essential; j--) {
                const { last, blockMax, max } = bounds[j]!;
                let bound = max;
                if (last.length > 0) {
                  let x = boundBlock[j]!;
                  while (x < last.length && last[x]! < d) x++;
                  boundBlock[j] = x;
                  bound = x < last.length ? blockMax[x]! : 0;
                  if (x < last.length && last[x]! < leftUntil) leftUntil = last[x]!;
                }
                left[j] = left[j + 1]! + bound;
              }
            }
            let j = essential;
            for (; j < n && !safe(score + left[j]!, floor); j++) {
              seek(j, d);
              if (cur[j] !== d) continue;
              const w = tf[j]!;
              if (w > 0) score = Math.fround(score + (boost[j]! * w) / (w + norms[d]!));
            }
            if (j < n) continue;
          }
          if (!top.full || score > top.threshold) {
            top.offer({ doc: d, id: '', score });
            if (top.full && top.threshold > floor) {
              floor = top.threshold;
              shrink();
            }
          }
        }
      }
    }
    return top.sorted().map((hit) => ({ ...hit, id: this.id(hit.doc)! }));
  }

  /**
   * The same top k as topK, term at a time: every posting of the rarer terms, until the terms left could not
   * lift an untouched paper to the k-th best; then only the candidates still able to enter are followed,
   * block by block. The previous method, kept for bench:lexical's side-by-side timing and as a second exact
   * implementation the tests compare with brute force.
   */
  topKTermAtATime(terms: readonly string[], weights: FieldWeights, k: number): Hit[] {
    if (k <= 0) return [];
    const k1 = this.#parameters.k1;
    const norms = this.#lengthNorms(weights);
    const starts = this.#postingStarts;
    const postings = this.#postings;
    const dead = this.#dead;
    const wt = weights.title;
    const wa = weights.authors;
    const wb = weights.abstract;
    const known = terms
      .flatMap((term) => {
        const t = this.#termNumber(term);
        return t < 0 ? [] : [{ t, boost: this.#idf(this.#df[t]!) * (k1 + 1), bounds: this.#termBounds(t, weights) }];
      })
      .sort((a, b) => b.boost - a.boost);
    if (this.#topScores.length <= this.maxDoc) this.#topScores = new Float32Array(this.maxDoc + 1);
    const scores = this.#topScores;
    const touched: number[] = [];
    // What the terms from i on add at most, and what any score so far is at most.
    const rest = new Float64Array(known.length + 1);
    for (let i = known.length - 1; i >= 0; i--) rest[i] = rest[i + 1]! + known[i]!.bounds.max;
    const safe = (bound: number, floor: number) => bound * SAFETY <= floor;
    let floor = -Infinity;
    const full = new TopK(k);
    const fullyScored = new Set<number>();
    let i = 0;
    // Every posting of the rarer terms, until the terms left could not lift an untouched paper to the floor.
    for (; i < known.length; i++) {
      if (i > 0 && touched.length >= k) {
        // The floor: the k-th best full score of the k papers with the best partial scores, each looked up in
        // every term's list (a block each). The final k-th best can only be higher.
        const best = new TopK(k);
        let least = -Infinity;
        for (const doc of touched) {
          if (scores[doc]! > least) {
            best.offer({ doc, id: '', score: scores[doc]! });
            least = best.threshold;
          }
        }
        for (const { doc } of best.sorted()) {
          if (fullyScored.has(doc)) continue;
          fullyScored.add(doc);
          full.offer({ doc, id: '', score: this.#fullScore(doc, known, weights) });
        }
        floor = full.threshold;
        if (safe(rest[i]!, floor)) break;
      }
      const { t, boost, bounds } = known[i]!;
      const end = starts[t + 1]!;
      const blocks = bounds.offsets.length;
      // A paper none of the terms so far holds gets at most this term's block bound and the rest: where that
      // cannot reach the floor, only papers already touched are updated.
      const fresh = (bound: number) => !safe(bound + rest[i + 1]!, floor);
      let b = 0;
      let blockEnd = blocks > 1 ? bounds.offsets[1]! : end;
      let admit = fresh(blocks > 0 ? bounds.blockMax[0]! : bounds.max);
      let doc = 0;
      for (let p = starts[t]!; p < end; ) {
        if (p >= blockEnd) {
          b++;
          blockEnd = b + 1 < blocks ? bounds.offsets[b + 1]! : end;
          admit = fresh(bounds.blockMax[b]!);
        }
        const gap = readVarint(postings, p);
        p += varintLength(gap);
        doc += gap;
        const tf = weightedTf(postings, p, wt, wa, wb);
        p += postings[p] === ESCAPE ? 4 : 1;
        if (tf === 0 || dead[doc] === 1) continue;
        if (scores[doc] === 0) {
          // Left out, it may be touched by a later term and get a partial sum, but one below the floor, where
          // the k best (whose sums are all whole) never fall.
          if (!admit) continue;
          touched.push(doc);
        }
        scores[doc]! += (boost * tf) / (tf + norms[doc]!);
      }
    }
    let candidates: Int32Array = Int32Array.from(touched);
    if (i < known.length) {
      // The candidates that may still reach the floor, in document order; the others are out (score -1).
      const keep = (left: number) => {
        let kept = 0;
        for (const doc of candidates) {
          if (scores[doc]! >= 0 && !safe(scores[doc]! + left, floor)) candidates[kept++] = doc;
          else scores[doc] = -1;
        }
        candidates = candidates.subarray(0, kept);
      };
      keep(rest[i]!);
      candidates.sort();
      for (; i < known.length && candidates.length > 0; i++) {
        const { t, boost, bounds } = known[i]!;
        const left = rest[i + 1]!;
        const blocks = bounds.offsets.length;
        let c = 0;
        // One range per block (the whole list when it has none): [first document, last document].
        for (let b = 0; b < Math.max(1, blocks) && c < candidates.length; b++) {
          const from = blocks === 0 ? 0 : b === 0 ? 0 : bounds.last[b - 1]! + 1;
          const to = blocks === 0 ? END : bounds.last[b]!;
          while (c < candidates.length && candidates[c]! < from) c++;
          if (c === candidates.length || candidates[c]! > to) continue;
          if (blocks > 0) {
            let best = -1;
            for (let j = c; j < candidates.length && candidates[j]! <= to; j++)
              best = Math.max(best, scores[candidates[j]!]!);
            if (safe(best + bounds.blockMax[b]! + left, floor)) {
              // None of these candidates can reach the floor, whatever they score here.
              for (; c < candidates.length && candidates[c]! <= to; c++) scores[candidates[c]!] = -1;
              continue;
            }
          }
          let p = blocks === 0 ? starts[t]! : bounds.offsets[b]!;
          const end = blocks === 0 || b === blocks - 1 ? starts[t + 1]! : bounds.offsets[b + 1]!;
          let doc = from === 0 ? 0 : from - 1;
          while (p < end && c < candidates.length) {
            const gap = readVarint(postings, p);
            p += varintLength(gap);
            doc += gap;
            const code = postings[p++]!;
            while (c < candidates.length && candidates[c]! < doc) c++;
            if (c === candidates.length) break;
            if (candidates[c] !== doc) {
              if (code === ESCAPE) p += 3;
              continue;
            }
            let tf: number;
            if (code === ESCAPE) {
              tf = wt * postings[p]! + wa * postings[p + 1]! + wb * postings[p + 2]!;
              p += 3;
            } else tf = wt * (code >> 6) + wa * ((code >> 4) & 3) + wb * (code & 15);
            if (tf > 0 && scores[doc]! >= 0) scores[doc]! += (boost * tf) / (tf + norms[doc]!);
          }
        }
        floor = Math.max(floor, kthLargest(scores, candidates, k));
        keep(left);
      }
    }
    const top = new TopK(k);
    for (const doc of candidates) if (scores[doc]! > 0) top.offer({ doc, id: '', score: scores[doc]! });
    for (const doc of touched) scores[doc] = 0;
    return top.sorted().map((hit) => ({ ...hit, id: this.id(hit.doc)! }));
  }

  /**
   * A new index of this one's live documents and `added` (a document of this index that is also in `added` is
   * replaced by it), without analysing any text again: every posting list is decoded, stripped of removed and
   * replaced documents, merged with the added documents' postings and encoded afresh; statistics (document
   * count, frequencies, average lengths) are those of the new set of documents. It ranks exactly as an index
   * built from scratch over the same documents.
   */
  merged(added: readonly DocumentTerms[]): Bm25Index {
    const replaced = new Set(added.map((d) => d.doc));
    const live = (doc: number) => this.#dead[doc] === 0 && !replaced.has(doc);
    // The added documents' postings by term, in document order.
    const byTerm = new Map<string, { doc: number; tf: [number, number, number] }[]>();
    for (const d of [...added].sort((a, b) => a.doc - b.doc)) {
      for (const [term, tf] of d.terms) {
        let list = byTerm.get(term);
        if (!list) {
          list = [];
          byTerm.set(term, list);
        }
        list.push({ doc: d.doc, tf });
      }
    }
    const newTerms = [...byTerm.keys()]
      .map((term) => ({ term, bytes: Buffer.from(term) }))
      .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    const vocabularySize = this.#df.length;
    // Posting bytes: at most those kept, plus at most 9 bytes per added posting.
    let addedPostings = 0;
    for (const list of byTerm.values()) addedPostings += list.length;
    const out = new Uint8Array(this.#postings.length + addedPostings * 9);
    let at = 0;
    const termBytes: Uint8Array[] = [];
    const dfs: number[] = [];
    const postingStarts: number[] = [0];
    const postings = this.#postings;
    const emit = (bytes: Uint8Array, t: number, extra: { doc: number; tf: [number, number, number] }[]) => {
      const start = at;
      let df = 0;
      let last = 0;
      let e = 0;
      const put = (doc: number, tt: number, ta: number, tb: number) => {
        at = writePosting(out, at, doc - last, tt, ta, tb);
        last = doc;
        df++;
      };
      if (t >= 0) {
        const end = this.#postingStarts[t + 1]!;
        let doc = 0;
        for (let p = this.#postingStarts[t]!; p < end; ) {
          const gap = readVarint(postings, p);
          p += varintLength(gap);
          doc += gap;
          const code = postings[p++]!;
          let tt: number;
          let ta: number;
          let tb: number;
          if (code === ESCAPE) {
            tt = postings[p]!;
            ta = postings[p + 1]!;
            tb = postings[p + 2]!;
            p += 3;
          } else {
            tt = code >> 6;
            ta = (code >> 4) & 3;
            tb = code & 15;
          }
          while (e < extra.length && extra[e]!.doc < doc) {
            const x = extra[e++]!;
            put(x.doc, ...x.tf);
          }
          if (live(doc)) put(doc, tt, ta, tb);
        }
      }
      for (; e < extra.length; e++) put(extra[e]!.doc, ...extra[e]!.tf);
      if (df === 0) {
        at = start;
        return;
      }
      termBytes.push(bytes);
      dfs.push(df);
      postingStarts.push(at);
    };
    // The two dictionaries are in byte order: merge them.
    let t = 0;
    let a = 0;
    while (t < vocabularySize || a < newTerms.length) {
      const baseTerm = t < vocabularySize ? this.#terms.subarray(this.#termStarts[t]!, this.#termStarts[t + 1]!) : null;
      const c = baseTerm === null ? 1 : a === newTerms.length ? -1 : Buffer.compare(baseTerm, newTerms[a]!.bytes);
      if (c < 0) emit(baseTerm!, t++, []);
      else if (c > 0) {
        emit(newTerms[a]!.bytes, -1, byTerm.get(newTerms[a]!.term)!);
        a++;
      } else {
        emit(baseTerm!, t++, byTerm.get(newTerms[a]!.term)!);
        a++;
      }
    }
    const termStarts = new Uint32Array(termBytes.length + 1);
    termBytes.forEach((bytes, i) => {
      termStarts[i + 1] = termStarts[i]! + bytes.length;
    });
    const terms = new Uint8Array(termStarts[termBytes.length]!);
    termBytes.forEach((bytes, i) => {
      terms.set(bytes, termStarts[i]);
    });
    // Lengths and ids: the live documents' own, then the added ones.
    const maxDoc = added.reduce((max, d) => Math.max(max, d.doc), Math.max(0, this.maxDoc));
    const lengths = new Uint16Array((maxDoc + 1) * 3);
    const ids: (Uint8Array | undefined)[] = new Array(maxDoc + 1);
    const total: [number, number, number] = [0, 0, 0];
    let documentCount = 0;
    for (let doc = 0; doc <= this.maxDoc; doc++) {
      const start = this.#idStarts[doc]!;
      const end = this.#idStarts[doc + 1]!;
      if (start === end || !live(doc)) continue;
      ids[doc] = this.#idBytes.subarray(start, end);
      for (let f = 0; f < 3; f++) {
        lengths[doc * 3 + f] = this.#lengths[doc * 3 + f]!;
        total[f]! += this.#lengths[doc * 3 + f]!;
      }
      documentCount++;
    }
    for (const d of added) {
      ids[d.doc] = Buffer.from(d.id);
      for (let f = 0; f < 3; f++) {
        lengths[d.doc * 3 + f] = Math.min(d.lengths[f]!, 65_535);
        total[f]! += d.lengths[f]!;
      }
      documentCount++;
    }
    const idStarts = new Uint32Array(maxDoc + 2);
    for (let doc = 0; doc <= maxDoc; doc++) idStarts[doc + 1] = idStarts[doc]! + (ids[doc]?.length ?? 0);
    const idBytes = new Uint8Array(idStarts[maxDoc + 1]!);
    for (let doc = 0; doc <= maxDoc; doc++) if (ids[doc]) idBytes.set(ids[doc]!, idStarts[doc]);
    const count = Math.max(1, documentCount);
    return Bm25Index.fromParts({
      terms,
      termStarts,
      df: Uint32Array.from(dfs),
      postingStarts: Uint32Array.from(postingStarts),
      postings: out.slice(0, at),
      lengths,
      idBytes,
      idStarts,
      documentCount,
      avgLength: [total[0] / count, total[1] / count, total[2] / count],
      parameters: this.#parameters,
      ...this.surface.with(added.flatMap((d) => d.words)).parts(),
    });
  }

  /** Scores one document not in the postings (a recent change) with this index's statistics. */
  scoreDocument(d: DocumentTerms, terms: readonly string[], weights: FieldWeights): number {
    const { k1, b } = this.#parameters;
    const dl = weights.title * d.lengths[0] + weights.authors * d.lengths[1] + weights.abstract * d.lengths[2];
    const avg =
      weights.title * this.#avgLength[0] + weights.authors * this.#avgLength[1] + weights.abstract * this.#avgLength[2];
    const norm = k1 * (1 - b + (b * dl) / Math.max(avg, 1e-9));
    let score = 0;
    for (const term of terms) {
      const tfs = d.terms.get(term);
      if (!tfs) continue;
      const tf = weights.title * tfs[0] + weights.authors * tfs[1] + weights.abstract * tfs[2];
      if (tf > 0) score += (this.idf(term) * tf * (k1 + 1)) / (tf + norm);
    }
    return score;
  }

  id(doc: number): string | undefined {
    if (doc >= this.#dead.length) return undefined;
    const start = this.#idStarts[doc]!;
    const end = this.#idStarts[doc + 1]!;
    return start === end ? undefined : this.#idBytes.toString('utf8', start, end);
  }

  get maxDoc(): number {
    return this.#dead.length - 1;
  }
}

/** Postings per block of a long posting list, for skipping (topK); shorter lists have no blocks. */
const BLOCK_POSTINGS = 128;
/** Lists longer than this have their bounds computed ahead of their first query (prepareLong). */
export const LONG_LIST = 32 * BLOCK_POSTINGS;
/** Past every document number. */
const END = 0x7fffffff;
/**
 * Bounds are compared with the k-th best score inflated by this: float32 sums and float32 bounds round by
 * less than 1e-6 relative, so nothing that could reach the k-th best is ever skipped.
 */
const SAFETY = 1 + 1e-5;

/** The smallest float32 not below x. */
const roundUp = (x: number) => Math.fround(x * (1 + 1e-7));

/** Per weighting and term: see Bm25Index.#termBounds. */
interface TermBounds {
  max: number;
  /** Per block: where it starts in the postings, its last document, the most the term adds in it. */
  offsets: Uint32Array;
  last: Uint32Array;
  blockMax: Float32Array;
}

const boundBytes = (b: TermBounds) => 8 + b.offsets.byteLength + b.last.byteLength + b.blockMax.byteLength;

/** Entries (document–term pairs) per block of the builder's arrays. */
const BLOCK_BITS = 20;
const BLOCK = 1 << BLOCK_BITS;

/**
 * Builds a Bm25Index from many documents while holding only flat arrays: per document–term pair, the term's
 * number (4 bytes) and its three field frequencies (3 bytes), in blocks that grow without copying.
 */
export class Bm25Builder {
  readonly #parameters: Bm25Parameters;
  readonly #vocabulary = new Map<string, number>();
  readonly #df: number[] = [];
  readonly #termBlocks: Uint32Array[] = [];
  readonly #tfBlocks: Uint8Array[] = [];
  #entries = 0;
  /** Per document added: its number, id, lengths (three per document) and where its entries end. */
  readonly #docs: number[] = [];
  readonly #ids: string[] = [];
  readonly #docLengths: number[] = [];
  readonly #entryEnds: number[] = [];

  constructor(parameters: Bm25Parameters = DEFAULT_BM25) {
    this.#parameters = parameters;
  }

  /** Adds a document given as analysed terms per field. */
  add(document: AnalyzedDocument): void {
    this.#begin();
    FIELDS.forEach((field: Field, f) => {
      for (const term of document[field]) this.#count(this.#termId(term), f);
    });
    if (document.words) for (const word of document.words) this.#analysedWords.add(word);
    this.#finish(document.doc, document.id, [document.title.length, document.authors.length, document.abstract.length]);
  }

  /**
   * Adds a document given as raw text per field (title, authors, abstract), analysing it on the way. Each
   * distinct folded word is stemmed once per build and then found with a single map lookup, which is what
   * makes building from 133k abstracts take seconds rather than a minute.
   */
  addText(doc: number, id: string, fields: readonly [string, string, string]): void {
    this.#begin();
    const lengths: [number, number, number] = [0, 0, 0];
    fields.forEach((text, f) => {
      lengths[f] = forEachWord(text, (word) => {
        let t = this.#wordTerms.get(word);
        if (t === undefined) {
          t = this.#termId(stemWord(word));
          this.#wordTerms.set(word, t);
        }
        this.#count(t, f);
      });
    });
    this.#finish(doc, id, lengths);
  }

  /** Documents added so far. */
  get size(): number {
    return this.#docs.length;
  }

  readonly #wordTerms = new Map<string, number>();
  /** Words as written of the documents given analysed (`add`); those given as text are #wordTerms' keys. */
  readonly #analysedWords = new Set<string>();
  #slotOf = new Int32Array(1024).fill(-1);
  #termIds: number[] = [];
  #tf: number[] = [];

  #termId(term: string): number {
    let t = this.#vocabulary.get(term);
    if (t === undefined) {
      t = this.#vocabulary.size;
      this.#vocabulary.set(term, t);
      this.#df.push(0);
      if (t >= this.#slotOf.length) {
        const grown = new Int32Array(this.#slotOf.length * 2).fill(-1);
        grown.set(this.#slotOf);
        this.#slotOf = grown;
      }
    }
    return t;
  }

  #begin(): void {
    this.#termIds = [];
    this.#tf = [];
  }

  #count(t: number, field: number): void {
    let slot = this.#slotOf[t]!;
    if (slot < 0) {
      slot = this.#termIds.length;
      this.#slotOf[t] = slot;
      this.#termIds.push(t);
      this.#tf.push(0, 0, 0);
      this.#df[t]!++;
    }
    if (this.#tf[slot * 3 + field]! < 255) this.#tf[slot * 3 + field]!++;
  }

  #finish(doc: number, id: string, lengths: [number, number, number]): void {
    for (let i = 0; i < this.#termIds.length; i++) {
      const t = this.#termIds[i]!;
      this.#slotOf[t] = -1;
      const entry = this.#entries++;
      const block = entry >>> BLOCK_BITS;
      if (block === this.#termBlocks.length) {
        this.#termBlocks.push(new Uint32Array(BLOCK));
        this.#tfBlocks.push(new Uint8Array(BLOCK * 3));
      }
      const at = entry & (BLOCK - 1);
      this.#termBlocks[block]![at] = t;
      const tfs = this.#tfBlocks[block]!;
      tfs[at * 3] = this.#tf[i * 3]!;
      tfs[at * 3 + 1] = this.#tf[i * 3 + 1]!;
      tfs[at * 3 + 2] = this.#tf[i * 3 + 2]!;
    }
    this.#docs.push(doc);
    this.#ids.push(id);
    this.#docLengths.push(...lengths);
    this.#entryEnds.push(this.#entries);
  }

  /** Visits every entry document by document, in increasing document order. */
  #forEachEntry(order: readonly number[], visit: (doc: number, t: number, tt: number, ta: number, tb: number) => void) {
    for (const i of order) {
      const doc = this.#docs[i]!;
      for (let entry = i === 0 ? 0 : this.#entryEnds[i - 1]!; entry < this.#entryEnds[i]!; entry++) {
        const terms = this.#termBlocks[entry >>> BLOCK_BITS]!;
        const tfs = this.#tfBlocks[entry >>> BLOCK_BITS]!;
        const at = entry & (BLOCK - 1);
        visit(doc, terms[at]!, tfs[at * 3]!, tfs[at * 3 + 1]!, tfs[at * 3 + 2]!);
      }
    }
  }

  build(): Bm25Index {
    const count = this.#docs.length;
    const order = Array.from({ length: count }, (_, i) => i);
    if (this.#docs.some((doc, i) => i > 0 && doc < this.#docs[i - 1]!))
      order.sort((a, b) => this.#docs[a]! - this.#docs[b]!);
    // The dictionary in byte order; rank[t] is where term number t lands.
    const words = [...this.#vocabulary.keys()].map((term) => Buffer.from(term));
    const byRank = Array.from({ length: words.length }, (_, t) => t).sort((a, b) =>
      Buffer.compare(words[a]!, words[b]!),
    );
    const vocabularySize = words.length;
    const termStarts = new Uint32Array(vocabularySize + 1);
    byRank.forEach((t, r) => {
      termStarts[r + 1] = termStarts[r]! + words[t]!.length;
    });
    const terms = new Uint8Array(termStarts[vocabularySize]!);
    const df = new Uint32Array(vocabularySize);
    byRank.forEach((t, r) => {
      terms.set(words[t]!, termStarts[r]);
      df[r] = this.#df[t]!;
    });
    // Two passes over the entries: the encoded size of every posting list, then the lists themselves.
    const last = new Float64Array(vocabularySize);
    const size = new Float64Array(vocabularySize);
    this.#forEachEntry(order, (doc, t, tt, ta, tb) => {
      size[t]! += varintLength(doc - last[t]!) + tfCodeLength(tt, ta, tb);
      last[t] = doc;
    });
    const postingStarts = new Uint32Array(vocabularySize + 1);
    const cursor = new Float64Array(vocabularySize);
    byRank.forEach((t, r) => {
      cursor[t] = postingStarts[r]!;
      postingStarts[r + 1] = postingStarts[r]! + size[t]!;
    });
    const postings = new Uint8Array(postingStarts[vocabularySize]!);
    last.fill(0);
    this.#forEachEntry(order, (doc, t, tt, ta, tb) => {
      cursor[t] = writePosting(postings, cursor[t]!, doc - last[t]!, tt, ta, tb);
      last[t] = doc;
    });

    const maxDoc = count > 0 ? this.#docs[order[count - 1]!]! : 0;
    const lengths = new Uint16Array((maxDoc + 1) * 3);
    const idStarts = new Uint32Array(maxDoc + 2);
    const idLength = new Uint32Array(maxDoc + 1);
    const total: [number, number, number] = [0, 0, 0];
    for (const i of order) {
      const doc = this.#docs[i]!;
      idLength[doc] = Buffer.byteLength(this.#ids[i]!);
      for (let f = 0; f < 3; f++) {
        const length = this.#docLengths[i * 3 + f]!;
        lengths[doc * 3 + f] = Math.min(length, 65_535);
        total[f]! += length;
      }
    }
    for (let doc = 0; doc <= maxDoc; doc++) idStarts[doc + 1] = idStarts[doc]! + idLength[doc]!;
    const idBytes = new Uint8Array(idStarts[maxDoc + 1]!);
    for (const i of order) utf8.encodeInto(this.#ids[i]!, idBytes.subarray(idStarts[this.#docs[i]!]!));
    const n = Math.max(1, count);
    return Bm25Index.fromParts({
      terms,
      termStarts,
      df,
      postingStarts,
      postings,
      lengths,
      idBytes,
      idStarts,
      documentCount: count,
      avgLength: [total[0] / n, total[1] / n, total[2] / n],
      parameters: this.#parameters,
      ...SurfaceWords.of([...this.#wordTerms.keys(), ...this.#analysedWords]).parts(),
    });
  }
}

/** Documents per window of topK (a multiple of 32). */
const WINDOW = 4096;

/** Blocks of each of the two rarest terms read to find the papers that set topK's first floor. */
const SEED_BLOCKS = 4;

/** The positions of the m largest values, largest first. */
function largest(values: Float32Array, m: number): number[] {
  const best: number[] = [];
  for (let x = 0; x < values.length; x++) {
    if (best.length === m && values[x]! <= values[best[m - 1]!]!) continue;
    let at = Math.min(best.length, m - 1);
    best[at] = x;
    while (at > 0 && values[best[at - 1]!]! < values[x]!) {
      best[at] = best[at - 1]!;
      best[--at] = x;
    }
  }
  return best;
}

/** Terms in more than this share of documents count as common for the MaxScore check. */
const COMMON_FRACTION = 0.01;

/** The k-th largest score among the touched documents. */
function kthLargest(scores: Float32Array, touched: ArrayLike<number>, k: number): number {
  const top = new TopK(k);
  let least = -Infinity;
  for (let i = 0; i < touched.length; i++) {
    const doc = touched[i]!;
    if (scores[doc]! > least) {
      top.offer({ doc, id: '', score: scores[doc]! });
      least = top.threshold;
    }
  }
  return least;
}
