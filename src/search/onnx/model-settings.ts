/**
 * How a sentence-transformer folder is to be used: which ONNX file, how token states become one vector
 * (mean over the attention mask, or the first token), and what goes before queries and before passages.
 * Retrieval models are trained with these prefixes; leaving them out costs them several points of nDCG.
 *
 * Sources, strongest first: the folder's own paperboy.json; the sentence-transformers files the model ships
 * (1_Pooling/config.json, config_sentence_transformers.json "prompts"); a small table of model families,
 * matched on the folder's name, then on config.json's _name_or_path; plain defaults (mean, no prefixes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';

export type Pooling = 'mean' | 'cls';

export interface ModelSettings {
  /** The ONNX file, relative to the folder. */
  model: string;
  pooling: Pooling;
  queryPrefix: string;
  documentPrefix: string;
  /** Longer texts are cut to this many tokens, special tokens included. */
  maxTokens: number;
  /** At most this many texts per inference call… */
  batchSize: number;
  /** …and about this many tokens (padding included): one call is what a waiting query may have to sit out. */
  batchTokens: number;
  /** Threads of one inference (0: onnxruntime's choice, all cores). */
  threads: number;
  /** Which rule gave the prefixes and pooling, for `paperboy model status`. */
  source: string;
}

const BGE_EN_INSTRUCTION = 'Represent this sentence for searching relevant passages: ';

interface Family {
  name: string;
  match: RegExp;
  pooling: Pooling;
  queryPrefix: string;
  documentPrefix: string;
}

/** Model families whose model cards ask for prefixes or CLS pooling. More specific rows come first. */
export const MODEL_FAMILIES: readonly Family[] = [
  {
    name: 'e5',
    match: /(^|[/_-])(multilingual-)?e5([_-]|$)/i,
    pooling: 'mean',
    queryPrefix: 'query: ',
    documentPrefix: 'passage: ',
  },
  { name: 'bge-m3', match: /(^|[/_-])bge-m3([_-]|$)/i, pooling: 'cls', queryPrefix: '', documentPrefix: '' },
  {
    name: 'bge-zh',
    match: /(^|[/_-])bge-.*-zh([_-]|$)/i,
    pooling: 'cls',
    queryPrefix: '为这个句子生成表示以用于检索相关文章：',
    documentPrefix: '',
  },
  { name: 'bge', match: /(^|[/_-])bge[_-]/i, pooling: 'cls', queryPrefix: BGE_EN_INSTRUCTION, documentPrefix: '' },
  {
    name: 'mxbai-embed',
    match: /(^|[/_-])mxbai-embed-/i,
    pooling: 'cls',
    queryPrefix: BGE_EN_INSTRUCTION,
    documentPrefix: '',
  },
  {
    name: 'nomic-embed-text',
    match: /(^|[/_-])nomic-embed-text/i,
    pooling: 'mean',
    queryPrefix: 'search_query: ',
    documentPrefix: 'search_document: ',
  },
  { name: 'specter2', match: /(^|[/_-])specter2/i, pooling: 'cls', queryPrefix: '', documentPrefix: '' },
];

/** The folder's paperboy.json: every field optional, unknown fields refused (a typo should not pass silently). */
export const paperboyJsonSchema = z.strictObject({
  model: z.string().min(1).optional(),
  pooling: z.enum(['mean', 'cls']).optional(),
  queryPrefix: z.string().optional(),
  documentPrefix: z.string().optional(),
  maxTokens: z.number().int().min(8).max(32_768).optional(),
  batchSize: z.number().int().min(1).max(1024).optional(),
  batchTokens: z.number().int().min(1).max(1_000_000).optional(),
  threads: z.number().int().min(0).max(256).optional(),
});

const looseObject = z.record(z.string(), z.unknown());

export class ModelFolderError extends Error {}

function readJson(dir: string, file: string): Record<string, unknown> | null {
  const path = join(dir, file);
  if (!existsSync(path)) return null;
  try {
    return looseObject.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new ModelFolderError(`${path}: not a JSON object (${(error as Error).message})`);
  }
}

/** The ONNX file of a folder in the usual export layouts, or null. */
export function findOnnxFile(dir: string): string | null {
  for (const candidate of ['onnx/model.onnx', 'model.onnx']) if (existsSync(join(dir, candidate))) return candidate;
  return null;
}

export function familyOf(name: string): Family | null {
  return MODEL_FAMILIES.find((f) => f.match.test(name)) ?? null;
}

/** Resolves the settings of the model folder `dir` (which must hold config.json and tokenizer.json). */
export function resolveModelSettings(dir: string): ModelSettings {
  for (const required of ['config.json', 'tokenizer.json']) {
    if (!existsSync(join(dir, required)))
      throw new ModelFolderError(
        `${dir}: no ${required} (a model folder needs config.json, tokenizer.json and onnx/model.onnx)`,
      );
  }
  const config = readJson(dir, 'config.json')!;
  const tokenizerConfig = readJson(dir, 'tokenizer_config.json') ?? {};
  const rawOwn = readJson(dir, 'paperboy.json');
  const parsedOwn = rawOwn === null ? null : paperboyJsonSchema.safeParse(rawOwn);
  if (parsedOwn && !parsedOwn.success) {
    const issue = parsedOwn.error.issues[0]!;
    throw new ModelFolderError(`${join(dir, 'paperboy.json')}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const own = parsedOwn?.data ?? {};

  const model = own.model ?? findOnnxFile(dir);
  if (!model) throw new ModelFolderError(`${dir}: no onnx/model.onnx or model.onnx (or set "model" in paperboy.json)`);
  if (!existsSync(join(dir, model))) throw new ModelFolderError(`${dir}: ${model} does not exist`);

  const nameOrPath = typeof config._name_or_path === 'string' ? config._name_or_path : '';
  const family = familyOf(basename(dir)) ?? (nameOrPath ? familyOf(nameOrPath) : null);
  const sources: string[] = [family ? `family ${family.name}` : 'defaults'];
  let pooling: Pooling = family?.pooling ?? 'mean';
  let queryPrefix = family?.queryPrefix ?? '';
  let documentPrefix = family?.documentPrefix ?? '';

  const stPooling = readJson(dir, '1_Pooling/config.json');
  if (stPooling?.pooling_mode_cls_token === true) pooling = 'cls';
  else if (stPooling?.pooling_mode_mean_tokens === true) pooling = 'mean';
  if (stPooling) sources.push('1_Pooling/config.json');
  const prompts = looseObject.safeParse(readJson(dir, 'config_sentence_transformers.json')?.prompts);
  if (prompts.success) {
    const text = (key: string) => (typeof prompts.data[key] === 'string' ? prompts.data[key] : undefined);
    const query = text('query');
    const document = text('document') ?? text('passage') ?? text('corpus');
    if (query !== undefined) queryPrefix = query;
    if (document !== undefined) documentPrefix = document;
    if (query !== undefined || document !== undefined) sources.push('config_sentence_transformers.json');
  }
  if (rawOwn) sources.push('paperboy.json');

  return {
    model,
    pooling: own.pooling ?? pooling,
    queryPrefix: own.queryPrefix ?? queryPrefix,
    documentPrefix: own.documentPrefix ?? documentPrefix,
    maxTokens: own.maxTokens ?? defaultMaxTokens(config, tokenizerConfig),
    batchSize: own.batchSize ?? 16,
    batchTokens: own.batchTokens ?? 512,
    threads: own.threads ?? 0,
    source: sources.join(' + '),
  };
}

/** 512 unless the tokenizer or the model says less: attention cost grows with the square of the length. */
function defaultMaxTokens(config: Record<string, unknown>, tokenizerConfig: Record<string, unknown>): number {
  const declared = tokenizerConfig.model_max_length;
  // Tokenizers without a limit declare a huge sentinel (1e30); position embeddings then bound the length.
  if (typeof declared === 'number' && declared >= 8 && declared <= 100_000) return Math.min(512, declared);
  const positions = config.max_position_embeddings;
  // RoBERTa-family models reserve two positions (padding index + 1).
  const offset = typeof config.model_type === 'string' && /roberta|camembert/i.test(config.model_type) ? 2 : 0;
  if (typeof positions === 'number' && positions - offset >= 8) return Math.min(512, positions - offset);
  return 512;
}
