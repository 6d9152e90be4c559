/**
 * The daily ingestion: once a day, at PAPERBOY_HARVEST_AT (UTC), an incremental arXiv harvest of every
 * configured set (the arXiv API when OAI-PMH fails), then the Daily Papers mirror when an upstream is
 * configured. The job queue (src/jobs/) schedules it with ingestCron and runs it with runDailyIngest, in this
 * process on the embedded default or on a worker of a PostgreSQL deployment.
 */
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { addDays, toDay } from '../domain/periods.ts';
import type { IngestConfig } from '../config.ts';
import { arxivClients, mirrorFetcher, type ArxivClients } from './arxiv/arxiv-clients.ts';
import { harvest, type HarvestSummary } from './arxiv/harvester.ts';
import { harvestNewestViaApi, setToCategory, type ApiFallbackSummary } from './arxiv/api-fallback.ts';
import { harvestStateKey, readHarvestState } from './arxiv/harvest-state.ts';
import { mirrorDailyPapers, type MirrorSummary } from './daily-papers-mirror.ts';

export interface DailyIngestResult {
  harvests: HarvestSummary[];
  fallbacks: ApiFallbackSummary[];
  mirror: MirrorSummary | null;
  errors: string[];
}

export interface IngestScheduleOptions {
  store: Store;
  logger: Logger;
  config: IngestConfig;
  now?: () => Date;
}

/** The daily run's cron pattern (UTC), or null when there is nothing to run (the log says why). */
export function ingestCron(config: IngestConfig, logger: Logger): string | null {
  const wantsHarvest = config.harvest.enabled;
  const wantsMirror = config.mirror.upstream !== null;
  if (!wantsHarvest && !wantsMirror) {
    logger.info('ingestion schedule off (PAPERBOY_HARVEST=0 and no PAPERBOY_MIRROR_UPSTREAM)');
    return null;
  }
  if (wantsHarvest && !config.contact) {
    logger.warn(
      'arXiv harvest not scheduled: set PAPERBOY_CONTACT to an email address (arXiv asks harvesters for one)',
    );
    if (!wantsMirror) return null;
  }
  const { hour, minute } = config.harvest.at;
  return `${minute} ${hour} * * *`;
}

/** One daily run; exported so that it can be run and tested without waiting for the clock. */
export async function runDailyIngest(
  options: IngestScheduleOptions & { clients?: ArxivClients },
): Promise<DailyIngestResult> {
  const { store, logger, config } = options;
  const now = options.now ?? (() => new Date());
  const result: DailyIngestResult = { harvests: [], fallbacks: [], mirror: null, errors: [] };
  if (config.harvest.enabled && config.contact) {
    const clients = options.clients ?? arxivClients(config, logger, now);
    for (const set of config.harvest.sets) {
      try {
        result.harvests.push(
          await harvest(
            { store, client: clients.oai, logger, autoFeature: config.autoFeature, now },
            { set, metadataPrefix: config.harvest.metadataPrefix },
          ),
        );
      } catch (error) {
        const reason = `OAI-PMH harvest of ${set ?? 'all sets'} failed: ${(error as Error).message}`;
        result.errors.push(reason);
        logger.error({ set, reason }, 'arXiv harvest failed; trying the arXiv API');
        if (set === null) continue;
        try {
          const state = await readHarvestState(store, harvestStateKey(config.harvest.metadataPrefix, set));
          const today = toDay(now());
          result.fallbacks.push(
            await harvestNewestViaApi(
              { store, api: clients.api, logger, autoFeature: config.autoFeature, now },
              {
                category: setToCategory(set),
                sinceDay: state.harvestedThrough ?? addDays(today, -1),
                featureDay: today,
              },
            ),
          );
        } catch (fallbackError) {
          result.errors.push(`arXiv API fallback for ${set} failed: ${(fallbackError as Error).message}`);
        }
      }
    }
  }
  if (config.mirror.upstream) {
    const today = toDay(now());
    result.mirror = await mirrorDailyPapers(
      { store, fetcher: mirrorFetcher(config, logger), logger },
      { upstream: config.mirror.upstream, from: addDays(today, -2), until: today },
    );
  }
  return result;
}
