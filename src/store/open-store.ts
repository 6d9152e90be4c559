import { describeDatabase } from '../config.ts';
import type { Store } from './store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';

export class UnsupportedDatabaseError extends Error {}

export async function openStore(databaseUrl: string): Promise<Store> {
  const db = describeDatabase(databaseUrl);
  if (db.backend === 'postgres') {
    throw new UnsupportedDatabaseError('DATABASE_URL points at PostgreSQL, but this build has only the SQLite backend');
  }
  return new SqliteStore(db.path);
}
