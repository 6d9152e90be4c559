/**
 * Work the embedded default does beside serving: build the in-memory search index, keep the instance's own
 * embedding model trained and every paper embedded (now, and every few minutes for new papers), and run the
 * daily arXiv harvest.
 */
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { SearchService } from '../search/search-service.ts';
import type { Embedder } from '../search/embedder.ts';
import { DEFAULT_INDEXER_OPTIONS, SemanticIndexer, embedMissing } from '../search/semantic-indexer.ts';
import { loadConfiguredEmbedder } from '../search/onnx/configured-embedder.ts';
import { trainInWorker } from '../search/train-worker.ts';
import { describeDatabase } from '../config.ts';
import { startIngestSchedule } from '../ingest/schedule.ts';
import { startDigestSchedule } from '../digest/schedule.ts';

export const EMBED_EVERY_MS = 10 * 60_000;

export interface BackgroundWork {
  stop(): void;
  /** Resolves when the first round (index build, training, embedding) is over. */
  firstRound: Promise<void>;
}

export function startBackgroundWork(ctx: { store: Store; config: Config; logger: Logger; search: SearchService }): BackgroundWork {
  const { store, config, logger, search } = ctx;
  const options = { ...DEFAULT_INDEXER_OPTIONS, modelDir: config.modelDir };
  const database = describeDatabase(config.databaseUrl);
  // Training runs in a worker thread where the database is a file another connection can open.
  const train = database.backend === 'sqlite' && database.path !== ':memory:'
    ? () => trainInWorker({ databasePath: database.path, options, logLevel: config.logLevel })
    : undefined;
  const indexer = new SemanticIndexer(store, options, logger, (embedder) => search.setEmbedder(embedder), train);
  // An ONNX model chosen by EMBEDDER=onnx:PATH or `paperboy model use` replaces the learned one.
  let onnx: (Embedder & { close(): Promise<void> }) | null = null;
  let onnxRound: Promise<void> | null = null; // one embedding pass at a time, as SemanticIndexer.run does
  const embedWithOnnx = async (embedder: Embedder) => {
    const started = performance.now();
    const embedded = await embedMissing(store, embedder, 64);
    search.setEmbedder(embedder); // only once every paper has its vector: search never mixes two spaces
    if (embedded > 0) logger.info({ model: embedder.id, embedded, seconds: (performance.now() - started) / 1000 }, 'papers embedded');
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
  const firstRound = (async () => {
    await store.warmUp();
    logger.info('search index ready');
    if (!config.semanticSearch) return;
    try {
      onnx = await loadConfiguredEmbedder(config);
      if (onnx) logger.info({ model: onnx.id, dimensions: onnx.dimensions }, 'ONNX embedding model loaded');
    } catch (error) {
      logger.error({ err: error }, 'the chosen ONNX model cannot be loaded; semantic search stays off');
      return;
    }
    await indexer.loadActive(); // the learned model, if there is one, serves until the ONNX vectors are all there
    await round();
  })();
  const timer = config.semanticSearch ? setInterval(() => void round(), EMBED_EVERY_MS) : null;
  timer?.unref();
  // The daily arXiv harvest (and Daily Papers mirror, when configured); new papers are embedded right after.
  const stopIngest = startIngestSchedule({ store, logger, afterRun: async () => (config.semanticSearch ? round() : undefined) });
  // Email digests at DIGEST_AT in DIGEST_TIMEZONE (see src/digest/schedule.ts).
  const stopDigest = startDigestSchedule({ store, config, logger });
  return {
    stop: () => {
      if (timer) clearInterval(timer);
      stopIngest();
      stopDigest();
      void onnx?.close();
    },
    firstRound,
  };
}
