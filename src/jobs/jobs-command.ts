/**
 * `paperboy jobs`: the job queue of a PostgreSQL deployment from the command line.
 *   paperboy jobs run harvest|embed|digest|images|thumbnails|summaries [--frequency daily|weekly]   asks the workers for a run now
 *   paperboy jobs status                                                 queues, waiting and running jobs, schedules
 * A run that belongs to a window (today's harvest, a digest period) is queued once, however often it is asked
 * for; on SQLite the jobs run inside `serve`, and `paperboy ingest arxiv`, `digest send` and `model train`
 * run them by hand.
 */
import { Option, type Command } from 'commander';
import { describeDatabase, type ConfigFrom } from '../config.ts';
import { createLogger } from '../log.ts';
import { openStore } from '../store/open-store.ts';
import { PgBossJobQueue, queueName } from './pg-boss-queue.ts';
import {
  digestRequest,
  embedRequest,
  harvestRequest,
  imagesRequest,
  summariesRequest,
  thumbnailsRequest,
} from './paperboy-jobs.ts';
import { JOB_NAMES, type JobName, type JobRequest } from './jobs.ts';

const SQLITE_HINT =
  'on SQLite the jobs run inside `paperboy serve`; run them by hand with `paperboy ingest arxiv`, ' +
  '`paperboy digest send`, `paperboy model train` or `paperboy images fetch`';

export function registerJobsCommands(program: Command, configFrom: ConfigFrom): void {
  const jobs = program
    .command('jobs')
    .description(
      'the job queue of a PostgreSQL deployment (harvest, embedding, digests, images, thumbnails, summaries)',
    );
  const databaseOption = () => new Option('--database-url <url>', 'postgres:// URL (env DATABASE_URL)');

  jobs
    .command('run')
    .description(
      "ask the workers for a run now; a window (today's harvest, a digest period) runs once however often it is asked for",
    )
    .argument('<job>', JOB_NAMES.join(' | '))
    .addOption(
      new Option('--frequency <frequency>', 'digest: which digest').choices(['daily', 'weekly']).default('daily'),
    )
    .addOption(databaseOption())
    .action(async (job: string, options: { frequency: 'daily' | 'weekly'; databaseUrl?: string }) => {
      if (!JOB_NAMES.includes(job as JobName)) throw new Error(`unknown job ${job}: one of ${JOB_NAMES.join(', ')}`);
      const config = configFrom(options);
      if (describeDatabase(config.databaseUrl).backend !== 'postgres') throw new Error(SQLITE_HINT);
      const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
      const store = await openStore(config.databaseUrl);
      const queue = await PgBossJobQueue.connect(config.databaseUrl, logger, { worker: false, config: config.jobs });
      try {
        const now = new Date();
        const request: JobRequest =
          job === 'harvest'
            ? harvestRequest(now)
            : job === 'digest'
              ? await digestRequest(store, config.digest, options.frequency, now)
              : job === 'images'
                ? imagesRequest()
                : job === 'thumbnails'
                  ? thumbnailsRequest()
                  : job === 'summaries'
                    ? summariesRequest()
                    : embedRequest();
        const queued = await queue.enqueue(request);
        process.stdout.write(
          queued
            ? `queued: ${request.window ?? request.name}\n`
            : `not queued: ${request.window ?? request.name} is already queued, running or done\n`,
        );
      } finally {
        await queue.stop();
        await store.close();
      }
    });

  jobs
    .command('status')
    .description('queues (waiting, running, failed jobs) and schedules')
    .addOption(databaseOption())
    .option('--json', 'print JSON')
    .action(async (options: { databaseUrl?: string; json?: boolean }) => {
      const config = configFrom(options);
      if (describeDatabase(config.databaseUrl).backend !== 'postgres') throw new Error(SQLITE_HINT);
      const queue = await PgBossJobQueue.connect(config.databaseUrl, createLogger('warn'), {
        worker: false,
        config: config.jobs,
      });
      try {
        const queues = await queue.boss.getQueues(JOB_NAMES.map(queueName));
        const schedules = await queue.boss.getSchedules();
        const status = {
          queues: queues.map((q) => ({
            name: q.name,
            queued: q.queuedCount,
            active: q.activeCount,
            failed: q.failedCount,
            total: q.totalCount,
          })),
          schedules: schedules.map((s) => ({ key: s.key, cron: s.cron, timeZone: s.timezone })),
        };
        if (options.json) {
          process.stdout.write(`${JSON.stringify(status)}\n`);
          return;
        }
        for (const q of status.queues)
          process.stdout.write(
            `${q.name}: ${q.queued} queued, ${q.active} running, ${q.failed} failed, ${q.total} kept\n`,
          );
        for (const s of status.schedules) process.stdout.write(`schedule ${s.key}: ${s.cron} (${s.timeZone})\n`);
      } finally {
        await queue.stop();
      }
    });
}
