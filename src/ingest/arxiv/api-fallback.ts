/**
 * When OAI-PMH cannot be reached, the daily run still brings in the newest papers of the configured sets
 * through the arXiv API (newest submission first, until papers are older than `sinceDay`). It sees new
 * submissions only, not new versions or withdrawals, so OAI-PMH stays the source of truth: the next successful
 * OAI-PMH run covers the same days again, because the fallback does not move the harvest mark.
 */
import type { Logger } from '../../log.ts';
import type { Store } from '../../store/store.ts';
import type { AutoFeatureRules } from '../../config.ts';
import type { ArxivApiClient } from './atom-client.ts';
import { writeHarvestedPage, type HarvestedRecord } from './harvest-writer.ts';

export interface ApiFallbackSummary {
  category: string;
  pages: number;
  papersNew: number;
  papersUpdated: number;
  featured: number;
  skipped: number;
}

/** An OAI-PMH set ("cs", "physics:astro-ph") as an arXiv API category ("cs", "astro-ph"). */
export function setToCategory(set: string): string {
  const colon = set.lastIndexOf(':');
  return colon === -1 ? set : set.slice(colon + 1);
}

export async function harvestNewestViaApi(
  deps: { store: Store; api: ArxivApiClient; logger: Logger; autoFeature: AutoFeatureRules | null; now?: () => Date },
  request: { category: string; sinceDay: string; featureDay: string; pageSize?: number; maxPapers?: number },
): Promise<ApiFallbackSummary> {
  const pageSize = request.pageSize ?? 100;
  const maxPapers = request.maxPapers ?? 2000;
  const summary: ApiFallbackSummary = {
    category: request.category,
    pages: 0,
    papersNew: 0,
    papersUpdated: 0,
    featured: 0,
    skipped: 0,
  };
  const since = `${request.sinceDay}T00:00:00.000Z`;
  for (let start = 0; start < maxPapers; start += pageSize) {
    const feed = await deps.api.newestInCategory(request.category, start, pageSize);
    const records: HarvestedRecord[] = [];
    let reachedOlder = false;
    for (const entry of feed.entries) {
      if (entry.kind === 'paper' && entry.paper.publishedAt < since) {
        reachedOlder = true;
        continue;
      }
      records.push(entry);
    }
    const outcome = await writeHarvestedPage(records, {
      store: deps.store,
      logger: deps.logger,
      autoFeature: deps.autoFeature,
      featureDay: request.featureDay,
      positionStart: start,
      now: deps.now?.() ?? new Date(),
    });
    summary.pages++;
    summary.papersNew += outcome.papersNew;
    summary.papersUpdated += outcome.papersUpdated;
    summary.featured += outcome.featured;
    summary.skipped += outcome.skipped.length;
    if (reachedOlder || feed.entries.length < pageSize) break;
  }
  deps.logger.info(summary, 'arXiv API fallback finished');
  return summary;
}
