/**
 * Full-text search in the embedded store: an in-memory BM25F index built from the papers table (see
 * search/lexical/bm25-index.ts). SQLite's FTS5 was measured first: its bm25() costs ~8 µs per matching
 * paper (~400 ms for a common word at 133k papers), and keeping it in step doubled import time, so it is
 * not used. Quoted phrases are checked on the best candidates' text, analysed as the index is. The ranking
 * itself is shared with the PostgreSQL store (store/text-index.ts); what is here is the SQL of this store.
 */
import type { SQLInputValue } from 'node:sqlite';
import type { FieldWeights, ScoredPaper, SearchFilters, TextQuery } from '../store.ts';
import type { SqliteDatabase } from './database.ts';
import { TextIndex, authorNames } from '../text-index.ts';

/** SQL conditions on papers `p` for search filters. */
export function filterConditions(filters: SearchFilters): { sql: string; params: SQLInputValue[] } {
  const conditions: string[] = [];
  const params: SQLInputValue[] = [];
  if (filters.fromDay) {
    conditions.push('p.published_at >= ?');
    params.push(`${filters.fromDay}T00:00:00.000Z`);
  }
  if (filters.toDay) {
    conditions.push('p.published_at <= ?');
    params.push(`${filters.toDay}T23:59:59.999Z`);
  }
  if (filters.organization) {
    conditions.push('p.organization_name = ?');
    params.push(filters.organization);
  }
  if (filters.category) {
    conditions.push('EXISTS (SELECT 1 FROM json_each(p.categories) WHERE json_each.value = ?)');
    params.push(filters.category);
  }
  if (filters.hasCode) conditions.push('p.github_repo IS NOT NULL');
  return { sql: conditions.map((c) => ` AND ${c}`).join(''), params };
}

const hasFilters = (f: SearchFilters) => Boolean(f.fromDay || f.toDay || f.organization || f.category || f.hasCode);

interface PaperText {
  rowid: number;
  id: string;
  title: string;
  authors: { name: string }[];
  summary: string;
}

const authorsOf = (json: unknown) => authorNames(JSON.parse(String(json)) as { name: string }[]);

export class TextSearch {
  readonly #db: SqliteDatabase;
  readonly #index: TextIndex;
  /** How far the index has caught up with other connections' writes: papers up to this write_seq, as of this data_version. */
  #seen: { writeSeq: number; dataVersion: number } | null = null;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#index = new TextIndex({
      page: (after, limit) => db.sql('SELECT rowid, id, title, authors, summary FROM papers WHERE rowid > ? ORDER BY rowid LIMIT ?')
        .all(after, limit)
        .map((row) => ({ doc: Number(row.rowid), id: String(row.id), title: String(row.title), authors: authorsOf(row.authors), summary: String(row.summary) })),
      texts: (docs) => db.sql('SELECT p.rowid, p.id, p.title, p.authors, p.summary FROM json_each(?) j JOIN papers p ON p.rowid = j.value')
        .all(JSON.stringify(docs))
        .map((row) => ({ doc: Number(row.rowid), id: String(row.id), title: String(row.title), authors: authorsOf(row.authors), summary: String(row.summary) })),
    });
  }

  /** Builds the in-memory index in the background; resolves when it is ready. */
  warmUp(): Promise<void> {
    // Taken before the build reads any paper: whatever other connections write after this is caught up later.
    this.#seen ??= { writeSeq: this.#maxWriteSeq(), dataVersion: this.#dataVersion() };
    return this.#index.warmUp();
  }

  #maxWriteSeq(): number {
    return Number(this.#db.sql('SELECT coalesce(max(write_seq), 0) AS n FROM papers').get()!.n);
  }

  /** Moves when another connection (another process: an import, a harvest) commits; this one's writes are fed directly. */
  #dataVersion(): number {
    return Number(this.#db.sql('PRAGMA data_version').get()!.data_version);
  }

  /** Feeds the index the papers other connections wrote since it last looked. */
  #catchUp(): void {
    const seen = this.#seen;
    if (!seen) return;
    const dataVersion = this.#dataVersion();
    if (dataVersion === seen.dataVersion) return;
    let writeSeq = seen.writeSeq;
    for (const row of this.#db.sql('SELECT rowid, id, title, authors, summary, write_seq FROM papers WHERE write_seq > ? ORDER BY write_seq').all(writeSeq)) {
      this.#index.written({
        doc: Number(row.rowid), id: String(row.id), title: String(row.title),
        authors: JSON.parse(String(row.authors)) as { name: string }[], summary: String(row.summary),
      });
      writeSeq = Number(row.write_seq);
    }
    this.#seen = { writeSeq, dataVersion };
  }

  /** Called by the store, inside or after its write, for every paper it wrote. */
  written(paper: PaperText): void {
    this.#index.written({ doc: paper.rowid, id: paper.id, title: paper.title, authors: paper.authors, summary: paper.summary });
  }

  #rowids(sql: string, params: SQLInputValue[]): Set<number> {
    return new Set(this.#db.sql(sql).all(...params).map((row) => Number(row.rowid)));
  }

  /** Papers moderators hid: never a search result (a handful of rows, read through a partial index). */
  hiddenRowids(): Set<number> {
    return this.#rowids('SELECT rowid FROM papers WHERE hidden_at IS NOT NULL', []);
  }

  async search(query: TextQuery, filters: SearchFilters, weights: FieldWeights, limit: number): Promise<ScoredPaper[]> {
    if (!this.#index.ready) await this.warmUp();
    this.#catchUp();
    const filter = filterConditions(filters);
    const allowed = hasFilters(filters) ? this.#rowids(`SELECT p.rowid FROM papers p WHERE 1 = 1${filter.sql}`, filter.params) : null;
    return this.#index.search(query, allowed, this.hiddenRowids(), weights, limit);
  }
}
