/** Version 15: notifications (with their email claims), members' email choices per kind, and reports. */
import type { Migration } from './migration.ts';

export const upkeepMigration: Migration = {
  version: 15,
  name: 'notifications, notification email choices, reports',
  sql: `
    CREATE TABLE notifications (
      id INTEGER PRIMARY KEY,
      member_id INTEGER NOT NULL REFERENCES members(id),
      kind TEXT NOT NULL,
      actor_id INTEGER REFERENCES members(id),
      comment_id INTEGER,           -- no foreign key: comments go with their paper, notifications are read past them
      paper_id TEXT,
      action TEXT,
      reason TEXT,
      source TEXT NOT NULL,
      created_at TEXT NOT NULL,
      read_at TEXT,
      email_status TEXT,            -- NULL (not tried), 'sending', 'deferred', 'sent', 'failed'
      email_run TEXT,
      email_lease_until TEXT,
      email_attempts INTEGER NOT NULL DEFAULT 0,
      UNIQUE (member_id, source)
    ) STRICT;
    CREATE INDEX notifications_member ON notifications(member_id, id);
    CREATE INDEX notifications_unread ON notifications(member_id) WHERE read_at IS NULL;
    CREATE INDEX notifications_email ON notifications(id) WHERE email_status IS NULL OR email_status IN ('sending', 'deferred');
    CREATE INDEX notifications_actor ON notifications(actor_id);

    CREATE TABLE notification_email (
      member_id INTEGER NOT NULL REFERENCES members(id),
      kind TEXT NOT NULL,
      mode TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (member_id, kind)
    ) STRICT, WITHOUT ROWID;
    -- The send runs start from the few members who chose email, not from every notification.
    CREATE INDEX notification_email_mode ON notification_email(mode, member_id);

    CREATE TABLE reports (
      id INTEGER PRIMARY KEY,
      target_kind TEXT NOT NULL,
      target_id TEXT NOT NULL,      -- the comment's number as text, or the paper's id
      comment_id INTEGER,           -- no foreign key: comments go with their paper, notifications are read past them
      paper_id TEXT NOT NULL,       -- the paper, or the comment's paper
      reporter_id INTEGER NOT NULL REFERENCES members(id),
      reason TEXT NOT NULL,
      created_at TEXT NOT NULL,
      resolved_at TEXT,
      resolution TEXT,
      UNIQUE (target_kind, target_id, reporter_id)
    ) STRICT;
    CREATE INDEX reports_open ON reports(target_kind, target_id) WHERE resolved_at IS NULL;
    CREATE INDEX reports_reporter ON reports(reporter_id);
  `,
};
