/** The summaries facet on PostgreSQL (see ../summary-store.ts). */
import type { GeneratedSummary } from '../../domain/types.ts';
import type { PaperToSummarize, SummaryStore } from '../summary-store.ts';
import type { Runner } from './runner.ts';

export class PostgresSummaryStore implements SummaryStore {
  readonly #db: Runner;

  constructor(db: Runner) {
    this.#db = db;
  }

  async claimNext(now: Date, until: Date): Promise<PaperToSummarize | null> {
    // Two workers may pick the same candidate: the insert of one waits for the other's, then finds its claim
    // live (the WHERE of DO UPDATE) and returns nothing; that caller looks again, up to a few times.
    for (let tries = 0; tries < 3; tries++) {
      const rows = await this.#db.query(
        `WITH candidate AS (
          SELECT p.id FROM papers p
          WHERE p.ai_summary IS NULL AND p.generated_summary IS NULL AND p.hidden_at IS NULL
            AND EXISTS (SELECT 1 FROM daily_entries e WHERE e.paper_id = p.id)
            AND NOT EXISTS (SELECT 1 FROM summary_claims c WHERE c.paper_id = p.id AND c.claimed_until > $1)
          ORDER BY p.published_at DESC, p.id LIMIT 1),
        claimed AS (
          INSERT INTO summary_claims (paper_id, claimed_until) SELECT id, $2 FROM candidate
          ON CONFLICT (paper_id) DO UPDATE SET claimed_until = excluded.claimed_until
            WHERE summary_claims.claimed_until <= $1
          RETURNING paper_id)
        SELECT p.id, p.title, p.summary, (SELECT count(*) FROM candidate) AS candidates
        FROM (SELECT 1) one LEFT JOIN claimed ON true LEFT JOIN papers p ON p.id = claimed.paper_id`,
        [now.toISOString(), until.toISOString()],
      );
      const row = rows[0];
      if (row?.id) return { id: String(row.id), title: String(row.title), abstract: String(row.summary) };
      if (Number(row?.candidates ?? 0) === 0) return null;
    }
    return null;
  }

  async save(paperId: string, summary: GeneratedSummary): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const kept = await tx.query(
        `UPDATE papers SET generated_summary = $1, generated_keywords = $2, generated_model = $3, generated_at = $4
        WHERE id = $5 AND ai_summary IS NULL AND generated_summary IS NULL RETURNING 1`,
        [summary.text, JSON.stringify(summary.keywords), summary.model, summary.at, paperId],
      );
      await tx.query('DELETE FROM summary_claims WHERE paper_id = $1', [paperId]);
      return kept.length > 0;
    });
  }

  async generatedSince(since: Date): Promise<number> {
    const rows = await this.#db.query('SELECT count(*) AS n FROM papers WHERE generated_at >= $1', [
      since.toISOString(),
    ]);
    return Number(rows[0]?.n ?? 0);
  }
}
