/**
 * The shape of one schema version of the embedded store. Its own module so that the facets' migration lists,
 * the full list (migrations.ts) and the connection that runs them (database.ts) need not import each other.
 */
import type { StatementSync } from 'node:sqlite';

/** What a backfill gets of the connection: its cached prepared statements (SqliteDatabase has this shape). */
export interface MigrationConnection {
  sql(text: string): StatementSync;
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Fills new structures from existing rows where SQL alone cannot (e.g. text analysed in TypeScript). */
  backfill?: (db: MigrationConnection) => void;
}
