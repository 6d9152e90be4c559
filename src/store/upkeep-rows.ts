/** SQL fragments and row readers of the notification and report facets, shared by the SQLite and PostgreSQL stores. */
import type { NotificationKind, NotificationRecord, PendingEmail } from './notification-store.ts';
import type { ReportCase, ReportTargetKind } from './report-store.ts';
import type { Role } from './community-store.ts';
import { nullableNumber, nullableString, type Row } from './rows.ts';

/** Notifications `n` with their actor `a`, comment `c` and paper `p`, as rowToNotification reads them. */
export const NOTIFICATION_SELECT = `SELECT n.id, n.member_id, n.kind, n.comment_id, n.paper_id, n.action, n.reason,
  n.created_at, n.read_at, a.name AS actor_name, a.fullname AS actor_fullname, a.avatar_url AS actor_avatar_url,
  p.title AS paper_title, c.body AS comment_body
  FROM notifications n
  LEFT JOIN members a ON a.id = n.actor_id
  LEFT JOIN comments c ON c.id = n.comment_id
  LEFT JOIN papers p ON p.id = n.paper_id`;

/** What a member may see (SQL condition on NOTIFICATION_SELECT): the comment still there and shown, the paper not
 *  hidden (moderators' decisions excepted: they are about the member's own hidden content), the actor not banned. */
export const NOTIFICATION_VISIBLE = `(n.comment_id IS NULL OR (c.deleted_at IS NULL AND c.hidden_at IS NULL))
  AND (n.kind = 'moderation' OR p.hidden_at IS NULL)
  AND (n.actor_id IS NULL OR (a.banned_at IS NULL AND a.deleted_at IS NULL))`;

/** NOTIFICATION_SELECT with the recipient `r` (and their address) and their email choice `s` for the kind. */
export const PENDING_EMAIL_SELECT = NOTIFICATION_SELECT.replace(
  'FROM notifications n',
  `, r.email AS recipient_email FROM notifications n
  JOIN members r ON r.id = n.member_id
  JOIN notification_email s ON s.member_id = n.member_id AND s.kind = n.kind`,
);

/** What makes a notification's email due (SQL condition on PENDING_EMAIL_SELECT; each store gives its placeholders
 *  for the mode, the time it was made before, and now). */
export const PENDING_EMAIL_DUE = (mode: string, before: string, now: string) => `s.mode = ${mode}
  AND n.created_at < ${before} AND n.created_at >= s.updated_at
  AND r.email IS NOT NULL AND r.banned_at IS NULL AND r.deleted_at IS NULL
  AND ${EMAIL_CLAIMABLE(now)} AND ${NOTIFICATION_VISIBLE}`;

/** An email that may be claimed now (SQL condition; the parameter is now, ISO). */
export const EMAIL_CLAIMABLE = (now: string) => `(n.email_status IS NULL OR n.email_status = 'deferred'
  OR (n.email_status = 'sending' AND n.email_lease_until <= ${now}))`;

export function rowToNotification(row: Row): NotificationRecord {
  return {
    id: Number(row.id),
    memberId: Number(row.member_id),
    kind: String(row.kind) as NotificationKind,
    actor:
      row.actor_name === null || row.actor_name === undefined
        ? null
        : {
            name: String(row.actor_name),
            fullname: String(row.actor_fullname),
            avatarUrl: nullableString(row.actor_avatar_url),
          },
    commentId: nullableNumber(row.comment_id),
    paperId: nullableString(row.paper_id),
    paperTitle: nullableString(row.paper_title),
    commentBody: nullableString(row.comment_body),
    action: nullableString(row.action),
    reason: nullableString(row.reason),
    createdAt: String(row.created_at),
    readAt: nullableString(row.read_at),
  };
}

export function rowToPendingEmail(row: Row): PendingEmail {
  return { ...rowToNotification(row), email: String(row.recipient_email) };
}

/**
 * Items with open reports that are still visible, one row each (SQL; `r` reports, `c` the comment, `p` the paper).
 * Each store adds its own ORDER BY and LIMIT.
 */
export const OPEN_TARGETS = `SELECT r.target_kind, r.target_id, min(r.comment_id) AS comment_id, min(r.paper_id) AS paper_id,
  min(r.created_at) AS first_at, max(r.created_at) AS last_at
  FROM reports r
  LEFT JOIN comments c ON c.id = r.comment_id
  JOIN papers p ON p.id = r.paper_id
  WHERE r.resolved_at IS NULL AND p.hidden_at IS NULL
    AND (r.comment_id IS NULL OR (c.deleted_at IS NULL AND c.hidden_at IS NULL))
  GROUP BY r.target_kind, r.target_id`;

/** What the queue shows of one item: its paper, comment and owner (the comment's author, or the paper's first local
 *  submitter: a member of this instance, not a submitter imported from Hugging Face). Each store fills in its placeholders for the comment id and the paper id. */
export const CASE_DETAIL = (commentId: string, paperId: string) => `SELECT p.id AS paper_id, p.title AS paper_title,
  c.body AS comment_body, o.id AS owner_id, o.name AS owner_name, o.role AS owner_role
  FROM papers p
  LEFT JOIN comments c ON c.id = ${commentId}
  LEFT JOIN members o ON o.id = coalesce(c.member_id, (SELECT d.submitted_by FROM daily_entries d
    JOIN members s ON s.id = d.submitted_by AND s.email IS NOT NULL WHERE d.paper_id = p.id ORDER BY d.day LIMIT 1))
  WHERE p.id = ${paperId}`;

/** The open reports of one item, oldest first (placeholders for kind and id). */
export const OPEN_REPORTS = (kind: string, id: string) => `SELECT m.name AS reporter, r.reason, r.created_at
  FROM reports r JOIN members m ON m.id = r.reporter_id
  WHERE r.target_kind = ${kind} AND r.target_id = ${id} AND r.resolved_at IS NULL ORDER BY r.id`;

/** One item: its OPEN_TARGETS row and CASE_DETAIL row together, and its reports. */
export function rowToCase(row: Row, reports: { reporter: string; reason: string; at: string }[]): ReportCase {
  const ownerId = nullableNumber(row.owner_id);
  return {
    target: { kind: String(row.target_kind) as ReportTargetKind, id: String(row.target_id) },
    paperId: String(row.paper_id),
    paperTitle: String(row.paper_title),
    commentBody: nullableString(row.comment_body),
    owner:
      ownerId === null ? null : { id: ownerId, name: String(row.owner_name), role: String(row.owner_role) as Role },
    reports,
    firstAt: String(row.first_at),
    lastAt: String(row.last_at),
  };
}

export function rowToReport(row: Row): { reporter: string; reason: string; at: string } {
  return { reporter: String(row.reporter), reason: String(row.reason), at: String(row.created_at) };
}
