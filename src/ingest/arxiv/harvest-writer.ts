/**
 * Writes one page of harvested records: every paper, withdrawals and auto-featured feed entries in one
 * store.importBatch (one transaction, so a page is in the store entirely or not at all; importBatch also
 * indexes the papers, so they are searchable at once). Skipped records are logged with their reason.
 */
import type { DailyEntryInput, Paper, PaperInput } from '../../domain/types.ts';
import type { Logger } from '../../log.ts';
import type { ImportCounts, Store } from '../../store/store.ts';
import type { AutoFeatureRules } from '../../config.ts';
import { featureEntry, isNewSubmission, matchingRule } from './auto-feature.ts';

export type HarvestedRecord =
  | { kind: 'paper'; id: string; paper: PaperInput; affiliations: string[] }
  | { kind: 'deleted'; id: string }
  | { kind: 'skipped'; id: string | null; reason: string };

export interface PageOutcome extends ImportCounts {
  withdrawn: number;
  featured: number;
  skipped: { id: string | null; reason: string }[];
}

export interface WriteOptions {
  store: Store;
  logger: Logger;
  autoFeature: AutoFeatureRules | null;
  /** The feed day auto-featured papers go to. */
  featureDay: string;
  /** Position of the first entry of this page on that day (continues across pages). */
  positionStart: number;
  now: Date;
}

export async function writeHarvestedPage(
  records: readonly HarvestedRecord[],
  options: WriteOptions,
): Promise<PageOutcome> {
  const { store, logger } = options;
  const skipped: PageOutcome['skipped'] = [];
  // A list holds each id once, but a salvaged or replayed page might not: the last record of an id wins.
  const papers = new Map<string, { paper: PaperInput; affiliations: string[] }>();
  const deleted: string[] = [];
  for (const record of records) {
    if (record.kind === 'skipped') {
      skipped.push({ id: record.id, reason: record.reason });
      logger.warn({ id: record.id, reason: record.reason }, 'skipped an arXiv record');
    } else if (record.kind === 'deleted') {
      deleted.push(record.id);
    } else {
      papers.set(record.id, { paper: record.paper, affiliations: record.affiliations });
    }
  }
  // Stored papers are read only where they matter: to withdraw a deleted record, and for auto-feature rules.
  const lookup = options.autoFeature ? [...papers.keys(), ...deleted] : deleted;
  const known = new Map((lookup.length > 0 ? await store.getPapers(lookup) : []).map((p) => [p.id, p]));
  for (const id of deleted) {
    const existing = known.get(id);
    // A deleted record carries no metadata: a paper Paperboy never held has nothing to mark.
    if (existing && !papers.has(id)) papers.set(id, { paper: { ...withdrawnInput(existing) }, affiliations: [] });
  }
  const entries = options.autoFeature ? await autoFeatureEntries(papers, known, options) : [];
  const inputs = [...papers.values()].map((p) => p.paper);
  const counts = await store.importBatch({ papers: inputs, entries, replaceDays: [] });
  return {
    ...counts,
    withdrawn: inputs.filter((p) => p.withdrawn === true).length,
    featured: entries.length,
    skipped,
  };
}

function withdrawnInput(paper: Paper): PaperInput {
  return {
    id: paper.id,
    title: paper.title,
    summary: paper.summary,
    publishedAt: paper.publishedAt,
    authors: paper.authors,
    categories: paper.categories,
    withdrawn: true,
  };
}

async function autoFeatureEntries(
  papers: Map<string, { paper: PaperInput; affiliations: string[] }>,
  known: Map<string, Paper>,
  options: WriteOptions,
): Promise<DailyEntryInput[]> {
  const rules = options.autoFeature!;
  const entries: DailyEntryInput[] = [];
  for (const { paper, affiliations } of papers.values()) {
    if (paper.withdrawn || !isNewSubmission(paper, options.featureDay, rules.maxAgeDays)) continue;
    const stored = known.get(paper.id);
    const organization = stored?.organization
      ? { name: stored.organization.name, fullname: stored.organization.fullname }
      : null;
    const rule = matchingRule(rules, { paper, organization, affiliations });
    if (rule === null) continue;
    // Featured once: not again for a new version, nor over a member's submission.
    if (stored && (await options.store.featuredDays(paper.id)).length > 0) continue;
    entries.push(
      featureEntry(paper, options.featureDay, options.positionStart + entries.length, options.now.toISOString()),
    );
    options.logger.info({ id: paper.id, day: options.featureDay, rule }, 'auto-featured a paper');
  }
  return entries;
}
