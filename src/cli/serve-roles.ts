/**
 * `paperboy serve --role web|worker|all`.
 *
 * - all (default): the site and the API, and the background jobs: the embedded default, one process.
 * - web: the site and the API only. Web processes keep no state of their own (sessions, rate limits, the
 *   instance secret and the data version that caches key on live in the store), so any number of them can
 *   run behind a proxy.
 * - worker: the background jobs only (embedding, harvest, digests, images), no site; with --port, /healthz only.
 *
 * On PostgreSQL the jobs go through pg-boss queues in the same database, shared by every worker (and `all`)
 * process; on SQLite they run in the process (src/jobs/).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';
import { folderWriteProblem } from '../disk-check.ts';
import { outboxProblem } from '../mail/mailer.ts';
import type { Store } from '../store/store.ts';
import { openStore } from '../store/open-store.ts';
import type { ServeRole } from '../server/background.ts';
import type { JobQueue } from '../jobs/jobs.ts';
import { healthCheck } from '../server/health.ts';

export const SERVE_ROLES: readonly ServeRole[] = ['web', 'worker', 'all'];

export function parseRole(text: string | undefined): ServeRole {
  const role = (text ?? 'all') as ServeRole;
  if (!SERVE_ROLES.includes(role)) throw new Error(`--role must be one of ${SERVE_ROLES.join(', ')}, not ${text}`);
  return role;
}

export async function serveWithRole(role: ServeRole, config: Config, options: { portGiven: boolean }): Promise<void> {
  // Loaded here so that import, stats and the other commands do not load the web application.
  const [
    { startServer, withBoundPort },
    { loadDemoIfEmpty },
    { SearchService },
    { startBackgroundWork },
    { offerAdminClaim },
    { searchRecommender },
    { createImageCache },
  ] = await Promise.all([
    import('../server/serve.ts'),
    import('../ingest/demo.ts'),
    import('../search/search-service.ts'),
    import('../server/background.ts'),
    import('../community/admin-claim.ts'),
    import('../recs/member-feed.ts'),
    import('../images/image-cache.ts'),
  ]);
  const serves = role !== 'worker';
  if (serves) config = await withBoundPort(config);
  const logger = createLogger(config.logLevel).child({ role });
  if (config.mail.smtpUrl === null) {
    logger.warn(
      { outbox: config.mail.outboxDir },
      'mail is not delivered: SMTP_URL is not set, so emails (sign-in links, digests) are written to the outbox folder; sign-in links are also written to this log; administrators read the outbox at /dev/outbox or with `paperboy outbox`',
    );
  }
  const store = await openStore(config.databaseUrl);
  await checkWritable(store, config, role, logger);
  let jobs: JobQueue | undefined;
  if (role !== 'web' && store.backend === 'postgres') {
    const { PgBossJobQueue } = await import('../jobs/pg-boss-queue.ts');
    jobs = await PgBossJobQueue.connect(config.databaseUrl, logger, { worker: true, config: config.jobs });
  }
  if (serves && config.demo) {
    const demo = await loadDemoIfEmpty(store, logger);
    if (demo) logger.info({ papers: demo.papersNew, files: demo.files, seconds: demo.seconds }, 'loaded demo data');
  }
  const search = new SearchService(store, null);
  // One recommender for the pages and the digest jobs of this process (it caches the candidate window).
  const recommender = searchRecommender(store, search);
  // One image cache too: its fetcher is the process's one client for images, and its rounds update the pages' index.
  const images = createImageCache({ store, config, logger });
  let close: () => Promise<void> = async () => {};
  if (serves) {
    const server = await startServer({ store, config, logger, search, recommender, images });
    close = server.close;
    logger.info({ url: server.url, database: config.databaseUrl }, 'Paperboy is serving');
    await offerAdminClaim(store, logger, config.publicUrl);
  } else if (options.portGiven) {
    const problems = healthCheck(store, config);
    const health = await startHealthz(config, async () => {
      await store.latestDay();
      const found = await problems();
      const answer = { role, backend: store.backend, jobs: jobs?.kind ?? 'in-process' };
      return found.length > 0 ? { status: 'degraded', ...answer, problems: found } : { status: 'ok', ...answer };
    });
    close = () => new Promise((done) => health.close(() => done()));
    logger.info({ port: (health.address() as AddressInfo).port }, 'worker health check at /healthz');
  }
  if (role === 'web' && store.backend === 'sqlite')
    logger.warn('role web on SQLite: no process of this one runs the background jobs unless a worker shares the file');
  const background = startBackgroundWork({ store, config, logger, search, role, jobs, recommender, images });
  if (role === 'worker')
    logger.info(
      { jobs: background.jobs?.kind, database: config.databaseUrl.replace(/\/\/[^@/]*@/, '//…@') },
      'Paperboy worker started',
    );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await background.stop();
      await close();
      await store.close();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * Said at start rather than at the first vote or email: a database that cannot take writes stops the server
 * (sign-in, votes and imports would all fail); an outbox or model folder that cannot be written is a warning,
 * since the site works without them.
 */
async function checkWritable(store: Store, config: Config, role: ServeRole, logger: Logger): Promise<void> {
  const database = await store.writeProblem();
  if (database) {
    await store.close();
    throw new Error(`${database}. Paperboy needs to write to its database; fix the path or the disk and start again.`);
  }
  const outbox = outboxProblem(config.mail);
  if (outbox) logger.warn(outbox);
  // Only processes that run the background jobs train and save the instance's embedding model.
  const models = role !== 'web' && config.semanticSearch ? folderWriteProblem(config.modelDir) : null;
  if (models)
    logger.warn(
      `the model folder ${config.modelDir} cannot be written: ${models}; the embedding model it learns cannot be saved there, and semantic search will not start`,
    );
}

/** A worker's only HTTP: GET /healthz (200 with a JSON body when all is well, 503 when degraded or the store does not answer). */
function startHealthz(config: Config, check: () => Promise<Record<string, unknown>>): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || new URL(request.url ?? '/', 'http://worker').pathname !== '/healthz') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      return;
    }
    check().then(
      (body) =>
        response
          .writeHead(body.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify(body)),
      (error: Error) =>
        response
          .writeHead(503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'error', error: error.message })),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve(server));
  });
}
