/**
 * The scale-out store: the same Store as the embedded SQLite store, on PostgreSQL through a Runner
 * (a `pg` pool, or PGlite in tests). Imports merge with the same rules (domain/paper-record.ts), trending
 * is the same formula (domain/trending.ts) computed in SQL, lexical search ranks in memory as on the embedded
 * store (search/lexical/, reading what index-source.ts gives it), vectors are pgvector (see vectors.ts).
 */
import type { DailyEntry, Member, Organization, Paper, PaperInput } from '../../domain/types.ts';
import { mergePaper, samePaperRecord, type PaperRecord } from '../../domain/paper-record.ts';
import {
  TRENDING_AGE_OFFSET_HOURS,
  TRENDING_COMMENT_WEIGHT,
  TRENDING_GRAVITY,
  trendingReference,
} from '../../domain/trending.ts';
import type {
  AuthorSummary,
  Store,
  DailyQuery,
  ImportBatch,
  ImportCounts,
  OrganizationSummary,
  FilterFacets,
  PaperPage,
  PaperSortKey,
  ScoredPaper,
  SearchFilters,
  StoreStats,
} from '../store.ts';
import { titleKey } from '../../domain/analyzer.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { PoolRunner, quoteIdentifier, type Queryable, type Runner, type Transaction } from './runner.ts';
import { CopyBinary, copyErrorLine } from './copy-binary.ts';
import { migrate } from './migrations.ts';
import { Params, filterConditions } from './sql-params.ts';
import { PgIndexSource } from './index-source.ts';
import { PgVectors } from './vectors.ts';
import { PostgresCommunityStore } from './community-store.ts';
import { PostgresClaimStore } from './claim-store.ts';
import { PostgresAccessStore } from './access-store.ts';
import { PostgresTokenStore } from './token-store.ts';
import { PostgresNotificationStore } from './notification-store.ts';
import { PostgresReportStore } from './report-store.ts';
import { PostgresInstanceStore } from './instance-store.ts';
import { PostgresSubscriptionStore } from './subscription-store.ts';
import { PostgresCollectionStore } from './collection-store.ts';
import { PostgresImageStore } from './image-store.ts';
import { PostgresSummaryStore } from './summary-store.ts';
import {
  nullableString,
  paperColumns,
  rowToMember,
  rowToPaper,
  rowToPaperWithFirstEntry,
  MEMBER_COLUMNS,
  ORG_JOIN,
  PAPER_COLUMNS,
  PAPER_SELECT,
} from '../rows.ts';

/** Papers merged and written per COPY during an import. */
const IMPORT_CHUNK = 5_000;
/** Papers merged or serialized between two turns of the event loop during an import. */
const YIELD_EVERY = 250;
/** Daily entries written per statement during an import. */
const ENTRY_CHUNK = 5_000;
/** How much new GIN index data (papers' categories) an import gathers before merging it into the index (default 4MB). */
const GIN_PENDING_LIST_LIMIT = '64MB';
/**
 * A bulk load: a batch of at least this many papers into a table that holds fewer than half as many drops the
 * non-unique indexes of papers and the foreign keys of paper_authors, and makes them again once the papers are in,
 * in the same transaction (see suspendForBulkLoad).
 */
const BULK_LOAD_MIN_PAPERS = 10_000;
/** Memory for building those indexes again (the server's default is 64MB): a large first load builds in fewer passes. */
const BULK_LOAD_MAINTENANCE_WORK_MEM = '256MB';
/** A merged paper's columns, in the order of writePaperRow: what the staging table holds. */
const PAPER_ROW_COLUMNS = [
  'id',
  'title',
  'title_key',
  'summary',
  'published_at',
  'authors',
  'categories',
  'organization_name',
  'github_repo',
  'github_stars',
  'project_page',
  'ai_summary',
  'ai_keywords',
  'withdrawn',
  'discussion_id',
  'upvotes_source',
  'num_comments_source',
] as const;
/** What a new paper's COPY into papers gives: the merged paper, its counts (no local ones yet) and when. */
const NEW_PAPER_COLUMNS = [...PAPER_ROW_COLUMNS, 'upvotes', 'num_comments', 'updated_at'];
/** The staging table of an import: the papers of one chunk as merged, checked as papers would check them. */
const CREATE_STAGED_PAPERS = `
  CREATE TEMP TABLE IF NOT EXISTS import_papers (
    id text COLLATE "C" NOT NULL,
    title text NOT NULL,
    title_key text COLLATE "C" NOT NULL,
    summary text NOT NULL,
    published_at text COLLATE "C" NOT NULL,
    authors json NOT NULL,
    categories jsonb NOT NULL,
    organization_name text COLLATE "C",
    github_repo text,
    github_stars integer,
    project_page text,
    ai_summary text,
    ai_keywords json NOT NULL,
    withdrawn boolean NOT NULL,
    discussion_id text,
    upvotes_source integer NOT NULL,
    num_comments_source integer NOT NULL
  ) ON COMMIT DROP`;
/** The staging table of an import's author lists: each paper's authors by position, as written in the paper. */
const CREATE_STAGED_AUTHORS = `
  CREATE TEMP TABLE IF NOT EXISTS import_paper_authors (
    paper_id text COLLATE "C" NOT NULL,
    name text COLLATE "C" NOT NULL,
    position integer NOT NULL
  ) ON COMMIT DROP`;
/** The submission that first put a paper on the daily feed (`fe`, with its member `fm`): see PAPER_SELECT. */
const FIRST_ENTRY_JOIN = `
  LEFT JOIN LATERAL (SELECT e.submitted_at, e.submitted_by FROM daily_entries e WHERE e.paper_id = p.id ORDER BY e.day LIMIT 1) fe ON true
  LEFT JOIN members fm ON fm.id = fe.submitted_by`;
const PAPER_JOINS = `${ORG_JOIN} ${FIRST_ENTRY_JOIN}`;

/** Trending (domain/trending.ts) in SQL, for entry `e` of paper `p`, judged at the instant in `now`. */
const trendingSql = (now: string) => `(p.upvotes + ${TRENDING_COMMENT_WEIGHT} * p.local_comments + 1)::float8
  / power(greatest(0, extract(epoch FROM (${now}::timestamptz - e.submitted_at::timestamptz))::float8 / 3600)
    + ${TRENDING_AGE_OFFSET_HOURS}, ${TRENDING_GRAVITY})`;

export interface PostgresStoreOptions {
  /** Schema that holds the store's tables (default: the server's search_path, normally public). */
  schema?: string | undefined;
  /** Connections in the pool. */
  poolSize?: number | undefined;
}

export class PostgresStore implements Store {
  readonly backend = 'postgres' as const;
  readonly #db: Runner;
  readonly #vectors: PgVectors;
  readonly community: PostgresCommunityStore;
  readonly access: PostgresAccessStore;
  readonly tokens: PostgresTokenStore;
  readonly notifications: PostgresNotificationStore;
  readonly reports: PostgresReportStore;
  readonly instance: PostgresInstanceStore;
  readonly subscriptions: PostgresSubscriptionStore;
  readonly collections: PostgresCollectionStore;
  readonly images: PostgresImageStore;
  readonly summaries: PostgresSummaryStore;
  readonly claims: PostgresClaimStore;
  readonly indexSource: PgIndexSource;

  /** Use PostgresStore.open or PostgresStore.connect: the schema is migrated before the store is used. */
  constructor(db: Runner) {
    this.#db = db;
    this.#vectors = new PgVectors(db);
    this.community = new PostgresCommunityStore(db);
    this.access = new PostgresAccessStore(db);
    this.tokens = new PostgresTokenStore(db);
    this.notifications = new PostgresNotificationStore(db);
    this.reports = new PostgresReportStore(db);
    this.instance = new PostgresInstanceStore(db);
    this.subscriptions = new PostgresSubscriptionStore(db);
    this.collections = new PostgresCollectionStore(db);
    this.images = new PostgresImageStore(db);
    this.summaries = new PostgresSummaryStore(db);
    this.claims = new PostgresClaimStore(db);
    this.indexSource = new PgIndexSource(db);
  }

  /** A store over a runner, migrated. */
  static async open(db: Runner): Promise<PostgresStore> {
    await migrate(db);
    return new PostgresStore(db);
  }

  /** A store over a connection pool to postgres://… , migrated. */
  static async connect(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const runner = new PoolRunner(url, { schema: options.schema, max: options.poolSize });
    try {
      return await PostgresStore.open(runner);
    } catch (error) {
      await runner.close();
      throw error;
    }
  }

  /** The runner, for facets that share the store's connections and transactions. */
  get runner(): Runner {
    return this.#db;
  }

  async importBatch(input: ImportBatch, onProgress?: (papersDone: number) => void): Promise<ImportCounts> {
    // Papers are cleaned chunk by chunk as they are merged (see #importPapers), not copied whole here.
    const batch = { ...cleanValue({ entries: input.entries, replaceDays: input.replaceDays }), papers: input.papers };
    return this.#db.transaction(async (tx) => {
      // Imports merge what is stored with what arrives: one at a time across all processes, as in SQLite.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':paperboy-import'))`);
      const counts: ImportCounts = { papersNew: 0, papersUpdated: 0, papersUnchanged: 0, entries: 0 };
      const now = new Date().toISOString();
      const restore = (await isBulkLoad(tx, batch.papers.length)) ? await suspendForBulkLoad(tx) : [];
      if (batch.papers.length > 0) await this.#importPapers(tx, batch.papers, counts, now, onProgress);
      for (const statement of restore) await tx.query(statement);
      if (batch.replaceDays.length > 0) {
        await tx.query(`DELETE FROM daily_entries WHERE day = ANY($1::text[]) AND source = 'import'`, [
          batch.replaceDays,
        ]);
      }
      for (let start = 0; start < batch.entries.length; start += ENTRY_CHUNK) {
        const entries = batch.entries.slice(start, start + ENTRY_CHUNK);
        const memberIds = await this.#upsertMembers(
          tx,
          entries.flatMap((e) => (e.submittedBy ? [e.submittedBy] : [])),
        );
        // The last entry of a (day, paper) wins, as if they were written one by one.
        const rows = new Map(
          entries.map((e) => [
            `${e.day}\u0000${e.paperId}`,
            {
              day: e.day,
              paper_id: e.paperId,
              position: e.position,
              submitted_at: e.submittedAt,
              submitted_by: e.submittedBy ? (memberIds.get(e.submittedBy.name) ?? null) : null,
              listed_published_at: e.listedPublishedAt,
              thumbnail: e.thumbnail,
              is_author_participating: e.isAuthorParticipating,
            },
          ]),
        );
        await tx.query(
          `
          INSERT INTO daily_entries (day, paper_id, position, submitted_at, submitted_by, listed_published_at, thumbnail,
            is_author_participating, source)
          SELECT r.day, r.paper_id, r.position, r.submitted_at, r.submitted_by, r.listed_published_at, r.thumbnail,
            r.is_author_participating, 'import'
          FROM json_to_recordset($1::json) AS r(day text, paper_id text, position integer, submitted_at text,
            submitted_by bigint, listed_published_at text, thumbnail text, is_author_participating boolean)
          ON CONFLICT (day, paper_id) DO UPDATE SET position = excluded.position, submitted_at = excluded.submitted_at,
            submitted_by = excluded.submitted_by, listed_published_at = excluded.listed_published_at,
            thumbnail = excluded.thumbnail, is_author_participating = excluded.is_author_participating`,
          [JSON.stringify([...rows.values()])],
        );
        counts.entries += entries.length;
      }
      return counts;
    });
  }

  /**
   * The papers of a batch, chunk by chunk: each chunk is merged here with what is stored (and with what earlier
   * chunks of the batch merged), then loaded by COPY (see #writePapers). The work overlaps: while the server writes one chunk, the next chunk's stored records are read and it is merged
   * and serialized here (the connection runs the statements in the order they were sent).
   */
  async #importPapers(
    tx: Transaction,
    papers: PaperInput[],
    counts: ImportCounts,
    now: string,
    onProgress: ((papersDone: number) => void) | undefined,
  ): Promise<void> {
    // New entries of the categories' GIN index are gathered and merged in bulk, not paper by paper.
    await tx.query(`SET LOCAL gin_pending_list_limit = '${GIN_PENDING_LIST_LIMIT}'`);
    // Papers that come again later in the batch: their merged record is kept for the later chunk, ahead of what was
    // read, which may predate the earlier chunk. Other papers are not kept (a batch may hold the whole corpus).
    const seen = new Set<string>();
    const repeated = new Set<string>();
    for (const p of papers) {
      const id = cleanText(p.id);
      (seen.has(id) ? repeated : seen).add(id);
    }
    seen.clear();
    const merged = new Map<string, PaperRecord>();
    const chunkAt = (start: number) => papers.slice(start, start + IMPORT_CHUNK).map(cleanValue);
    const read = (chunk: PaperInput[]) => {
      const reading = readRecords(tx, [...new Set(chunk.map((p) => p.id))]);
      reading.catch(() => {}); // awaited below; a failure is reported there
      return reading;
    };
    let next = chunkAt(0);
    let reading = read(next);
    let writing: Promise<void> | null = null;
    try {
      for (let start = 0; start < papers.length; start += IMPORT_CHUNK) {
        if (onProgress) onProgress(start);
        const chunk = next;
        const stored = await reading;
        if (start + IMPORT_CHUNK < papers.length) {
          next = chunkAt(start + IMPORT_CHUNK);
          reading = read(next);
        }
        const changed = new Map<string, PaperRecord>();
        /** Records before this chunk, of the papers whose authors may have changed. */
        const before = new Map<string, PaperRecord | null>();
        for (const [index, input] of chunk.entries()) {
          if (index % YIELD_EVERY === 0) await yieldToStatements();
          const existing = merged.get(input.id) ?? stored.get(input.id) ?? null;
          const record = mergePaper(existing, input, input.organization ?? null);
          if (existing && samePaperRecord(existing, record)) {
            counts.papersUnchanged++;
            continue;
          }
          if (!before.has(input.id)) before.set(input.id, existing);
          if (repeated.has(input.id)) merged.set(input.id, record);
          changed.set(input.id, record);
          if (existing) counts.papersUpdated++;
          else counts.papersNew++;
        }
        const records = [...changed.values()];
        const authorsChanged = records.filter((r) => {
          const earlier = before.get(r.id);
          return !earlier || JSON.stringify(earlier.authors) !== JSON.stringify(r.authors);
        });
        // Papers no earlier chunk or import wrote go straight into papers (the import lock keeps them absent until
        // then); the others are staged and upserted.
        const fresh = records.filter((r) => !before.get(r.id));
        const updated = records.filter((r) => before.get(r.id));
        const organizations = chunk.flatMap((p) => (p.organization ? [p.organization] : []));
        const papersData = await copyRows(fresh, now);
        const stagedData = await copyRows(updated, null);
        if (writing) await writing;
        writing = this.#writePapers(tx, organizations, { fresh, papersData, updated, stagedData }, authorsChanged, now);
        writing.catch(() => {}); // awaited before the next write and at the end
      }
      if (writing) await writing;
    } finally {
      // Nothing may be left running on the connection when the transaction ends, failed or not.
      await Promise.allSettled([reading, writing]);
    }
  }

  /**
   * Writes one merged chunk: its organizations; the new papers by COPY into papers, the changed ones by COPY into
   * the staging table and an upsert from there; then the authors of both.
   */
  async #writePapers(
    tx: Transaction,
    organizations: Organization[],
    papers: { fresh: PaperRecord[]; papersData: Uint8Array; updated: PaperRecord[]; stagedData: Uint8Array },
    authorsChanged: PaperRecord[],
    now: string,
  ): Promise<void> {
    // Every statement is sent at once: the connection runs them in order while the next chunk is merged here.
    const steps: Promise<unknown>[] = [this.#upsertOrganizations(tx, organizations)];
    if (papers.fresh.length > 0)
      steps.push(copyPapers(tx, 'papers', NEW_PAPER_COLUMNS, papers.papersData, papers.fresh));
    if (papers.updated.length > 0) {
      steps.push(
        tx.query(CREATE_STAGED_PAPERS),
        tx.query('TRUNCATE pg_temp.import_papers'),
        copyPapers(tx, 'pg_temp.import_papers', PAPER_ROW_COLUMNS, papers.stagedData, papers.updated),
        this.#upsertStagedPapers(tx, now),
      );
    }
    const updatedIds = new Set(papers.updated.map((r) => r.id));
    steps.push(
      this.#writeAuthors(
        tx,
        authorsChanged,
        authorsChanged.filter((r) => updatedIds.has(r.id)).map((r) => r.id),
      ),
    );
    await inOrder(steps);
  }

  /** Papers from the staging table into papers: stated fields replace, counts add the local ones, edited links stay. */
  async #upsertStagedPapers(tx: Transaction, now: string): Promise<void> {
    await tx.query(
      `
      INSERT INTO papers (id, title, title_key, summary, published_at, authors, categories, organization_name, github_repo,
        github_stars, project_page, ai_summary, ai_keywords, withdrawn, discussion_id, upvotes_source, upvotes,
        num_comments_source, num_comments, updated_at)
      SELECT r.id, r.title, r.title_key, r.summary, r.published_at, r.authors, r.categories, r.organization_name,
        r.github_repo, r.github_stars, r.project_page, r.ai_summary, r.ai_keywords, r.withdrawn, r.discussion_id,
        r.upvotes_source, r.upvotes_source, r.num_comments_source, r.num_comments_source, $1
      FROM pg_temp.import_papers r
      ON CONFLICT (id) DO UPDATE SET title = excluded.title, title_key = excluded.title_key, summary = excluded.summary,
        published_at = excluded.published_at, authors = excluded.authors, categories = excluded.categories,
        organization_name = excluded.organization_name, ai_summary = excluded.ai_summary,
        github_repo = CASE WHEN papers.links_edited_at IS NULL THEN excluded.github_repo ELSE papers.github_repo END,
        github_stars = CASE WHEN papers.links_edited_at IS NULL THEN excluded.github_stars ELSE papers.github_stars END,
        project_page = CASE WHEN papers.links_edited_at IS NULL THEN excluded.project_page ELSE papers.project_page END,
        ai_keywords = excluded.ai_keywords, withdrawn = excluded.withdrawn, discussion_id = excluded.discussion_id,
        upvotes_source = excluded.upvotes_source, upvotes = excluded.upvotes_source + papers.local_upvotes,
        num_comments_source = excluded.num_comments_source,
        num_comments = excluded.num_comments_source + papers.local_comments,
        updated_at = excluded.updated_at, write_seq = excluded.write_seq`,
      [now],
    );
  }

  /**
   * The author lists of these papers; `replacing` are those that had one before. The lists go by binary COPY into a
   * staging table, and from there into authors and paper_authors. Statements are sent at once.
   */
  async #writeAuthors(tx: Transaction, records: PaperRecord[], replacing: string[]): Promise<void> {
    if (records.length === 0) return;
    const out = new CopyBinary(records.length * 256);
    for (const r of records) {
      const authors = r.authors;
      for (let position = 0; position < authors.length; position++) {
        out.row(3);
        out.text(r.id);
        out.text(authors[position]!.name);
        out.int4(position);
      }
    }
    const steps = [
      tx.query(CREATE_STAGED_AUTHORS),
      tx.query('TRUNCATE pg_temp.import_paper_authors'),
      tx.copyFrom('pg_temp.import_paper_authors', ['paper_id', 'name', 'position'], out.finish()),
      // In order of name: the unique index takes them in one pass instead of at random places.
      tx.query(`INSERT INTO authors (name) SELECT DISTINCT name FROM pg_temp.import_paper_authors ORDER BY name
        ON CONFLICT (name) DO NOTHING`),
      ...(replacing.length > 0
        ? [tx.query('DELETE FROM paper_authors WHERE paper_id = ANY($1::text[])', [replacing])]
        : []),
      // An author listed twice keeps the first position (the primary key is author and paper). In the order of
      // the primary key, so that its index takes the rows in one pass.
      tx.query(`
      INSERT INTO paper_authors (author_id, paper_id, position)
      SELECT a.id, x.paper_id, x.position
      FROM pg_temp.import_paper_authors x JOIN authors a ON a.name = x.name
      ORDER BY a.id, x.paper_id, x.position
      ON CONFLICT DO NOTHING`),
    ];
    await inOrder(steps);
  }

  async #upsertOrganizations(tx: Queryable, organizations: Organization[]): Promise<void> {
    if (organizations.length === 0) return;
    // Folded as successive upserts would be: the last full name, the last known avatar and id.
    const merged = new Map<string, Organization>();
    for (const org of organizations) {
      const before = merged.get(org.name);
      merged.set(org.name, {
        name: org.name,
        fullname: org.fullname,
        avatar: org.avatar ?? before?.avatar ?? null,
        externalId: org.externalId ?? before?.externalId ?? null,
      });
    }
    await tx.query(
      `
      INSERT INTO organizations (name, fullname, avatar, external_id)
      SELECT r.name, r.fullname, r.avatar, r.external_id
      FROM json_to_recordset($1::json) AS r(name text, fullname text, avatar text, external_id text)
      ON CONFLICT (name) DO UPDATE SET fullname = excluded.fullname,
        avatar = coalesce(excluded.avatar, organizations.avatar),
        external_id = coalesce(excluded.external_id, organizations.external_id)`,
      [
        JSON.stringify(
          [...merged.values()].map((o) => ({
            name: o.name,
            fullname: o.fullname,
            avatar: o.avatar,
            external_id: o.externalId,
          })),
        ),
      ],
    );
  }

  /** Upserts members as successive upserts would, and returns their ids by handle. */
  async #upsertMembers(tx: Queryable, members: Member[]): Promise<Map<string, number>> {
    if (members.length === 0) return new Map();
    const merged = new Map<string, Member>();
    for (const m of members) {
      const before = merged.get(m.name);
      merged.set(m.name, {
        name: m.name,
        fullname: m.fullname,
        avatarUrl: m.avatarUrl ?? before?.avatarUrl ?? null,
        externalId: m.externalId ?? before?.externalId ?? null,
      });
    }
    const rows = await tx.query<{ id: number; name: string }>(
      `
      INSERT INTO members (name, fullname, avatar_url, external_id)
      SELECT r.name, r.fullname, r.avatar_url, r.external_id
      FROM json_to_recordset($1::json) AS r(name text, fullname text, avatar_url text, external_id text)
      ON CONFLICT (name) DO UPDATE SET fullname = excluded.fullname,
        avatar_url = coalesce(excluded.avatar_url, members.avatar_url),
        external_id = coalesce(excluded.external_id, members.external_id)
      RETURNING id, name`,
      [
        JSON.stringify(
          [...merged.values()].map((m) => ({
            name: m.name,
            fullname: m.fullname,
            avatar_url: m.avatarUrl,
            external_id: m.externalId,
          })),
        ),
      ],
    );
    return new Map(rows.map((r) => [r.name, Number(r.id)]));
  }

  async getPaper(id: string): Promise<Paper | null> {
    const [row] = await this.#db.query(
      `SELECT ${PAPER_SELECT} FROM papers p ${PAPER_JOINS} WHERE p.id = $1 AND p.hidden_at IS NULL`,
      [id],
    );
    return row ? rowToPaperWithFirstEntry(row) : null;
  }

  async getPapers(ids: readonly string[]): Promise<Paper[]> {
    if (ids.length === 0) return [];
    const rows = await this.#db.query(
      `SELECT ${PAPER_SELECT}
      FROM unnest($1::text[]) WITH ORDINALITY AS j(id, n) JOIN papers p ON p.id = j.id ${PAPER_JOINS} WHERE p.hidden_at IS NULL ORDER BY j.n`,
      [ids],
    );
    return rows.map(rowToPaperWithFirstEntry);
  }

  async paperSortKeys(ids: readonly string[]): Promise<Map<string, PaperSortKey>> {
    if (ids.length === 0) return new Map();
    const rows = await this.#db.query<{ id: string; published_at: string; upvotes: number }>(
      `SELECT p.id, p.published_at, p.upvotes
      FROM unnest($1::text[]) AS j(id) JOIN papers p ON p.id = j.id WHERE p.hidden_at IS NULL`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, { publishedAt: r.published_at, upvotes: Number(r.upvotes) }]));
  }

  async filterFacets(): Promise<FilterFacets> {
    const [row] = await this.#db.query<{ organization: boolean; category: boolean; has_code: boolean }>(`SELECT
      EXISTS (SELECT 1 FROM papers WHERE organization_name IS NOT NULL AND hidden_at IS NULL) AS organization,
      EXISTS (SELECT 1 FROM papers WHERE categories <> '[]'::jsonb AND hidden_at IS NULL) AS category,
      EXISTS (SELECT 1 FROM papers WHERE github_repo IS NOT NULL AND hidden_at IS NULL) AS has_code`);
    return { organization: row!.organization, category: row!.category, hasCode: row!.has_code };
  }

  async featuredDays(id: string): Promise<string[]> {
    return (
      await this.#db.query<{ day: string }>('SELECT day FROM daily_entries WHERE paper_id = $1 ORDER BY day', [id])
    ).map((r) => r.day);
  }

  async listPapers(cursor: string | null, limit: number): Promise<PaperPage> {
    const after = cursor ? decodeCursor(cursor) : null;
    const rows = after
      ? await this.#db.query(
          `SELECT ${PAPER_SELECT} FROM papers p ${PAPER_JOINS} WHERE (p.published_at, p.id) < ($1, $2) AND p.hidden_at IS NULL
          ORDER BY p.published_at DESC, p.id DESC LIMIT $3`,
          [after.publishedAt, after.id, limit + 1],
        )
      : await this.#db.query(
          `SELECT ${PAPER_SELECT} FROM papers p ${PAPER_JOINS} WHERE p.hidden_at IS NULL ORDER BY p.published_at DESC, p.id DESC LIMIT $1`,
          [limit + 1],
        );
    const papers = rows.slice(0, limit).map(rowToPaperWithFirstEntry);
    const last = papers.at(-1);
    const nextCursor =
      rows.length > limit && last ? encodeCursor({ publishedAt: last.publishedAt, id: last.id }) : null;
    return { papers, nextCursor };
  }

  #dailyWhere(query: Omit<DailyQuery, 'sort' | 'offset' | 'limit'>, params: Params): string {
    const first = params.add(query.firstDay);
    const last = params.add(query.lastDay);
    let where = `e.day BETWEEN ${first} AND ${last} AND p.hidden_at IS NULL`;
    if (query.firstDay !== query.lastDay) {
      // A paper featured twice in a range is listed once, on its first day there.
      where += ` AND e.day = (SELECT min(e2.day) FROM daily_entries e2 WHERE e2.paper_id = e.paper_id AND e2.day BETWEEN ${first} AND ${last})`;
    }
    if (query.submitter !== undefined) where += ` AND m.name = ${params.add(query.submitter)}`;
    return where;
  }

  async listDaily(query: DailyQuery): Promise<DailyEntry[]> {
    const params = new Params();
    const where = this.#dailyWhere(query, params);
    const order = {
      upvotes: () => 'p.upvotes DESC, e.day DESC, e.position ASC',
      latest: () => 'e.day DESC, p.upvotes DESC, e.position ASC',
      publishedAt: () => 'p.published_at DESC, e.position ASC',
      trending: () => `${trendingSql(params.add(trendingReference(query.lastDay)))} DESC, e.position ASC`,
    }[query.sort]();
    const rows = await this.#db.query(
      `
      SELECT ${PAPER_COLUMNS}, ${MEMBER_COLUMNS}, e.day, e.submitted_at, e.listed_published_at, e.thumbnail,
        e.is_author_participating
      FROM daily_entries e JOIN papers p ON p.id = e.paper_id ${ORG_JOIN}
        LEFT JOIN members m ON m.id = e.submitted_by
      WHERE ${where} ORDER BY ${order}, e.paper_id LIMIT ${params.add(query.limit)} OFFSET ${params.add(query.offset)}`,
      params.values,
    );
    return rows.map((row) => ({
      day: String(row.day),
      paper: rowToPaper(row, { at: String(row.submitted_at), by: rowToMember(row) }),
      submittedAt: String(row.submitted_at),
      submittedBy: rowToMember(row),
      listedPublishedAt: String(row.listed_published_at),
      thumbnail: nullableString(row.thumbnail),
      isAuthorParticipating: row.is_author_participating === true,
    }));
  }

  async countDaily(query: Omit<DailyQuery, 'sort' | 'offset' | 'limit'>): Promise<number> {
    const params = new Params();
    const where = this.#dailyWhere(query, params);
    const [row] = await this.#db.query<{ n: number }>(
      `SELECT count(*) AS n FROM daily_entries e JOIN papers p ON p.id = e.paper_id
      LEFT JOIN members m ON m.id = e.submitted_by
      WHERE ${where}`,
      params.values,
    );
    return Number(row!.n);
  }

  async latestDay(): Promise<string | null> {
    const [row] = await this.#db.query('SELECT max(day) AS day FROM daily_entries');
    return nullableString(row?.day);
  }

  async neighbourDays(day: string): Promise<{ previous: string | null; next: string | null }> {
    const [row] = await this.#db.query(
      `SELECT (SELECT max(day) FROM daily_entries WHERE day < $1) AS previous,
      (SELECT min(day) FROM daily_entries WHERE day > $1) AS next`,
      [day],
    );
    return { previous: nullableString(row?.previous), next: nullableString(row?.next) };
  }

  async getOrganization(name: string): Promise<OrganizationSummary | null> {
    const [row] = await this.#db.query(
      `
      SELECT o.name, o.fullname, o.avatar, o.external_id,
        (SELECT count(*) FROM papers WHERE organization_name = o.name AND hidden_at IS NULL) AS papers,
        (SELECT coalesce(sum(upvotes), 0) FROM papers WHERE organization_name = o.name AND hidden_at IS NULL) AS upvotes
      FROM organizations o WHERE o.name = $1`,
      [name],
    );
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
    return (
      await this.#db.query(
        `SELECT ${PAPER_SELECT} FROM papers p ${PAPER_JOINS} WHERE p.organization_name = $1 AND p.hidden_at IS NULL
      ORDER BY p.published_at DESC, p.id DESC LIMIT $2 OFFSET $3`,
        [name, limit, offset],
      )
    ).map(rowToPaperWithFirstEntry);
  }

  async getAuthor(name: string): Promise<AuthorSummary | null> {
    const [row] = await this.#db.query(
      `
      SELECT a.name, count(p.id) AS papers, coalesce(sum(p.upvotes), 0) AS upvotes
      FROM authors a JOIN paper_authors pa ON pa.author_id = a.id JOIN papers p ON p.id = pa.paper_id
      WHERE a.name = $1 AND p.hidden_at IS NULL GROUP BY a.id, a.name`,
      [name],
    );
    return row ? { name: String(row.name), papers: Number(row.papers), upvotes: Number(row.upvotes) } : null;
  }

  async papersOfAuthor(name: string, offset: number, limit: number): Promise<Paper[]> {
    return (
      await this.#db.query(
        `SELECT ${PAPER_SELECT} FROM authors a JOIN paper_authors pa ON pa.author_id = a.id
      JOIN papers p ON p.id = pa.paper_id ${PAPER_JOINS} WHERE a.name = $1 AND p.hidden_at IS NULL
      ORDER BY p.published_at DESC, p.id DESC LIMIT $2 OFFSET $3`,
        [name, limit, offset],
      )
    ).map(rowToPaperWithFirstEntry);
  }

  async findPaperByTitleKey(key: string): Promise<string | null> {
    if (key === '') return null;
    const [row] = await this.#db.query(
      'SELECT id FROM papers WHERE title_key = $1 AND hidden_at IS NULL ORDER BY row_id LIMIT 1',
      [key],
    );
    return nullableString(row?.id);
  }

  async filterPapers(ids: readonly string[], filters: SearchFilters): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const params = new Params();
    const list = params.add(ids);
    const rows = await this.#db.query<{ id: string }>(
      `SELECT p.id FROM papers p WHERE p.id = ANY(${list}::text[]) AND p.hidden_at IS NULL${filterConditions(filters, params)}`,
      params.values,
    );
    return new Set(rows.map((r) => r.id));
  }

  async paperTexts(
    afterRow: number,
    limit: number,
  ): Promise<{ row: number; id: string; title: string; summary: string }[]> {
    return (
      await this.#db.query('SELECT row_id, id, title, summary FROM papers WHERE row_id > $1 ORDER BY row_id LIMIT $2', [
        afterRow,
        limit,
      ])
    ).map((r) => ({ row: Number(r.row_id), id: String(r.id), title: String(r.title), summary: String(r.summary) }));
  }

  putVectors(
    modelId: string,
    dimensions: number,
    vectors: readonly { id: string; vector: Float32Array }[],
  ): Promise<void> {
    return this.#vectors.put(modelId, dimensions, vectors);
  }

  papersWithoutVector(modelId: string, limit: number): Promise<{ id: string; title: string; summary: string }[]> {
    return this.#vectors.withoutVector(modelId, limit);
  }

  countVectors(modelId: string): Promise<number> {
    return this.#vectors.count(modelId);
  }

  searchVectors(modelId: string, vector: Float32Array, limit: number, filters: SearchFilters): Promise<ScoredPaper[]> {
    return this.#vectors.search(modelId, vector, limit, filters);
  }

  getVector(modelId: string, id: string): Promise<Float32Array | null> {
    return this.#vectors.get(modelId, id);
  }

  async getJobState<T>(key: string): Promise<T | null> {
    const [row] = await this.#db.query<{ value: string }>('SELECT value FROM job_state WHERE key = $1', [key]);
    return row ? (JSON.parse(row.value) as T) : null;
  }

  async setJobState(key: string, value: unknown): Promise<void> {
    await this.#db.query(
      `INSERT INTO job_state (key, value, updated_at) VALUES ($1, $2, $3)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, JSON.stringify(value) ?? 'null', new Date().toISOString()],
    );
  }

  async dataVersion(): Promise<string> {
    const [row] = await this.#db.query('SELECT version FROM data_version WHERE id = 1');
    return String(row!.version);
  }

  /** Makes the planner's statistics of papers if there are none yet (the lexical index is search/'s). */
  async warmUp(): Promise<void> {
    await this.indexSource.prepare();
  }

  async stats(): Promise<StoreStats> {
    const [row] = await this.#db.query(`SELECT
      (SELECT count(*) FROM papers) AS papers,
      (SELECT count(*) FROM daily_entries) AS entries,
      (SELECT count(DISTINCT day) FROM daily_entries) AS days,
      (SELECT min(day) FROM daily_entries) AS first_day,
      (SELECT max(day) FROM daily_entries) AS last_day,
      (SELECT count(*) FROM organizations) AS organizations,
      (SELECT count(*) FROM authors) AS authors`);
    return {
      papers: Number(row!.papers),
      dailyEntries: Number(row!.entries),
      days: Number(row!.days),
      firstDay: nullableString(row!.first_day),
      lastDay: nullableString(row!.last_day),
      organizations: Number(row!.organizations),
      authors: Number(row!.authors),
    };
  }

  /** A standby, or a database set read-only (default_transaction_read_only), refuses every write. */
  async writeProblem(): Promise<string | null> {
    try {
      const [row] = await this.#db.query(`SELECT current_setting('transaction_read_only') AS read_only`);
      return row!.read_only === 'on' ? 'the PostgreSQL database is read-only (transaction_read_only is on)' : null;
    } catch (error) {
      return `the PostgreSQL database does not answer: ${(error as Error).message}`;
    }
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}

/** PostgreSQL text holds no NUL character and its JSON no lone surrogate: imported text loses both before
 *  merging, so that importing the same input again finds the record unchanged. */
function cleanText(text: string): string {
  return text.replace(/\u0000/g, '').toWellFormed();
}

/** The value with cleanText applied to every string in it; the value itself when none changes (most often). */
function cleanValue<T>(value: T): T {
  return needsCleaning(value) ? cleanCopy(value) : value;
}

function needsCleaning(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000') || !value.isWellFormed();
  if (Array.isArray(value)) return value.some(needsCleaning);
  if (value !== null && typeof value === 'object') {
    for (const key in value) if (needsCleaning((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

function cleanCopy<T>(value: T): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (Array.isArray(value)) return value.map(cleanCopy) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanCopy(v)])) as T;
  }
  return value;
}

/**
 * Lets the statements sent go out while a chunk is merged: a transaction sends its next statement once the one before
 * has ended, which takes a turn of the event loop.
 */
function yieldToStatements(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Whether a batch of `papers` is a bulk load: large, into a table that holds fewer than half as many papers. There,
 * building the indexes of papers once at the end costs less than adding every paper to them, and checking the
 * foreign keys of paper_authors in one join less than row by row (133k papers into an empty table: 1.7 s against
 * 35 s).
 */
async function isBulkLoad(tx: Queryable, papers: number): Promise<boolean> {
  if (papers < BULK_LOAD_MIN_PAPERS) return false;
  const limit = Math.ceil(papers / 2);
  const [row] = await tx.query<{ n: number }>('SELECT count(*) AS n FROM (SELECT 1 FROM papers LIMIT $1) s', [limit]);
  return Number(row!.n) < limit;
}

/**
 * Readies the tables for a bulk load: drops the non-unique indexes of papers (the GIN index on categories, the
 * B-trees; the unique ones stay for the upsert) and of paper_authors (its index by paper: 660k
 * rows at 133k papers take 3.5 s of server CPU added one by one, 0.3 s built at the end; the few papers a bulk load
 * updates find their old author rows by a scan meanwhile) and the foreign keys of paper_authors, and returns
 * the statements that create them again, as the catalog defines them. The caller runs those in the same transaction
 * once the papers are in: DROP is transactional, so an import that fails or dies before its commit leaves every index
 * and constraint as it was, and the foreign keys are checked once, on every row, when they are added again. Until the commit the transaction holds papers exclusively (readers wait): a bulk load is a
 * first load, of a table with little or nothing to read.
 */
async function suspendForBulkLoad(tx: Queryable): Promise<string[]> {
  const indexes = await tx.query<{ schema: string; name: string; definition: string }>(`
    SELECT n.nspname AS schema, c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE i.indrelid IN ('papers'::regclass, 'paper_authors'::regclass) AND NOT i.indisunique
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
    ORDER BY c.relname`);
  const foreignKeys = await tx.query<{ name: string; definition: string }>(`
    SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
    WHERE conrelid = 'paper_authors'::regclass AND contype = 'f'
    ORDER BY conname`);
  for (const index of indexes) {
    await tx.query(`DROP INDEX ${quoteIdentifier(index.schema)}.${quoteIdentifier(index.name)}`);
  }
  for (const key of foreignKeys) {
    await tx.query(`ALTER TABLE paper_authors DROP CONSTRAINT ${quoteIdentifier(key.name)}`);
  }
  return [
    `SET LOCAL maintenance_work_mem = '${BULK_LOAD_MAINTENANCE_WORK_MEM}'`,
    ...indexes.map((index) => index.definition),
    ...foreignKeys.map(
      (key) => `ALTER TABLE paper_authors ADD CONSTRAINT ${quoteIdentifier(key.name)} ${key.definition}`,
    ),
  ];
}

/**
 * Binary COPY data of records (see writePaperRow), made a part at a time (see yieldToStatements): with `now`, the
 * rows of NEW_PAPER_COLUMNS, else of PAPER_ROW_COLUMNS.
 */
async function copyRows(records: readonly PaperRecord[], now: string | null): Promise<Uint8Array> {
  const out = new CopyBinary(records.length * 4096);
  for (let i = 0; i < records.length; i++) {
    if (i % YIELD_EVERY === 0) await yieldToStatements();
    writePaperRow(out, records[i]!, now);
  }
  return out.finish();
}

/**
 * Waits for statements already sent on one connection, in the order they were sent. When one fails, the ones after
 * it fail too (the transaction is aborted): the first failure is the one reported.
 */
async function inOrder(steps: readonly Promise<unknown>[]): Promise<void> {
  for (const step of steps) step.catch(() => {});
  for (const step of steps) await step;
}

/**
 * Loads merged papers by COPY into `table`. A row refused (a value the column does not take) fails the load; the
 * error then names the paper.
 */
async function copyPapers(
  tx: Transaction,
  table: string,
  columns: readonly string[],
  data: Uint8Array,
  records: readonly PaperRecord[],
): Promise<void> {
  try {
    await tx.copyFrom(table, columns, data);
  } catch (error) {
    const line = copyErrorLine(error);
    const paper = line === null ? undefined : records[line - 1];
    throw new Error(`${paper ? `paper ${paper.id}: ` : ''}${(error as Error).message}`, { cause: error });
  }
}

/**
 * A merged paper as a binary COPY row, in the order of PAPER_ROW_COLUMNS; with `now`, a new paper's row of
 * NEW_PAPER_COLUMNS (its counts are the source's: it has no local ones yet).
 */
function writePaperRow(out: CopyBinary, r: PaperRecord, now: string | null): void {
  const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
  try {
    out.row(now === null ? PAPER_ROW_COLUMNS.length : NEW_PAPER_COLUMNS.length);
    out.text(r.id);
    out.text(r.title);
    out.text(titleKey(r.title));
    out.text(r.summary);
    out.text(r.publishedAt);
    out.text(json(r.authors));
    out.jsonb(json(r.categories));
    out.text(r.organizationName);
    out.text(r.githubRepo);
    out.int4(r.githubStars);
    out.text(r.projectPage);
    out.text(r.aiSummary);
    out.text(json(r.aiKeywords));
    out.bool(r.withdrawn);
    out.text(r.discussionId);
    out.int4(r.upvotesSource);
    out.int4(r.numCommentsSource);
    if (now !== null) {
      out.int4(r.upvotesSource);
      out.int4(r.numCommentsSource);
      out.text(now);
    }
  } catch (error) {
    throw new Error(`paper ${r.id}: ${(error as Error).message}`, { cause: error });
  }
}

async function readRecords(q: Queryable, ids: string[]): Promise<Map<string, PaperRecord>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query(
    `SELECT id, title, summary, published_at, authors, categories, organization_name, github_repo,
      github_stars, project_page, ai_summary, ai_keywords, withdrawn, discussion_id, upvotes_source, num_comments_source,
      links_edited_at
    FROM papers WHERE id = ANY($1::text[])`,
    [ids],
  );
  return new Map(
    rows.map((row) => [
      String(row.id),
      {
        ...paperColumns(row),
        organizationName: nullableString(row.organization_name),
        upvotesSource: Number(row.upvotes_source),
        numCommentsSource: Number(row.num_comments_source),
        linksEditedAt: nullableString(row.links_edited_at),
      },
    ]),
  );
}
