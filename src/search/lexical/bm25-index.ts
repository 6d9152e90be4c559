/**
 * An in-memory BM25F index over title, authors and abstract, laid out as compressed sparse rows of typed
 * arrays. FTS5's bm25() costs ~8 µs per matching paper, so a common word over 133k papers takes ~400 ms;
 * accumulating scores term by term over postings here costs a few nanoseconds each.
 *
 * Score of a paper for terms t (weighted term frequency tf_w = Σ_f w_f · tf_f, length dl = Σ_f w_f · len_f):
 *   Σ_t idf(t) · tf_w · (k1 + 1) / (tf_w + k1 · (1 − b + b · dl / avgdl)),  idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))
 */
import type { FieldWeights } from '../../store/store.ts';
import { forEachWord, stemWord } from '../../domain/analyzer.ts';

export interface AnalyzedDocument {
  /** A small positive integer naming the document (the store's row id). */
  doc: number;
  id: string;
  title: string[];
  authors: string[];
  abstract: string[];
}

export interface Bm25Parameters {
  k1: number;
  b: number;
}

export const DEFAULT_BM25: Bm25Parameters = { k1: 1.2, b: 0.75 };

const FIELDS = ['title', 'authors', 'abstract'] as const;
type Field = (typeof FIELDS)[number];

/** Term frequencies of one document per field, capped at 255. */
export interface DocumentTerms {
  doc: number;
  id: string;
  lengths: [number, number, number];
  terms: Map<string, [number, number, number]>;
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
  };
}

export interface Hit {
  doc: number;
  id: string;
  score: number;
}

/** Keeps the best `limit` hits: a simple min-heap by score. */
export class TopK {
  readonly #limit: number;
  readonly #heap: Hit[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  get threshold(): number {
    return this.#heap.length < this.#limit ? -Infinity : this.#heap[0]!.score;
  }

  offer(hit: Hit): void {
    const heap = this.#heap;
    if (heap.length < this.#limit) {
      heap.push(hit);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heap[parent]!.score <= heap[i]!.score) break;
        [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
        i = parent;
      }
    } else if (hit.score > heap[0]!.score) {
      heap[0] = hit;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && heap[left]!.score < heap[smallest]!.score) smallest = left;
        if (right < heap.length && heap[right]!.score < heap[smallest]!.score) smallest = right;
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

export class Bm25Index {
  readonly #vocabulary: Map<string, number>;
  readonly #offsets: Uint32Array;
  readonly #postingDocs: Uint32Array;
  /** Per posting, the term frequency in title, authors, abstract: three bytes. */
  readonly #postingTf: Uint8Array;
  /** Per document number: lengths of title, authors, abstract. */
  readonly #lengths: Uint16Array;
  readonly #ids: (string | undefined)[];
  readonly #dead: Uint8Array;
  readonly documentCount: number;
  readonly #avgLength: [number, number, number];
  readonly #parameters: Bm25Parameters;

  private constructor(
    vocabulary: Map<string, number>,
    offsets: Uint32Array,
    postingDocs: Uint32Array,
    postingTf: Uint8Array,
    lengths: Uint16Array,
    ids: (string | undefined)[],
    documentCount: number,
    avgLength: [number, number, number],
    parameters: Bm25Parameters,
  ) {
    this.#vocabulary = vocabulary;
    this.#offsets = offsets;
    this.#postingDocs = postingDocs;
    this.#postingTf = postingTf;
    this.#lengths = lengths;
    this.#ids = ids;
    this.#dead = new Uint8Array(ids.length);
    this.documentCount = documentCount;
    this.#avgLength = avgLength;
    this.#parameters = parameters;
  }

  /** For a handful of documents (tests, small instances); large corpora go through Bm25Builder. */
  static build(documents: readonly AnalyzedDocument[], parameters: Bm25Parameters = DEFAULT_BM25): Bm25Index {
    const builder = new Bm25Builder(parameters);
    for (const document of documents) builder.add(document);
    return builder.build();
  }

  /** Used by Bm25Builder only. */
  static fromParts(parts: {
    vocabulary: Map<string, number>;
    offsets: Uint32Array;
    postingDocs: Uint32Array;
    postingTf: Uint8Array;
    lengths: Uint16Array;
    ids: (string | undefined)[];
    documentCount: number;
    avgLength: [number, number, number];
    parameters: Bm25Parameters;
  }): Bm25Index {
    return new Bm25Index(
      parts.vocabulary,
      parts.offsets,
      parts.postingDocs,
      parts.postingTf,
      parts.lengths,
      parts.ids,
      parts.documentCount,
      parts.avgLength,
      parts.parameters,
    );
  }

  documentFrequency(term: string): number {
    const t = this.#vocabulary.get(term);
    return t === undefined ? 0 : this.#offsets[t + 1]! - this.#offsets[t]!;
  }

  idf(term: string): number {
    const df = this.documentFrequency(term);
    return Math.log(1 + (this.documentCount - df + 0.5) / (df + 0.5));
  }

  /** Terms of the vocabulary starting with a prefix (for prefix queries), most frequent first. */
  expandPrefix(prefix: string, limit: number): string[] {
    const matches: string[] = [];
    for (const term of this.#vocabulary.keys()) if (term.startsWith(prefix)) matches.push(term);
    return matches.sort((a, b) => this.documentFrequency(b) - this.documentFrequency(a)).slice(0, limit);
  }

  /** Live documents whose postings contain every one of the terms (posting lists are sorted by document). */
  documentsWithAll(terms: readonly string[]): number[] {
    const lists = [...new Set(terms)].map((term) => this.#vocabulary.get(term));
    if (lists.length === 0 || lists.some((t) => t === undefined)) return [];
    const ranges = (lists as number[])
      .map((t) => [this.#offsets[t]!, this.#offsets[t + 1]!] as const)
      .sort((a, b) => a[1] - a[0] - (b[1] - b[0]));
    const [first, ...rest] = ranges;
    const cursors = rest.map(([start]) => start);
    const result: number[] = [];
    for (let p = first![0]; p < first![1]; p++) {
      const doc = this.#postingDocs[p]!;
      let inAll = this.#dead[doc] === 0;
      for (let r = 0; inAll && r < rest.length; r++) {
        let c = cursors[r]!;
        while (c < rest[r]![1] && this.#postingDocs[c]! < doc) c++;
        cursors[r] = c;
        inAll = c < rest[r]![1] && this.#postingDocs[c] === doc;
      }
      if (inAll) result.push(doc);
    }
    return result;
  }

  /** Every term of the vocabulary. */
  terms(): IterableIterator<string> {
    return this.#vocabulary.keys();
  }

  /** Live documents whose postings contain any of the terms. */
  documentsWithAny(terms: readonly string[]): Set<number> {
    const result = new Set<number>();
    for (const term of new Set(terms)) {
      const t = this.#vocabulary.get(term);
      if (t === undefined) continue;
      for (let p = this.#offsets[t]!; p < this.#offsets[t + 1]!; p++) {
        const doc = this.#postingDocs[p]!;
        if (this.#dead[doc] === 0) result.add(doc);
      }
    }
    return result;
  }

  /** Marks a document as gone (deleted or replaced by a newer version held elsewhere). */
  remove(doc: number): void {
    if (doc < this.#dead.length) this.#dead[doc] = 1;
  }

  has(doc: number): boolean {
    return doc < this.#ids.length && this.#ids[doc] !== undefined && this.#dead[doc] === 0;
  }

  #normsFor: string | null = null;
  #norms = new Float32Array(0);

  /** Per document, the weighted length normaliser k1 · (1 − b + b · dl / avgdl), computed once per weighting. */
  #lengthNorms(weights: FieldWeights): Float32Array {
    const key = `${weights.title}/${weights.authors}/${weights.abstract}`;
    if (this.#normsFor === key) return this.#norms;
    const { k1, b } = this.#parameters;
    const l = this.#lengths;
    const avg = Math.max(
      1e-9,
      weights.title * this.#avgLength[0] + weights.authors * this.#avgLength[1] + weights.abstract * this.#avgLength[2],
    );
    const norms = new Float32Array(this.#ids.length);
    for (let doc = 0; doc < norms.length; doc++) {
      const dl = weights.title * l[doc * 3]! + weights.authors * l[doc * 3 + 1]! + weights.abstract * l[doc * 3 + 2]!;
      norms[doc] = k1 * (1 - b + (b * dl) / avg);
    }
    this.#normsFor = key;
    this.#norms = norms;
    return norms;
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
    const offsets = this.#offsets;
    const docs = this.#postingDocs;
    const tfs = this.#postingTf;
    const dead = this.#dead;
    const wt = weights.title;
    const wa = weights.authors;
    const wb = weights.abstract;
    const known = terms
      .flatMap((term) => {
        const t = this.#vocabulary.get(term);
        return t === undefined ? [] : [{ t, boost: this.idf(term) * (k1 + 1) }];
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
      if (k > 0 && floor === -Infinity && touched.length >= k && offsets[t + 1]! - offsets[t]! > common) {
        floor = kthLargest(scores, touched, k);
      }
      if (remaining < floor) touchedOnly = true;
      remaining -= boost;
      const end = offsets[t + 1]!;
      for (let p = offsets[t]!; p < end; p++) {
        const doc = docs[p]!;
        if (touchedOnly && scores[doc] === 0) continue;
        const tf = wt * tfs[p * 3]! + wa * tfs[p * 3 + 1]! + wb * tfs[p * 3 + 2]!;
        if (tf === 0 || dead[doc] === 1) continue;
        if (scores[doc] === 0) touched.push(doc);
        scores[doc]! += (boost * tf) / (tf + norms[doc]!);
      }
    }
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
    return this.#ids[doc];
  }

  get maxDoc(): number {
    return this.#ids.length - 1;
  }

  get postings(): number {
    return this.#postingDocs.length;
  }
}

/** Builds a Bm25Index from many documents while holding only compact per-document arrays. */
export class Bm25Builder {
  readonly #parameters: Bm25Parameters;
  readonly #vocabulary = new Map<string, number>();
  readonly #df: number[] = [];
  readonly #documents: {
    doc: number;
    id: string;
    termIds: Uint32Array;
    tf: Uint8Array;
    lengths: [number, number, number];
  }[] = [];

  constructor(parameters: Bm25Parameters = DEFAULT_BM25) {
    this.#parameters = parameters;
  }

  /** Adds a document given as analysed terms per field. */
  add(document: AnalyzedDocument): void {
    this.#begin();
    FIELDS.forEach((field: Field, f) => {
      for (const term of document[field]) this.#count(this.#termId(term), f);
    });
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

  readonly #wordTerms = new Map<string, number>();
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
    for (const t of this.#termIds) this.#slotOf[t] = -1;
    this.#documents.push({ doc, id, termIds: Uint32Array.from(this.#termIds), tf: Uint8Array.from(this.#tf), lengths });
  }

  build(): Bm25Index {
    const vocabularySize = this.#vocabulary.size;
    const offsets = new Uint32Array(vocabularySize + 1);
    for (let t = 0; t < vocabularySize; t++) offsets[t + 1] = offsets[t]! + this.#df[t]!;
    const postings = offsets[vocabularySize]!;
    const postingDocs = new Uint32Array(postings);
    const postingTf = new Uint8Array(postings * 3);
    const cursor = offsets.slice(0, vocabularySize);
    const documents = this.#documents.sort((a, b) => a.doc - b.doc);
    const maxDoc = documents.length > 0 ? documents.at(-1)!.doc : 0;
    const lengths = new Uint16Array((maxDoc + 1) * 3);
    const ids: (string | undefined)[] = new Array(maxDoc + 1);
    const total: [number, number, number] = [0, 0, 0];
    for (const d of documents) {
      ids[d.doc] = d.id;
      for (let f = 0; f < 3; f++) {
        lengths[d.doc * 3 + f] = Math.min(d.lengths[f]!, 65_535);
        total[f]! += d.lengths[f]!;
      }
      for (let i = 0; i < d.termIds.length; i++) {
        const p = cursor[d.termIds[i]!]!++;
        postingDocs[p] = d.doc;
        postingTf[p * 3] = d.tf[i * 3]!;
        postingTf[p * 3 + 1] = d.tf[i * 3 + 1]!;
        postingTf[p * 3 + 2] = d.tf[i * 3 + 2]!;
      }
    }
    const n = Math.max(1, documents.length);
    return Bm25Index.fromParts({
      vocabulary: this.#vocabulary,
      offsets,
      postingDocs,
      postingTf,
      lengths,
      ids,
      documentCount: documents.length,
      avgLength: [total[0] / n, total[1] / n, total[2] / n],
      parameters: this.#parameters,
    });
  }
}

/** Terms in more than this share of documents count as common for the MaxScore check. */
const COMMON_FRACTION = 0.01;

/** The k-th largest score among the touched documents. */
function kthLargest(scores: Float32Array, touched: readonly number[], k: number): number {
  const top = new TopK(k);
  for (const doc of touched) if (scores[doc]! > top.threshold) top.offer({ doc, id: '', score: scores[doc]! });
  return top.threshold;
}
