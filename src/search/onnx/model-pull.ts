/**
 * `paperboy model pull NAME`: downloads the files an ONNX sentence-transformer needs from a Hugging Face
 * repository (https://huggingface.co/NAME/resolve/REVISION/FILE) into DIR/<name>. Files go to a hidden
 * folder beside it that is renamed only once everything has arrived, so a failure never leaves a half
 * model that `model use` would accept. Where the hub cannot be reached the error says what was tried and
 * how to bring a model folder in by hand.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_HUB_ENDPOINT } from '../../config.ts';

export interface PullOptions {
  /** owner/name, e.g. Xenova/bge-small-en-v1.5. */
  repo: string;
  /** The folder that holds model folders (data/models/onnx). */
  dir: string;
  /** Base URL of the hub or of a mirror (default https://huggingface.co; the CLI passes HF_ENDPOINT or --endpoint). */
  endpoint?: string;
  revision?: string;
  /** Fetch the int8-quantized export (onnx/model_quantized.onnx): ~4x smaller, faster on CPU, slightly less accurate. */
  quantized?: boolean;
  /** Bearer token for gated or private repositories (the CLI passes HF_TOKEN). */
  token?: string;
  /** Replace an existing folder of the same name. */
  force?: boolean;
  /** A connection or a download that stays silent this long is abandoned. */
  timeoutMs?: number;
  onProgress?: (event: PullProgress) => void;
}

export type PullProgress =
  | { type: 'start'; file: string; bytes: number | null }
  | { type: 'data'; file: string; received: number; bytes: number | null }
  | { type: 'done'; file: string; bytes: number };

export interface PullResult {
  dir: string;
  files: { path: string; bytes: number }[];
}

export class ModelPullError extends Error {}

/** Files a sentence-transformer folder can use; the model file is looked up separately. */
const REQUIRED_FILES = ['config.json', 'tokenizer.json'];
const OPTIONAL_FILES = [
  'tokenizer_config.json',
  'special_tokens_map.json',
  'config_sentence_transformers.json',
  'modules.json',
  '1_Pooling/config.json',
];
const MODEL_FILES = {
  full: ['onnx/model.onnx', 'model.onnx'],
  quantized: ['onnx/model_quantized.onnx', 'model_quantized.onnx'],
};

const REPO_NAME = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

export async function pullModel(options: PullOptions): Promise<PullResult> {
  if (!REPO_NAME.test(options.repo))
    throw new ModelPullError(`"${options.repo}" is not a repository name like Xenova/bge-small-en-v1.5`);
  const endpoint = (options.endpoint ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
  const revision = options.revision ?? 'main';
  const token = options.token;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const progress = options.onProgress ?? (() => {});
  const parent = resolve(options.dir);
  const target = join(parent, options.repo.split('/')[1]!);
  const fileUrl = (file: string) => `${endpoint}/${options.repo}/resolve/${encodeURIComponent(revision)}/${file}`;
  const headers: Record<string, string> = { 'user-agent': 'paperboy-model-pull' };
  if (token) headers.authorization = `Bearer ${token}`;

  if (!options.force && (await exists(target))) {
    throw new ModelPullError(`${target} already exists: remove it, or pass --force to replace it`);
  }

  const get = async (file: string): Promise<Response | null> => {
    const url = fileUrl(file);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, { headers, redirect: 'follow', signal: controller.signal });
    } catch (error) {
      throw new ModelPullError(
        unreachableMessage({ repo: options.repo, endpoint, url, cause: describeCause(error), target }),
      );
    } finally {
      clearTimeout(timer);
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new ModelPullError(
        `${url}: HTTP ${response.status}: the repository is gated or private${token ? ' and HF_TOKEN does not open it' : ': set HF_TOKEN to a token that may read it'}`,
      );
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new ModelPullError(`${url}: HTTP ${response.status} ${response.statusText}`);
    }
    return response;
  };

  // The first request doubles as the connectivity check, before anything is written.
  const config = await get('config.json');
  if (!config) {
    throw new ModelPullError(
      `${fileUrl('config.json')}: not found (HTTP 404): check the repository name and revision; ONNX exports of ` +
        'sentence-transformers are published under e.g. Xenova/ or onnx-community/ (Xenova/bge-small-en-v1.5, Xenova/all-MiniLM-L6-v2)',
    );
  }

  await mkdir(parent, { recursive: true });
  const partial = join(parent, `.${options.repo.split('/')[1]}.partial-${process.pid}-${Date.now()}`);
  const files: { path: string; bytes: number }[] = [];
  try {
    await mkdir(partial);
    const save = async (file: string, response: Response) => {
      // A compressed body's length is not the file's: fetch decompresses it.
      const declared = response.headers.get('content-encoding')
        ? NaN
        : Number(response.headers.get('content-length') ?? NaN);
      const bytes = Number.isFinite(declared) && declared > 0 ? declared : null;
      progress({ type: 'start', file, bytes });
      const path = join(partial, file);
      await mkdir(dirname(path), { recursive: true });
      const received = await download(response, path, timeoutMs, (n) =>
        progress({ type: 'data', file, received: n, bytes }),
      );
      if (bytes !== null && received !== bytes)
        throw new ModelPullError(`${fileUrl(file)}: got ${received} of ${bytes} bytes`);
      files.push({ path: file, bytes: received });
      progress({ type: 'done', file, bytes: received });
    };
    await save('config.json', config);
    for (const file of REQUIRED_FILES.slice(1)) {
      const response = await get(file);
      if (!response)
        throw new ModelPullError(
          `${fileUrl(file)}: not found (HTTP 404): this repository has no ${file}, which Paperboy needs to tokenize text`,
        );
      await save(file, response);
    }
    for (const file of OPTIONAL_FILES) {
      const response = await get(file);
      if (response) await save(file, response);
    }
    const candidates = options.quantized ? MODEL_FILES.quantized : MODEL_FILES.full;
    let model: string | null = null;
    for (const file of candidates) {
      const response = await get(file);
      if (!response) continue;
      await save(file, response);
      model = file;
      break;
    }
    if (!model)
      throw new ModelPullError(
        `${options.repo} has no ONNX export (tried ${candidates.join(', ')}): pick a repository with an onnx/ folder, e.g. Xenova/bge-small-en-v1.5`,
      );
    // Models over 2 GB keep their weights beside the graph.
    const external = await get(`${model}_data`);
    if (external) await save(`${model}_data`, external);
    if (options.quantized) {
      await writeFile(join(partial, 'paperboy.json'), `${JSON.stringify({ model }, null, 2)}\n`);
      files.push({ path: 'paperboy.json', bytes: 0 });
    }
    if (options.force) await rm(target, { recursive: true, force: true });
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  return { dir: target, files };
}

/** Streams a response body to a file; a body that stalls longer than timeoutMs is abandoned. */
async function download(
  response: Response,
  path: string,
  timeoutMs: number,
  onData: (received: number) => void,
): Promise<number> {
  let received = 0;
  let timer: NodeJS.Timeout | undefined;
  const body = Readable.fromWeb(response.body! as import('node:stream/web').ReadableStream<Uint8Array>);
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => body.destroy(new ModelPullError(`${response.url}: the download stalled for ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  };
  arm();
  let lastReport = 0;
  try {
    await pipeline(
      body,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          received += chunk.length;
          arm();
          if (received - lastReport >= 4 << 20) {
            lastReport = received;
            onData(received);
          }
          yield chunk;
        }
      },
      createWriteStream(path),
    );
  } catch (error) {
    if (error instanceof ModelPullError) throw error;
    throw new ModelPullError(
      `${response.url}: the download broke off after ${received} bytes: ${describeCause(error)}`,
    );
  } finally {
    clearTimeout(timer);
  }
  return received;
}

function unreachableMessage(at: {
  repo: string;
  endpoint: string;
  url: string;
  cause: string;
  target: string;
}): string {
  return [
    `cannot reach ${at.endpoint}: GET ${at.url} failed (${at.cause}).`,
    'This machine seems to have no access to the model hub; nothing was written.',
    'To use this model anyway, bring its folder in by hand:',
    `  1. on a machine with access, run \`paperboy model pull ${at.repo}\` (or \`git clone ${DEFAULT_HUB_ENDPOINT}/${at.repo}\` with git-lfs installed);`,
    `  2. copy the folder to ${at.target} (it needs config.json, tokenizer.json and onnx/model.onnx, and tokenizer_config.json where the repository has one);`,
    `  3. run \`paperboy model use ${at.target}\`.`,
    'A mirror of the hub can be named with --endpoint URL or HF_ENDPOINT; behind a proxy, set HTTPS_PROXY and run node with --use-env-proxy.',
  ].join('\n');
}

function describeCause(error: unknown): string {
  const seen: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && seen.length < 4) {
    const code = (current as { code?: unknown }).code;
    const text =
      typeof code === 'string' && !current.message.includes(code) ? `${code}: ${current.message}` : current.message;
    if (text && !seen.includes(text) && text !== 'fetch failed') seen.push(text);
    current = current.cause;
  }
  return seen.join(': ') || String(error);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
