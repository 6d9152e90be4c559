/** The report facet on SQLite. */
import type { SqliteDatabase } from './database.ts';
import type { ModerationNote, ReportCase, ReportResolution, ReportStore, ReportTarget } from '../report-store.ts';
import { CASE_DETAIL, OPEN_REPORTS, OPEN_TARGETS, rowToCase, rowToReport } from '../upkeep-rows.ts';
import type { Row } from '../rows.ts';

export class SqliteReportStore implements ReportStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async report(target: ReportTarget, reporterId: number, reason: string, now: Date): Promise<'reported' | 'already'> {
    return this.#db.transaction(() => {
      const paperId =
        target.kind === 'paper'
          ? target.id
          : this.#db.sql('SELECT paper_id FROM comments WHERE id = ?').get(Number(target.id))?.paper_id;
      if (paperId === undefined || paperId === null) throw new Error(`no ${target.kind} ${target.id} to report`);
      const row = this.#db
        .sql(`INSERT INTO reports (target_kind, target_id, comment_id, paper_id, reporter_id, reason, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (target_kind, target_id, reporter_id) DO NOTHING RETURNING id`)
        .get(
          target.kind,
          target.id,
          target.kind === 'comment' ? Number(target.id) : null,
          String(paperId),
          reporterId,
          reason,
          now.toISOString(),
        );
      return row ? 'reported' : 'already';
    });
  }

  async openCount(): Promise<number> {
    return Number(this.#db.sql(`SELECT count(*) AS n FROM (${OPEN_TARGETS})`).get()!.n);
  }

  async openCases(limit: number): Promise<ReportCase[]> {
    return this.#db
      .sql(`${OPEN_TARGETS} ORDER BY first_at, target_kind, target_id LIMIT ?`)
      .all(limit)
      .map((row) => this.#case(row));
  }

  async openCase(target: ReportTarget): Promise<ReportCase | null> {
    const row = this.#db
      .sql(`SELECT * FROM (${OPEN_TARGETS}) WHERE target_kind = ? AND target_id = ?`)
      .get(target.kind, target.id);
    return row ? this.#case(row) : null;
  }

  #case(row: Row): ReportCase {
    const commentId = row.comment_id === null || row.comment_id === undefined ? null : Number(row.comment_id);
    const detail = this.#db.sql(CASE_DETAIL('?', '?')).get(commentId, String(row.paper_id))!;
    const reports = this.#db
      .sql(OPEN_REPORTS('?', '?'))
      .all(String(row.target_kind), String(row.target_id))
      .map(rowToReport);
    return rowToCase({ ...row, ...detail }, reports);
  }

  async resolve(
    target: ReportTarget,
    resolution: ReportResolution,
    note: ModerationNote | null,
    now: Date,
  ): Promise<number> {
    return this.#db.transaction(() => {
      const closed = Number(
        this.#db
          .sql(`UPDATE reports SET resolved_at = ?, resolution = ?
          WHERE target_kind = ? AND target_id = ? AND resolved_at IS NULL`)
          .run(now.toISOString(), resolution, target.kind, target.id).changes,
      );
      if (closed > 0 && note)
        this.#db
          .sql('INSERT INTO moderation_log (moderator_id, action, target, reason, at) VALUES (?, ?, ?, ?, ?)')
          .run(note.moderatorId, note.action, note.target, note.reason, now.toISOString());
      return closed;
    });
  }
}
