/**
 * The in-process digest schedule of `serve`: the daily digest every day at DIGEST_AT in DIGEST_TIMEZONE, the
 * weekly one on DIGEST_WEEKLY_DAY at the same time. A run that is still going when the next is due is not
 * overlapped; a run that fails or is interrupted is finished by the next one (or `paperboy digest send`),
 * because the ledger remembers who got which period.
 */
import { Cron } from 'croner';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { createMailer } from '../mail/mailer.ts';
import type { DigestFrequency } from '../store/subscription-store.ts';
import { loadDigestConfig, weekdayNumber, type DigestConfig } from './digest-config.ts';
import { defaultDigestPeriod, todayIn } from './digest-period.ts';
import { runDigest, type DigestRunSummary } from './send.ts';
import type { ForYouProvider } from './compose.ts';

export interface DigestScheduleOptions {
  store: Store;
  config: Config;
  logger: Logger;
  /** Defaults to loadDigestConfig(process.env). */
  digest?: DigestConfig;
  /** "For you" papers per subscriber, when recommendations are available. */
  forYou?: ForYouProvider;
}

/** Starts the schedule (unless DIGEST_SCHEDULE=0); returns a function that stops it. */
export function startDigestSchedule(options: DigestScheduleOptions): () => void {
  const digest = options.digest ?? loadDigestConfig();
  const { logger } = options;
  if (!digest.schedule) {
    logger.info('digest schedule off (DIGEST_SCHEDULE=0)');
    return () => {};
  }
  const { hour, minute } = digest.at;
  const job = (frequency: DigestFrequency, pattern: string) => new Cron(pattern, {
    name: `paperboy-digest-${frequency}`,
    timezone: digest.timeZone,
    protect: () => logger.warn({ frequency }, 'previous digest run still going; skipping this one'),
    catch: (error) => logger.error({ err: error, frequency }, 'digest run failed'),
  }, async () => {
    await sendScheduledDigest({ ...options, digest }, frequency);
  });
  const jobs = [
    job('daily', `${minute} ${hour} * * *`),
    job('weekly', `${minute} ${hour} * * ${weekdayNumber(digest.weeklyDay)}`),
  ];
  logger.info({ daily: jobs[0]!.nextRun()?.toISOString(), weekly: jobs[1]!.nextRun()?.toISOString(), timeZone: digest.timeZone }, 'digests scheduled');
  return () => jobs.forEach((j) => j.stop());
}

/** One scheduled run: the default period for today in the configured time zone. */
export async function sendScheduledDigest(options: DigestScheduleOptions & { digest: DigestConfig }, frequency: DigestFrequency, now = new Date()): Promise<DigestRunSummary> {
  const { store, config, logger, digest } = options;
  const period = defaultDigestPeriod(frequency, todayIn(digest.timeZone, now), await store.latestDay());
  const mailer = createMailer(config.mail, { pool: digest.concurrency });
  try {
    return await runDigest({
      store, mailer, logger, config: digest, publicUrl: config.publicUrl, mailFrom: config.mail.replyTo ?? config.mail.from, period,
      forYou: options.forYou,
    });
  } finally {
    mailer.close();
  }
}
