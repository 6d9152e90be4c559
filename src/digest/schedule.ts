/**
 * The in-process digest schedule of `serve`: the daily digest every day at DIGEST_AT in DIGEST_TIMEZONE, the
 * weekly one on DIGEST_WEEKLY_DAY at the same time. A run that is still going when the next is due is not
 * overlapped here; a run that fails or is interrupted is finished by the next one (or `paperboy digest send`),
 * because the ledger remembers who got which period. Runs started elsewhere at the same time (cron, the
 * command line, a job) share the work: each delivery is claimed by one run (see send.ts).
 */
import { Cron } from 'croner';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { createMailer } from '../mail/mailer.ts';
import type { DigestFrequency } from '../store/subscription-store.ts';
import { loadDigestConfig, weekdayNumber, type DigestConfig } from './digest-config.ts';
import { defaultDigestPeriod, todayIn, type DigestPeriod } from './digest-period.ts';
import { runDigest, type DigestRunSummary } from './send.ts';
import type { ForYouProvider } from './compose.ts';
import { storeForYouProvider } from '../recs/member-feed.ts';

export interface DigestScheduleOptions {
  store: Store;
  config: Config;
  logger: Logger;
  /** Defaults to loadDigestConfig(process.env). */
  digest?: DigestConfig;
  /** "For you" papers per subscriber (default: storeForYouProvider, made for each run: the model the indexer
   *  made active, saved searches run lexically). */
  forYou?: ForYouProvider | undefined;
}

/** Starts the schedule (unless DIGEST_SCHEDULE=0); returns a function that stops it. */
export function startDigestSchedule(options: DigestScheduleOptions): () => void {
  const digest = options.digest ?? loadDigestConfig();
  const { logger } = options;
  if (!digest.schedule) {
    logger.info('digest schedule off (DIGEST_SCHEDULE=0)');
    return () => {};
  }
  const job = (frequency: DigestFrequency, pattern: string) => new Cron(pattern, {
    name: `paperboy-digest-${frequency}`,
    timezone: digest.timeZone,
    protect: () => logger.warn({ frequency }, 'previous digest run still going; skipping this one'),
    catch: (error) => logger.error({ err: error, frequency }, 'digest run failed'),
  }, async () => {
    await sendScheduledDigest({ ...options, digest }, frequency);
  });
  const jobs = digestCrons(digest).map(({ frequency, cron }) => job(frequency, cron));
  logger.info({ daily: jobs[0]!.nextRun()?.toISOString(), weekly: jobs[1]!.nextRun()?.toISOString(), timeZone: digest.timeZone }, 'digests scheduled');
  return () => jobs.forEach((j) => j.stop());
}

/** The cron patterns (in digest.timeZone) of the daily and weekly runs; the job queue of a PostgreSQL
 *  deployment (src/jobs/) schedules the same runs with them. */
export function digestCrons(digest: DigestConfig): { frequency: DigestFrequency; cron: string }[] {
  const { hour, minute } = digest.at;
  return [
    { frequency: 'daily', cron: `${minute} ${hour} * * *` },
    { frequency: 'weekly', cron: `${minute} ${hour} * * ${weekdayNumber(digest.weeklyDay)}` },
  ];
}

/** The period a run at `now` sends: the default period for today in the configured time zone. */
export async function scheduledDigestPeriod(store: Store, digest: DigestConfig, frequency: DigestFrequency, now = new Date()): Promise<DigestPeriod> {
  return defaultDigestPeriod(frequency, todayIn(digest.timeZone, now), await store.latestDay());
}

/** One run, as the jobs and `paperboy digest send` make it: the default period for today in the configured
 *  time zone (or the period given: chosen by a queued run when it was due, or asked for on the command line). */
export async function sendScheduledDigest(options: DigestScheduleOptions & { digest: DigestConfig }, frequency: DigestFrequency, now = new Date(),
  chosen?: DigestPeriod): Promise<DigestRunSummary> {
  const { store, config, logger, digest } = options;
  const period = chosen ?? await scheduledDigestPeriod(store, digest, frequency, now);
  const mailer = createMailer(config.mail, { pool: digest.concurrency });
  try {
    return await runDigest({
      store, mailer, logger, config: digest, publicUrl: config.publicUrl, mailFrom: config.mail.replyTo ?? config.mail.from, period,
      forYou: options.forYou ?? await storeForYouProvider(store),
    });
  } finally {
    mailer.close();
  }
}
