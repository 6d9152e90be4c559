/**
 * Work beside serving: build the in-memory search index, keep the instance's own embedding model trained and
 * every paper embedded (now, and every few minutes for new papers), run the daily arXiv harvest, send the
 * digests, and fetch avatars into the image cache. The jobs run through a JobQueue (src/jobs/): in this
 * process on the embedded default, on shared PostgreSQL queues when there are several processes.
 *
 * Roles (`paperboy serve --role`): `all` serves and works; `web` only serves (it loads the search model the
 * workers keep, and reloads it when they train a new one); `worker` only works.
 */
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { SearchService } from '../search/search-service.ts';
import type { Embedder } from '../search/embedder.ts';
import {
  ACTIVE_MODEL_STATE,
  DEFAULT_INDEXER_OPTIONS,
  SemanticIndexer,
  embedMissing,
  warmVectors,
  type ActiveModel,
} from '../search/semantic-indexer.ts';
import { loadConfiguredEmbedder } from '../search/onnx/configured-embedder.ts';
import { trainInWorker } from '../search/train-worker.ts';
import { describeDatabase } from '../config.ts';
import type { JobQueue } from '../jobs/jobs.ts';
import { InProcessJobQueue } from '../jobs/in-process.ts';
import {
  embedRequest,
  imagesRequest,
  paperboyJobHandlers,
  paperboyJobSchedules,
  summariesRequest,
  thumbnailsRequest,
} from '../jobs/paperboy-jobs.ts';
import { createSummaryGenerator } from '../summaries/generate.ts';
import { createThumbnailer } from '../images/thumbnails.ts';
import { createImageCache, type ImageCache } from '../images/image-cache.ts';
import { forYouDigestProvider } from '../recs/member-feed.ts';
import type { Recommender } from '../recs/recommender.ts';

export const EMBED_EVERY_MS = 10 * 60_000;
/** How often a process that does not embed looks for a newer search model. */
export const MODEL_REFRESH_MS = 60_000;
/** How often a process that serves pages catches up with images other processes cached. */
export const IMAGE_INDEX_REFRESH_MS = 60_000;

export type ServeRole = 'web' | 'worker' | 'all';

export interface BackgroundWork {
  stop(): Promise<void>;
  /** Resolves when the first round (index build, model loaded; training and embedding where this process works) is over. */
  firstRound: Promise<void>;
  /** Where the jobs run. */
  jobs: JobQueue | null;
}

export function startBackgroundWork(ctx: {
  store: Store;
  config: Config;
  logger: Logger;
  search: SearchService;
  /** Default all. */
  role?: ServeRole;
  /** Default: an in-process queue (the embedded default). */
  jobs?: JobQueue;
  /** The "for you" recommender the pages use, when this process serves them too. Default: one of its own. */
  recommender?: Recommender;
  /** The image cache the pages use, when this process serves them too. Default: one of its own. */
  images?: ImageCache;
}): BackgroundWork {
  const { store, config, logger, search } = ctx;
  const role = ctx.role ?? 'all';
  const works = role !== 'web';
  const jobs = works ? (ctx.jobs ?? new InProcessJobQueue(logger)) : null;
  const options = { ...DEFAULT_INDEXER_OPTIONS, modelDir: config.modelDir };
  const database = describeDatabase(config.databaseUrl);
  // Training runs in a worker thread where the database is a file another connection can open.
  const train =
    database.backend === 'sqlite' && database.path !== ':memory:'
      ? () => trainInWorker({ databasePath: database.path, options, logLevel: config.logLevel })
      : undefined;
  const indexer = new SemanticIndexer(store, options, logger, (embedder) => search.setEmbedder(embedder), train);
  // An ONNX model chosen by EMBEDDER=onnx:PATH or `paperboy model use` replaces the learned one.
  let onnx: (Embedder & { close(): Promise<void> }) | null = null;
  let onnxRound: Promise<void> | null = null; // one embedding pass at a time, as SemanticIndexer.run does
  const embedWithOnnx = async (embedder: Embedder) => {
    const started = performance.now();
    const embedded = await embedMissing(store, embedder, 64);
    await warmVectors(store, embedder);
    search.setEmbedder(embedder); // only once every paper has its vector: search never mixes two spaces
    if (embedded > 0)
      logger.info({ model: embedder.id, embedded, seconds: (performance.now() - started) / 1000 }, 'papers embedded');
  };
  const round = async () => {
    try {
      if (onnx) {
        onnxRound ??= embedWithOnnx(onnx).finally(() => {
          onnxRound = null;
        });
        await onnxRound;
      } else {
        await indexer.run();
      }
    } catch (error) {
      logger.error({ err: error }, 'embedding papers failed; search stays lexical for papers without vectors');
    }
  };
  // A process that does not run the embedding job itself (web, or any process beside other workers) picks up
  // the model the workers keep: at once on start, later only when all papers have vectors of a newer one.
  let current: string | null = null;
  const complete = async (modelId: string) => (await store.countVectors(modelId)) >= (await store.stats()).papers;
  const refreshModel = async () => {
    try {
      if (onnx) {
        if (current !== onnx.id && (await complete(onnx.id))) {
          await warmVectors(store, onnx);
          search.setEmbedder(onnx);
          current = onnx.id;
        }
        return;
      }
      const active = await store.getJobState<ActiveModel>(ACTIVE_MODEL_STATE);
      if (!active || active.id === current || (current !== null && !(await complete(active.id)))) return;
      current = (await indexer.loadActive())?.id ?? current;
    } catch (error) {
      logger.warn({ err: error }, 'looking for a newer search model failed');
    }
  };
  const sharedQueue = jobs?.kind === 'pg-boss';
  // Digests' "for you": the recommender the pages use, with the model search uses (learned or ONNX).
  const handlers = {
    store,
    config,
    logger,
    queue: jobs!,
    embed: config.semanticSearch ? round : null,
    forYou: forYouDigestProvider(store, search, ctx.recommender),
  };
  let refreshTimer: ReturnType<typeof setInterval> | null = null;
  // The image index pages render from: loaded now and, where this process serves, caught up every minute with
  // what workers (or `paperboy images`) did; this process's own rounds update it at once.
  const images = ctx.images ?? createImageCache({ store, config, logger });
  const refreshImages = () =>
    images.refresh().catch((error: unknown) => logger.warn({ err: error }, 'reading the image index failed'));
  void refreshImages();
  const imageTimer = role === 'worker' ? null : setInterval(() => void refreshImages(), IMAGE_INDEX_REFRESH_MS);
  imageTimer?.unref();
  const firstRound = (async () => {
    await search.warmUp();
    logger.info('search index ready');
    if (config.semanticSearch) {
      try {
        onnx = await loadConfiguredEmbedder(config);
        if (onnx) logger.info({ model: onnx.id, dimensions: onnx.dimensions }, 'ONNX embedding model loaded');
      } catch (error) {
        logger.error({ err: error }, 'the chosen ONNX model cannot be loaded; semantic search stays off');
        onnx = null;
        handlers.embed = null;
      }
      // The learned model, if there is one, serves until the ONNX vectors are all there.
      current = (await indexer.loadActive())?.id ?? null;
      if (!works || sharedQueue) {
        await refreshModel();
        refreshTimer = setInterval(() => void refreshModel(), MODEL_REFRESH_MS);
        refreshTimer.unref();
      }
    }
    if (!jobs) return;
    const thumbnails = createThumbnailer({ store, config, logger, images });
    const summaries = createSummaryGenerator({ store, config, logger });
    const jobContext = { ...handlers, images, thumbnails, summaries };
    await jobs.work(paperboyJobHandlers(jobContext), paperboyJobSchedules(jobContext));
    // Avatars not cached yet are fetched in the background, without holding up the first round.
    if (images.fetches) await jobs.enqueue(imagesRequest());
    if (thumbnails) await jobs.enqueue(thumbnailsRequest());
    if (summaries) await jobs.enqueue(summariesRequest());
    // The first embedding round right away (on a shared queue, one worker takes it).
    if (handlers.embed) {
      if (sharedQueue) await jobs.enqueue(embedRequest());
      else await round();
    }
  })();
  firstRound.catch((error) => logger.error({ err: error }, 'starting background work failed'));
  return {
    stop: async () => {
      if (refreshTimer) clearInterval(refreshTimer);
      if (imageTimer) clearInterval(imageTimer);
      await jobs?.stop();
      await onnx?.close();
    },
    firstRound,
    jobs,
  };
}
