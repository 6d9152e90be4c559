/**
 * A trained static word-vector model: vocabulary, a weight per word and a vector per word. A text's
 * embedding is the normalised weighted mean of its words' vectors, each word weighted by
 * (1 + ln count) · its weight. Words the model does not know are ignored, unless it has sub-word
 * (character n-gram) buckets: then such a word embeds as the mean of the bucket vectors of those of its
 * n-grams some vocabulary word also has, if they are at least `minShare` of its n-grams, with weight
 * `oovWeight`. A text without known words embeds as the zero vector (cosine 0 with everything), never NaN.
 *
 * The vectors are held either as float32 (on a kernel heap, summed in SIMD) or as int8 codes with one
 * float32 scale per word (a quarter of the memory; a word's vector is scale × codes, each component within
 * scale / 2 of the trained float32 one). Training ends in an int8 model; float32 ones are those saved in
 * version 1 files (still loaded as they are) or asked for with `quantize(..., 'float32')`.
 *
 * File format, little-endian:
 *   8 bytes  "PBSTATIC"
 *   4 bytes  uint32 byte length H of the header
 *   H bytes  header, UTF-8 JSON: {format, version, id, tokenizer, dimensions, vocabularySize, seed,
 *            config, corpus: {documents, heldOut, fingerprint}, stats, vocab: string[]}
 *   0-3 bytes of zero padding to a multiple of 4
 *   float32 × vocabularySize                 word weights
 *   version 1 (float32 vectors):
 *     float32 × vocabularySize × dimensions  word vectors, row by row
 *   version 2 (int8 vectors):
 *     float32 × vocabularySize               per-word scales
 *     int8 × vocabularySize × dimensions     codes, row by row
 *   version 3 (int8 vectors and sub-word buckets; the header also has
 *   subwords: {minN, maxN, buckets, oovWeight, minShare}):
 *     the version 2 body, then
 *     float32 × buckets                      per-bucket scales
 *     int8 × buckets × dimensions            bucket codes, row by row
 * The id is "paperboy-static/" + the first 12 hex digits of a SHA-256 over everything but `stats`.
 */
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { Bag, countFactor } from './corpus.ts';
import { createKernels, KERNEL_WIDTH, type Kernels } from './kernels.ts';
import { hasNgram, knownNgrams, ngramHashes, type SubwordOptions } from './subwords.ts';
import { isCompound, parts, tokenize, TOKENIZER_VERSION } from './tokenizer.ts';

export const MODEL_FORMAT = 'paperboy-static';
/** The version models are saved in now (int8 vectors); version 1 (float32 vectors) still loads. */
export const MODEL_VERSION = 2;
const FLOAT32_VERSION = 1;
/** Models with sub-word buckets (int8 only). */
export const SUBWORD_VERSION = 3;

/** What a model with sub-words knows of them: the n-gram scheme, the buckets' vectors and how words outside the vocabulary use them. */
export interface SubwordTable extends SubwordOptions {
  /** Weight of a word outside the vocabulary (before the count factor). */
  oovWeight: number;
  /** One row per bucket (float32 rows are quantized to int8). */
  vectors: Int8Vectors | Float32Array;
}

type SubwordParams = Omit<SubwordTable, 'vectors'>;

export type Precision = 'float32' | 'int8';

/** Word vectors as int8 codes and one scale per word: vector[t] ≈ scales[t] × codes[t·d .. t·d + d). */
export interface Int8Vectors {
  codes: Int8Array;
  scales: Float32Array;
}

/**
 * Quantizes float32 word vectors row by row: scale = max |component| / 127, code = round(component / scale).
 * Each component comes back within scale / 2 (a zero row stays zero).
 */
export function quantizeInt8(vectors: Float32Array, dimensions: number): Int8Vectors {
  const V = vectors.length / dimensions;
  const codes = new Int8Array(vectors.length);
  const scales = new Float32Array(V);
  for (let t = 0; t < V; t++) {
    const o = t * dimensions;
    let max = 0;
    for (let c = 0; c < dimensions; c++) max = Math.max(max, Math.abs(vectors[o + c]!));
    if (!(max > 0) || !Number.isFinite(max)) continue;
    const scale = Math.fround(max / 127);
    scales[t] = scale;
    for (let c = 0; c < dimensions; c++)
      codes[o + c] = Math.max(-127, Math.min(127, Math.round(vectors[o + c]! / scale)));
  }
  return { codes, scales };
}
const MAGIC = 'PBSTATIC';

/** Everything needed to reproduce a model, recorded in its file. */
export interface ModelConfig {
  dimensions: number;
  epochs: number;
  batchSize: number;
  temperature: number;
  learningRate: number;
  minCount: number;
  maxVocabulary: number;
  lsaSampleSize: number;
  lsaPowerIterations: number;
  tokenWeights: 'idf' | 'learned';
  titlePairs: boolean;
  sentencePairs: boolean;
  kernels: string;
  [key: string]: unknown;
}

export interface ModelMeta {
  seed: number;
  config: ModelConfig;
  /** The papers trained on: how many, how many of them only for vocabulary/LSA, and a digest of the set. */
  corpus: { documents: number; heldOut: number; fingerprint: string };
  /** Informational (timings, losses): not part of the id. */
  stats?: Record<string, unknown>;
}

interface Header extends ModelMeta {
  format: string;
  version: number;
  id: string;
  tokenizer: number;
  dimensions: number;
  vocabularySize: number;
  vocab: string[];
  subwords?: SubwordParams;
}

export class StaticModel {
  readonly id: string;
  readonly dimensions: number;
  readonly vocab: readonly string[];
  /** Weight per word. */
  readonly weights: Float32Array;
  /** How the vectors are held (and saved: float32 in a version 1 file, int8 in a version 2 one). */
  readonly precision: Precision;
  readonly meta: ModelMeta;
  private readonly index: Map<string, number>;
  private readonly bag: Bag;
  private readonly scratch: string[] = [];
  /** float32: the vectors live on a kernel heap so that the weighted sum runs in SIMD. */
  private readonly kernels: Kernels | null = null;
  private readonly table: number = 0;
  private readonly idsPtr: number = 0;
  private readonly wPtr: number = 0;
  private readonly outPtr: number = 0;
  private readonly float32: Float32Array | null = null;
  /** int8: codes and scales, summed in TypeScript into `acc`. */
  private readonly int8: Int8Vectors | null = null;
  private readonly acc: Float64Array;
  /** Sub-word buckets (int8), their parameters, the vocabulary's n-gram hashes (built on first use) and this text's unknown words. */
  readonly subwords: SubwordParams | null = null;
  private readonly buckets: Int8Vectors | null = null;
  private known: Uint32Array | null = null;
  private readonly oov = new Map<string, number>();
  private readonly hashes: number[] = [];
  private readonly oovBuckets: number[] = [];

  /** `vectors` as float32 gives a float32 model, unless `precision` says int8 (then quantized here). */
  constructor(
    vocab: readonly string[],
    weights: Float32Array,
    vectors: Float32Array | Int8Vectors,
    dimensions: number,
    meta: ModelMeta,
    precision: Precision = vectors instanceof Float32Array ? 'float32' : 'int8',
    subwords: SubwordTable | null = null,
  ) {
    if (weights.length !== vocab.length) throw new Error('one weight per word expected');
    if (dimensions % KERNEL_WIDTH !== 0) throw new Error(`dimensions must be a multiple of ${KERNEL_WIDTH}`);
    const V = vocab.length;
    const length = vectors instanceof Float32Array ? vectors.length : vectors.codes.length;
    if (length !== V * dimensions) throw new Error('vectors do not match vocabulary × dimensions');
    if (!(vectors instanceof Float32Array) && vectors.scales.length !== V)
      throw new Error('one scale per word expected');
    this.precision = precision;
    if (precision === 'float32') {
      if (!(vectors instanceof Float32Array)) throw new Error('float32 precision needs float32 vectors');
      this.kernels = createKernels(V * dimensions * 4 + 8 * Math.max(V, 1) + dimensions * 4 + 256);
      this.table = this.kernels.alloc(V * dimensions * 4);
      this.idsPtr = this.kernels.alloc(Math.max(V, 1) * 4);
      this.wPtr = this.kernels.alloc(Math.max(V, 1) * 4);
      this.outPtr = this.kernels.alloc(dimensions * 4);
      this.float32 = this.kernels.f32.subarray(this.table >> 2, (this.table >> 2) + V * dimensions);
      this.float32.set(vectors);
    } else {
      this.int8 = vectors instanceof Float32Array ? quantizeInt8(vectors, dimensions) : vectors;
    }
    this.acc = new Float64Array(dimensions);
    if (subwords) {
      const { vectors: rows, ...params } = subwords;
      const n = rows instanceof Float32Array ? rows.length : rows.codes.length;
      if (n !== subwords.buckets * dimensions) throw new Error('bucket vectors do not match buckets × dimensions');
      this.subwords = params;
      this.buckets = rows instanceof Float32Array ? quantizeInt8(rows, dimensions) : rows;
    }
    this.vocab = vocab;
    this.weights = weights;
    this.dimensions = dimensions;
    this.meta = meta;
    this.index = new Map(vocab.map((w, i) => [w, i]));
    this.bag = new Bag(V, 256);
    this.id = `paperboy-static/${modelHash(this)}`;
  }

  /** The word vectors as float32, row by row (a copy for an int8 model: scale × codes). */
  get vectors(): Float32Array {
    if (this.float32) return this.float32;
    const { codes, scales } = this.int8!;
    const d = this.dimensions;
    const out = new Float32Array(codes.length);
    for (let t = 0; t < scales.length; t++) for (let c = 0; c < d; c++) out[t * d + c] = scales[t]! * codes[t * d + c]!;
    return out;
  }

  /** The int8 codes and scales (null for a float32 model). */
  get quantized(): Int8Vectors | null {
    return this.int8;
  }

  /** Bytes the word vectors (and scales) take in memory. */
  get vectorBytes(): number {
    const words = this.float32 ? this.float32.byteLength : this.int8!.codes.byteLength + this.int8!.scales.byteLength;
    return words + (this.buckets ? this.buckets.codes.byteLength + this.buckets.scales.byteLength : 0);
  }

  /** The same model with its vectors held at another precision (int8 from float32, or back). */
  withPrecision(precision: Precision): StaticModel {
    if (precision === this.precision) return this;
    return new StaticModel(
      this.vocab,
      this.weights,
      this.vectors,
      this.dimensions,
      this.meta,
      precision,
      this.subwordTable,
    );
  }

  /** The same model with another `minShare` for words outside the vocabulary (above 1: they are ignored again). */
  withUnknownWordShare(minShare: number): StaticModel {
    const table = this.subwordTable;
    if (!table) throw new Error('this model has no sub-words');
    return new StaticModel(this.vocab, this.weights, this.vectors, this.dimensions, this.meta, this.precision, {
      ...table,
      minShare,
    });
  }

  /** The sub-word parameters and bucket vectors (null without sub-words). */
  get subwordTable(): SubwordTable | null {
    return this.subwords && this.buckets ? { ...this.subwords, vectors: this.buckets } : null;
  }

  get vocabularySize(): number {
    return this.vocab.length;
  }

  /** Vocabulary id of a word, or -1. */
  wordId(word: string): number {
    return this.index.get(word) ?? -1;
  }

  /** Known words of a text as a bag (ids, counts; valid until the next call). */
  private bagOf(text: string): Bag {
    const bag = this.bag;
    bag.clear();
    this.oov.clear();
    const tokens = this.scratch;
    tokens.length = 0;
    tokenize(text, tokens);
    for (const t of tokens) {
      const id = this.index.get(t);
      if (id !== undefined) bag.add(id);
      else if (isCompound(t)) {
        for (const p of parts(t)) {
          const pid = this.index.get(p);
          if (pid !== undefined) bag.add(pid);
          else if (this.subwords) this.oov.set(p, (this.oov.get(p) ?? 0) + 1);
        }
      } else if (this.subwords) this.oov.set(t, (this.oov.get(t) ?? 0) + 1);
    }
    return bag;
  }

  /**
   * The buckets an unknown word embeds from (into `oovBuckets`): those of its n-grams that some vocabulary
   * word also has, if they are at least `minShare` of its n-grams; returns how many (0: the word is ignored).
   */
  private unknownWordBuckets(word: string): number {
    const sub = this.subwords!;
    this.known ??= knownNgrams(this.vocab, sub.minN, sub.maxN);
    const hashes = this.hashes;
    hashes.length = 0;
    ngramHashes(word, sub.minN, sub.maxN, hashes);
    const out = this.oovBuckets;
    out.length = 0;
    for (const h of hashes) if (hasNgram(this.known, h)) out.push(h % sub.buckets);
    return out.length > 0 && out.length >= sub.minShare * hashes.length ? out.length : 0;
  }

  /** Adds the unknown words of the last `bagOf` (as sub-words) to `acc`; returns how many counted. */
  private addUnknownWords(acc: Float64Array): number {
    if (this.oov.size === 0) return 0;
    const { codes, scales } = this.buckets!;
    const d = this.dimensions;
    let counted = 0;
    for (const [word, count] of this.oov) {
      const n = this.unknownWordBuckets(word);
      if (n === 0) continue;
      counted++;
      const w = (countFactor(count) * this.subwords!.oovWeight) / n;
      for (const b of this.oovBuckets) {
        const s = w * scales[b]!;
        const o = b * d;
        for (let k = 0; k < d; k++) acc[k] = acc[k]! + s * codes[o + k]!;
      }
    }
    return counted;
  }

  /** Whether a word (a token) counts in embeddings: in the vocabulary, or embedded from its sub-words. */
  knowsWord(word: string): boolean {
    return this.index.has(word) || (this.subwords !== null && this.unknownWordBuckets(word) > 0);
  }

  /** The known words of a text with their weight in its embedding, heaviest first. */
  explain(text: string): { word: string; weight: number }[] {
    const bag = this.bagOf(text);
    const out: { word: string; weight: number }[] = [];
    for (let i = 0; i < bag.size; i++) {
      const id = bag.ids[i]!;
      out.push({ word: this.vocab[id]!, weight: countFactor(bag.counts[i]!) * this.weights[id]! });
    }
    for (const [word, count] of [...this.oov]) {
      if (this.unknownWordBuckets(word) > 0) out.push({ word, weight: countFactor(count) * this.subwords!.oovWeight });
    }
    return out.sort((a, b) => b.weight - a.weight);
  }

  /** The unit-length embedding of a text (zero vector if it has no known word), written to `out` if given. */
  embed(text: string, out: Float32Array = new Float32Array(this.dimensions)): Float32Array {
    const bag = this.bagOf(text);
    const d = this.dimensions;
    if (this.int8) {
      const { codes, scales } = this.int8;
      const acc = this.acc;
      acc.fill(0);
      for (let i = 0; i < bag.size; i++) {
        const id = bag.ids[i]!;
        const w = countFactor(bag.counts[i]!) * this.weights[id]! * scales[id]!;
        const o = id * d;
        for (let k = 0; k < d; k++) acc[k] = acc[k]! + w * codes[o + k]!;
      }
      this.addUnknownWords(acc);
      let norm = 0;
      for (let k = 0; k < d; k++) norm += acc[k]! * acc[k]!;
      norm = Math.sqrt(norm);
      if (norm > 0 && Number.isFinite(norm)) for (let k = 0; k < d; k++) out[k] = acc[k]! / norm;
      else out.fill(0);
      return out;
    }
    const kernels = this.kernels!;
    const { f32, i32 } = kernels;
    const io = this.idsPtr >> 2;
    const wo = this.wPtr >> 2;
    for (let i = 0; i < bag.size; i++) {
      const id = bag.ids[i]!;
      i32[io + i] = id;
      f32[wo + i] = countFactor(bag.counts[i]!) * this.weights[id]!;
    }
    kernels.gather(this.idsPtr, this.wPtr, bag.size, this.table, this.outPtr, d);
    const oo = this.outPtr >> 2;
    if (this.oov.size > 0) {
      this.acc.fill(0);
      if (this.addUnknownWords(this.acc) > 0) for (let k = 0; k < d; k++) f32[oo + k] = f32[oo + k]! + this.acc[k]!;
    }
    let norm = 0;
    for (let k = 0; k < d; k++) norm += f32[oo + k]! * f32[oo + k]!;
    norm = Math.sqrt(norm);
    if (norm > 0 && Number.isFinite(norm)) for (let k = 0; k < d; k++) out[k] = f32[oo + k]! / norm;
    else out.fill(0);
    return out;
  }

  /** The k words whose vectors are closest (cosine) to `vector`: what a direction in the space is about. */
  topTerms(vector: Float32Array, k = 10): { word: string; score: number }[] {
    const d = this.dimensions;
    const best: { word: string; score: number }[] = [];
    const vectors = this.vectors;
    for (let t = 0; t < this.vocab.length; t++) {
      const o = t * d;
      let dot = 0;
      let nn = 0;
      for (let c = 0; c < d; c++) {
        const v = vectors[o + c]!;
        dot += v * vector[c]!;
        nn += v * v;
      }
      const score = nn > 0 ? dot / Math.sqrt(nn) : 0;
      if (best.length < k || score > best[best.length - 1]!.score) {
        best.push({ word: this.vocab[t]!, score });
        best.sort((a, b) => b.score - a.score);
        if (best.length > k) best.pop();
      }
    }
    return best;
  }

  /** The file version this model is saved in: 1 for float32 vectors, 2 for int8, 3 for int8 with sub-words. */
  get fileVersion(): number {
    if (this.subwords) return SUBWORD_VERSION;
    return this.float32 ? FLOAT32_VERSION : MODEL_VERSION;
  }

  /** What follows the header in the file (and goes into the id): weights, then the vectors. */
  bodyParts(): Uint8Array[] {
    const bytes = (a: Float32Array | Int8Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    if (this.float32) {
      const parts = [bytes(this.weights), bytes(this.float32)];
      // Only for the id: a float32 model with sub-words cannot be saved (see save).
      if (this.buckets) parts.push(bytes(this.buckets.scales), bytes(this.buckets.codes));
      return parts;
    }
    const parts = [bytes(this.weights), bytes(this.int8!.scales), bytes(this.int8!.codes)];
    if (this.buckets) parts.push(bytes(this.buckets.scales), bytes(this.buckets.codes));
    return parts;
  }

  async save(path: string): Promise<void> {
    assertLittleEndian();
    if (this.subwords && this.float32) throw new Error('a model with sub-words is saved with int8 vectors');
    const header: Header = {
      format: MODEL_FORMAT,
      version: this.fileVersion,
      id: this.id,
      tokenizer: TOKENIZER_VERSION,
      dimensions: this.dimensions,
      vocabularySize: this.vocab.length,
      seed: this.meta.seed,
      config: this.meta.config,
      corpus: this.meta.corpus,
      stats: this.meta.stats ?? {},
      vocab: [...this.vocab],
      ...(this.subwords ? { subwords: this.subwords } : {}),
    };
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    const prefix = Buffer.alloc(12);
    prefix.write(MAGIC, 0, 'latin1');
    prefix.writeUInt32LE(json.length, 8);
    const pad = Buffer.alloc((4 - ((12 + json.length) % 4)) % 4);
    const file = await open(path, 'w');
    try {
      await file.writev([prefix, json, pad]);
      for (const part of this.bodyParts()) await file.write(part);
    } finally {
      await file.close();
    }
  }

  static async load(path: string): Promise<StaticModel> {
    assertLittleEndian();
    const buf = await readFile(path);
    if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC)
      throw new Error(`${path}: not a Paperboy static model`);
    const length = buf.readUInt32LE(8);
    if (12 + length > buf.length) throw new Error(`${path}: truncated header`);
    const header = JSON.parse(buf.toString('utf8', 12, 12 + length)) as Header;
    if (
      header.format !== MODEL_FORMAT ||
      ![MODEL_VERSION, FLOAT32_VERSION, SUBWORD_VERSION].includes(header.version) ||
      (header.version === SUBWORD_VERSION) !== (header.subwords !== undefined)
    ) {
      throw new Error(`${path}: unsupported model format ${header.format} v${header.version}`);
    }
    if (header.tokenizer !== TOKENIZER_VERSION) {
      throw new Error(`${path}: trained with tokenizer v${header.tokenizer}, this is v${TOKENIZER_VERSION}`);
    }
    const V = header.vocabularySize;
    const d = header.dimensions;
    if (header.vocab.length !== V) throw new Error(`${path}: vocabulary size mismatch`);
    const start = 12 + length + ((4 - ((12 + length) % 4)) % 4);
    const int8 = header.version !== FLOAT32_VERSION;
    const K = header.subwords?.buckets ?? 0;
    const expected = start + 4 * V + (int8 ? 4 * V + V * d : 4 * V * d) + 4 * K + K * d;
    if (buf.length !== expected) throw new Error(`${path}: ${buf.length} bytes, expected ${expected}`);
    const copy = (offset: number, count: number) => {
      const out = new Float32Array(count);
      new Uint8Array(out.buffer).set(buf.subarray(offset, offset + 4 * count));
      return out;
    };
    const weights = copy(start, V);
    const int8At = (offset: number, count: number) =>
      new Int8Array(Uint8Array.from(buf.subarray(offset, offset + count)).buffer);
    const vectors: Float32Array | Int8Vectors = int8
      ? {
          scales: copy(start + 4 * V, V),
          codes: int8At(start + 8 * V, V * d),
        }
      : copy(start + 4 * V, V * d);
    const bucketsAt = start + 8 * V + V * d;
    const subwords: SubwordTable | null = header.subwords
      ? { ...header.subwords, vectors: { scales: copy(bucketsAt, K), codes: int8At(bucketsAt + 4 * K, K * d) } }
      : null;
    const model = new StaticModel(
      header.vocab,
      weights,
      vectors,
      d,
      { seed: header.seed, config: header.config, corpus: header.corpus, stats: header.stats },
      int8 ? 'int8' : 'float32',
      subwords,
    );
    if (model.id !== header.id) throw new Error(`${path}: content does not match its id ${header.id} (corrupt file?)`);
    return model;
  }
}

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('model files are little-endian; this machine is not');
}

function modelHash(model: StaticModel): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      format: MODEL_FORMAT,
      version: model.fileVersion,
      tokenizer: TOKENIZER_VERSION,
      dimensions: model.dimensions,
      seed: model.meta.seed,
      config: model.meta.config,
      corpus: model.meta.corpus,
      ...(model.subwords ? { subwords: model.subwords } : {}),
    }),
  );
  h.update(model.vocab.join('\n'));
  for (const part of model.bodyParts()) h.update(part);
  return h.digest('hex').slice(0, 12);
}
