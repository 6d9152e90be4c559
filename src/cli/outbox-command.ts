/**
 * `paperboy outbox` lists the messages of the outbox folder (no SMTP_URL: nothing is delivered), newest first;
 * `paperboy outbox show NAME|latest` prints one with its text part, links included. For the person running the
 * instance, on its machine: the web view of the same folder is for administrators only.
 */
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { listOutbox, readOutboxMessage } from '../mail/mailer.ts';
import { parseOutboxMessage } from '../mail/outbox-message.ts';

type ConfigFrom = (options: { databaseUrl?: string }) => Config;

export function registerOutboxCommands(program: Command, configFrom: ConfigFrom): void {
  const outbox = program
    .command('outbox')
    .description('the messages written to the outbox folder when no SMTP server is configured');
  outbox
    .command('list', { isDefault: true })
    .description('list the newest messages: file, date, recipient, subject')
    .option('--limit <n>', 'how many', '20')
    .option(
      '--database-url <url>',
      'SQLite path or file: URL (env DATABASE_URL); the outbox is beside it unless OUTBOX_DIR is set',
    )
    .action(async (options: { limit: string; databaseUrl?: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new Error(`--limit must be a whole number above 0 (got ${options.limit})`);
      const dir = configFrom(options).mail.outboxDir;
      const files = listOutbox(dir).slice(0, limit);
      if (files.length === 0) {
        process.stdout.write(`the outbox (${dir}) is empty\n`);
        return;
      }
      for (const file of files) {
        const message = await parseOutboxMessage(file.raw());
        process.stdout.write(`${file.name}  ${message.date}  ${message.to}  ${message.subject}\n`);
      }
    });
  outbox
    .command('show')
    .description('print one message: its headers and its text part')
    .argument('<name>', 'a file name from `paperboy outbox`, or "latest"')
    .option('--database-url <url>', 'SQLite path or file: URL (env DATABASE_URL)')
    .action(async (name: string, options: { databaseUrl?: string }) => {
      const dir = configFrom(options).mail.outboxDir;
      const file = name === 'latest' ? listOutbox(dir)[0]?.name : name;
      const raw = file === undefined ? null : readOutboxMessage(dir, file);
      if (raw === null)
        throw new Error(name === 'latest' ? `the outbox (${dir}) is empty` : `no message ${name} in ${dir}`);
      const message = await parseOutboxMessage(raw);
      const headers = message.headers.map(([key, value]) => `${key}: ${value}`);
      process.stdout.write(`${[...headers, '', message.text.trimEnd()].join('\n')}\n`);
    });
}
