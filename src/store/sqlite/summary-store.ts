/** The summaries facet on SQLite (see ../summary-store.ts); the table is in summary-migrations.ts. */
import type { GeneratedSummary } from '../../domain/types.ts';
import type { PaperToSummarize, SummaryStore } from '../summary-store.ts';
import type { SqliteDatabase } from './database.ts';

export class SqliteSummaryStore implements SummaryStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async claimNext(now: Date, until: Date): Promise<PaperToSummarize | null> {
    // Not this.#db.transaction: a claim must not move the data version (no page shows it). BEGIN IMMEDIATE takes
    // the write lock first, so that two processes cannot both read the same candidate.
    this.#db.raw.exec('BEGIN IMMEDIATE');
    try {
      const row = this.#db
        .sql(`SELECT p.id, p.title, p.summary FROM papers p
        WHERE p.ai_summary IS NULL AND p.generated_summary IS NULL AND p.hidden_at IS NULL
          AND EXISTS (SELECT 1 FROM daily_entries e WHERE e.paper_id = p.id)
          AND NOT EXISTS (SELECT 1 FROM summary_claims c WHERE c.paper_id = p.id AND c.claimed_until > ?)
        ORDER BY p.published_at DESC, p.id LIMIT 1`)
        .get(now.toISOString());
      if (row)
        this.#db
          .sql(`INSERT INTO summary_claims (paper_id, claimed_until) VALUES (?, ?)
          ON CONFLICT (paper_id) DO UPDATE SET claimed_until = excluded.claimed_until`)
          .run(String(row.id), until.toISOString());
      this.#db.raw.exec('COMMIT');
      return row ? { id: String(row.id), title: String(row.title), abstract: String(row.summary) } : null;
    } catch (error) {
      this.#db.raw.exec('ROLLBACK');
      throw error;
    }
  }

  async save(paperId: string, summary: GeneratedSummary): Promise<boolean> {
    return this.#db.transaction(() => {
      const kept =
        this.#db
          .sql(`UPDATE papers SET generated_summary = ?, generated_keywords = ?, generated_model = ?, generated_at = ?
          WHERE id = ? AND ai_summary IS NULL AND generated_summary IS NULL`)
          .run(summary.text, JSON.stringify(summary.keywords), summary.model, summary.at, paperId).changes > 0;
      this.#db.sql('DELETE FROM summary_claims WHERE paper_id = ?').run(paperId);
      return kept;
    });
  }

  async generatedSince(since: Date): Promise<number> {
    const row = this.#db.sql('SELECT count(*) AS n FROM papers WHERE generated_at >= ?').get(since.toISOString());
    return Number(row?.n ?? 0);
  }
}
