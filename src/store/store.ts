/**
 * The one storage interface. Everything above it (importers, pages, API, jobs) talks to a Store;
 * only implementations of it speak SQL. Every method is async so that SQLite and PostgreSQL fit.
 */
import type { DailyEntry, DailyEntryInput, Organization, Paper, PaperInput } from '../domain/types.ts';
import type { ClaimStore } from './claim-store.ts';
import type { CollectionStore } from './collection-store.ts';
import type { CommunityStore } from './community-store.ts';
import type { AccessStore } from './access-store.ts';
import type { TokenStore } from './token-store.ts';
import type { IndexSource } from './index-source.ts';
import type { SearchFilters, ScoredPaper } from './search-types.ts';
import type { SubscriptionStore } from './subscription-store.ts';
import type { ImageStore } from './image-store.ts';
import type { NotificationStore } from './notification-store.ts';
import type { ReportStore } from './report-store.ts';
import type { InstanceStore } from './instance-store.ts';
import type { SummaryStore } from './summary-store.ts';

export type { FieldWeights, ScoredPaper, SearchFilters, TextQuery } from './search-types.ts';

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

export interface FilterFacets {
  organization: boolean;
  category: boolean;
  hasCode: boolean;
}

/** What search results sort by, other than relevance. */
export interface PaperSortKey {
  publishedAt: string;
  upvotes: number;
}

/** Papers, the daily feed, search structures and job state: what every backend has first. */
export interface CoreStore {
  readonly backend: 'sqlite' | 'postgres';

  /** Writes a batch in one transaction: all of it or, on error, none of it. */
  importBatch(batch: ImportBatch, onProgress?: (papersDone: number) => void): Promise<ImportCounts>;

  getPaper(id: string): Promise<Paper | null>;
  /** Papers by id, in the order of the ids; unknown ids are left out. */
  getPapers(ids: readonly string[]): Promise<Paper[]>;
  /** Publication time and upvotes of these papers (visible ones only): what sorting a whole match set needs, without the papers. */
  paperSortKeys(ids: readonly string[]): Promise<Map<string, PaperSortKey>>;
  /** Which search filters can match any visible paper here (a demo without arXiv categories offers no category filter). */
  filterFacets(): Promise<FilterFacets>;
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

  /** What the in-memory lexical index (search/lexical/) reads: papers' text, writes since a sequence, filter and hidden sets. */
  readonly indexSource: IndexSource;
  /** The paper whose title is exactly this title key (see titleKey), if any. */
  findPaperByTitleKey(key: string): Promise<string | null>;
  /** Whether a paper passes the filters (for candidates that came from elsewhere, e.g. vectors). */
  filterPapers(ids: readonly string[], filters: SearchFilters): Promise<Set<string>>;

  /** Title and abstract of every paper, in a stable order, a page at a time (for training models). */
  paperTexts(afterRow: number, limit: number): Promise<{ row: number; id: string; title: string; summary: string }[]>;

  /** Stores paper vectors of one embedding model (replacing earlier vectors of that model). */
  putVectors(
    modelId: string,
    dimensions: number,
    vectors: readonly { id: string; vector: Float32Array }[],
  ): Promise<void>;
  /** Ids of papers (and their text) that have no vector of this model yet, oldest row first. */
  papersWithoutVector(modelId: string, limit: number): Promise<{ id: string; title: string; summary: string }[]>;
  countVectors(modelId: string): Promise<number>;
  /** Nearest papers by cosine similarity (score = similarity, higher is better). */
  searchVectors(modelId: string, vector: Float32Array, limit: number, filters: SearchFilters): Promise<ScoredPaper[]>;
  /** The stored vector of one paper, if any. */
  getVector(modelId: string, id: string): Promise<Float32Array | null>;

  /** Small JSON state of long-running jobs, e.g. a harvester's resumption point; null when never set. */
  getJobState<T>(key: string): Promise<T | null>;
  setJobState(key: string, value: unknown): Promise<void>;

  /** Changes whenever anything in the store changes (in this process or another): a key for caches. */
  dataVersion(): Promise<string>;

  /** Why the database cannot take a write now (read-only, disk full, …), naming where; null when it can. */
  writeProblem(): Promise<string | null>;

  /** Readies the backend for search (PostgreSQL: the planner's statistics of papers, made if missing after a first
   *  import); search/lexical/ calls it before loading or building the in-memory index. */
  warmUp(): Promise<void>;

  stats(): Promise<StoreStats>;
  close(): Promise<void>;
}

/**
 * The whole store: the core plus one facet per feature area, each an object of its own so that a
 * backend implements (and a test suite checks) one area at a time.
 */
export interface Store extends CoreStore {
  readonly community: CommunityStore;
  /** Invitations and feed keys (who may join, who may read). */
  readonly access: AccessStore;
  /** Members' personal access tokens (scripts and assistants acting as them). */
  readonly tokens: TokenStore;
  readonly subscriptions: SubscriptionStore;
  readonly collections: CollectionStore;
  readonly images: ImageStore;
  /** What members hear of (replies, mentions, comments on their papers, moderation) and its email. */
  readonly notifications: NotificationStore;
  /** Members' reports of comments and papers, for the moderators' queue. */
  readonly reports: ReportStore;
  /** The instance's identity (name, logo, about text, …) as its administrators set it. */
  readonly instance: InstanceStore;
  readonly summaries: SummaryStore;
  /** Authorship claims and the email domains tied to organizations. */
  readonly claims: ClaimStore;
}
