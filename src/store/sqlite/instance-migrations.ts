/** Schema of the instance facet: the instance's identity, one row, and the log of its changes. */
import type { Migration } from './migration.ts';

export const instanceMigration: Migration = {
  version: 16,
  name: 'instance identity settings and their change log',
  sql: `
    -- One row, made by the first save (a fresh database is empty: sqlite-to-postgres copies into it).
    CREATE TABLE instance_settings (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      name TEXT,
      description TEXT,
      logo TEXT,
      accent TEXT,
      contact TEXT,
      about TEXT,
      version INTEGER NOT NULL,
      updated_at TEXT
    ) STRICT;
    CREATE TABLE instance_settings_log (
      id INTEGER PRIMARY KEY,
      member_id INTEGER NOT NULL REFERENCES members(id),
      field TEXT NOT NULL,
      old_value TEXT,
      new_value TEXT,
      at TEXT NOT NULL
    ) STRICT;
  `,
};
