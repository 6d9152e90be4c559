/**
 * The summaries facet: summaries and keywords a language model writes here for papers on the daily feed that
 * came without one (src/summaries/), and the claims that keep two workers from paying for the same paper.
 * Written for any backend: a claim changes no page (it does not move the data version); a saved summary does.
 */
import type { GeneratedSummary } from '../domain/types.ts';

/** What a model is shown of a paper. */
export interface PaperToSummarize {
  id: string;
  title: string;
  abstract: string;
}

export interface SummaryStore {
  /**
   * Claims the next paper to summarize until `until`: on the daily feed, not hidden, with neither an imported
   * nor a generated summary, and not claimed by anyone at `now`; the most recently published first. Two
   * callers at once never get the same paper. Null when there is none.
   */
  claimNext(now: Date, until: Date): Promise<PaperToSummarize | null>;
  /** Keeps a summary, unless the paper has one by now (an import, another worker); ends the claim. Whether it was kept. */
  save(paperId: string, summary: GeneratedSummary): Promise<boolean>;
  /** How many summaries were generated at or after `since` (the daily budget). */
  generatedSince(since: Date): Promise<number>;
}
