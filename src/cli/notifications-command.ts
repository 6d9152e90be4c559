/**
 * `paperboy notifications send [--daily]`: sends the notification emails that are due (for cron, or when
 * DIGEST_SCHEDULE=0 leaves the jobs' schedule off). Safe to run in several places at once: each email is claimed
 * by one run (notify/send.ts). Logs go to stderr as JSON lines, the summary to stdout.
 */
import type { Command } from 'commander';
import type { ConfigFrom } from '../config.ts';
import { createLogger } from '../log.ts';
import { openStore } from '../store/open-store.ts';
import { sendNotificationEmails } from '../notify/send.ts';

export function registerNotificationCommands(program: Command, configFrom: ConfigFrom): void {
  const notifications = program.command('notifications').description('members’ notification emails');
  notifications
    .command('send')
    .description('send the notification emails that are due: those wanted at once, or with --daily the daily batches')
    .option('--daily', 'send the daily batches instead of the emails wanted at once')
    .option('--database-url <url>', 'SQLite path or file: URL (env DATABASE_URL)')
    .action(async (options: { daily?: boolean; databaseUrl?: string }) => {
      const config = configFrom(options);
      const logger = createLogger(config.logLevel);
      const store = await openStore(config.databaseUrl);
      try {
        const summary = await sendNotificationEmails({
          store,
          config,
          logger,
          mode: options.daily ? 'daily' : 'immediate',
        });
        process.stdout.write(
          `notifications (${summary.mode}, ${config.mail.smtpUrl ? 'SMTP' : `outbox ${config.mail.outboxDir}`}): ` +
            `${summary.sent} emails sent carrying ${summary.notifications} notifications, ${summary.deferred} deferred, ` +
            `${summary.failed} failed (${summary.seconds.toFixed(1)} s)\n`,
        );
        if (summary.deferred > 0) process.exitCode = 75;
      } finally {
        await store.close();
      }
    });
}
