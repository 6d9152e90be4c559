/**
 * What the in-memory search index reads from the PostgreSQL store (see store/index-source.ts): papers' text
 * by row_id, papers written since a write sequence (papers.write_seq), and the row ids filters and moderation
 * allow; and, until that index is built, lexical ranking in SQL: a weighted tsvector with a GIN index
 * (text-query.ts), so that a fresh process serves at once.
 */
import type { FieldWeights, ScoredPaper, SearchFilters, TextQuery } from '../store.ts';
import type { Runner } from './runner.ts';
import { Params, filterConditions, hasFilters } from './sql-params.ts';
import { rankWeights, textQuery } from './text-query.ts';
import { json } from '../rows.ts';
import { authorNames, type IndexSource, type IndexedText, type WriteMark, type WrittenText } from '../index-source.ts';

/** A query term in more than this share of all papers is left out of the match while rarer terms remain. */
export const COMMON_TERM_FRACTION = 0.01;
/** Matches kept by the first (title and authors) stage of lexical ranking. */
const TITLE_STAGE_BUDGET = 2_000;
/** Below this many papers no term counts as common. */
const COMMON_TERMS_MIN_PAPERS = 10_000;
/** Bytes per row of a saved lexical index. */
const INDEX_PIECE = 8 << 20;
/** How long the list of common terms (from the planner's statistics) is reused. */
const COMMON_TERMS_TTL_MS = 10 * 60_000;

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
  #commonTerms: { terms: Map<string, number>; at: number } | null = null;

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

  /** Lexical search in SQL (a weighted tsvector with a GIN index): until the in-memory index is built. */
  async searchUnindexed(
    query: TextQuery,
    filters: SearchFilters,
    weights: FieldWeights,
    limit: number,
  ): Promise<ScoredPaper[]> {
    const tsquery = textQuery(query, await this.#common());
    if (!tsquery) return [];
    const params = new Params();
    const weightsParam = params.add(rankWeights(weights));
    const rankQuery = params.add(tsquery.rank);
    // Two stages: the matches ranked by their title and author terms alone (a small column, read without
    // the whole tsvector), then the best of those by all their terms. Up to TITLE_STAGE_BUDGET matches the
    // first stage keeps them all and changes nothing; past it, a common query ranks thousands of papers by
    // title first instead of reading every abstract's terms (133k papers: p95 450 -> 270 ms, same top 50).
    const sql = `
      WITH candidates AS MATERIALIZED (
        SELECT p.row_id FROM papers p
        WHERE p.search_vector @@ ${params.add(tsquery.match)}::tsquery AND p.hidden_at IS NULL${filterConditions(filters, params)}
        ORDER BY ts_rank(${weightsParam}::float4[], p.title_vector, ${rankQuery}::tsquery, 0) DESC, p.row_id
        LIMIT ${params.add(Math.max(TITLE_STAGE_BUDGET, limit))}
      )
      SELECT p.id, ts_rank(${weightsParam}::float4[], p.search_vector, ${rankQuery}::tsquery, 1) AS score
      FROM candidates c JOIN papers p ON p.row_id = c.row_id
      ORDER BY score DESC, p.row_id LIMIT ${params.add(limit)}`;
    const rows = await this.#db.transaction(async (tx) => {
      // The planner prices a match as cheap and scans the whole table when a tenth of it matches; testing every
      // paper's tsvector costs far more than the GIN index (measured: 155 ms against ~30 ms at 20k papers).
      await tx.query(`SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)`);
      return tx.query<{ id: string; score: number }>(sql, params.values);
    });
    return rows.map((r) => ({ id: r.id, score: Number(r.score) }));
  }

  /** Refreshes the planner's statistics of the search column if missing, and the common terms read from them. */
  async prepare(): Promise<void> {
    const [row] = await this.#db.query<{ n: number }>(`SELECT count(*) AS n FROM pg_stats
      WHERE schemaname = current_schema() AND tablename = 'papers' AND attname = 'search_vector'`);
    if (Number(row!.n) === 0) await this.#db.exec('ANALYZE papers');
    this.#commonTerms = null;
    await this.#common();
  }

  /**
   * Terms in more than COMMON_TERM_FRACTION of papers, with that share, from the planner's statistics of the
   * search column; none below COMMON_TERMS_MIN_PAPERS papers, where ranking every match is cheap anyway.
   */
  async #common(): Promise<Map<string, number>> {
    if (this.#commonTerms && Date.now() - this.#commonTerms.at < COMMON_TERMS_TTL_MS) return this.#commonTerms.terms;
    const [row] = await this.#db.query<{ elems: string[] | null; freqs: number[] | null; papers: number | null }>(`
      SELECT s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs AS freqs,
        (SELECT reltuples FROM pg_class WHERE oid = 'papers'::regclass) AS papers
      FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = 'papers' AND s.attname = 'search_vector'`);
    const terms = new Map<string, number>();
    if (Number(row?.papers ?? 0) >= COMMON_TERMS_MIN_PAPERS) {
      const freqs = row?.freqs ?? [];
      (row?.elems ?? []).forEach((term, i) => {
        const share = Number(freqs[i]);
        if (share > COMMON_TERM_FRACTION) terms.set(term, share);
      });
    }
    this.#commonTerms = { terms, at: Date.now() };
    return terms;
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
