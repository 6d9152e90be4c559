/** The embedded store: one SQLite file through node:sqlite, WAL, migrations on open. */
import type { StatementSync, SQLInputValue, SQLOutputValue } from 'node:sqlite';
import type { DailyEntry, Member, Organization, Paper } from '../../domain/types.ts';
import { mergePaper, samePaperRecord, type PaperRecord } from '../../domain/paper-record.ts';
import { ageInHours, trendingReference, trendingScore } from '../../domain/trending.ts';
import type {
  AuthorSummary,
  DailyQuery,
  ImportBatch,
  ImportCounts,
  OrganizationSummary,
  FilterFacets,
  PaperPage,
  PaperSortKey,
  ScoredPaper,
  SearchFilters,
  Store,
  StoreStats,
} from '../store.ts';
import { SqliteIndexSource, filterConditions } from './index-source.ts';
import { VectorSearch } from './vector-search.ts';
import type { IndexOptions } from './binary-index.ts';
import { SqliteCommunityStore } from './community-store.ts';
import { SqliteClaimStore } from './claim-store.ts';
import { SqliteAccessStore } from './access-store.ts';
import { SqliteTokenStore } from './token-store.ts';
import { SqliteNotificationStore } from './notification-store.ts';
import { SqliteReportStore } from './report-store.ts';
import { SqliteInstanceStore } from './instance-store.ts';
import { SqliteSubscriptionStore } from './subscription-store.ts';
import { SqliteCollectionStore } from './collection-store.ts';
import { SqliteImageStore } from './image-store.ts';
import { SqliteSummaryStore } from './summary-store.ts';
import { SqliteDatabase } from './database.ts';
import { fileWriteProblem, folderWriteProblem } from '../../disk-check.ts';
import { dirname } from 'node:path';
import { titleKey } from '../../domain/analyzer.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import {
  nullableString,
  paperColumns,
  rowToMember,
  rowToPaper,
  MEMBER_COLUMNS,
  ORG_JOIN,
  PAPER_COLUMNS,
  PAPER_SELECT,
} from '../rows.ts';

type Row = Record<string, SQLOutputValue>;

/** The submission that first put a paper on the daily feed (`fe`, with its member `fm`): see PAPER_SELECT. */
const FIRST_ENTRY_JOIN = `
  LEFT JOIN daily_entries fe ON fe.paper_id = p.id AND fe.day = (SELECT min(day) FROM daily_entries WHERE paper_id = p.id)
  LEFT JOIN members fm ON fm.id = fe.submitted_by`;
const PAPER_JOINS = `${ORG_JOIN} ${FIRST_ENTRY_JOIN}`;

export class SqliteStore implements Store {
  readonly backend = 'sqlite' as const;
  readonly #db: SqliteDatabase;
  readonly #authorIds = new Map<string, number>();
  readonly #vectors: VectorSearch;
  readonly indexSource: SqliteIndexSource;
  readonly community: SqliteCommunityStore;
  readonly access: SqliteAccessStore;
  readonly tokens: SqliteTokenStore;
  readonly notifications: SqliteNotificationStore;
  readonly reports: SqliteReportStore;
  readonly instance: SqliteInstanceStore;
  readonly subscriptions: SqliteSubscriptionStore;
  readonly collections: SqliteCollectionStore;
  readonly images: SqliteImageStore;
  readonly summaries: SqliteSummaryStore;
  readonly claims: SqliteClaimStore;
  readonly #path: string;

  /** `vectors`: how the in-memory vector index is kept (tests lower the size from which it is searched by lists). */
  constructor(path: string, options: { vectors?: IndexOptions } = {}) {
    this.#path = path;
    this.#db = new SqliteDatabase(path);
    this.#db.raw.function('trending_score', { deterministic: true }, (upvotes, comments, submittedAt, now) =>
      trendingScore(Number(upvotes), Number(comments), ageInHours(String(submittedAt), new Date(String(now)))),
    );
    this.#db.migrate();
    this.indexSource = new SqliteIndexSource(this.#db, () => this.#dataVersion(), path);
    this.#vectors = new VectorSearch(this.#db, path, options.vectors);
    this.community = new SqliteCommunityStore(this.#db);
    this.access = new SqliteAccessStore(this.#db);
    this.tokens = new SqliteTokenStore(this.#db);
    this.notifications = new SqliteNotificationStore(this.#db);
    this.reports = new SqliteReportStore(this.#db);
    this.instance = new SqliteInstanceStore(this.#db);
    this.subscriptions = new SqliteSubscriptionStore(this.#db);
    this.collections = new SqliteCollectionStore(this.#db);
    this.images = new SqliteImageStore(this.#db);
    this.summaries = new SqliteSummaryStore(this.#db);
    this.claims = new SqliteClaimStore(this.#db);
  }

  #sql(text: string): StatementSync {
    return this.#db.sql(text);
  }

  #transaction<T>(work: () => T): T {
    return this.#db.transaction(work);
  }

  async importBatch(batch: ImportBatch, onProgress?: (papersDone: number) => void): Promise<ImportCounts> {
    try {
      return this.#writeBatch(batch, onProgress);
    } catch (error) {
      // Author ids remembered during the rolled-back transaction point at rows that no longer exist.
      this.#authorIds.clear();
      throw error;
    }
  }

  #writeBatch(batch: ImportBatch, onProgress?: (papersDone: number) => void): ImportCounts {
    return this.#transaction(() => {
      const counts: ImportCounts = { papersNew: 0, papersUpdated: 0, papersUnchanged: 0, entries: 0 };
      const now = new Date().toISOString();
      for (const [index, input] of batch.papers.entries()) {
        if (onProgress && index % 1000 === 0) onProgress(index);
        const organization = input.organization ? this.#upsertOrganization(input.organization) : null;
        const existing = this.#readRecord(input.id);
        const record = mergePaper(existing, input, organization);
        if (existing && samePaperRecord(existing, record)) {
          counts.papersUnchanged++;
          continue;
        }
        try {
          this.#writeRecord(record, now);
          if (!existing || JSON.stringify(existing.authors) !== JSON.stringify(record.authors))
            this.#writeAuthors(record);
        } catch (error) {
          // As the PostgreSQL store reports a row its COPY refused: the paper, then the database's reason.
          throw new Error(`paper ${record.id}: ${(error as Error).message}`, { cause: error });
        }
        if (existing) counts.papersUpdated++;
        else counts.papersNew++;
      }
      for (const day of batch.replaceDays) {
        this.#sql(`DELETE FROM daily_entries WHERE day = ? AND source = 'import'`).run(day);
      }
      for (const entry of batch.entries) {
        const memberId = entry.submittedBy ? this.#upsertMember(entry.submittedBy) : null;
        this.#sql(`
          INSERT INTO daily_entries (day, paper_id, position, submitted_at, submitted_by, listed_published_at, thumbnail, is_author_participating, source)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'import')
          ON CONFLICT (day, paper_id) DO UPDATE SET position = excluded.position, submitted_at = excluded.submitted_at,
            submitted_by = excluded.submitted_by, listed_published_at = excluded.listed_published_at,
            thumbnail = excluded.thumbnail, is_author_participating = excluded.is_author_participating`).run(
          entry.day,
          entry.paperId,
          entry.position,
          entry.submittedAt,
          memberId,
          entry.listedPublishedAt,
          entry.thumbnail,
          entry.isAuthorParticipating ? 1 : 0,
        );
        counts.entries++;
      }
      return counts;
    });
  }

  #upsertOrganization(org: Organization): Organization {
    this.#sql(`
      INSERT INTO organizations (name, fullname, avatar, external_id) VALUES (?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET fullname = excluded.fullname,
        avatar = coalesce(excluded.avatar, organizations.avatar),
        external_id = coalesce(excluded.external_id, organizations.external_id)`).run(
      org.name,
      org.fullname,
      org.avatar,
      org.externalId,
    );
    return org;
  }

  #upsertMember(member: Member): number {
    const row = this.#sql(`
      INSERT INTO members (name, fullname, avatar_url, external_id) VALUES (?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET fullname = excluded.fullname,
        avatar_url = coalesce(excluded.avatar_url, members.avatar_url),
        external_id = coalesce(excluded.external_id, members.external_id)
      RETURNING id`).get(member.name, member.fullname, member.avatarUrl, member.externalId);
    return Number(row!.id);
  }

  #readRecord(id: string): PaperRecord | null {
    const row = this.#sql('SELECT * FROM papers WHERE id = ?').get(id);
    if (!row) return null;
    return {
      ...paperColumns(row),
      organizationName: nullableString(row.organization_name),
      upvotesSource: Number(row.upvotes_source),
      numCommentsSource: Number(row.num_comments_source),
      linksEditedAt: nullableString(row.links_edited_at),
    };
  }

  #writeRecord(r: PaperRecord, now: string): void {
    this.#sql(`
      INSERT INTO papers (id, title, summary, published_at, authors, categories, organization_name, github_repo,
        github_stars, project_page, ai_summary, ai_keywords, withdrawn, discussion_id, upvotes_source, upvotes,
        num_comments_source, num_comments, updated_at, title_key, write_seq)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(write_seq), 0) + 1 FROM papers))
      ON CONFLICT (id) DO UPDATE SET title = excluded.title, title_key = excluded.title_key, summary = excluded.summary,
        published_at = excluded.published_at, authors = excluded.authors, categories = excluded.categories,
        organization_name = excluded.organization_name, ai_summary = excluded.ai_summary,
        github_repo = CASE WHEN papers.links_edited_at IS NULL THEN excluded.github_repo ELSE papers.github_repo END,
        github_stars = CASE WHEN papers.links_edited_at IS NULL THEN excluded.github_stars ELSE papers.github_stars END,
        project_page = CASE WHEN papers.links_edited_at IS NULL THEN excluded.project_page ELSE papers.project_page END,
        ai_keywords = excluded.ai_keywords, withdrawn = excluded.withdrawn, discussion_id = excluded.discussion_id,
        upvotes_source = excluded.upvotes_source, upvotes = excluded.upvotes_source + papers.local_upvotes,
        num_comments_source = excluded.num_comments_source,
        num_comments = excluded.num_comments_source + papers.local_comments, updated_at = excluded.updated_at,
        write_seq = excluded.write_seq`).run(
      r.id,
      r.title,
      r.summary,
      r.publishedAt,
      JSON.stringify(r.authors),
      JSON.stringify(r.categories),
      r.organizationName,
      r.githubRepo,
      r.githubStars,
      r.projectPage,
      r.aiSummary,
      JSON.stringify(r.aiKeywords),
      r.withdrawn ? 1 : 0,
      r.discussionId,
      r.upvotesSource,
      r.upvotesSource,
      r.numCommentsSource,
      r.numCommentsSource,
      now,
      titleKey(r.title),
    );
  }

  #writeAuthors(r: PaperRecord): void {
    this.#sql('DELETE FROM paper_authors WHERE paper_id = ?').run(r.id);
    r.authors.forEach((author, position) => {
      this.#sql('INSERT OR IGNORE INTO paper_authors (author_id, paper_id, position) VALUES (?, ?, ?)').run(
        this.#authorId(author.name),
        r.id,
        position,
      );
    });
  }

  /** Author ids never change and authors are never deleted, so they are remembered. */
  #authorId(name: string): number {
    let id = this.#authorIds.get(name);
    if (id === undefined) {
      this.#sql('INSERT OR IGNORE INTO authors (name) VALUES (?)').run(name);
      id = Number(this.#sql('SELECT id FROM authors WHERE name = ?').get(name)!.id);
      if (this.#authorIds.size < 1_000_000) this.#authorIds.set(name, id);
    }
    return id;
  }

  async getPaper(id: string): Promise<Paper | null> {
    const row = this.#sql(
      `SELECT ${PAPER_SELECT} FROM papers p ${PAPER_JOINS} WHERE p.id = ? AND p.hidden_at IS NULL`,
    ).get(id);
    return row ? this.#withFirstEntry(row) : null;
  }

  #withFirstEntry(row: Row): Paper {
    const at = nullableString(row.first_submitted_at);
    return rowToPaper(row, at === null ? null : { at, by: rowToMember(row, 'first_member_') });
  }

  async getPapers(ids: readonly string[]): Promise<Paper[]> {
    if (ids.length === 0) return [];
    const rows = this.#sql(
      `SELECT ${PAPER_SELECT} FROM json_each(?) j JOIN papers p ON p.id = j.value ${PAPER_JOINS} WHERE p.hidden_at IS NULL ORDER BY j.key`,
    ).all(JSON.stringify(ids));
    return rows.map((row) => this.#withFirstEntry(row));
  }

  async paperSortKeys(ids: readonly string[]): Promise<Map<string, PaperSortKey>> {
    if (ids.length === 0) return new Map();
    const rows = this.#sql(
      'SELECT p.id, p.published_at, p.upvotes FROM json_each(?) j JOIN papers p ON p.id = j.value WHERE p.hidden_at IS NULL',
    ).all(JSON.stringify(ids));
    return new Map(
      rows.map((r) => [String(r.id), { publishedAt: String(r.published_at), upvotes: Number(r.upvotes) }]),
    );
  }

  async filterFacets(): Promise<FilterFacets> {
    const row = this.#sql(`SELECT
      EXISTS (SELECT 1 FROM papers WHERE organization_name IS NOT NULL AND hidden_at IS NULL) AS organization,
      EXISTS (SELECT 1 FROM papers WHERE categories <> '[]' AND hidden_at IS NULL) AS category,
      EXISTS (SELECT 1 FROM papers WHERE github_repo IS NOT NULL AND hidden_at IS NULL) AS has_code`).get()!;
    return { organization: Boolean(row.organization), category: Boolean(row.category), hasCode: Boolean(row.has_code) };
  }

  async paperTexts(
    afterRow: number,
    limit: number,
  ): Promise<{ row: number; id: string; title: string; summary: string }[]> {
    return this.#sql('SELECT rowid, id, title, summary FROM papers WHERE rowid > ? ORDER BY rowid LIMIT ?')
      .all(afterRow, limit)
      .map((r) => ({ row: Number(r.rowid), id: String(r.id), title: String(r.title), summary: String(r.summary) }));
  }

  async putVectors(
    modelId: string,
    dimensions: number,
    vectors: readonly { id: string; vector: Float32Array }[],
  ): Promise<void> {
    this.#vectors.put(modelId, dimensions, vectors);
  }

  async papersWithoutVector(modelId: string, limit: number): Promise<{ id: string; title: string; summary: string }[]> {
    return this.#vectors.withoutVector(modelId, limit);
  }

  async countVectors(modelId: string): Promise<number> {
    return this.#vectors.count(modelId);
  }

  async searchVectors(
    modelId: string,
    vector: Float32Array,
    limit: number,
    filters: SearchFilters,
  ): Promise<ScoredPaper[]> {
    const index = await this.#vectors.index(modelId);
    if (!index) return [];
    const hidden = this.indexSource.hiddenRowids();
    const allowed = this.indexSource.allowedRowids(filters);
    const admits =
      allowed !== null
        ? (doc: number) => allowed.has(doc) && !hidden.has(doc)
        : hidden.size > 0
          ? (doc: number) => !hidden.has(doc)
          : undefined;
    const hits = index.search(vector, limit, admits, (docs) => this.#vectors.vectors(modelId, docs));
    const ids = this.#vectors.idsOf(hits.map((h) => h.doc));
    return hits.flatMap((h) => {
      const id = ids.get(h.doc);
      return id ? [{ id, score: h.score }] : [];
    });
  }

  async getVector(modelId: string, id: string): Promise<Float32Array | null> {
    const rowid = this.#vectors.rowidOf(id);
    return rowid === null ? null : (this.#vectors.vectors(modelId, [rowid]).get(rowid) ?? null);
  }

  async getJobState<T>(key: string): Promise<T | null> {
    const row = this.#sql('SELECT value FROM job_state WHERE key = ?').get(key);
    return row ? (JSON.parse(String(row.value)) as T) : null;
  }

  async setJobState(key: string, value: unknown): Promise<void> {
    this.#transaction(() =>
      this.#sql(`INSERT INTO job_state (key, value, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`).run(
        key,
        JSON.stringify(value),
        new Date().toISOString(),
      ),
    );
  }

  async dataVersion(): Promise<string> {
    return this.#dataVersion();
  }

  /**
   * The folder must take a new file (the WAL and its index grow there; a full disk shows only on write) and the
   * file must be writable (SQLite opens a read-only file without complaint and refuses writes later). Asked of
   * the file system, not with a write lock: another process may hold that for seconds.
   */
  async writeProblem(): Promise<string | null> {
    if (this.#path === ':memory:') return null;
    const folder = dirname(this.#path);
    const inFolder = folderWriteProblem(folder);
    if (inFolder) return `the SQLite database cannot be written: its folder ${folder}: ${inFolder}`;
    const inFile = fileWriteProblem(this.#path);
    return inFile && `the SQLite database ${this.#path} cannot be written: ${inFile}`;
  }

  #dataVersion(): string {
    // PRAGMA data_version moves when another connection commits; our own writes are counted here.
    return `${Number(this.#sql('PRAGMA data_version').get()!.data_version)}.${this.#db.writes}`;
  }

  /** Nothing to prepare: searches rank in memory (search/lexical/), and the store has no ranking of its own. */
  async warmUp(): Promise<void> {}

  async findPaperByTitleKey(key: string): Promise<string | null> {
    if (key === '') return null;
    return nullableString(
      this.#sql('SELECT id FROM papers WHERE title_key = ? AND hidden_at IS NULL LIMIT 1').get(key)?.id,
    );
  }

  async filterPapers(ids: readonly string[], filters: SearchFilters): Promise<Set<string>> {
    const filter = filterConditions(filters);
    const rows = this.#sql(
      `SELECT p.id FROM json_each(?) j JOIN papers p ON p.id = j.value WHERE p.hidden_at IS NULL${filter.sql}`,
    ).all(JSON.stringify(ids), ...filter.params);
    return new Set(rows.map((row) => String(row.id)));
  }

  async featuredDays(id: string): Promise<string[]> {
    return this.#sql('SELECT day FROM daily_entries WHERE paper_id = ? ORDER BY day')
      .all(id)
      .map((r) => String(r.day));
  }

  async listPapers(cursor: string | null, limit: number): Promise<PaperPage> {
    const after = cursor ? decodeCursor(cursor) : null;
    const rows = after
      ? this.#sql(`SELECT ${PAPER_SELECT} FROM papers p ${PAPER_JOINS} WHERE (p.published_at, p.id) < (?, ?) AND p.hidden_at IS NULL
          ORDER BY p.published_at DESC, p.id DESC LIMIT ?`).all(after.publishedAt, after.id, limit + 1)
      : this.#sql(
          `SELECT ${PAPER_SELECT} FROM papers p ${PAPER_JOINS} WHERE p.hidden_at IS NULL ORDER BY p.published_at DESC, p.id DESC LIMIT ?`,
        ).all(limit + 1);
    const papers = rows.slice(0, limit).map((row) => this.#withFirstEntry(row));
    const last = papers.at(-1);
    const nextCursor =
      rows.length > limit && last ? encodeCursor({ publishedAt: last.publishedAt, id: last.id }) : null;
    return { papers, nextCursor };
  }

  #dailyWhere(query: Omit<DailyQuery, 'sort' | 'offset' | 'limit'>): { where: string; params: SQLInputValue[] } {
    const params: SQLInputValue[] = [query.firstDay, query.lastDay];
    let where = 'e.day BETWEEN ? AND ? AND p.hidden_at IS NULL';
    if (query.firstDay !== query.lastDay) {
      // A paper featured twice in a range is listed once, on its first day there.
      where +=
        ' AND e.day = (SELECT min(e2.day) FROM daily_entries e2 WHERE e2.paper_id = e.paper_id AND e2.day BETWEEN ? AND ?)';
      params.push(query.firstDay, query.lastDay);
    }
    if (query.submitter !== undefined) {
      where += ' AND m.name = ?';
      params.push(query.submitter);
    }
    return { where, params };
  }

  async listDaily(query: DailyQuery): Promise<DailyEntry[]> {
    const { where, params } = this.#dailyWhere(query);
    const order = {
      upvotes: 'p.upvotes DESC, e.day DESC, e.position ASC',
      latest: 'e.day DESC, p.upvotes DESC, e.position ASC',
      publishedAt: 'p.published_at DESC, e.position ASC',
      trending: 'trending_score(p.upvotes, p.local_comments, e.submitted_at, ?) DESC, e.position ASC',
    }[query.sort];
    if (query.sort === 'trending') params.push(trendingReference(query.lastDay));
    const rows = this.#sql(`
      SELECT ${PAPER_COLUMNS}, ${MEMBER_COLUMNS}, e.day, e.submitted_at, e.listed_published_at, e.thumbnail,
        e.is_author_participating
      FROM daily_entries e JOIN papers p ON p.id = e.paper_id ${ORG_JOIN}
        LEFT JOIN members m ON m.id = e.submitted_by
      WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...params, query.limit, query.offset);
    return rows.map((row) => ({
      day: String(row.day),
      paper: rowToPaper(row, { at: String(row.submitted_at), by: rowToMember(row) }),
      submittedAt: String(row.submitted_at),
      submittedBy: rowToMember(row),
      listedPublishedAt: String(row.listed_published_at),
      thumbnail: nullableString(row.thumbnail),
      isAuthorParticipating: row.is_author_participating === 1,
    }));
  }

  async countDaily(query: Omit<DailyQuery, 'sort' | 'offset' | 'limit'>): Promise<number> {
    const { where, params } = this.#dailyWhere(query);
    const row = this.#sql(`SELECT count(*) AS n FROM daily_entries e JOIN papers p ON p.id = e.paper_id
      LEFT JOIN members m ON m.id = e.submitted_by WHERE ${where}`).get(...params);
    return Number(row!.n);
  }

  async latestDay(): Promise<string | null> {
    return nullableString(this.#sql('SELECT max(day) AS day FROM daily_entries').get()!.day);
  }

  async neighbourDays(day: string): Promise<{ previous: string | null; next: string | null }> {
    const previous = this.#sql('SELECT max(day) AS day FROM daily_entries WHERE day < ?').get(day)!.day;
    const next = this.#sql('SELECT min(day) AS day FROM daily_entries WHERE day > ?').get(day)!.day;
    return { previous: nullableString(previous), next: nullableString(next) };
  }

  async getOrganization(name: string): Promise<OrganizationSummary | null> {
    const row = this.#sql(`
      SELECT o.name, o.fullname, o.avatar, o.external_id,
        (SELECT count(*) FROM papers WHERE organization_name = o.name AND hidden_at IS NULL) AS papers,
        (SELECT coalesce(sum(upvotes), 0) FROM papers WHERE organization_name = o.name AND hidden_at IS NULL) AS upvotes
      FROM organizations o WHERE o.name = ?`).get(name);
    if (!row) return null;
    return {
      organization: {
        name: String(row.name),
        fullname: String(row.fullname),
        avatar: nullableString(row.avatar),
        externalId: nullableString(row.external_id),
      },
      papers: Number(row.papers),
      upvotes: Number(row.upvotes),
    };
  }

  async papersOfOrganization(name: string, offset: number, limit: number): Promise<Paper[]> {
    return this.#sql(`SELECT ${PAPER_SELECT} FROM papers p ${PAPER_JOINS} WHERE p.organization_name = ? AND p.hidden_at IS NULL
      ORDER BY p.published_at DESC, p.id DESC LIMIT ? OFFSET ?`)
      .all(name, limit, offset)
      .map((row) => this.#withFirstEntry(row));
  }

  async getAuthor(name: string): Promise<AuthorSummary | null> {
    const row = this.#sql(`
      SELECT a.name, count(p.id) AS papers, coalesce(sum(p.upvotes), 0) AS upvotes
      FROM authors a JOIN paper_authors pa ON pa.author_id = a.id JOIN papers p ON p.id = pa.paper_id
      WHERE a.name = ? AND p.hidden_at IS NULL GROUP BY a.id`).get(name);
    return row ? { name: String(row.name), papers: Number(row.papers), upvotes: Number(row.upvotes) } : null;
  }

  async papersOfAuthor(name: string, offset: number, limit: number): Promise<Paper[]> {
    return this.#sql(`SELECT ${PAPER_SELECT} FROM authors a JOIN paper_authors pa ON pa.author_id = a.id
      JOIN papers p ON p.id = pa.paper_id ${PAPER_JOINS} WHERE a.name = ? AND p.hidden_at IS NULL
      ORDER BY p.published_at DESC, p.id DESC LIMIT ? OFFSET ?`)
      .all(name, limit, offset)
      .map((row) => this.#withFirstEntry(row));
  }

  async stats(): Promise<StoreStats> {
    const row = this.#sql(`SELECT
      (SELECT count(*) FROM papers) AS papers,
      (SELECT count(*) FROM daily_entries) AS entries,
      (SELECT count(DISTINCT day) FROM daily_entries) AS days,
      (SELECT min(day) FROM daily_entries) AS first_day,
      (SELECT max(day) FROM daily_entries) AS last_day,
      (SELECT count(*) FROM organizations) AS organizations,
      (SELECT count(*) FROM authors) AS authors`).get()!;
    return {
      papers: Number(row.papers),
      dailyEntries: Number(row.entries),
      days: Number(row.days),
      firstDay: nullableString(row.first_day),
      lastDay: nullableString(row.last_day),
      organizations: Number(row.organizations),
      authors: Number(row.authors),
    };
  }

  /** Whether the vectors of a model in use were loaded from their saved file (null: not loaded yet). */
  vectorsLoadedFromFile(modelId: string): boolean | null {
    return this.#vectors.loadedFromFile(modelId);
  }

  /** Resolves once the training of a model's vector lists under way, if any, is done. */
  vectorsTrained(modelId: string): Promise<void> {
    return this.#vectors.trained(modelId);
  }

  /** Where the in-memory copy of a model's vectors is saved (the file may not exist yet), if anywhere. */
  vectorFilePath(modelId: string): string | null {
    const number = this.#sql('SELECT number FROM embedding_models WHERE id = ?').get(modelId)?.number;
    return number === undefined ? null : this.#vectors.filePath(Number(number));
  }

  async close(): Promise<void> {
    // A save of the vector copy under way finishes first (it reads nothing from the database); without one,
    // the database is closed before this returns a promise, as callers that do not wait for it expect.
    this.#vectors.stop();
    const saving = this.#vectors.saving();
    if (saving) await saving;
    this.#db.close();
  }
}
