/**
 * A trained static word-vector model: vocabulary, a weight per word and a vector per word. A text's
 * embedding is the normalised weighted mean of its words' vectors, each word weighted by
 * (1 + ln count) · its weight. Words the model does not know are ignored; a text without known words
 * embeds as the zero vector (cosine 0 with everything), never NaN.
 *
 * File format (version 1), little-endian:
 *   8 bytes  "PBSTATIC"
 *   4 bytes  uint32 byte length H of the header
 *   H bytes  header, UTF-8 JSON: {format, version, id, tokenizer, dimensions, vocabularySize, seed,
 *            config, corpus: {documents, heldOut, fingerprint}, stats, vocab: string[]}
 *   0-3 bytes of zero padding to a multiple of 4
 *   float32 × vocabularySize                 word weights
 *   float32 × vocabularySize × dimensions    word vectors, row by row
 * The id is "paperboy-static/" + the first 12 hex digits of a SHA-256 over everything but `stats`.
 */
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { Bag, countFactor } from './corpus.ts';
import { createKernels, KERNEL_WIDTH, type Kernels } from './kernels.ts';
import { isCompound, parts, tokenize, TOKENIZER_VERSION } from './tokenizer.ts';

export const MODEL_FORMAT = 'paperboy-static';
export const MODEL_VERSION = 1;
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
}

export class StaticModel {
  readonly id: string;
  readonly dimensions: number;
  readonly vocab: readonly string[];
  /** Weight per word. */
  readonly weights: Float32Array;
  /** vocabularySize × dimensions, row-major (a view of the kernels' heap). */
  readonly vectors: Float32Array;
  readonly meta: ModelMeta;
  private readonly index: Map<string, number>;
  private readonly bag: Bag;
  private readonly scratch: string[] = [];
  /** The vectors live on a kernel heap so that the weighted sum runs in SIMD. */
  private readonly kernels: Kernels;
  private readonly table: number;
  private readonly idsPtr: number;
  private readonly wPtr: number;
  private readonly outPtr: number;

  constructor(
    vocab: readonly string[],
    weights: Float32Array,
    vectors: Float32Array,
    dimensions: number,
    meta: ModelMeta,
  ) {
    if (weights.length !== vocab.length) throw new Error('one weight per word expected');
    if (vectors.length !== vocab.length * dimensions) throw new Error('vectors do not match vocabulary × dimensions');
    if (dimensions % KERNEL_WIDTH !== 0) throw new Error(`dimensions must be a multiple of ${KERNEL_WIDTH}`);
    const V = vocab.length;
    this.kernels = createKernels(V * dimensions * 4 + 8 * Math.max(V, 1) + dimensions * 4 + 256);
    this.table = this.kernels.alloc(V * dimensions * 4);
    this.idsPtr = this.kernels.alloc(Math.max(V, 1) * 4);
    this.wPtr = this.kernels.alloc(Math.max(V, 1) * 4);
    this.outPtr = this.kernels.alloc(dimensions * 4);
    this.vectors = this.kernels.f32.subarray(this.table >> 2, (this.table >> 2) + V * dimensions);
    this.vectors.set(vectors);
    this.vocab = vocab;
    this.weights = weights;
    this.dimensions = dimensions;
    this.meta = meta;
    this.index = new Map(vocab.map((w, i) => [w, i]));
    this.bag = new Bag(V, 256);
    this.id = `paperboy-static/${modelHash(this)}`;
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
        }
      }
    }
    return bag;
  }

  /** The known words of a text with their weight in its embedding, heaviest first. */
  explain(text: string): { word: string; weight: number }[] {
    const bag = this.bagOf(text);
    const out: { word: string; weight: number }[] = [];
    for (let i = 0; i < bag.size; i++) {
      const id = bag.ids[i]!;
      out.push({ word: this.vocab[id]!, weight: countFactor(bag.counts[i]!) * this.weights[id]! });
    }
    return out.sort((a, b) => b.weight - a.weight);
  }

  /** The unit-length embedding of a text (zero vector if it has no known word), written to `out` if given. */
  embed(text: string, out: Float32Array = new Float32Array(this.dimensions)): Float32Array {
    const bag = this.bagOf(text);
    const d = this.dimensions;
    const { f32, i32 } = this.kernels;
    const io = this.idsPtr >> 2;
    const wo = this.wPtr >> 2;
    for (let i = 0; i < bag.size; i++) {
      const id = bag.ids[i]!;
      i32[io + i] = id;
      f32[wo + i] = countFactor(bag.counts[i]!) * this.weights[id]!;
    }
    this.kernels.gather(this.idsPtr, this.wPtr, bag.size, this.table, this.outPtr, d);
    const oo = this.outPtr >> 2;
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
    for (let t = 0; t < this.vocab.length; t++) {
      const o = t * d;
      let dot = 0;
      let nn = 0;
      for (let c = 0; c < d; c++) {
        const v = this.vectors[o + c]!;
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

  async save(path: string): Promise<void> {
    assertLittleEndian();
    const header: Header = {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      id: this.id,
      tokenizer: TOKENIZER_VERSION,
      dimensions: this.dimensions,
      vocabularySize: this.vocab.length,
      seed: this.meta.seed,
      config: this.meta.config,
      corpus: this.meta.corpus,
      stats: this.meta.stats ?? {},
      vocab: [...this.vocab],
    };
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    const prefix = Buffer.alloc(12);
    prefix.write(MAGIC, 0, 'latin1');
    prefix.writeUInt32LE(json.length, 8);
    const pad = Buffer.alloc((4 - ((12 + json.length) % 4)) % 4);
    const file = await open(path, 'w');
    try {
      await file.writev([prefix, json, pad]);
      await file.write(new Uint8Array(this.weights.buffer, this.weights.byteOffset, this.weights.byteLength));
      await file.write(new Uint8Array(this.vectors.buffer, this.vectors.byteOffset, this.vectors.byteLength));
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
    if (header.format !== MODEL_FORMAT || header.version !== MODEL_VERSION) {
      throw new Error(`${path}: unsupported model format ${header.format} v${header.version}`);
    }
    if (header.tokenizer !== TOKENIZER_VERSION) {
      throw new Error(`${path}: trained with tokenizer v${header.tokenizer}, this is v${TOKENIZER_VERSION}`);
    }
    const V = header.vocabularySize;
    const d = header.dimensions;
    if (header.vocab.length !== V) throw new Error(`${path}: vocabulary size mismatch`);
    const start = 12 + length + ((4 - ((12 + length) % 4)) % 4);
    const expected = start + 4 * V + 4 * V * d;
    if (buf.length !== expected) throw new Error(`${path}: ${buf.length} bytes, expected ${expected}`);
    const copy = (offset: number, count: number) => {
      const out = new Float32Array(count);
      new Uint8Array(out.buffer).set(buf.subarray(offset, offset + 4 * count));
      return out;
    };
    const weights = copy(start, V);
    const vectors = copy(start + 4 * V, V * d);
    const model = new StaticModel(header.vocab, weights, vectors, d, {
      seed: header.seed,
      config: header.config,
      corpus: header.corpus,
      stats: header.stats,
    });
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
      version: MODEL_VERSION,
      tokenizer: TOKENIZER_VERSION,
      dimensions: model.dimensions,
      seed: model.meta.seed,
      config: model.meta.config,
      corpus: model.meta.corpus,
    }),
  );
  h.update(model.vocab.join('\n'));
  h.update(new Uint8Array(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength));
  h.update(new Uint8Array(model.vectors.buffer, model.vectors.byteOffset, model.vectors.byteLength));
  return h.digest('hex').slice(0, 12);
}
