/**
 * What the in-memory search index reads from the PostgreSQL store (see store/index-source.ts): papers' text
 * by row_id, papers written since a write sequence (papers.write_seq), the row ids filters and moderation
 * allow, and the saved index.
 */
import type { SearchFilters } from '../store.ts';
import type { Runner } from './runner.ts';
import { Params, filterConditions, hasFilters } from './sql-params.ts';
import { json } from '../rows.ts';
import { authorNames, type IndexSource, type IndexedText, type WriteMark, type WrittenText } from '../index-source.ts';

/** Bytes per row of a saved lexical index. */
const INDEX_PIECE = 8 << 20;

function rowToText(row: Record<string, unknown>): IndexedText {
  return {
    doc: Number(row.row_id),
    id: String(row.id),
    title: String(row.title),
    authors: authorNames(json<{ name: string }[]>(row.authors)),
    summary: String(row.summary),
  };
}

export class PgIndexSource implements IndexSource {
  readonly #db: Runner;

  constructor(db: Runner) {
    this.#db = db;
  }

  async page(afterDoc: number, limit: number): Promise<IndexedText[]> {
    return (
      await this.#db.query(
        `SELECT row_id, id, title, authors, summary FROM papers
      WHERE row_id > $1 ORDER BY row_id LIMIT $2`,
        [afterDoc, limit],
      )
    ).map(rowToText);
  }

  async texts(docs: readonly number[]): Promise<IndexedText[]> {
    return (
      await this.#db.query('SELECT row_id, id, title, authors, summary FROM papers WHERE row_id = ANY($1::bigint[])', [
        docs,
      ])
    ).map(rowToText);
  }

  async docsOf(ids: readonly string[]): Promise<Map<number, string>> {
    const rows = await this.#db.query('SELECT row_id, id FROM papers WHERE id = ANY($1::text[])', [ids]);
    return new Map(rows.map((r) => [Number(r.row_id), String(r.id)]));
  }

  async writeMark(): Promise<WriteMark> {
    const [row] = await this.#db.query(`SELECT (SELECT version FROM data_version WHERE id = 1) AS version,
      (SELECT coalesce(max(write_seq), 0) FROM papers) AS write_seq`);
    return { writeSeq: Number(row!.write_seq), dataVersion: String(row!.version) };
  }

  async loadIndex(): Promise<Uint8Array | null> {
    const rows = await this.#db.query<{ bytes: Uint8Array }>('SELECT bytes FROM lexical_index_parts ORDER BY part');
    return rows.length === 0 ? null : Buffer.concat(rows.map((r) => r.bytes));
  }

  /**
   * In pieces of at most INDEX_PIECE bytes (a whole index in one value would pass through a string twice its
   * size), replaced in one transaction under a lock, so that processes saving at once take turns.
   */
  async saveIndex(parts: readonly Uint8Array[]): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':paperboy-lexical-index'))`);
      await tx.query('DELETE FROM lexical_index_parts');
      let part = 0;
      for (const piece of pieces(parts, INDEX_PIECE))
        await tx.query('INSERT INTO lexical_index_parts (part, bytes) VALUES ($1, $2)', [part++, piece]);
    });
  }

  async writtenSince(afterSeq: number, limit: number): Promise<WrittenText[]> {
    return (
      await this.#db.query(
        `SELECT row_id, id, title, authors, summary, write_seq FROM papers
      WHERE write_seq > $1 ORDER BY write_seq LIMIT $2`,
        [afterSeq, limit],
      )
    ).map((row) => ({ ...rowToText(row), writeSeq: Number(row.write_seq) }));
  }

  async allowed(filters: SearchFilters): Promise<Set<number> | null> {
    if (!hasFilters(filters)) return null;
    const params = new Params();
    const where = filterConditions(filters, params);
    return new Set(
      (await this.#db.query(`SELECT p.row_id FROM papers p WHERE true${where}`, params.values)).map((r) =>
        Number(r.row_id),
      ),
    );
  }

  async hidden(): Promise<Set<number>> {
    return new Set(
      (await this.#db.query('SELECT row_id FROM papers WHERE hidden_at IS NOT NULL')).map((r) => Number(r.row_id)),
    );
  }

  /** Makes the planner's statistics of papers if there are none yet (after a first import, before autovacuum). */
  async prepare(): Promise<void> {
    const [row] = await this.#db.query<{ n: number }>(`SELECT count(*) AS n FROM pg_stats
      WHERE schemaname = current_schema() AND tablename = 'papers'`);
    if (Number(row!.n) === 0) await this.#db.exec('ANALYZE papers');
  }
}

/** The bytes of `parts`, in order, cut into pieces of at most `size`. */
function* pieces(parts: readonly Uint8Array[], size: number): Generator<Buffer> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for (const part of parts) {
    for (let at = 0; at < part.byteLength; ) {
      const take = Math.min(size - pendingBytes, part.byteLength - at);
      pending.push(part.subarray(at, at + take));
      pendingBytes += take;
      at += take;
      if (pendingBytes === size) {
        yield Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}
