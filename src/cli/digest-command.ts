/**
 * `paperboy digest send` (for cron or by hand: safe to run again, the ledger sends only what is missing) and
 * `paperboy digest preview` (the digest as subscribers would get it, without sending). Logs go to stderr as JSON
 * lines, the summary to stdout.
 */
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { ConfigFrom, DigestConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { openStore } from '../store/open-store.ts';
import type { DigestFrequency } from '../store/subscription-store.ts';
import { defaultDigestPeriod, parseDigestPeriod, todayIn, type DigestPeriod } from '../digest/digest-period.ts';
import { composeDigest, loadDigest } from '../digest/compose.ts';
import { readInstanceIdentity } from '../instance/identity.ts';
import { sendScheduledDigest } from '../digest/schedule.ts';
import type { Store } from '../store/store.ts';

interface PeriodOptions {
  databaseUrl?: string;
  period: DigestFrequency;
  date?: string;
}

/** Exit status of a send that left messages deferred (try again later), as sysexits' EX_TEMPFAIL. */
export const EXIT_DEFERRED = 75;

async function choosePeriod(store: Store, digest: DigestConfig, options: PeriodOptions): Promise<DigestPeriod> {
  if (options.date === undefined)
    return defaultDigestPeriod(options.period, todayIn(digest.timeZone, new Date()), await store.latestDay());
  const period = parseDigestPeriod(options.period, options.date);
  if (!period) {
    throw new Error(
      options.period === 'daily'
        ? `--date must be a day, YYYY-MM-DD (got ${options.date})`
        : `--date must be an ISO week, YYYY-Www, or a day in it (got ${options.date})`,
    );
  }
  return period;
}

const periodOption = () =>
  new Option('--period <kind>', 'daily or weekly').choices(['daily', 'weekly']).makeOptionMandatory();
const dateOption = () =>
  new Option(
    '--date <date>',
    'daily: YYYY-MM-DD; weekly: YYYY-Www or a day in the week (default: the latest period with papers)',
  );

export function registerDigestCommands(program: Command, configFrom: ConfigFrom): void {
  const digest = program.command('digest').description('email digests of trending papers');

  digest
    .command('send')
    .description(
      'send a digest to every confirmed subscriber who has not had it; run again to finish an interrupted run',
    )
    .addOption(periodOption())
    .addOption(dateOption())
    .option('--database-url <url>', 'SQLite path or file: URL (env DATABASE_URL)')
    .option('--concurrency <n>', 'messages in flight at once (env DIGEST_CONCURRENCY)')
    .option('--rate <n>', 'messages per second at most, 0 for no limit (env DIGEST_RATE)')
    .action(async (options: PeriodOptions & { concurrency?: string; rate?: string }) => {
      const config = configFrom(options, { DIGEST_CONCURRENCY: options.concurrency, DIGEST_RATE: options.rate });
      const logger = createLogger(config.logLevel);
      const store = await openStore(config.databaseUrl);
      try {
        const period = await choosePeriod(store, config.digest, options);
        // The jobs' run: same mailer, same "for you" section (storeForYouProvider) for members with history.
        const summary = await sendScheduledDigest({ store, config, logger }, period.frequency, new Date(), period);
        const counts = await store.subscriptions.deliveryCounts(period.key);
        const lines = [
          `digest: ${period.key} (${config.mail.smtpUrl ? 'SMTP' : `outbox ${config.mail.outboxDir}`})`,
          summary.skipped ? `skipped: ${summary.skipped}` : `papers: ${summary.papers}`,
          `this run: ${summary.attempted} tried, ${summary.sent} sent, ${summary.deferred} deferred, ${summary.failed} failed (${summary.suspended} suspended)` +
            (summary.elsewhere > 0 ? `; ${summary.elsewhere} sent by another run at the same time` : ''),
          `ledger for the period: ${counts.sent} sent, ${counts.failed} failed, ${counts.deferred} deferred, ${counts.sending} unfinished`,
          `time: ${summary.seconds.toFixed(1)} s`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
        if (summary.deferred > 0) process.exitCode = EXIT_DEFERRED;
      } finally {
        await store.close();
      }
    });

  digest
    .command('preview')
    .description('print a digest as subscribers would get it (text part, or --html), without sending anything')
    .addOption(periodOption())
    .addOption(dateOption())
    .option('--html', 'the HTML part instead of the text part')
    .option('--output <file>', 'write to a file instead of stdout')
    .option('--database-url <url>', 'SQLite path or file: URL (env DATABASE_URL)')
    .action(async (options: PeriodOptions & { html?: boolean; output?: string }) => {
      const config = configFrom(options);
      const store = await openStore(config.databaseUrl);
      try {
        const period = await choosePeriod(store, config.digest, options);
        const content = await loadDigest(store, period, config.digest.top);
        if (content.papers.length === 0)
          throw new Error(`there are no papers for ${period.frequency} ${period.label}: no digest`);
        const composed = composeDigest(content, config.publicUrl, await readInstanceIdentity(store));
        const parts = { unsubscribeUrl: `${config.publicUrl}/unsubscribe/PREVIEW`, forYou: [] };
        const out = options.html ? composed.html(parts) : `Subject: ${composed.subject}\n\n${composed.text(parts)}`;
        if (options.output) writeFileSync(options.output, out);
        else process.stdout.write(out);
      } finally {
        await store.close();
      }
    });
}
