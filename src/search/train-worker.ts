/**
 * Trains the embedding model in a worker thread: training is seconds to minutes of CPU, which on the main
 * thread would stall every request. The worker opens its own connection to the same SQLite file.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../log.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { trainModel, type ActiveModel, type SemanticIndexerOptions } from './semantic-indexer.ts';

interface TrainJob {
  databasePath: string;
  options: SemanticIndexerOptions;
  logLevel: string;
}

/** Runs trainModel on a SQLite database in a worker thread and resolves with the model it made active. */
export function trainInWorker(job: TrainJob): Promise<ActiveModel> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: job });
    worker.once('message', (message: { ok: true; model: ActiveModel } | { ok: false; error: string }) => {
      if (message.ok) resolve(message.model);
      else reject(new Error(message.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`training worker exited with code ${code}`));
    });
  });
}

if (!isMainThread && parentPort) {
  const job = workerData as TrainJob;
  const store = new SqliteStore(job.databasePath);
  try {
    const model = await trainModel(store, job.options, createLogger(job.logLevel));
    parentPort.postMessage({ ok: true, model });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: (error as Error).message });
  } finally {
    await store.close();
  }
}
