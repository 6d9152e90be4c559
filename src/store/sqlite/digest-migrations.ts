/** Schema of the digest facet: subscriptions, the send ledger and the signing secret. */
import type { Migration } from './migration.ts';

export const digestMigrations: Migration[] = [
  {
    version: 6,
    name: 'digest subscriptions, send ledger, signing secret',
    sql: `
      CREATE TABLE digest_subscriptions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: signed links name a subscription by id
        email TEXT NOT NULL,
        email_key TEXT NOT NULL UNIQUE,         -- trimmed, lower-cased
        frequency TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly')),
        status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed', 'suspended')),
        created_at TEXT NOT NULL,
        confirmed_at TEXT,
        unsubscribed_at TEXT,
        hard_bounces INTEGER NOT NULL DEFAULT 0,
        last_confirmation_at TEXT
      ) STRICT;
      CREATE INDEX digest_subscriptions_recipients ON digest_subscriptions(frequency, status, id);

      CREATE TABLE digest_deliveries (
        subscription_id INTEGER NOT NULL REFERENCES digest_subscriptions(id) ON DELETE CASCADE,
        period_key TEXT NOT NULL,               -- daily:YYYY-MM-DD or weekly:YYYY-Www
        status TEXT NOT NULL CHECK (status IN ('sending', 'deferred', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        message_id TEXT,
        last_error TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (subscription_id, period_key)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX digest_deliveries_period ON digest_deliveries(period_key, status);

      CREATE TABLE digest_secret (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
];

/** Appended after the core's version 8 (versions apply in the order of the list). */
export const digestLeaseMigration: Migration = {
  version: 9,
  name: 'send ledger claims: the run that holds a delivery and until when',
  // Rows left "sending" by earlier versions have no lease: the next run may take them, as it always could.
  sql: `
    ALTER TABLE digest_deliveries ADD COLUMN claimed_by TEXT;
    ALTER TABLE digest_deliveries ADD COLUMN lease_until TEXT;
  `,
};
