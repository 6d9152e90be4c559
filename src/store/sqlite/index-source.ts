/**
 * What the in-memory search index reads from the embedded store (see store/index-source.ts): papers' text by
 * rowid, papers written since a write sequence, and the rowids filters and moderation allow. Ranking is in
 * memory (search/lexical/); SQLite's FTS5 was measured first: its bm25() costs ~8 µs per matching paper
 * (~400 ms for a common word at 133k papers), and keeping it in step doubled import time, so it is not used.
 */
import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import type { SearchFilters } from '../store.ts';
import type { SqliteDatabase } from './database.ts';
import { readSavedFile, writeSavedFile } from './saved-file.ts';
import { authorNames, type IndexSource, type IndexedText, type WriteMark, type WrittenText } from '../index-source.ts';

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
    // By slug or by name, case-insensitively: "Tencent" and "tencent" are the same organization.
    conditions.push(
      'p.organization_name IN (SELECT name FROM organizations WHERE lower(name) = lower(?) OR lower(fullname) = lower(?))',
    );
    params.push(filters.organization, filters.organization);
  }
  if (filters.category) {
    conditions.push('EXISTS (SELECT 1 FROM json_each(p.categories) WHERE json_each.value = ?)');
    params.push(filters.category);
  }
  if (filters.hasCode) conditions.push('p.github_repo IS NOT NULL');
  return { sql: conditions.map((c) => ` AND ${c}`).join(''), params };
}

const hasFilters = (f: SearchFilters) => Boolean(f.fromDay || f.toDay || f.organization || f.category || f.hasCode);

const rowToText = (row: Record<string, SQLOutputValue>): IndexedText => ({
  doc: Number(row.rowid),
  id: String(row.id),
  title: String(row.title),
  authors: authorNames(JSON.parse(String(row.authors)) as { name: string }[]),
  summary: String(row.summary),
});

export class SqliteIndexSource implements IndexSource {
  readonly #db: SqliteDatabase;
  /** The store's data version (PRAGMA data_version and this connection's writes). */
  readonly #dataVersion: () => string;

  /** Where the lexical index is saved: a file beside the database (none for an in-memory database). */
  readonly indexPath: string | null;

  constructor(db: SqliteDatabase, dataVersion: () => string, path: string) {
    this.#db = db;
    this.#dataVersion = dataVersion;
    this.indexPath = path === ':memory:' || path === '' ? null : `${path}.lexical-index`;
  }

  async loadIndex(): Promise<Uint8Array | null> {
    return this.indexPath ? readSavedFile(this.indexPath) : null;
  }

  /** Replaced atomically (see saved-file.ts): a save that dies leaves the previous index. */
  async saveIndex(parts: readonly Uint8Array[]): Promise<void> {
    if (this.indexPath) await writeSavedFile(this.indexPath, parts);
  }

  async page(afterDoc: number, limit: number): Promise<IndexedText[]> {
    return this.#db
      .sql('SELECT rowid, id, title, authors, summary FROM papers WHERE rowid > ? ORDER BY rowid LIMIT ?')
      .all(afterDoc, limit)
      .map(rowToText);
  }

  async texts(docs: readonly number[]): Promise<IndexedText[]> {
    return this.#db
      .sql('SELECT p.rowid, p.id, p.title, p.authors, p.summary FROM json_each(?) j JOIN papers p ON p.rowid = j.value')
      .all(JSON.stringify(docs))
      .map(rowToText);
  }

  async docsOf(ids: readonly string[]): Promise<Map<number, string>> {
    const rows = this.#db
      .sql('SELECT p.rowid, p.id FROM json_each(?) j JOIN papers p ON p.id = j.value')
      .all(JSON.stringify(ids));
    return new Map(rows.map((r) => [Number(r.rowid), String(r.id)]));
  }

  async writeMark(): Promise<WriteMark> {
    const writeSeq = Number(this.#db.sql('SELECT coalesce(max(write_seq), 0) AS n FROM papers').get()!.n);
    return { writeSeq, dataVersion: this.#dataVersion() };
  }

  async writtenSince(afterSeq: number, limit: number): Promise<WrittenText[]> {
    return this.#db
      .sql(
        'SELECT rowid, id, title, authors, summary, write_seq FROM papers WHERE write_seq > ? ORDER BY write_seq LIMIT ?',
      )
      .all(afterSeq, limit)
      .map((row) => ({ ...rowToText(row), writeSeq: Number(row.write_seq) }));
  }

  async allowed(filters: SearchFilters): Promise<Set<number> | null> {
    return this.allowedRowids(filters);
  }

  async hidden(): Promise<Set<number>> {
    return this.hiddenRowids();
  }

  /** The rowids that pass the filters, or null when there is no filter (also for the store's vector search). */
  allowedRowids(filters: SearchFilters): Set<number> | null {
    if (!hasFilters(filters)) return null;
    const filter = filterConditions(filters);
    return this.#rowids(`SELECT p.rowid FROM papers p WHERE 1 = 1${filter.sql}`, filter.params);
  }

  /** Papers moderators hid (a handful of rows, read through a partial index). */
  hiddenRowids(): Set<number> {
    return this.#rowids('SELECT rowid FROM papers WHERE hidden_at IS NOT NULL', []);
  }

  #rowids(sql: string, params: SQLInputValue[]): Set<number> {
    return new Set(
      this.#db
        .sql(sql)
        .all(...params)
        .map((row) => Number(row.rowid)),
    );
  }
}
