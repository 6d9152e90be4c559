#!/usr/bin/env node
/** `paperboy`: serve, import and inspect a Paperboy instance. Every command reads the same configuration. */
import { Command, Option } from 'commander';
import { loadProcessConfig, type Config, type ConfigFlags } from '../config.ts';
import { openStore } from '../store/open-store.ts';
import { importPath, type ImportSummary } from '../ingest/import-files.ts';
import { importProgress } from './import-progress.ts';
import { addIngestCommands } from './ingest-command.ts';
import { registerModelCommands } from './model-command.ts';
import { registerAdminCommands } from './admin-command.ts';
import { registerDigestCommands } from './digest-command.ts';
import { registerJobsCommands } from '../jobs/jobs-command.ts';
import { registerMigrateCommands } from './migrate-command.ts';
import { registerOutboxCommands } from './outbox-command.ts';
import { registerNotificationCommands } from './notifications-command.ts';
import { registerImagesCommands } from './images-command.ts';

/**
 * `paperboy stats | head -2`: once the reader of the output has gone, there is no one left to tell anything, so
 * the command ends quietly, as a C tool ended by SIGPIPE would (Node ignores that signal and reports EPIPE as a
 * stream error instead, which would otherwise crash with a stack trace). The status stays what the command had
 * reached, success by default, so that `set -o pipefail` scripts that read only the head of the output pass.
 */
function endQuietlyOnClosedOutput(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit();
  });
}
endQuietlyOnClosedOutput(process.stdout);
endQuietlyOnClosedOutput(process.stderr);

/** The configuration of the command being run: flags win over the variables they stand for (src/config.ts). */
function configFrom(
  options: { databaseUrl?: string; port?: string; host?: string; demo?: boolean },
  flags: ConfigFlags = {},
): Config {
  return loadProcessConfig({
    DATABASE_URL: options.databaseUrl,
    PORT: options.port,
    HOST: options.host,
    PAPERBOY_DEMO: options.demo === false ? '0' : undefined,
    ...flags,
  });
}

const databaseOption = () =>
  new Option('--database-url <url>', 'SQLite path or file: URL, or postgres:// URL (env DATABASE_URL)');

function printSummary(summary: ImportSummary): void {
  const lines = [
    `files: ${summary.files} (${summary.failures.length} failed)`,
    `papers: ${summary.papersNew} new, ${summary.papersUpdated} updated, ${summary.papersUnchanged} unchanged`,
    `daily entries: ${summary.entries}`,
    `records skipped: ${summary.skipped.length}`,
    `time: ${summary.seconds.toFixed(1)} s`,
    ...summary.failures.map((f) => `error: ${f.file}: ${f.reason}`),
    ...summary.skipped.map((s) => `skipped: ${s.file} line ${s.line}: ${s.reason}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

const program = new Command('paperboy').description('Paperboy: a self-hostable Daily Papers site').showHelpAfterError();

program
  .command('serve')
  .description(
    'serve the site and the API, and run the background jobs (loads the demo data into an empty database unless --no-demo)',
  )
  .addOption(databaseOption())
  .option(
    '--port <port>',
    'port to listen on (env PORT, default 3000); a worker serves only /healthz there, and only when given',
  )
  .option('--host <host>', 'address to listen on (env HOST, default 0.0.0.0)')
  .option('--no-demo', 'start empty instead of loading the demo cut (env PAPERBOY_DEMO=0)')
  .addOption(
    new Option('--role <role>', 'web: site and API only; worker: background jobs only; all: both')
      .choices(['web', 'worker', 'all'])
      .default('all'),
  )
  .action(async (options) => {
    const { serveWithRole, parseRole } = await import('./serve-roles.ts');
    await serveWithRole(parseRole(options.role), configFrom(options), { portGiven: options.port !== undefined });
  });

program
  .command('import')
  .description(
    'import Daily Papers day files (a .json, a folder, a .tar.gz) or JSON Lines of papers (.jsonl, .jsonl.gz)',
  )
  .argument('<path>', 'file or folder to import')
  .addOption(databaseOption())
  .action(async (path: string, options) => {
    const config = configFrom(options);
    const store = await openStore(config.databaseUrl);
    const progress = importProgress();
    try {
      const summary = await importPath(store, path, progress.onEvent);
      progress.stop();
      printSummary(summary);
      if (summary.failures.length > 0 || summary.skipped.length > 0) process.exitCode = 1;
    } finally {
      progress.stop();
      await store.close();
    }
  });

addIngestCommands(program, configFrom);

program
  .command('stats')
  .description('print what the database holds')
  .addOption(databaseOption())
  .option('--json', 'print JSON')
  .action(async (options) => {
    const config = configFrom(options);
    const store = await openStore(config.databaseUrl);
    const stats = await store.stats();
    await store.close();
    if (options.json) process.stdout.write(`${JSON.stringify(stats)}\n`);
    else for (const [key, value] of Object.entries(stats)) process.stdout.write(`${key}: ${value ?? '-'}\n`);
  });

program
  .command('mcp')
  .description(
    'serve the MCP tools on stdin/stdout for an AI assistant: anonymous, or as the member of PAPERBOY_TOKEN (docs/agents.md)',
  )
  .addOption(databaseOption())
  .action(async (options) => {
    const { runMcp } = await import('./mcp-command.ts');
    await runMcp(configFrom(options));
  });

registerModelCommands(program, configFrom);
registerAdminCommands(program, configFrom);
registerDigestCommands(program, configFrom);
registerJobsCommands(program, configFrom);
registerMigrateCommands(program);
registerOutboxCommands(program, configFrom);
registerNotificationCommands(program, configFrom);
registerImagesCommands(program, configFrom);

try {
  await program.parseAsync();
} catch (error) {
  process.stderr.write(`paperboy: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
