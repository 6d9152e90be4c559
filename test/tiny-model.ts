/**
 * Writes a tiny sentence-transformer folder in the Hugging Face layout (config.json, tokenizer.json,
 * tokenizer_config.json, onnx/model.onnx) so that tests and benchmarks can exercise the ONNX embedder on a
 * machine that cannot download a real model. The ONNX file is encoded here by hand (protobuf wire format,
 * field numbers from onnx.proto) rather than through a protobuf library: the graph is a dozen messages.
 *
 * The graph is BERT-shaped where it matters to the embedder: int64 inputs input_ids, attention_mask and
 * token_type_ids [batch, seq], float output last_hidden_state [batch, seq, dim]. Each token's state is its
 * word embedding plus its token-type embedding plus the masked mean of the sentence, so mean pooling and CLS
 * pooling both give sentence-dependent vectors, and padding never changes a sentence's states.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const TINY_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** Words of the tiny vocabulary (lower case: the tokenizer lower-cases). */
export const TINY_WORDS = [
  'query',
  'passage',
  ':',
  '.',
  ',',
  'represent',
  'this',
  'sentence',
  'for',
  'searching',
  'relevant',
  'passages',
  'graph',
  'neural',
  'network',
  'networks',
  'molecule',
  'molecules',
  'protein',
  'folding',
  'language',
  'model',
  'models',
  'large',
  'small',
  'transformer',
  'attention',
  'retrieval',
  'dense',
  'sparse',
  'search',
  'paper',
  'papers',
  'cooking',
  'pasta',
  'recipe',
  'recipes',
  'tomato',
  'sauce',
  'garden',
  'flowers',
  'the',
  'a',
  'of',
  'on',
  'with',
  'and',
  'in',
  'to',
  'learning',
  'deep',
  'image',
  'images',
  'diffusion',
  'robot',
  'robots',
  'quantum',
  'physics',
  'ga',
  '##ph',
  '##s',
  '##ing',
  '##ed',
] as const;

export interface TinyModelOptions {
  dimensions?: number;
  seed?: number;
  /** Put the model at onnx/model.onnx (the Hugging Face export layout) or at model.onnx. */
  layout?: 'onnx-folder' | 'root';
  /** Written as the folder's paperboy.json when given. */
  paperboyJson?: Record<string, unknown>;
  /** model_type of config.json. */
  modelType?: string;
  /**
   * Instead of the lookup graph, a BERT encoder of this shape with random weights (self-attention, GELU
   * feed-forward, layer norms): the compute of a real model of the same shape, for benchmarks, not for
   * meaning. bge-small / MiniLM-L12: 12 layers, 384 dimensions, 12 heads, 1536 intermediate.
   */
  transformer?: { layers: number; heads: number; intermediate: number };
  /** Output a pooled sentence_embedding [batch, dim] (as some exports do) instead of last_hidden_state. */
  sentenceOutput?: boolean;
}

export interface TinyModel {
  dir: string;
  vocabularySize: number;
  dimensions: number;
  modelPath: string;
}

/** Writes the tiny model folder `dir` (created if missing) and returns where its parts are. */
export async function writeTinyModel(dir: string, options: TinyModelOptions = {}): Promise<TinyModel> {
  const dimensions = options.dimensions ?? 32;
  const tokens = [...TINY_SPECIAL_TOKENS, ...TINY_WORDS];
  const vocab = Object.fromEntries(tokens.map((t, i) => [t, i]));
  const modelPath = options.layout === 'root' ? join(dir, 'model.onnx') : join(dir, 'onnx', 'model.onnx');
  await mkdir(join(modelPath, '..'), { recursive: true });
  await writeFile(
    modelPath,
    options.transformer
      ? syntheticBertOnnx(tokens.length, dimensions, options.transformer, options.seed ?? 7)
      : tinyOnnxModel(tokens.length, dimensions, options.seed ?? 7, options.sentenceOutput ?? false),
  );
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tinyTokenizerJson(vocab)));
  await writeFile(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: 512,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      mask_token: '[MASK]',
    }),
  );
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({
      model_type: options.modelType ?? 'bert',
      architectures: ['BertModel'],
      hidden_size: dimensions,
      vocab_size: tokens.length,
      max_position_embeddings: 512,
      pad_token_id: 0,
    }),
  );
  if (options.paperboyJson) await writeFile(join(dir, 'paperboy.json'), JSON.stringify(options.paperboyJson));
  return { dir, vocabularySize: tokens.length, dimensions, modelPath };
}

function tinyTokenizerJson(vocab: Record<string, number>): object {
  const special = (content: string) => ({
    id: vocab[content]!,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const specialToken = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: TINY_SPECIAL_TOKENS.map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [specialToken('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, specialToken('[SEP]')],
      pair: [
        specialToken('[CLS]'),
        { Sequence: { id: 'A', type_id: 0 } },
        specialToken('[SEP]'),
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

// ---- the ONNX graph ----

const FLOAT = 1;
const INT64 = 7;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

/** The bytes of the tiny ONNX model (opset 13, IR version 8). */
export function tinyOnnxModel(
  vocabularySize: number,
  dimensions: number,
  seed: number,
  sentenceOutput = false,
): Uint8Array {
  const random = gaussian(seed);
  const words = new Float32Array(vocabularySize * dimensions);
  for (let i = 0; i < words.length; i++) {
    // Special tokens get small vectors so that they do not dominate the pooled sentence.
    const scale = Math.floor(i / dimensions) < TINY_SPECIAL_TOKENS.length ? 0.1 : 1;
    words[i] = random() * scale;
  }
  const types = new Float32Array(2 * dimensions);
  for (let i = 0; i < types.length; i++) types[i] = random() * 0.05;

  const nodes = [
    node('Gather', ['word_embeddings', 'input_ids'], ['words']),
    node('Gather', ['type_embeddings', 'token_type_ids'], ['types']),
    node('Add', ['words', 'types'], ['hidden']),
    node('Cast', ['attention_mask'], ['mask_float'], [intAttribute('to', FLOAT)]),
    node('Unsqueeze', ['mask_float', 'last_axis'], ['mask']),
    node('Mul', ['hidden', 'mask'], ['masked']),
    node('ReduceSum', ['masked', 'sequence_axis'], ['sum'], [intAttribute('keepdims', 1)]),
    node('ReduceSum', ['mask', 'sequence_axis'], ['count'], [intAttribute('keepdims', 1)]),
    node('Div', ['sum', 'count'], ['context']),
    ...(sentenceOutput
      ? // The masked mean of the token states: the direction mean pooling of last_hidden_state gives.
        [node('Squeeze', ['context', 'sequence_axis'], ['sentence_embedding'])]
      : [
          node('Add', ['hidden', 'context'], ['contextual']),
          node('Mul', ['contextual', 'mask'], ['last_hidden_state']),
        ]),
  ];
  const initializers = [
    floatTensor('word_embeddings', [vocabularySize, dimensions], words),
    floatTensor('type_embeddings', [2, dimensions], types),
    int64Tensor('last_axis', [1], [-1n]),
    int64Tensor('sequence_axis', [1], [1n]),
  ];
  return modelBytes(nodes, initializers, dimensions, 13, sentenceOutput);
}

/** A model with the BERT inputs and a last_hidden_state (or sentence_embedding) output. */
function modelBytes(
  nodes: Uint8Array[],
  initializers: Uint8Array[],
  dimensions: number,
  opset: number,
  sentenceOutput = false,
): Uint8Array {
  const graph = message([
    ...nodes.map((n) => bytesField(1, n)),
    stringField(2, 'paperboy-tiny'),
    ...initializers.map((t) => bytesField(5, t)),
    bytesField(11, valueInfo('input_ids', INT64, ['batch', 'sequence'])),
    bytesField(11, valueInfo('attention_mask', INT64, ['batch', 'sequence'])),
    bytesField(11, valueInfo('token_type_ids', INT64, ['batch', 'sequence'])),
    bytesField(
      12,
      sentenceOutput
        ? valueInfo('sentence_embedding', FLOAT, ['batch', dimensions])
        : valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', dimensions]),
    ),
  ]);
  return message([
    varintField(1, 8n), // ir_version
    stringField(2, 'paperboy-tests'), // producer_name
    bytesField(7, graph),
    bytesField(8, message([stringField(1, ''), varintField(2, BigInt(opset))])), // opset_import of the default domain
  ]);
}

/** A BERT-shaped encoder with random weights (opset 17, for LayerNormalization). */
export function syntheticBertOnnx(
  vocabularySize: number,
  hidden: number,
  shape: { layers: number; heads: number; intermediate: number },
  seed: number,
): Uint8Array {
  const random = gaussian(seed);
  const weights = (n: number, scale = 0.05) => Float32Array.from({ length: n }, () => random() * scale);
  const ones = (n: number) => new Float32Array(n).fill(1);
  const headSize = hidden / shape.heads;
  if (!Number.isInteger(headSize)) throw new Error('dimensions must be a multiple of heads');
  const nodes: Uint8Array[] = [];
  const initializers: Uint8Array[] = [
    floatTensor('word_embeddings', [vocabularySize, hidden], weights(vocabularySize * hidden, 1)),
    floatTensor('type_embeddings', [2, hidden], weights(2 * hidden)),
    floatTensor('ln_gamma', [hidden], ones(hidden)),
    floatTensor('ln_beta', [hidden], new Float32Array(hidden)),
    int64Tensor('mask_axes', [2], [1n, 2n]),
    int64Tensor('heads_shape', [4], [0n, 0n, BigInt(shape.heads), BigInt(headSize)]),
    int64Tensor('hidden_shape', [3], [0n, 0n, BigInt(hidden)]),
    floatTensor('one', [], Float32Array.of(1)),
    floatTensor('mask_penalty', [], Float32Array.of(-10000)),
    floatTensor('score_scale', [], Float32Array.of(1 / Math.sqrt(headSize))),
    floatTensor('half', [], Float32Array.of(0.5)),
    floatTensor('inv_sqrt2', [], Float32Array.of(Math.SQRT1_2)),
  ];
  const add = (n: Uint8Array) => nodes.push(n);
  const linear = (input: string, name: string, inSize: number, outSize: number): string => {
    initializers.push(
      floatTensor(`${name}_w`, [inSize, outSize], weights(inSize * outSize)),
      floatTensor(`${name}_b`, [outSize], weights(outSize)),
    );
    add(node('MatMul', [input, `${name}_w`], [`${name}_mm`]));
    add(node('Add', [`${name}_mm`, `${name}_b`], [name]));
    return name;
  };
  const layerNorm = (input: string, output: string) =>
    add(node('LayerNormalization', [input, 'ln_gamma', 'ln_beta'], [output], [intAttribute('axis', -1)]));

  add(node('Gather', ['word_embeddings', 'input_ids'], ['words']));
  add(node('Gather', ['type_embeddings', 'token_type_ids'], ['types']));
  add(node('Add', ['words', 'types'], ['embedded']));
  layerNorm('embedded', 'h0');
  // Padding gets a large negative score so that attention ignores it: [batch, 1, 1, seq].
  add(node('Cast', ['attention_mask'], ['mask_float'], [intAttribute('to', FLOAT)]));
  add(node('Sub', ['one', 'mask_float'], ['mask_inverse']));
  add(node('Mul', ['mask_inverse', 'mask_penalty'], ['mask_bias_2d']));
  add(node('Unsqueeze', ['mask_bias_2d', 'mask_axes'], ['mask_bias']));
  let x = 'h0';
  for (let l = 0; l < shape.layers; l++) {
    const p = `l${l}`;
    const input = x;
    const heads = (name: string, perm: number[]) => {
      add(node('Reshape', [linear(input, `${p}_${name}`, hidden, hidden), 'heads_shape'], [`${p}_${name}_heads`]));
      add(node('Transpose', [`${p}_${name}_heads`], [`${p}_${name}_t`], [intsAttribute('perm', perm)]));
      return `${p}_${name}_t`;
    };
    const q = heads('q', [0, 2, 1, 3]);
    const k = heads('k', [0, 2, 3, 1]);
    const v = heads('v', [0, 2, 1, 3]);
    add(node('MatMul', [q, k], [`${p}_scores_raw`]));
    add(node('Mul', [`${p}_scores_raw`, 'score_scale'], [`${p}_scores_scaled`]));
    add(node('Add', [`${p}_scores_scaled`, 'mask_bias'], [`${p}_scores`]));
    add(node('Softmax', [`${p}_scores`], [`${p}_probs`], [intAttribute('axis', -1)]));
    add(node('MatMul', [`${p}_probs`, v], [`${p}_context_heads`]));
    add(node('Transpose', [`${p}_context_heads`], [`${p}_context_t`], [intsAttribute('perm', [0, 2, 1, 3])]));
    add(node('Reshape', [`${p}_context_t`, 'hidden_shape'], [`${p}_context`]));
    const attention = linear(`${p}_context`, `${p}_o`, hidden, hidden);
    add(node('Add', [attention, input], [`${p}_residual1`]));
    layerNorm(`${p}_residual1`, `${p}_attended`);
    const up = linear(`${p}_attended`, `${p}_up`, hidden, shape.intermediate);
    // GELU, erf form: 0.5 x (1 + erf(x / sqrt 2)).
    add(node('Mul', [up, 'inv_sqrt2'], [`${p}_gelu_a`]));
    add(node('Erf', [`${p}_gelu_a`], [`${p}_gelu_b`]));
    add(node('Add', [`${p}_gelu_b`, 'one'], [`${p}_gelu_c`]));
    add(node('Mul', [up, `${p}_gelu_c`], [`${p}_gelu_d`]));
    add(node('Mul', [`${p}_gelu_d`, 'half'], [`${p}_gelu`]));
    const down = linear(`${p}_gelu`, `${p}_down`, shape.intermediate, hidden);
    add(node('Add', [down, `${p}_attended`], [`${p}_residual2`]));
    layerNorm(`${p}_residual2`, `${p}_out`);
    x = `${p}_out`;
  }
  add(node('Identity', [x], ['last_hidden_state']));
  return modelBytes(nodes, initializers, hidden, 17);
}

function node(opType: string, inputs: string[], outputs: string[], attributes: Uint8Array[] = []): Uint8Array {
  return message([
    ...inputs.map((i) => stringField(1, i)),
    ...outputs.map((o) => stringField(2, o)),
    stringField(3, `${opType}_${outputs[0]}`),
    stringField(4, opType),
    ...attributes.map((a) => bytesField(5, a)),
  ]);
}

function intAttribute(name: string, value: number): Uint8Array {
  return message([stringField(1, name), varintField(3, BigInt(value)), varintField(20, BigInt(ATTRIBUTE_INT))]);
}

function intsAttribute(name: string, values: number[]): Uint8Array {
  return message([
    stringField(1, name),
    ...values.map((v) => varintField(8, BigInt(v))),
    varintField(20, BigInt(ATTRIBUTE_INTS)),
  ]);
}

function floatTensor(name: string, dims: number[], values: Float32Array): Uint8Array {
  return message([
    ...dims.map((d) => varintField(1, BigInt(d))),
    varintField(2, BigInt(FLOAT)),
    stringField(8, name),
    bytesField(9, new Uint8Array(values.buffer, values.byteOffset, values.byteLength)), // raw_data, little-endian
  ]);
}

function int64Tensor(name: string, dims: number[], values: bigint[]): Uint8Array {
  const raw = new BigInt64Array(values);
  return message([
    ...dims.map((d) => varintField(1, BigInt(d))),
    varintField(2, BigInt(INT64)),
    stringField(8, name),
    bytesField(9, new Uint8Array(raw.buffer)),
  ]);
}

function valueInfo(name: string, elementType: number, shape: (string | number)[]): Uint8Array {
  const dims = shape.map((d) =>
    bytesField(1, typeof d === 'number' ? message([varintField(1, BigInt(d))]) : message([stringField(2, d)])),
  );
  const tensorType = message([varintField(1, BigInt(elementType)), bytesField(2, message(dims))]);
  return message([stringField(1, name), bytesField(2, message([bytesField(1, tensorType)]))]);
}

// ---- protobuf wire format: varints (wire type 0) and length-delimited fields (wire type 2) ----

function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value); // negative int64 values are ten bytes long
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v === 0n ? byte : byte | 0x80);
  } while (v !== 0n);
  return out;
}

function varintField(field: number, value: bigint): Uint8Array {
  return Uint8Array.from([...varint(BigInt(field << 3)), ...varint(value)]);
}

function bytesField(field: number, bytes: Uint8Array): Uint8Array {
  const head = [...varint(BigInt((field << 3) | 2)), ...varint(BigInt(bytes.length))];
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head);
  out.set(bytes, head.length);
  return out;
}

function stringField(field: number, text: string): Uint8Array {
  return bytesField(field, new TextEncoder().encode(text));
}

function message(fields: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(fields.reduce((n, f) => n + f.length, 0));
  let offset = 0;
  for (const f of fields) {
    out.set(f, offset);
    offset += f.length;
  }
  return out;
}

/** Standard normal numbers from a seeded generator (mulberry32 + Box-Muller): the same seed, the same model. */
function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}
