/**
 * Keeps semantic search going on the embedded default: trains the instance's own embedding model from its
 * papers when there is none (or when the corpus has doubled since the last training, or the active model is
 * of an older file version: float32 vectors, trained on a fixed number of epochs), then embeds every
 * paper that has no vector of the active model, in the background, resumably (it only ever looks for
 * papers without a vector). Search uses the model as soon as it is active; papers without a vector are
 * still found lexically.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { Embedder } from './embedder.ts';
import { paperText } from './embedder.ts';
import { MODEL_VERSION, StaticEmbedder, trainStaticModel } from './learned/index.ts';
import type { TrainingDoc, TrainOptions } from './learned/index.ts';

export const ACTIVE_MODEL_STATE = 'embedder.active';

export interface ActiveModel {
  id: string;
  path: string;
  /** Papers in the store when the model was trained. */
  trainedOnPapers: number;
  trainedAt: string;
}

export interface SemanticIndexerOptions {
  modelDir: string;
  /** Below this many papers no model is trained (too little text to learn from). */
  minPapers: number;
  /**
   * Nominal passes over the training pairs: the steps they make are brought within the trainer's step
   * budget (a small corpus trains longer, a large one is bounded), and early stopping on a held-out slice
   * of the papers' own pairs keeps the best weights.
   */
  epochs: number;
  seed: number;
  /** Papers embedded per batch (one store write each). */
  batchSize: number;
  /** Training options over the defaults (tests use a small, quick model). */
  training?: Omit<TrainOptions, 'onProgress'>;
}

export const DEFAULT_INDEXER_OPTIONS: Omit<SemanticIndexerOptions, 'modelDir'> = {
  minPapers: 200,
  epochs: 8,
  seed: 1,
  batchSize: 256,
};

/**
 * Papers a model is trained on at most: past this, an even sample (every k-th paper) of the store. The
 * model learns words and how they relate, which a few hundred thousand abstracts teach as well as millions;
 * training time and memory stay bounded however large the store grows, and every paper is still embedded.
 */
export const TRAINING_PAPERS = 200_000;

/** Every paper's text, read from the store page by page; with `limit`, every k-th paper so that at most `limit` come. */
export async function* storeTrainingDocs(store: Store, limit = Infinity): AsyncIterable<TrainingDoc> {
  const stride = Number.isFinite(limit) ? Math.max(1, Math.ceil((await store.stats()).papers / limit)) : 1;
  let after = 0;
  let seen = 0;
  let given = 0;
  for (;;) {
    const page = await store.paperTexts(after, 5_000);
    if (page.length === 0) return;
    for (const p of page) if (seen++ % stride === 0 && given++ < limit) yield { title: p.title, abstract: p.summary };
    after = page.at(-1)!.row;
  }
}

export async function trainModel(store: Store, options: SemanticIndexerOptions, logger: Logger): Promise<ActiveModel> {
  const papers = (await store.stats()).papers;
  logger.info(
    { papers, sampled: Math.min(papers, TRAINING_PAPERS), epochs: options.epochs },
    'training the embedding model',
  );
  const started = performance.now();
  const model = await trainStaticModel(storeTrainingDocs(store, TRAINING_PAPERS), {
    ...options.training,
    epochs: options.epochs,
    seed: options.seed,
  });
  const training = model.meta.stats?.training as { plannedSteps: number; steps: number; keptStep: number } | undefined;
  await mkdir(options.modelDir, { recursive: true });
  const path = join(options.modelDir, `${model.id.replace(/[^a-z0-9.-]+/gi, '-')}.bin`);
  await model.save(path);
  const active: ActiveModel = { id: model.id, path, trainedOnPapers: papers, trainedAt: new Date().toISOString() };
  await store.setJobState(ACTIVE_MODEL_STATE, active);
  logger.info(
    { model: model.id, seconds: (performance.now() - started) / 1000, path, ...training },
    'embedding model trained',
  );
  return active;
}

/** Embeds papers that have no vector of this model; returns how many it embedded. */
export async function embedMissing(
  store: Store,
  embedder: Embedder,
  batchSize: number,
  onBatch: (done: number) => void = () => {},
): Promise<number> {
  let done = 0;
  for (;;) {
    const batch = await store.papersWithoutVector(embedder.id, batchSize);
    if (batch.length === 0) return done;
    const vectors = await embedder.embedDocuments(batch.map((p) => paperText(p.title, p.summary)));
    await store.putVectors(
      embedder.id,
      embedder.dimensions,
      batch.map((p, i) => ({ id: p.id, vector: vectors[i]! })),
    );
    done += batch.length;
    onBatch(done);
    await yieldToEventLoop();
  }
}

/**
 * Loads a model's vectors into the store's memory (SQLite: its saved copy, or every row) with one query, so
 * that search, handed the model after this, does not make a visitor wait for that load.
 */
export async function warmVectors(store: Store, embedder: Embedder): Promise<void> {
  await store.searchVectors(embedder.id, await embedder.embedQuery('warm up'), 1, {});
}

/** Trains a model on the store's papers and makes it active (in this thread, or a worker's). */
export type Train = () => Promise<ActiveModel>;

export class SemanticIndexer {
  readonly #store: Store;
  readonly #options: SemanticIndexerOptions;
  readonly #logger: Logger;
  readonly #onModel: (embedder: Embedder) => void;
  readonly #train: Train;
  #running: Promise<void> | null = null;
  #loaded: StaticEmbedder | null = null;

  constructor(
    store: Store,
    options: SemanticIndexerOptions,
    logger: Logger,
    onModel: (embedder: Embedder) => void,
    train: Train = () => trainModel(store, options, logger),
  ) {
    this.#store = store;
    this.#options = options;
    this.#logger = logger;
    this.#onModel = onModel;
    this.#train = train;
  }

  /** Loads the active model (if any) and hands it to search at once. */
  async loadActive(): Promise<StaticEmbedder | null> {
    const active = await this.#store.getJobState<ActiveModel>(ACTIVE_MODEL_STATE);
    if (!active) return null;
    try {
      // Model files are tens of MB: the one already loaded is reused (start-up and every round ask for it).
      const embedder = this.#loaded?.id === active.id ? this.#loaded : await StaticEmbedder.load(active.path);
      this.#loaded = embedder;
      // Search stays lexical while the vectors load, then turns hybrid.
      await warmVectors(this.#store, embedder).catch((error: unknown) =>
        this.#logger.warn({ err: error, model: embedder.id }, 'loading the vectors failed'),
      );
      this.#onModel(embedder);
      return embedder;
    } catch (error) {
      this.#logger.warn(
        { err: error, path: active.path },
        'the active embedding model could not be loaded; it will be retrained',
      );
      return null;
    }
  }

  /** One pass: train if needed, then embed what is missing. Runs at most once at a time. */
  run(): Promise<void> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #pass(): Promise<void> {
    const papers = (await this.#store.stats()).papers;
    const active = await this.#store.getJobState<ActiveModel>(ACTIVE_MODEL_STATE);
    let embedder = active ? await this.loadActive() : null;
    const grown = active !== null && papers >= 2 * active.trainedOnPapers;
    // A model of an older format keeps serving (it loads) until its successor's vectors are all written.
    const outdated = embedder !== null && embedder.model.fileVersion < MODEL_VERSION;
    if ((!embedder || grown || outdated) && papers >= this.#options.minPapers) {
      const trained = await this.#train();
      embedder = await StaticEmbedder.load(trained.path);
    }
    if (!embedder) return;
    // The new model serves queries only once its vectors exist, so search never mixes or lacks a space.
    const started = performance.now();
    const embedded = await embedMissing(this.#store, embedder, this.#options.batchSize, (done) => {
      if (done % (this.#options.batchSize * 20) === 0)
        this.#logger.info({ model: embedder.id, done }, 'embedding papers');
    });
    // The model's vectors are loaded into memory now rather than on a visitor's first search.
    await warmVectors(this.#store, embedder);
    this.#onModel(embedder);
    if (embedded > 0) {
      this.#logger.info(
        { model: embedder.id, embedded, seconds: (performance.now() - started) / 1000 },
        'papers embedded',
      );
    }
  }
}
