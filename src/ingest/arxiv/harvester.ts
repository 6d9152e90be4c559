/**
 * The arXiv OAI-PMH harvester: ListRecords for one set and a datestamp range, page by page along resumption
 * tokens, each page written in one transaction and followed by a save of where the run got to. A run that
 * stops anywhere (crash, SIGKILL, network) resumes from the last saved token: no gaps, and no duplicates
 * because papers are upserts by id.
 *
 * Without an explicit range the harvest is incremental: from the last day a completed harvest reached
 * (inclusive, since OAI-PMH datestamps are days and that day may have gained records after the run) to today.
 */
import type { Logger } from '../../log.ts';
import type { Store } from '../../store/store.ts';
import { addDays, toDay } from '../../domain/periods.ts';
import type { AutoFeatureRules } from '../../config.ts';
import type { OaiPmhClient } from './oai-pmh-client.ts';
import { OaiProtocolError, type ListRecordsPage, type MetadataPrefix } from './oai-records.ts';
import {
  harvestStateKey,
  readHarvestState,
  writeHarvestState,
  type HarvestRun,
  type HarvestState,
} from './harvest-state.ts';
import { writeHarvestedPage } from './harvest-writer.ts';

export interface HarvestRequest {
  set: string | null;
  metadataPrefix: MetadataPrefix;
  /** Both undefined: incremental. Otherwise an inclusive YYYY-MM-DD range (`from` null: from the beginning). */
  from?: string | null | undefined;
  until?: string | undefined;
}

export interface HarvestDeps {
  store: Store;
  /** The OAI-PMH client (only ListRecords is used, so tests may pass a stand-in). */
  client: Pick<OaiPmhClient, 'listRecords'>;
  logger: Logger;
  autoFeature?: AutoFeatureRules | null | undefined;
  now?: () => Date;
  onPage?: (progress: { set: string | null; pages: number; records: number; listSize: number | null }) => void;
}

export interface HarvestSummary {
  set: string | null;
  from: string | null;
  until: string;
  /** The run picked up where an earlier, interrupted one stopped. */
  resumed: boolean;
  pages: number;
  records: number;
  papersNew: number;
  papersUpdated: number;
  papersUnchanged: number;
  withdrawn: number;
  featured: number;
  skipped: { id: string | null; reason: string }[];
  seconds: number;
}

export class HarvestError extends Error {}

export async function harvest(deps: HarvestDeps, request: HarvestRequest): Promise<HarvestSummary> {
  const started = performance.now();
  const now = deps.now ?? (() => new Date());
  const key = harvestStateKey(request.metadataPrefix, request.set);
  const state = await readHarvestState(deps.store, key);
  const { run, resumed } = chooseRun(state, request, toDay(now()), now().toISOString());
  if (run.from !== null && run.from > run.until) throw new HarvestError(`from ${run.from} is after until ${run.until}`);
  deps.logger.info(
    { set: run.set, from: run.from, until: run.until, resumed, pages: run.pages },
    'arXiv harvest started',
  );

  const summary: HarvestSummary = {
    set: run.set,
    from: run.from,
    until: run.until,
    resumed,
    pages: 0,
    records: 0,
    papersNew: 0,
    papersUpdated: 0,
    papersUnchanged: 0,
    withdrawn: 0,
    featured: 0,
    skipped: [],
    seconds: 0,
  };
  let restarted = false;
  for (;;) {
    let page: ListRecordsPage;
    try {
      page = await deps.client.listRecords(
        run.token
          ? { resumptionToken: run.token }
          : { metadataPrefix: run.metadataPrefix, from: run.from, until: run.until, set: run.set },
      );
    } catch (error) {
      // Tokens expire; the list can be asked for again from its start (already written papers are unchanged).
      if (
        error instanceof OaiProtocolError &&
        error.code === 'badResumptionToken' &&
        run.token !== null &&
        !restarted
      ) {
        deps.logger.warn({ set: run.set, reason: error.message }, 'resumption token refused; starting the list again');
        restarted = true;
        run.token = null;
        continue;
      }
      throw error;
    }
    const outcome = await writeHarvestedPage(page.records, {
      store: deps.store,
      logger: deps.logger,
      autoFeature: deps.autoFeature ?? null,
      featureDay: run.until,
      positionStart: run.records,
      now: now(),
    });
    run.pages++;
    run.records += page.records.length;
    summary.pages++;
    summary.records += page.records.length;
    summary.papersNew += outcome.papersNew;
    summary.papersUpdated += outcome.papersUpdated;
    summary.papersUnchanged += outcome.papersUnchanged;
    summary.withdrawn += outcome.withdrawn;
    summary.featured += outcome.featured;
    summary.skipped.push(...outcome.skipped);
    deps.onPage?.({
      set: run.set,
      pages: run.pages,
      records: run.records,
      listSize: page.resumptionToken?.completeListSize ?? null,
    });
    const next = page.resumptionToken?.token ?? null;
    if (next === null) {
      await writeHarvestState(deps.store, key, { harvestedThrough: advancedThrough(state, run), run: null });
      break;
    }
    run.token = next;
    await writeHarvestState(deps.store, key, { harvestedThrough: state.harvestedThrough, run });
  }
  summary.seconds = (performance.now() - started) / 1000;
  deps.logger.info({ ...summary, skipped: summary.skipped.length }, 'arXiv harvest finished');
  return summary;
}

function chooseRun(
  state: HarvestState,
  request: HarvestRequest,
  today: string,
  startedAt: string,
): { run: HarvestRun; resumed: boolean } {
  const incremental = request.from === undefined && request.until === undefined;
  const previous = state.run;
  const base = {
    set: request.set,
    metadataPrefix: request.metadataPrefix,
    token: null,
    pages: 0,
    records: 0,
    startedAt,
  };
  if (incremental) {
    if (previous?.incremental) return { run: previous, resumed: true };
    return {
      run: { ...base, from: state.harvestedThrough ?? addDays(today, -1), until: today, incremental: true },
      resumed: false,
    };
  }
  const from = request.from ?? null;
  const until = request.until ?? today;
  if (previous && previous.from === from && previous.until === until) return { run: previous, resumed: true };
  return { run: { ...base, from, until, incremental: false }, resumed: false };
}

/** A completed run moves the mark only when it leaves no gap behind it. */
function advancedThrough(state: HarvestState, run: HarvestRun): string | null {
  const through = state.harvestedThrough;
  const joins = run.incremental || (through !== null && (run.from === null || run.from <= through));
  if (!joins) return through;
  return through === null || run.until > through ? run.until : through;
}
