/**
 * The training corpus: papers tokenized once into vocabulary ids, split into a title segment and sentence
 * segments, in a canonical order (by content hash) so that the same papers in any order train the same model.
 */
import { createHash } from 'node:crypto';
import { isCompound, parts, splitSentences, tokenize } from './tokenizer.ts';

export interface TrainingDoc {
  title: string;
  abstract: string;
  /**
   * Used for the vocabulary, idf and LSA, but never as a training pair: for evaluation on papers whose
   * (title, abstract) pairing the model has not been trained on.
   */
  holdout?: boolean;
}

export interface VocabularyOptions {
  /** Least number of papers a word must appear in (default 3). */
  minCount?: number;
  /** Most words kept, the most frequent first (default 200,000). */
  maxVocabulary?: number;
}

export interface Corpus {
  vocab: string[];
  /** Document frequency per vocabulary id. */
  df: Int32Array;
  /** Smoothed idf per vocabulary id: ln((1 + N) / (1 + df)) + 1. */
  idf: Float32Array;
  nDocs: number;
  /** Vocabulary ids of all papers, canonical order, out-of-vocabulary words left out. */
  tokens: Int32Array;
  /** Segment s is tokens[segStart[s] .. segStart[s + 1]). */
  segStart: Uint32Array;
  /** Paper p owns segments docSeg[p] (its title) and docSeg[p] + 1 .. docSeg[p + 1] - 1 (its sentences). */
  docSeg: Uint32Array;
  holdout: Uint8Array;
  /** Hex digest of the set of papers (order-independent). */
  fingerprint: string;
}

class IntList {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
}

/** Tokenizes papers as they arrive; `finish` picks the vocabulary and lays the corpus out. */
export class CorpusBuilder {
  private readonly ids = new Map<string, number>();
  private readonly words: string[] = [];
  private readonly partsOf: (number[] | null)[] = [];
  private df = new Int32Array(1024);
  private lastDoc = new Int32Array(1024);
  private readonly stream = new IntList(); // provisional ids
  private readonly segLen = new IntList(); // tokens per segment
  private readonly docSegCount = new IntList(); // segments per doc
  private readonly hashes: Buffer[] = [];
  private readonly holdout = new IntList();
  private readonly scratch: string[] = [];

  get size(): number {
    return this.hashes.length;
  }

  add(doc: TrainingDoc): void {
    const docIndex = this.hashes.length;
    this.hashes.push(
      createHash('sha256').update(doc.title).update('\u0000').update(doc.abstract).digest().subarray(0, 16),
    );
    this.holdout.push(doc.holdout ? 1 : 0);
    const sentences = splitSentences(doc.abstract);
    this.addSegment(doc.title, docIndex);
    for (const s of sentences) this.addSegment(s, docIndex);
    this.docSegCount.push(1 + sentences.length);
  }

  private addSegment(text: string, docIndex: number): void {
    const tokens = this.scratch;
    tokens.length = 0;
    tokenize(text, tokens);
    for (const t of tokens) {
      const id = this.intern(t);
      this.stream.push(id);
      this.count(id, docIndex);
      const p = this.partsOf[id];
      if (p) for (const part of p) this.count(part, docIndex);
    }
    this.segLen.push(tokens.length);
  }

  private count(id: number, docIndex: number): void {
    if (this.lastDoc[id] !== docIndex + 1) {
      this.lastDoc[id] = docIndex + 1;
      this.df[id] = this.df[id]! + 1;
    }
  }

  private intern(word: string): number {
    let id = this.ids.get(word);
    if (id !== undefined) return id;
    id = this.words.length;
    this.ids.set(word, id);
    this.words.push(word);
    this.partsOf.push(null);
    if (id >= this.df.length) {
      const df = new Int32Array(this.df.length * 2);
      df.set(this.df);
      this.df = df;
      const last = new Int32Array(this.lastDoc.length * 2);
      last.set(this.lastDoc);
      this.lastDoc = last;
    }
    if (isCompound(word)) {
      const p = parts(word)
        .filter((x) => x !== word)
        .map((x) => this.intern(x));
      this.partsOf[id] = p.length > 0 ? p : null;
    }
    return id;
  }

  finish(options: VocabularyOptions = {}): Corpus {
    const minCount = Math.max(1, options.minCount ?? 3);
    const maxVocabulary = Math.max(1, options.maxVocabulary ?? 200_000);
    const nProv = this.words.length;
    const candidates: number[] = [];
    for (let id = 0; id < nProv; id++) if (this.df[id]! >= minCount) candidates.push(id);
    candidates.sort(
      (a, b) =>
        this.df[b]! - this.df[a]! || (this.words[a]! < this.words[b]! ? -1 : this.words[a]! > this.words[b]! ? 1 : 0),
    );
    candidates.length = Math.min(candidates.length, maxVocabulary);
    const vocabId = new Int32Array(nProv).fill(-1);
    const vocab: string[] = [];
    const df = new Int32Array(candidates.length);
    candidates.forEach((prov, v) => {
      vocabId[prov] = v;
      vocab.push(this.words[prov]!);
      df[v] = this.df[prov]!;
    });
    const nDocs = this.hashes.length;
    const idf = new Float32Array(vocab.length);
    for (let v = 0; v < vocab.length; v++) idf[v] = Math.log((1 + nDocs) / (1 + df[v]!)) + 1;

    // Where each doc's segments and tokens start in the provisional stream.
    const docSegFirst = new Uint32Array(nDocs + 1);
    for (let d = 0; d < nDocs; d++) docSegFirst[d + 1] = docSegFirst[d]! + this.docSegCount.data[d]!;
    const nSeg = docSegFirst[nDocs]!;
    const segProvStart = new Uint32Array(nSeg + 1);
    for (let s = 0; s < nSeg; s++) segProvStart[s + 1] = segProvStart[s]! + this.segLen.data[s]!;

    const order = Array.from({ length: nDocs }, (_, i) => i).sort(
      (a, b) => Buffer.compare(this.hashes[a]!, this.hashes[b]!) || a - b,
    );
    const fingerprintHash = createHash('sha256');
    for (const d of order) fingerprintHash.update(this.hashes[d]!);
    fingerprintHash.update(`|${nDocs}`);

    const tokens = new IntList();
    const segStart = new Uint32Array(nSeg + 1);
    const docSeg = new Uint32Array(nDocs + 1);
    const holdout = new Uint8Array(nDocs);
    let s = 0;
    order.forEach((d, p) => {
      docSeg[p] = s;
      holdout[p] = this.holdout.data[d]!;
      for (let ps = docSegFirst[d]!; ps < docSegFirst[d + 1]!; ps++) {
        segStart[s] = tokens.length;
        for (let i = segProvStart[ps]!; i < segProvStart[ps + 1]!; i++) {
          const prov = this.stream.data[i]!;
          const v = vocabId[prov]!;
          if (v >= 0) tokens.push(v);
          else {
            const p2 = this.partsOf[prov];
            if (p2) for (const part of p2) if (vocabId[part]! >= 0) tokens.push(vocabId[part]!);
          }
        }
        s++;
      }
    });
    segStart[nSeg] = tokens.length;
    docSeg[nDocs] = nSeg;
    return {
      vocab,
      df,
      idf,
      nDocs,
      tokens: tokens.data.slice(0, tokens.length),
      segStart,
      docSeg,
      holdout,
      fingerprint: fingerprintHash.digest('hex').slice(0, 16),
    };
  }
}

/**
 * A bag of words built from token ranges: unique ids and counts, reusing its buffers. The weight of a word
 * in a text is (1 + ln count) · its token weight, in training and at inference alike.
 */
export class Bag {
  ids: Int32Array;
  counts: Float32Array;
  size = 0;
  private readonly slot: Int32Array;
  private readonly gen: Int32Array;
  private generation = 0;

  constructor(vocabularySize: number, capacity = 1024) {
    this.slot = new Int32Array(vocabularySize);
    this.gen = new Int32Array(vocabularySize);
    this.ids = new Int32Array(capacity);
    this.counts = new Float32Array(capacity);
  }

  clear(): void {
    this.size = 0;
    if (++this.generation === 0x7fffffff) {
      this.gen.fill(0);
      this.generation = 1;
    }
  }

  add(id: number): void {
    if (this.gen[id] === this.generation) {
      const k = this.slot[id]!;
      this.counts[k] = this.counts[k]! + 1;
      return;
    }
    if (this.size === this.ids.length) {
      const ids = new Int32Array(this.ids.length * 2);
      ids.set(this.ids);
      this.ids = ids;
      const counts = new Float32Array(this.counts.length * 2);
      counts.set(this.counts);
      this.counts = counts;
    }
    this.gen[id] = this.generation;
    this.slot[id] = this.size;
    this.ids[this.size] = id;
    this.counts[this.size] = 1;
    this.size++;
  }

  addRange(tokens: Int32Array, from: number, to: number): void {
    for (let i = from; i < to; i++) this.add(tokens[i]!);
  }
}

/** The factor of a word's count in a text's weighted mean. */
export function countFactor(count: number): number {
  return 1 + Math.log(count);
}
