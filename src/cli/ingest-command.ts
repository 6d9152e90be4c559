/**
 * `paperboy ingest arxiv` and `paperboy ingest daily-papers`: the harvest and the mirror run once, by hand, with
 * the same configuration as the daily schedule. Logs (one JSON line each) go to stderr, the summary to stdout.
 */
import { type Command, Option } from 'commander';
import type { ConfigFlags, ConfigFrom, IngestConfig } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { parseDay, toDay } from '../domain/periods.ts';
import { arxivClients, mirrorFetcher } from '../ingest/arxiv/arxiv-clients.ts';
import { harvest, type HarvestSummary } from '../ingest/arxiv/harvester.ts';
import { mirrorDailyPapers } from '../ingest/daily-papers-mirror.ts';

interface CommonOptions {
  databaseUrl?: string;
  contact?: string;
}

function day(name: string) {
  return (text: string): string => {
    const parsed = parseDay(text);
    if (!parsed) throw new Error(`--${name} must be a day, YYYY-MM-DD (got ${text})`);
    return parsed;
  };
}

async function withContext(
  configFrom: ConfigFrom,
  options: CommonOptions,
  flags: ConfigFlags,
  work: (context: { store: Store; logger: Logger; config: IngestConfig }) => Promise<number>,
): Promise<void> {
  // Flags win over the environment; a flag not given leaves the setting as it is.
  const config = configFrom(options, { PAPERBOY_CONTACT: options.contact, ...flags });
  const logger = createLogger(config.logLevel);
  const store = await openStore(config.databaseUrl);
  try {
    process.exitCode = await work({ store, logger, config: config.ingest });
  } finally {
    await store.close();
  }
}

function printHarvest(summary: HarvestSummary): void {
  const lines = [
    `set: ${summary.set ?? '(all)'}  range: ${summary.from ?? '(start)'} .. ${summary.until}${summary.resumed ? '  (resumed an interrupted run)' : ''}`,
    `pages: ${summary.pages}, records: ${summary.records}`,
    `papers: ${summary.papersNew} new, ${summary.papersUpdated} updated, ${summary.papersUnchanged} unchanged, ${summary.withdrawn} withdrawn`,
    `auto-featured: ${summary.featured}`,
    `skipped: ${summary.skipped.length}`,
    ...summary.skipped.slice(0, 20).map((s) => `  skipped ${s.id ?? '(no id)'}: ${s.reason}`),
    `time: ${summary.seconds.toFixed(1)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function addIngestCommands(program: Command, configFrom: ConfigFrom): void {
  const ingest = program.command('ingest').description('bring papers in from arXiv (OAI-PMH) or a Daily Papers site');

  ingest
    .command('arxiv')
    .description(
      'harvest arXiv metadata over OAI-PMH; without --from/--until, incrementally from where the last harvest got to. ' +
        'An interrupted run with the same range resumes where it stopped.',
    )
    .option('--from <day>', 'first datestamp day, YYYY-MM-DD (inclusive)', day('from'))
    .option('--until <day>', 'last datestamp day, YYYY-MM-DD (inclusive; default today)', day('until'))
    .option('--set <set...>', 'OAI-PMH set(s), e.g. cs stat (env PAPERBOY_HARVEST_SETS, default cs)')
    .addOption(
      new Option('--format <prefix>', 'metadata format (env PAPERBOY_HARVEST_FORMAT)').choices(['arXiv', 'arXivRaw']),
    )
    .option('--oai-url <url>', 'OAI-PMH base URL (env PAPERBOY_OAI_URL, default https://oaipmh.arxiv.org/oai)')
    .option('--contact <email>', 'contact address for the User-Agent (env PAPERBOY_CONTACT; required)')
    .option('--database-url <url>', 'SQLite path or file: URL (env DATABASE_URL)')
    .action(
      async (
        options: CommonOptions & { from?: string; until?: string; set?: string[]; format?: string; oaiUrl?: string },
      ) => {
        if (options.from && options.until && options.from > options.until) throw new Error('--from is after --until');
        if (options.until && options.until > toDay(new Date())) throw new Error('--until is in the future');
        if (options.until && !options.from) throw new Error('--until needs --from');
        const flags = {
          PAPERBOY_OAI_URL: options.oaiUrl,
          PAPERBOY_HARVEST_FORMAT: options.format,
          PAPERBOY_HARVEST_SETS: options.set?.join(','),
        };
        await withContext(configFrom, options, flags, async ({ store, logger, config }) => {
          const { oai } = arxivClients(config, logger);
          const range =
            options.from === undefined ? {} : { from: options.from, until: options.until ?? toDay(new Date()) };
          for (const set of config.harvest.sets) {
            const summary = await harvest(
              { store, client: oai, logger, autoFeature: config.autoFeature },
              { set, metadataPrefix: config.harvest.metadataPrefix, ...range },
            );
            printHarvest(summary);
          }
          return 0;
        });
      },
    );

  ingest
    .command('daily-papers')
    .description('mirror GET /api/daily_papers?date=D of a Daily Papers site for each day of a range')
    .requiredOption('--from <day>', 'first day, YYYY-MM-DD', day('from'))
    .requiredOption('--until <day>', 'last day, YYYY-MM-DD', day('until'))
    .option('--upstream <url>', 'base URL of the site, e.g. https://huggingface.co (env PAPERBOY_MIRROR_UPSTREAM)')
    .option('--contact <email>', 'contact address for the User-Agent (env PAPERBOY_CONTACT)')
    .option('--database-url <url>', 'SQLite path or file: URL (env DATABASE_URL)')
    .action(async (options: CommonOptions & { from: string; until: string; upstream?: string }) => {
      if (options.from > options.until) throw new Error('--from is after --until');
      await withContext(
        configFrom,
        options,
        { PAPERBOY_MIRROR_UPSTREAM: options.upstream },
        async ({ store, logger, config }) => {
          const upstream = config.mirror.upstream;
          if (!upstream) throw new Error('give --upstream URL (or PAPERBOY_MIRROR_UPSTREAM)');
          const summary = await mirrorDailyPapers(
            { store, fetcher: mirrorFetcher(config, logger), logger },
            { upstream, from: options.from, until: options.until },
          );
          const lines = [
            `days: ${summary.days} (${summary.failures.length} failed)`,
            `papers: ${summary.papersNew} new, ${summary.papersUpdated} updated, ${summary.papersUnchanged} unchanged`,
            `daily entries: ${summary.entries}`,
            ...summary.failures.map((f) => `error: ${f.day}: ${f.reason}`),
          ];
          process.stdout.write(`${lines.join('\n')}\n`);
          return summary.failures.length > 0 ? 1 : 0;
        },
      );
    });
}
