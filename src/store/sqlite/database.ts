/** The SQLite connection: pragmas, the sqlite-vec extension, migrations, a statement cache and transactions. */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { getLoadablePath } from 'sqlite-vec';
import { migrations } from './migrations.ts';

/** How long a statement waits for another connection's lock before it gives up. */
const BUSY_TIMEOUT_MS = 5000;

export class SqliteDatabase {
  readonly raw: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  /** Committed write transactions of this connection (other connections show in PRAGMA data_version). */
  writes = 0;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    // The busy timeout is set at once: switching to WAL (the first statement) already waits for a lock that another
    // process may hold for a moment, and without it that start would fail with "database is locked".
    this.raw = new DatabaseSync(path, { allowExtension: true, timeout: BUSY_TIMEOUT_MS });
    this.raw.loadExtension(getLoadablePath());
    this.raw.enableLoadExtension(false);
    this.raw.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA foreign_keys = ON;
      PRAGMA cache_size = -262144;`);
  }

  migrate(): void {
    this.raw.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const done = new Set(
      this.raw
        .prepare('SELECT version FROM schema_migrations')
        .all()
        .map((r) => Number(r.version)),
    );
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      this.transaction(() => {
        this.raw.exec(migration.sql);
        migration.backfill?.(this);
        this.sql('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
          migration.version,
          migration.name,
          new Date().toISOString(),
        );
      });
    }
  }

  /** A prepared statement, cached by its text. */
  sql(text: string): StatementSync {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.raw.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  transaction<T>(work: () => T): T {
    this.raw.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.raw.exec('COMMIT');
      this.writes++;
      return result;
    } catch (error) {
      this.raw.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    this.#statements.clear();
    if (this.raw.isOpen) this.raw.close();
  }
}
