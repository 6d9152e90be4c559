/**
 * The report facet of the store: members flag a comment or a paper with a reason; moderators see one queue
 * entry per item (all its open reports merged) and resolve it. A member reports an item once (a unique key,
 * so two requests at the same moment store one report).
 */

export type ReportTargetKind = 'comment' | 'paper';

export type ReportResolution = 'hidden' | 'warned' | 'dismissed';

export interface ReportTarget {
  kind: ReportTargetKind;
  /** The comment's number as text, or the paper's arXiv id. */
  id: string;
}

export interface ReportCase {
  target: ReportTarget;
  /** The paper the item is (or is on). */
  paperId: string;
  paperTitle: string;
  /** The comment's text, for comments. */
  commentBody: string | null;
  /** Whose content it is: the comment's author, the paper's first local submitter; null for imported papers. */
  owner: { id: number; name: string; role: 'member' | 'moderator' | 'admin' } | null;
  reports: { reporter: string; reason: string; at: string }[];
  firstAt: string;
  lastAt: string;
}

export interface ModerationNote {
  moderatorId: number;
  action: 'warn-member' | 'dismiss-report';
  target: string;
  reason: string;
}

export interface ReportStore {
  /** 'reported', or 'already' when this member reported this item before (whether or not it was resolved). */
  report(target: ReportTarget, reporterId: number, reason: string, now: Date): Promise<'reported' | 'already'>;
  /** Items with open reports that are still visible (a comment neither deleted nor hidden, a paper not hidden). */
  openCount(): Promise<number>;
  /** Those items, oldest report first. */
  openCases(limit: number): Promise<ReportCase[]>;
  openCase(target: ReportTarget): Promise<ReportCase | null>;
  /**
   * Closes the item's open reports with this resolution and, in the same transaction, writes `note` to the
   * moderation log (when given); returns how many reports it closed: of moderators resolving one item at once,
   * one closes them and the others get 0.
   */
  resolve(target: ReportTarget, resolution: ReportResolution, note: ModerationNote | null, now: Date): Promise<number>;
}
