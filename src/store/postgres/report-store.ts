/** The report facet on PostgreSQL. */
import type { Runner } from './runner.ts';
import type { ModerationNote, ReportCase, ReportResolution, ReportStore, ReportTarget } from '../report-store.ts';
import { CASE_DETAIL, OPEN_REPORTS, OPEN_TARGETS, rowToCase, rowToReport } from '../upkeep-rows.ts';
import type { Row } from '../rows.ts';

export class PostgresReportStore implements ReportStore {
  readonly #db: Runner;

  constructor(db: Runner) {
    this.#db = db;
  }

  async report(target: ReportTarget, reporterId: number, reason: string, now: Date): Promise<'reported' | 'already'> {
    let paperId: string | null = target.kind === 'paper' ? target.id : null;
    if (target.kind === 'comment') {
      const [comment] = await this.#db.query('SELECT paper_id FROM comments WHERE id = $1', [Number(target.id)]);
      paperId = comment ? String(comment.paper_id) : null;
    }
    if (paperId === null) throw new Error(`no ${target.kind} ${target.id} to report`);
    // The unique key decides: of two identical reports at the same moment, one is stored.
    const rows = await this.#db.query(
      `INSERT INTO reports (target_kind, target_id, comment_id, paper_id, reporter_id, reason, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (target_kind, target_id, reporter_id) DO NOTHING RETURNING id`,
      [
        target.kind,
        target.id,
        target.kind === 'comment' ? Number(target.id) : null,
        paperId,
        reporterId,
        reason,
        now.toISOString(),
      ],
    );
    return rows.length > 0 ? 'reported' : 'already';
  }

  async openCount(): Promise<number> {
    const [row] = await this.#db.query(`SELECT count(*) AS n FROM (${OPEN_TARGETS}) AS t`);
    return Number(row!.n);
  }

  async openCases(limit: number): Promise<ReportCase[]> {
    const rows = await this.#db.query(`${OPEN_TARGETS} ORDER BY first_at, target_kind, target_id LIMIT $1`, [limit]);
    return Promise.all(rows.map((row) => this.#case(row)));
  }

  async openCase(target: ReportTarget): Promise<ReportCase | null> {
    const [row] = await this.#db.query(
      `SELECT * FROM (${OPEN_TARGETS}) AS t WHERE target_kind = $1 AND target_id = $2`,
      [target.kind, target.id],
    );
    return row ? this.#case(row) : null;
  }

  async #case(row: Row): Promise<ReportCase> {
    const [[detail], reports] = await Promise.all([
      this.#db.query(CASE_DETAIL('$1::bigint', '$2'), [row.comment_id ?? null, String(row.paper_id)]),
      this.#db.query(OPEN_REPORTS('$1', '$2'), [row.target_kind, row.target_id]),
    ]);
    return rowToCase({ ...row, ...detail }, reports.map(rowToReport));
  }

  async resolve(
    target: ReportTarget,
    resolution: ReportResolution,
    note: ModerationNote | null,
    now: Date,
  ): Promise<number> {
    return this.#db.transaction(async (tx) => {
      const closed = await tx.query(
        `UPDATE reports SET resolved_at = $1, resolution = $2
        WHERE target_kind = $3 AND target_id = $4 AND resolved_at IS NULL RETURNING id`,
        [now.toISOString(), resolution, target.kind, target.id],
      );
      if (closed.length > 0 && note)
        await tx.query(
          'INSERT INTO moderation_log (moderator_id, action, target, reason, at) VALUES ($1, $2, $3, $4, $5)',
          [note.moderatorId, note.action, note.target, note.reason, now.toISOString()],
        );
      return closed.length;
    });
  }
}
