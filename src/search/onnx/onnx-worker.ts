/**
 * The worker thread that owns an ONNX model, so that inference (synchronous in onnxruntime-node) never
 * blocks the server's event loop. Queries go before pending document batches: a visitor's search waits for
 * at most the one batch being computed, not for a whole background embedding job.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { OnnxModel, type OnnxModelOptions, type TextKind } from './onnx-model.ts';

export interface WorkerInit {
  dir: string;
  options: OnnxModelOptions;
}

export type WorkerRequest = { type: 'embed'; seq: number; texts: string[]; kind: TextKind } | { type: 'close' };

export type WorkerReply =
  | { type: 'ready'; info: ReturnType<OnnxModel['info']> }
  | { type: 'load-failed'; message: string }
  | { type: 'result'; seq: number; vectors: Float32Array[] }
  | { type: 'failed'; seq: number; message: string };

interface Job {
  seq: number;
  kind: TextKind;
  texts: string[];
  batches: number[][];
  next: number;
  out: Float32Array[];
}

if (!parentPort) throw new Error('onnx-worker.ts runs as a worker thread');
const port = parentPort;
const init = workerData as WorkerInit;
const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

let loaded: OnnxModel | null = null;
try {
  loaded = await OnnxModel.load(init.dir, init.options);
  reply({ type: 'ready', info: loaded.info() });
} catch (error) {
  reply({ type: 'load-failed', message: (error as Error).message });
  port.close(); // nothing else holds the thread: it ends
}
if (loaded) serve(loaded);

function serve(model: OnnxModel): void {
  const queries: Job[] = [];
  const documents: Job[] = [];
  let pumping = false;

  /** Runs one batch at a time, always taking a query's batch first when one is waiting. */
  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        const queue = queries.length > 0 ? queries : documents;
        const job = queue[0];
        if (!job) return;
        try {
          if (job.next < job.batches.length) {
            const batch = job.batches[job.next++]!;
            const vectors = await model.embedBatch(
              batch.map((i) => job.texts[i]!),
              job.kind,
            );
            batch.forEach((i, j) => {
              job.out[i] = vectors[j]!;
            });
          }
          if (job.next >= job.batches.length) {
            queue.shift();
            reply(
              { type: 'result', seq: job.seq, vectors: job.out },
              job.out.map((v) => v.buffer as ArrayBuffer),
            );
          }
        } catch (error) {
          queue.shift();
          reply({ type: 'failed', seq: job.seq, message: (error as Error).message });
        }
      }
    } finally {
      pumping = false;
    }
  };

  port.on('message', (request: WorkerRequest) => {
    if (request.type === 'close') {
      void model.close().finally(() => port.close());
      return;
    }
    const { seq, kind, texts } = request;
    (kind === 'query' ? queries : documents).push({
      seq,
      kind,
      texts,
      batches: model.plan(texts),
      next: 0,
      out: new Array(texts.length),
    });
    void pump();
  });
}
