/**
 * The search-facing shapes of the store: filters, analysed text queries, field weights and scored results. Their
 * own module so that the Store interface and the index source (index-source.ts) both use them without importing
 * each other; store.ts re-exports them.
 */

export interface SearchFilters {
  /** Inclusive range of publication days, YYYY-MM-DD. */
  fromDay?: string | undefined;
  toDay?: string | undefined;
  /** Organization slug. */
  organization?: string | undefined;
  /** arXiv category, e.g. cs.CL. */
  category?: string | undefined;
  /** Only papers with a code repository. */
  hasCode?: boolean | undefined;
}

/** A full-text query as analysed terms (letters and digits only); backends turn it into their own syntax. */
export interface TextQuery {
  /** Any of these (ranked by BM25). */
  terms: string[];
  /** Each of these phrases is required. */
  phrases: string[][];
  /** Words starting with these count like terms (each prefix expands to the most frequent matching words). */
  prefixes: string[];
  /** No result holds any of these terms (a query's -words). */
  exclusions?: string[] | undefined;
}

export interface FieldWeights {
  title: number;
  authors: number;
  abstract: number;
}

/** A paper id with a score; higher is better. */
export interface ScoredPaper {
  id: string;
  score: number;
}
