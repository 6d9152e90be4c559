/**
 * Mirrors a Daily Papers site (Hugging Face or another Paperboy): `GET {upstream}/api/daily_papers?date=D` for
 * each day of a range, imported exactly like a day file (parseDayFile + store.importBatch), so a mirrored day is
 * the same as an imported one. Off unless an upstream is configured. A day that fails is reported and the
 * others go on.
 */
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { addDays } from '../domain/periods.ts';
import { parseDayFile } from './hf-daily-file.ts';
import type { PoliteFetcher } from './arxiv/polite-fetch.ts';

export interface MirrorSummary {
  days: number;
  papersNew: number;
  papersUpdated: number;
  papersUnchanged: number;
  entries: number;
  failures: { day: string; reason: string }[];
}

/** Hugging Face answers 50 papers a day unless asked for more; busy days have had more than 50. */
const PAPERS_PER_DAY = 100;

export function dailyPapersUrl(upstream: string, day: string): string {
  const url = new URL(`${upstream.replace(/\/+$/, '')}/api/daily_papers`);
  url.searchParams.set('date', day);
  url.searchParams.set('limit', String(PAPERS_PER_DAY));
  return url.toString();
}

export async function mirrorDailyPapers(
  deps: { store: Store; fetcher: PoliteFetcher; logger: Logger },
  request: { upstream: string; from: string; until: string },
): Promise<MirrorSummary> {
  const summary: MirrorSummary = {
    days: 0,
    papersNew: 0,
    papersUpdated: 0,
    papersUnchanged: 0,
    entries: 0,
    failures: [],
  };
  for (let day = request.from; day <= request.until; day = addDays(day, 1)) {
    summary.days++;
    try {
      const response = await deps.fetcher.get(dailyPapersUrl(request.upstream, day));
      if (response.status !== 200)
        throw new Error(`upstream answered HTTP ${response.status}: ${response.text.slice(0, 120)}`);
      const counts = await deps.store.importBatch(parseDayFile(`${day}.json`, response.text));
      summary.papersNew += counts.papersNew;
      summary.papersUpdated += counts.papersUpdated;
      summary.papersUnchanged += counts.papersUnchanged;
      summary.entries += counts.entries;
    } catch (error) {
      const reason = (error as Error).message;
      summary.failures.push({ day, reason });
      deps.logger.warn({ day, reason }, 'could not mirror a Daily Papers day');
    }
  }
  return summary;
}
