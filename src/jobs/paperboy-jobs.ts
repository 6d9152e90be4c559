/**
 * Paperboy's background jobs as handlers, schedules and run requests for a JobQueue (src/jobs/jobs.ts):
 *
 * - embed: embed every paper that has no vector yet (training the instance's model first when needed), every
 *   10 minutes and after each harvest; idempotent, no window;
 * - harvest: the daily ingestion (arXiv harvest of the configured sets, then the Daily Papers mirror), at
 *   PAPERBOY_HARVEST_AT UTC; window harvest:YYYY-MM-DD (the UTC day it was due);
 * - digest: the daily digest at DIGEST_AT and the weekly one on DIGEST_WEEKLY_DAY; window the period's ledger
 *   key (digest:daily:2026-07-24), chosen when the run is due, so that a retry the next day sends that period;
 * - images: ask for avatars not seen before and fetch what is due into the image cache, every 10 minutes and
 *   after each harvest (unless PAPERBOY_IMAGES=0); idempotent, no window;
 * - thumbnails: give the papers on the daily feed a first-page thumbnail (src/images/thumbnails.ts), a few
 *   per run, every 10 minutes and after each harvest (unless PAPERBOY_THUMBNAILS=0); idempotent, no window;
 * - summaries: summaries and keywords by a language model for feed papers without one (src/summaries/), within
 *   a budget, every 10 minutes and after each harvest, only where LLM_URL and LLM_MODEL are set; no window;
 * - notify: notification emails, every minute for those wanted at once (no window: each email is claimed
 *   once, see notify/send.ts) and daily at DIGEST_AT for the daily batches (window notify:daily:YYYY-MM-DD).
 *
 * Handlers only call the jobs' own code: runDailyIngest, sendScheduledDigest, the indexer's round, the image
 * cache's round.
 */
import type { Config, DigestConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { DigestFrequency } from '../store/subscription-store.ts';
import { toDay } from '../domain/periods.ts';
import { ingestCron, runDailyIngest } from '../ingest/schedule.ts';
import { digestCrons, scheduledDigestPeriod, sendScheduledDigest } from '../digest/schedule.ts';
import { parseDigestPeriod } from '../digest/digest-period.ts';
import type { ForYouProvider } from '../digest/compose.ts';
import type { ImageCache } from '../images/image-cache.ts';
import type { Thumbnailer } from '../images/thumbnails.ts';
import type { SummaryGenerator } from '../summaries/generate.ts';
import type { JobHandler, JobQueue, JobRequest, ScheduledJob } from './jobs.ts';
import { sendNotificationEmails } from '../notify/send.ts';
import { todayIn } from '../digest/digest-period.ts';

export const EMBED_CRON = '*/10 * * * *';
/** Five minutes after the embedding rounds, so that the two do not start together. */
export const IMAGES_CRON = '5-59/10 * * * *';
/** Between the two: a run takes about a minute (a PDF every 3 seconds). */
export const THUMBNAILS_CRON = '8-59/10 * * * *';
export const SUMMARIES_CRON = '2-59/10 * * * *';

export interface PaperboyJobsContext {
  store: Store;
  config: Config;
  logger: Logger;
  queue: JobQueue;
  /** One embedding round (null when semantic search is off). */
  embed: (() => Promise<void>) | null;
  /** The digests' "for you" section (default: sendScheduledDigest's, from the store alone). */
  forYou?: ForYouProvider;
  /** The image cache whose rounds the images job runs (none, or one that does not fetch: no job). */
  images?: ImageCache | undefined;
  /** Makes the papers' thumbnails (none: no thumbnails job). */
  thumbnails?: Thumbnailer | null | undefined;
  /** Writes summaries with a language model (none: not configured, no summaries job). */
  summaries?: SummaryGenerator | null | undefined;
}

export function embedRequest(): JobRequest {
  return { name: 'embed', data: {}, window: null };
}

/** Every minute: the emails of notifications their members want at once. */
export const NOTIFY_CRON = '* * * * *';

export function notifyRequest(mode: 'immediate' | 'daily', day?: string): JobRequest {
  return { name: 'notify', data: { mode }, window: mode === 'daily' ? `notify:daily:${day}` : null };
}

export function imagesRequest(): JobRequest {
  return { name: 'images', data: {}, window: null };
}

export function thumbnailsRequest(): JobRequest {
  return { name: 'thumbnails', data: {}, window: null };
}

export function summariesRequest(): JobRequest {
  return { name: 'summaries', data: {}, window: null };
}

/** The image cache, when it fetches: the images job runs only then. */
function fetchingImages(ctx: PaperboyJobsContext): ImageCache | null {
  return ctx.images?.fetches ? ctx.images : null;
}

/** The harvest due at `now`: the UTC day is its window. */
export function harvestRequest(now: Date): JobRequest {
  const day = toDay(now);
  return { name: 'harvest', data: { day }, window: `harvest:${day}` };
}

/** The digest due at `now`: its period is chosen now and travels with the job. */
export async function digestRequest(
  store: Store,
  digest: DigestConfig,
  frequency: DigestFrequency,
  now: Date,
): Promise<JobRequest> {
  const period = await scheduledDigestPeriod(store, digest, frequency, now);
  return { name: 'digest', data: { frequency, period: period.label }, window: `digest:${period.key}` };
}

export function paperboyJobHandlers(ctx: PaperboyJobsContext): JobHandler[] {
  const { store, config, logger, queue } = ctx;
  return [
    {
      name: 'embed',
      run: async () => {
        await ctx.embed?.();
      },
    },
    {
      name: 'harvest',
      run: async () => {
        const result = await runDailyIngest({ store, logger, config: config.ingest });
        if (result.errors.length > 0) logger.warn({ errors: result.errors }, 'daily ingestion finished with errors');
        // New papers are embedded right after (by whichever worker takes the job), new avatars fetched.
        if (ctx.embed) await queue.enqueue(embedRequest());
        if (fetchingImages(ctx)) await queue.enqueue(imagesRequest());
        if (ctx.thumbnails) await queue.enqueue(thumbnailsRequest());
        if (ctx.summaries) await queue.enqueue(summariesRequest());
      },
    },
    {
      name: 'digest',
      run: async (data) => {
        const frequency = data.frequency === 'weekly' ? 'weekly' : 'daily';
        const period = typeof data.period === 'string' ? parseDigestPeriod(frequency, data.period) : null;
        if (!period) throw new Error(`digest job without a valid period: ${JSON.stringify(data)}`);
        await sendScheduledDigest({ store, config, logger, forYou: ctx.forYou }, frequency, new Date(), period);
      },
    },
    {
      name: 'notify',
      run: async (data) => {
        await sendNotificationEmails({ store, config, logger, mode: data.mode === 'daily' ? 'daily' : 'immediate' });
      },
    },
    {
      name: 'images',
      run: async (_data, signal) => {
        await fetchingImages(ctx)?.fetchDue(signal);
      },
    },
    {
      name: 'thumbnails',
      run: async (_data, signal) => {
        await ctx.thumbnails?.round(config.images.thumbnails.perRun, signal);
      },
    },
    {
      name: 'summaries',
      run: async (_data, signal) => {
        await ctx.summaries?.round(signal);
      },
    },
  ];
}

export function paperboyJobSchedules(ctx: PaperboyJobsContext): ScheduledJob[] {
  const {
    store,
    logger,
    config: { ingest, digest },
  } = ctx;
  const schedules: ScheduledJob[] = [];
  if (ctx.embed)
    schedules.push({
      key: 'embed',
      name: 'embed',
      cron: EMBED_CRON,
      timeZone: 'UTC',
      request: async () => embedRequest(),
    });
  if (fetchingImages(ctx))
    schedules.push({
      key: 'images',
      name: 'images',
      cron: IMAGES_CRON,
      timeZone: 'UTC',
      request: async () => imagesRequest(),
    });
  if (ctx.thumbnails)
    schedules.push({
      key: 'thumbnails',
      name: 'thumbnails',
      cron: THUMBNAILS_CRON,
      timeZone: 'UTC',
      request: async () => thumbnailsRequest(),
    });
  if (ctx.summaries)
    schedules.push({
      key: 'summaries',
      name: 'summaries',
      cron: SUMMARIES_CRON,
      timeZone: 'UTC',
      request: async () => summariesRequest(),
    });
  const harvestCron = ingestCron(ingest, logger);
  if (harvestCron)
    schedules.push({
      key: 'harvest',
      name: 'harvest',
      cron: harvestCron,
      timeZone: 'UTC',
      request: async (now) => harvestRequest(now),
    });
  if (digest.schedule) {
    schedules.push(
      {
        key: 'notify',
        name: 'notify',
        cron: NOTIFY_CRON,
        timeZone: 'UTC',
        request: async () => notifyRequest('immediate'),
      },
      {
        key: 'notify-daily',
        name: 'notify',
        cron: digestCrons(digest)[0]!.cron,
        timeZone: digest.timeZone,
        request: async (now) => notifyRequest('daily', todayIn(digest.timeZone, now)),
      },
    );
    for (const { frequency, cron } of digestCrons(digest)) {
      schedules.push({
        key: `digest-${frequency}`,
        name: 'digest',
        cron,
        timeZone: digest.timeZone,
        request: (now) => digestRequest(store, digest, frequency, now),
      });
    }
  } else {
    logger.info('digest schedule off (DIGEST_SCHEDULE=0)');
  }
  return schedules;
}
