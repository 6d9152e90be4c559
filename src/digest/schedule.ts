/**
 * The digest runs: the daily digest every day at DIGEST_AT in DIGEST_TIMEZONE, the weekly one on
 * DIGEST_WEEKLY_DAY at the same time. The job queue (src/jobs/) schedules them with digestCrons and runs each
 * with sendScheduledDigest, as `paperboy digest send` does. A run that fails or is interrupted is finished by
 * the next one, because the ledger remembers who got which period. Runs started at the same time (cron, the
 * command line, a job, the outbox button) share the work: each delivery is claimed by one run (see send.ts).
 */
import { WEEKDAYS, type Config, type DigestConfig, type Weekday } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { createMailer } from '../mail/mailer.ts';
import type { DigestFrequency } from '../store/subscription-store.ts';
import { defaultDigestPeriod, todayIn, type DigestPeriod } from './digest-period.ts';
import { runDigest, type DigestRunSummary } from './send.ts';
import type { ForYouProvider } from './compose.ts';
import { storeForYouProvider } from '../recs/member-feed.ts';

export interface DigestScheduleOptions {
  store: Store;
  config: Config;
  logger: Logger;
  /** "For you" papers per subscriber (default: storeForYouProvider, made for each run: the model the indexer
   *  made active, saved searches run lexically). */
  forYou?: ForYouProvider | undefined;
}

/** The cron patterns (in digest.timeZone) of the daily and weekly runs, for the job queue (src/jobs/). */
export function digestCrons(digest: DigestConfig): { frequency: DigestFrequency; cron: string }[] {
  const { hour, minute } = digest.at;
  return [
    { frequency: 'daily', cron: `${minute} ${hour} * * *` },
    { frequency: 'weekly', cron: `${minute} ${hour} * * ${weekdayNumber(digest.weeklyDay)}` },
  ];
}

/** The period a run at `now` sends: the default period for today in the configured time zone. */
export async function scheduledDigestPeriod(
  store: Store,
  digest: DigestConfig,
  frequency: DigestFrequency,
  now = new Date(),
): Promise<DigestPeriod> {
  return defaultDigestPeriod(frequency, todayIn(digest.timeZone, now), await store.latestDay());
}

/** One run, as the jobs and `paperboy digest send` make it: the default period for today in the configured
 *  time zone (or the period given: chosen by a queued run when it was due, or asked for on the command line). */
export async function sendScheduledDigest(
  options: DigestScheduleOptions,
  frequency: DigestFrequency,
  now = new Date(),
  chosen?: DigestPeriod,
): Promise<DigestRunSummary> {
  const { store, config, logger } = options;
  const { digest } = config;
  const period = chosen ?? (await scheduledDigestPeriod(store, digest, frequency, now));
  const mailer = createMailer(config.mail, { pool: digest.concurrency });
  try {
    return await runDigest({
      store,
      mailer,
      logger,
      config: digest,
      publicUrl: config.publicUrl,
      mailFrom: config.mail.replyTo ?? config.mail.from,
      period,
      forYou: options.forYou ?? (await storeForYouProvider(store)),
    });
  } finally {
    mailer.close();
  }
}

function weekdayNumber(day: Weekday): number {
  return WEEKDAYS.indexOf(day);
}
