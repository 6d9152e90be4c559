/**
 * The Embedder for any ONNX sentence-transformer in a local folder (bge, e5, MiniLM, SPECTER2, …, in the
 * usual Hugging Face layout: config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx).
 *
 * The model runs in a worker thread by default: onnxruntime-node computes synchronously, and one batch of
 * abstracts through a base-size model takes long enough to stall every request of a server. Its id is
 * "onnx/<folder name>@<hash of the ONNX file and of the pooling/prefix settings>", so vectors of two models,
 * or of one model used two ways, never mix.
 */
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Embedder } from '../embedder.ts';
import { resolveModelSettings, type ModelSettings } from './model-settings.ts';
import { OnnxModel, type OnnxModelInfo, type OnnxModelOptions, type TextKind } from './onnx-model.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './onnx-worker.ts';

export interface OnnxEmbedderOptions extends OnnxModelOptions {
  /** 'worker' (default) keeps inference off the calling thread; 'main' runs it in this thread (scripts, tests). */
  thread?: 'worker' | 'main';
}

interface Backend {
  embed(texts: readonly string[], kind: TextKind): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export class OnnxEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly dir: string;
  readonly settings: ModelSettings;
  readonly #backend: Backend;

  private constructor(info: OnnxModelInfo, backend: Backend) {
    this.id = info.id;
    this.dimensions = info.dimensions;
    this.dir = info.dir;
    this.settings = info.settings;
    this.#backend = backend;
  }

  /** Loads the model folder `dir`; fails with a message naming what is missing or wrong. */
  static async load(dir: string, options: OnnxEmbedderOptions = {}): Promise<OnnxEmbedder> {
    const { thread = 'worker', ...modelOptions } = options;
    if (thread === 'main') {
      const model = await OnnxModel.load(dir, modelOptions);
      return new OnnxEmbedder(model.info(), {
        embed: (texts, kind) => model.embed(texts, kind),
        close: () => model.close(),
      });
    }
    resolveModelSettings(resolve(dir)); // a folder that is no model fails here, before a worker starts
    const { info, backend } = await WorkerBackend.start({ dir, options: modelOptions });
    return new OnnxEmbedder(info, backend);
  }

  embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.length === 0 ? Promise.resolve([]) : this.#backend.embed(texts, 'document');
  }

  async embedQuery(text: string): Promise<Float32Array> {
    const [vector] = await this.#backend.embed([text], 'query');
    return vector!;
  }

  /** Frees the model (and ends its worker). */
  close(): Promise<void> {
    return this.#backend.close();
  }
}

class WorkerBackend implements Backend {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>();
  #seq = 0;
  #failure: Error | null = null;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  static start(init: WorkerInit): Promise<{ info: OnnxModelInfo; backend: WorkerBackend }> {
    const worker = new Worker(new URL('./onnx-worker.ts', import.meta.url), { workerData: init });
    const backend = new WorkerBackend(worker);
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') {
          ready = true;
          worker.unref(); // an idle model must not keep the process alive
          resolve({ info: reply.info, backend });
        } else if (reply.type === 'load-failed') {
          reject(new Error(reply.message));
        } else {
          backend.#settle(reply);
        }
      });
      worker.on('error', (error) => {
        if (!ready) reject(error);
        backend.#fail(error);
      });
      worker.on('exit', (code) => {
        const error = new Error(`the ONNX model worker exited (code ${code})`);
        if (!ready) reject(error);
        backend.#fail(error);
      });
    });
  }

  embed(texts: readonly string[], kind: TextKind): Promise<Float32Array[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    const seq = ++this.#seq;
    const promise = new Promise<Float32Array[]>((resolve, reject) => this.#pending.set(seq, { resolve, reject }));
    if (this.#pending.size === 1) this.#worker.ref(); // work in flight keeps the process alive until it is done
    this.#worker.postMessage({ type: 'embed', seq, texts: [...texts], kind } satisfies WorkerRequest);
    return promise;
  }

  async close(): Promise<void> {
    if (this.#failure) return;
    this.#failure = new Error('the ONNX embedder is closed');
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.ref(); // keep the process up until the worker has released the model
    this.#worker.postMessage({ type: 'close' } satisfies WorkerRequest);
    await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())]);
    await this.#worker.terminate();
  }

  #settle(reply: Extract<WorkerReply, { seq: number }>): void {
    const pending = this.#pending.get(reply.seq);
    if (!pending) return;
    this.#pending.delete(reply.seq);
    if (this.#pending.size === 0) this.#worker.unref();
    if (reply.type === 'result') pending.resolve(reply.vectors);
    else pending.reject(new Error(reply.message));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
