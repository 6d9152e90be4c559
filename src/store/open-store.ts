import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeDatabase } from '../config.ts';
import { fileWriteProblem, fsReason, folderWriteProblem } from '../disk-check.ts';
import type { Store } from './store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import { PostgresStore } from './postgres/postgres-store.ts';

/** The database named by DATABASE_URL cannot be opened; the message names it and says why. */
export class DatabaseOpenError extends Error {}

/** The store DATABASE_URL names: a SQLite file (the default), or PostgreSQL for postgres:// and postgresql:// URLs. */
export async function openStore(databaseUrl: string): Promise<Store> {
  const db = describeDatabase(databaseUrl);
  if (db.backend === 'postgres') {
    try {
      return await PostgresStore.connect(db.url);
    } catch (error) {
      const where = db.url.replace(/\/\/[^@/]*@/, '//…@'); // no password in messages
      throw new DatabaseOpenError(`cannot open the PostgreSQL database at ${where}: ${(error as Error).message}`);
    }
  }
  try {
    return new SqliteStore(db.path);
  } catch (error) {
    throw new DatabaseOpenError(`cannot open the SQLite database ${db.path}: ${sqliteOpenReason(db.path, error)}`);
  }
}

/**
 * SQLite says "unable to open database file" whatever the cause: the file system says which (a read-only mount,
 * a full disk, a file where a folder should be), so the folder is asked before SQLite's words are repeated.
 */
function sqliteOpenReason(path: string, error: unknown): string {
  if ((error as NodeJS.ErrnoException).syscall) return fsReason(error); // mkdir of the folder failed
  if (path === ':memory:') return (error as Error).message;
  const inFolder = folderWriteProblem(dirname(path));
  if (inFolder) return `its folder ${dirname(path)}: ${inFolder}`;
  return (existsSync(path) ? fileWriteProblem(path) : null) ?? (error as Error).message;
}
