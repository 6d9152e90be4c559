/**
 * A sentence-transformer in a local folder, run in this thread: tokenize (the Hugging Face tokenizer.json,
 * through @huggingface/tokenizers), run the ONNX graph (onnxruntime-node, CPU), pool the token states
 * (mean over the attention mask, or the first token) and L2-normalise. Nothing here touches the network.
 *
 * onnxruntime-node runs a session synchronously on the calling thread, so a server uses this through
 * OnnxEmbedder, which keeps it in a worker thread.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';
import { ModelFolderError, resolveModelSettings, type ModelSettings } from './model-settings.ts';

export type TextKind = 'query' | 'document';

export interface OnnxModelOptions {
  /** Overrides of the folder's settings (paperboy.json wins over the folder's files; these win over both). */
  batchSize?: number;
  batchTokens?: number;
  threads?: number;
  maxTokens?: number;
}

export interface OnnxModelInfo {
  id: string;
  dimensions: number;
  dir: string;
  settings: ModelSettings;
  inputs: string[];
  output: string;
}

/** English WordPiece and BPE vocabularies average about four characters per token. */
const CHARS_PER_TOKEN_ESTIMATE = 4;

/** Texts longer than this many characters per allowed token are cut before tokenizing (the rest would be dropped anyway). */
const CHARS_PER_TOKEN_BOUND = 24;

/**
 * The part of @huggingface/tokenizers used here. Its published declarations import without file extensions,
 * which "nodenext" resolution cannot follow, so they are restated.
 */
interface TextTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[] };
  token_to_id(token: string): number | undefined;
}

const LITTLE_ENDIAN = endianness() === 'LE';

type IdInput = 'input_ids' | 'attention_mask' | 'token_type_ids' | 'position_ids';
const KNOWN_INPUTS: readonly string[] = ['input_ids', 'attention_mask', 'token_type_ids', 'position_ids'];

export class OnnxModel {
  readonly id: string;
  readonly dir: string;
  readonly settings: ModelSettings;
  readonly #session: InferenceSession;
  readonly #tokenizer: TextTokenizer;
  readonly #inputs: { name: IdInput; type: 'int64' | 'int32' }[];
  readonly #output: { name: string; pooled: boolean };
  /** Special tokens the tokenizer puts before and after a text ([CLS] … [SEP], <s> … </s>). */
  readonly #head: number[];
  readonly #tail: number[];
  readonly #padId: number;
  #dimensions = 0;

  private constructor(parts: {
    id: string;
    dir: string;
    settings: ModelSettings;
    session: InferenceSession;
    tokenizer: TextTokenizer;
    inputs: { name: IdInput; type: 'int64' | 'int32' }[];
    output: { name: string; pooled: boolean };
    head: number[];
    tail: number[];
    padId: number;
  }) {
    this.id = parts.id;
    this.dir = parts.dir;
    this.settings = parts.settings;
    this.#session = parts.session;
    this.#tokenizer = parts.tokenizer;
    this.#inputs = parts.inputs;
    this.#output = parts.output;
    this.#head = parts.head;
    this.#tail = parts.tail;
    this.#padId = parts.padId;
  }

  static async load(folder: string, options: OnnxModelOptions = {}): Promise<OnnxModel> {
    const dir = resolve(folder);
    const settings = { ...resolveModelSettings(dir) };
    if (options.batchSize !== undefined) settings.batchSize = options.batchSize;
    if (options.batchTokens !== undefined) settings.batchTokens = options.batchTokens;
    if (options.threads !== undefined) settings.threads = options.threads;
    if (options.maxTokens !== undefined) settings.maxTokens = options.maxTokens;

    const tokenizerJson: unknown = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    let tokenizerConfig: unknown = {};
    try {
      tokenizerConfig = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
    } catch {
      // tokenizer_config.json is optional: tokenizer.json alone describes the tokenizer.
    }
    const tokenizer: TextTokenizer = new Tokenizer(tokenizerJson as object, tokenizerConfig as object);
    const { head, tail } = specialTokensAround(tokenizer);
    const padId = padTokenId(tokenizer, tokenizerConfig, dir);

    const modelPath = join(dir, settings.model);
    let session: InferenceSession;
    try {
      session = await InferenceSession.create(modelPath, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        ...(settings.threads > 0 ? { intraOpNumThreads: settings.threads, interOpNumThreads: 1 } : {}),
      });
    } catch (error) {
      throw new ModelFolderError(`${modelPath}: onnxruntime cannot load it: ${(error as Error).message}`);
    }
    try {
      const inputs = session.inputMetadata.map((m) => {
        if (!KNOWN_INPUTS.includes(m.name))
          throw new ModelFolderError(
            `${modelPath}: unsupported model input "${m.name}" (supported: ${KNOWN_INPUTS.join(', ')})`,
          );
        const type = m.isTensor ? m.type : 'none';
        if (type !== 'int64' && type !== 'int32')
          throw new ModelFolderError(`${modelPath}: input ${m.name} is ${type}, expected int64 or int32`);
        return { name: m.name as IdInput, type: type as 'int64' | 'int32' };
      });
      if (!inputs.some((i) => i.name === 'input_ids'))
        throw new ModelFolderError(`${modelPath}: the model has no input_ids input`);
      const output = chooseOutput(session, modelPath);
      const hash = await modelHash(modelPath, settings);
      const model = new OnnxModel({
        id: `onnx/${basename(dir)}@${hash}`,
        dir,
        settings,
        session,
        tokenizer,
        inputs,
        output,
        head,
        tail,
        padId,
      });
      // One probe gives the dimension whatever the output declares, and proves the graph runs.
      const [probe] = await model.embed(['dimension probe'], 'query');
      model.#dimensions = probe!.length;
      return model;
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  get dimensions(): number {
    return this.#dimensions;
  }

  info(): OnnxModelInfo {
    return {
      id: this.id,
      dimensions: this.dimensions,
      dir: this.dir,
      settings: this.settings,
      inputs: this.#inputs.map((i) => i.name),
      output: this.#output.name,
    };
  }

  /** The token ids the model sees for one text (prefix added, cut to maxTokens, special tokens kept). */
  tokenize(text: string, kind: TextKind): number[] {
    const prefixed = (kind === 'query' ? this.settings.queryPrefix : this.settings.documentPrefix) + text;
    const room = Math.max(1, this.settings.maxTokens - this.#head.length - this.#tail.length);
    const bounded = cutAtCodePoint(prefixed, room * CHARS_PER_TOKEN_BOUND);
    const ids = this.#tokenizer.encode(bounded, { add_special_tokens: false }).ids;
    return [...this.#head, ...(ids.length > room ? ids.slice(0, room) : ids), ...this.#tail];
  }

  /** Unit-length vectors, in the order of the texts. */
  async embed(texts: readonly string[], kind: TextKind): Promise<Float32Array[]> {
    const out: Float32Array[] = new Array(texts.length);
    for (const batch of this.plan(texts)) {
      const vectors = await this.embedBatch(
        batch.map((i) => texts[i]!),
        kind,
      );
      batch.forEach((i, j) => {
        out[i] = vectors[j]!;
      });
    }
    return out;
  }

  /**
   * Groups texts into batches of similar length, longest first, so that little of a batch is padding, and
   * small enough (about batchTokens tokens) that a query waiting behind one is not kept long: on CPU, larger
   * batches of abstract-length texts are no faster per text. Tokens are estimated from characters here, so
   * that tokenizing happens batch by batch and a long job interleaves with queries from its first batch on.
   */
  plan(texts: readonly string[]): number[][] {
    const { batchSize, batchTokens, maxTokens } = this.settings;
    const order = texts.map((_, i) => i).sort((a, b) => texts[b]!.length - texts[a]!.length);
    const batches: number[][] = [];
    for (let start = 0; start < order.length; ) {
      const width = Math.min(maxTokens, Math.ceil(texts[order[start]!]!.length / CHARS_PER_TOKEN_ESTIMATE) + 2);
      const rows = Math.max(1, Math.min(batchSize, Math.floor(batchTokens / width)));
      batches.push(order.slice(start, start + rows));
      start += rows;
    }
    return batches;
  }

  /** Vectors of texts in one inference call. */
  embedBatch(texts: readonly string[], kind: TextKind): Promise<Float32Array[]> {
    return this.runBatch(texts.map((t) => this.tokenize(t, kind)));
  }

  /** Runs one padded batch of token-id sequences and pools each row. */
  async runBatch(sequences: readonly number[][]): Promise<Float32Array[]> {
    const rows = sequences.length;
    const width = Math.max(...sequences.map((s) => s.length));
    const ids = new Int32Array(rows * width).fill(this.#padId);
    const mask = new Int32Array(rows * width);
    sequences.forEach((s, r) => {
      s.forEach((id, c) => {
        ids[r * width + c] = id;
        mask[r * width + c] = 1;
      });
    });
    const feeds: Record<string, Tensor> = {};
    for (const input of this.#inputs) {
      const values = input.name === 'input_ids' ? ids : input.name === 'attention_mask' ? mask : null;
      const at = (i: number) => (values ? values[i]! : input.name === 'position_ids' ? i % width : 0);
      const n = rows * width;
      if (input.type === 'int32') {
        feeds[input.name] = new Tensor(
          'int32',
          Int32Array.from({ length: n }, (_, i) => at(i)),
          [rows, width],
        );
        continue;
      }
      const data = new BigInt64Array(n);
      if (LITTLE_ENDIAN) {
        // Small non-negative values go in the low 32-bit word of each int64: no BigInt is allocated per token.
        const words = new Int32Array(data.buffer);
        for (let i = 0; i < n; i++) words[2 * i] = at(i);
      } else {
        for (let i = 0; i < n; i++) data[i] = BigInt(at(i));
      }
      feeds[input.name] = new Tensor('int64', data, [rows, width]);
    }
    const result = await this.#session.run(feeds, [this.#output.name]);
    const tensor = result[this.#output.name]!;
    const data = tensor.data;
    if (!(data instanceof Float32Array))
      throw new Error(`${this.id}: output ${this.#output.name} is ${tensor.type}, expected float32`);
    return this.#output.pooled
      ? poolDirect(data, tensor.dims, rows)
      : pool(data, tensor.dims, mask, rows, width, this.settings.pooling);
  }

  async close(): Promise<void> {
    await this.#session.release();
  }
}

/** last_hidden_state (or token_embeddings) is pooled here; a sentence_embedding output is used as it is. */
function chooseOutput(session: InferenceSession, modelPath: string): { name: string; pooled: boolean } {
  const names = session.outputNames;
  for (const name of ['last_hidden_state', 'token_embeddings'])
    if (names.includes(name)) return { name, pooled: false };
  if (names.includes('sentence_embedding')) return { name: 'sentence_embedding', pooled: true };
  const first = session.outputMetadata[0];
  if (!first) throw new ModelFolderError(`${modelPath}: the model has no output`);
  const rank = first.isTensor ? first.shape.length : 0;
  if (rank === 3) return { name: first.name, pooled: false };
  if (rank === 2) return { name: first.name, pooled: true };
  throw new ModelFolderError(
    `${modelPath}: cannot tell which output holds the embeddings (outputs: ${names.join(', ')})`,
  );
}

function pool(
  data: Float32Array,
  dims: readonly number[],
  mask: Int32Array,
  rows: number,
  width: number,
  pooling: 'mean' | 'cls',
): Float32Array[] {
  const [b, s, d] = dims;
  if (dims.length !== 3 || b !== rows || s !== width || d === undefined)
    throw new Error(`unexpected output shape [${dims.join(', ')}] for a batch of ${rows} x ${width}`);
  const out: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const vector = new Float32Array(d);
    if (pooling === 'cls') {
      vector.set(data.subarray(r * s * d, r * s * d + d));
    } else {
      let count = 0;
      for (let t = 0; t < s; t++) {
        if (mask[r * width + t] === 0) continue;
        count++;
        const offset = (r * s + t) * d;
        for (let k = 0; k < d; k++) vector[k]! += data[offset + k]!;
      }
      for (let k = 0; k < d; k++) vector[k]! /= Math.max(count, 1);
    }
    out.push(normalize(vector));
  }
  return out;
}

function poolDirect(data: Float32Array, dims: readonly number[], rows: number): Float32Array[] {
  const d = dims[1];
  if (dims.length !== 2 || dims[0] !== rows || d === undefined)
    throw new Error(`unexpected output shape [${dims.join(', ')}] for ${rows} texts`);
  return Array.from({ length: rows }, (_, r) => normalize(data.slice(r * d, (r + 1) * d)));
}

function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let k = 0; k < vector.length; k++) vector[k]! /= norm;
  return vector;
}

/** Finds the special tokens the tokenizer adds around a text, so that truncation can keep them. */
function specialTokensAround(tokenizer: TextTokenizer): { head: number[]; tail: number[] } {
  const probe = 'paperboy probe text';
  const full = tokenizer.encode(probe).ids;
  const plain = tokenizer.encode(probe, { add_special_tokens: false }).ids;
  for (let start = 0; start + plain.length <= full.length; start++) {
    if (plain.every((id, i) => full[start + i] === id))
      return { head: full.slice(0, start), tail: full.slice(start + plain.length) };
  }
  return { head: [], tail: [] };
}

function padTokenId(tokenizer: TextTokenizer, tokenizerConfig: unknown, dir: string): number {
  const configured = (tokenizerConfig as { pad_token?: unknown }).pad_token;
  const content =
    typeof configured === 'string' ? configured : (configured as { content?: unknown } | undefined)?.content;
  const fromTokenizer = typeof content === 'string' ? tokenizer.token_to_id(content) : undefined;
  if (fromTokenizer !== undefined) return fromTokenizer;
  for (const token of ['[PAD]', '<pad>']) {
    const id = tokenizer.token_to_id(token);
    if (id !== undefined) return id;
  }
  try {
    const padId = (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { pad_token_id?: unknown })
      .pad_token_id;
    if (typeof padId === 'number') return padId;
  } catch {
    // config.json was read before; a failure here only means no pad id is declared.
  }
  return 0; // padded positions are masked out, so any id in the vocabulary does
}

function cutAtCodePoint(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const code = text.charCodeAt(maxChars - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? maxChars - 1 : maxChars);
}

/** A short hash of the ONNX file and of every setting that changes vectors: two different spaces never share an id. */
async function modelHash(modelPath: string, settings: ModelSettings): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(modelPath)) hash.update(chunk as Buffer);
  hash.update(JSON.stringify([settings.pooling, settings.queryPrefix, settings.documentPrefix, settings.maxTokens]));
  return hash.digest('hex').slice(0, 10);
}
