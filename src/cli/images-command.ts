/**
 * `paperboy images`: the image cache from the command line (docs/images.md).
 *   paperboy images status             how many images are cached, waiting, failed; where the files are
 *   paperboy images fetch              one round now: ask for new avatars, fetch what is due (what the job does)
 *   paperboy images clear --all|--failed
 *                                      forget every image that can be had again (bytes included; the uploaded logo
 *                                      stays), or only the failures (tried again)
 *   paperboy images thumbnails [--limit N] [--paper ID]
 *                                      first-page thumbnails now: one round of the job, or one paper
 */
import type { Command } from 'commander';
import type { Config, ConfigFrom } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { openStore } from '../store/open-store.ts';
import { createImageCache, type ImageCache } from '../images/image-cache.ts';
import { createThumbnailer } from '../images/thumbnails.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import { thumbnailSource } from '../domain/urls.ts';

export function registerImagesCommands(program: Command, configFrom: ConfigFrom): void {
  const images = program.command('images').description('the image cache: avatars kept and served by the instance');
  const withCache = async (
    options: { databaseUrl?: string },
    work: (cache: ImageCache, config: Config, backend: string, store: Store, logger: Logger) => Promise<void>,
  ) => {
    const config = configFrom(options);
    const store = await openStore(config.databaseUrl);
    const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
    try {
      await work(createImageCache({ store, config, logger }), config, store.backend, store, logger);
    } finally {
      await store.close();
    }
  };

  images
    .command('status')
    .description('how many images are cached, waiting and failed, and where their bytes are')
    .option('--database-url <url>', 'SQLite path or file: URL, or postgres:// URL (env DATABASE_URL)')
    .action((options: { databaseUrl?: string }) =>
      withCache(options, async (cache, config, backend) => {
        const counts = await cache.counts();
        process.stdout.write(`cached: ${counts.cached}\nwaiting: ${counts.pending}\nfailed: ${counts.failed}\n`);
        process.stdout.write(
          `bytes: ${backend === 'postgres' ? 'in the database (image_blobs)' : config.images.dir}\n`,
        );
        if (!cache.fetches) process.stdout.write('fetching: off (PAPERBOY_IMAGES=0)\n');
      }),
    );

  images
    .command('fetch')
    .description('one round now: ask for avatars not seen before and fetch every image that is due')
    .option('--database-url <url>', 'SQLite path or file: URL, or postgres:// URL (env DATABASE_URL)')
    .action((options: { databaseUrl?: string }) =>
      withCache(options, async (cache) => {
        if (!cache.fetches) throw new Error('fetching images is off (PAPERBOY_IMAGES=0)');
        const round = await cache.fetchDue();
        process.stdout.write(
          `new avatars: ${round.requested}\ncached: ${round.cached}\nfailed: ${round.failed}\nleft for later: ${round.skipped}\n`,
        );
      }),
    );

  images
    .command('clear')
    .description(
      'forget cached images: --all every one that can be had again, bytes included (pages show initials until fetched again; the uploaded logo stays), --failed the failures only',
    )
    .option('--all', 'forget every fetched or rendered image; the uploaded logo is kept')
    .option('--failed', 'only forget failures, so that the next round tries those images again')
    .option('--database-url <url>', 'SQLite path or file: URL, or postgres:// URL (env DATABASE_URL)')
    .action((options: { databaseUrl?: string; failed?: boolean; all?: boolean }) =>
      withCache(options, async (cache) => {
        // Said outright: a bare "clear" forgetting everything is too easy to type.
        if (options.all === options.failed) throw new Error('say what to forget: --all or --failed');
        const forgotten = await cache.clear(options.failed ? 'failed' : 'all');
        process.stdout.write(
          `forgotten: ${forgotten} image${forgotten === 1 ? '' : 's'}${options.failed ? ' that failed' : ''}\n`,
        );
      }),
    );

  images
    .command('thumbnails')
    .description(
      "papers' first-page thumbnails now: one round of the job (imported ones fetched, others rendered from arXiv PDFs), or --paper ID",
    )
    .option('--limit <n>', 'papers in this round (default PAPERBOY_THUMBNAILS_PER_RUN)')
    .option('--paper <id>', 'render this paper now, whether due or not')
    .option('--database-url <url>', 'SQLite path or file: URL, or postgres:// URL (env DATABASE_URL)')
    .action((options: { databaseUrl?: string; limit?: string; paper?: string }) =>
      withCache(options, async (cache, config, _backend, store, logger) => {
        const thumbnailer = createThumbnailer({ store, config, logger, images: cache });
        if (!thumbnailer) throw new Error('thumbnails are off (PAPERBOY_THUMBNAILS=0 or PAPERBOY_IMAGES=0)');
        if (options.paper !== undefined) {
          const id = normalizeArxivId(options.paper);
          if (!id) throw new Error(`not an arXiv id: ${options.paper}`);
          if (!thumbnailer.renders) throw new Error('PDFs are not fetched: set PAPERBOY_CONTACT (arXiv asks for it)');
          const outcome = await thumbnailer.renderPaper(id);
          if (!outcome.ok) throw new Error(`${id}: ${outcome.reason}`);
          process.stdout.write(`${id}: ${cache.pathFor(thumbnailSource(id))}\n`);
          return;
        }
        const limit = options.limit === undefined ? config.images.thumbnails.perRun : Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit must be a positive whole number');
        const round = await thumbnailer.round(limit);
        process.stdout.write(`imported: ${round.imported}\nrendered: ${round.rendered}\nfailed: ${round.failed}\n`);
        if (!thumbnailer.renders) process.stdout.write('PDFs: not fetched (set PAPERBOY_CONTACT)\n');
      }),
    );
}
