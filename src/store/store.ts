/**
 * The one storage interface. Everything above it (importers, pages, API, jobs) talks to a Store;
 * only implementations of it speak SQL. Every method is async so that SQLite and PostgreSQL fit.
 */
import type { DailyEntry, DailyEntryInput, Organization, Paper, PaperInput } from '../domain/types.ts';

/** upvotes: most voted first; latest: newest day first, most voted within a day. */
export type DailySort = 'upvotes' | 'latest' | 'publishedAt' | 'trending';

export interface DailyQuery {
  firstDay: string;
  lastDay: string;
  sort: DailySort;
  /** Only entries submitted by this member handle. */
  submitter?: string | undefined;
  offset: number;
  limit: number;
}

/** One file's worth of imported data, written in one transaction. */
export interface ImportBatch {
  papers: PaperInput[];
  entries: DailyEntryInput[];
  /** Days whose imported entries are replaced by `entries` (a day file is the truth for its day). */
  replaceDays: string[];
}

export interface ImportCounts {
  papersNew: number;
  papersUpdated: number;
  papersUnchanged: number;
  entries: number;
}

export interface PaperPage {
  papers: Paper[];
  /** Opaque cursor for the next page; null at the end. */
  nextCursor: string | null;
}

export interface OrganizationSummary {
  organization: Organization;
  papers: number;
  upvotes: number;
}

export interface AuthorSummary {
  name: string;
  papers: number;
  upvotes: number;
}

export interface StoreStats {
  papers: number;
  dailyEntries: number;
  days: number;
  firstDay: string | null;
  lastDay: string | null;
  organizations: number;
  authors: number;
}

export interface Store {
  readonly backend: 'sqlite' | 'postgres';

  /** Writes a batch in one transaction: all of it or, on error, none of it. */
  importBatch(batch: ImportBatch, onProgress?: (papersDone: number) => void): Promise<ImportCounts>;

  getPaper(id: string): Promise<Paper | null>;
  /** Days on which the paper was on the daily feed, oldest first. */
  featuredDays(id: string): Promise<string[]>;
  listPapers(cursor: string | null, limit: number): Promise<PaperPage>;

  listDaily(query: DailyQuery): Promise<DailyEntry[]>;
  countDaily(query: Omit<DailyQuery, 'sort' | 'offset' | 'limit'>): Promise<number>;
  /** The latest day that has papers, if any. */
  latestDay(): Promise<string | null>;
  /** The nearest days with papers before and after a day (null where there is none). */
  neighbourDays(day: string): Promise<{ previous: string | null; next: string | null }>;

  getOrganization(name: string): Promise<OrganizationSummary | null>;
  papersOfOrganization(name: string, offset: number, limit: number): Promise<Paper[]>;
  getAuthor(name: string): Promise<AuthorSummary | null>;
  papersOfAuthor(name: string, offset: number, limit: number): Promise<Paper[]>;

  stats(): Promise<StoreStats>;
  close(): Promise<void>;
}
