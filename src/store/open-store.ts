import { describeDatabase } from '../config.ts';
import type { Store } from './store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import { PostgresStore } from './postgres/postgres-store.ts';

export class UnsupportedDatabaseError extends Error {}

/** The store DATABASE_URL names: a SQLite file (the default), or PostgreSQL for postgres:// and postgresql:// URLs. */
export async function openStore(databaseUrl: string): Promise<Store> {
  const db = describeDatabase(databaseUrl);
  if (db.backend === 'postgres') {
    try {
      return await PostgresStore.connect(db.url);
    } catch (error) {
      const where = db.url.replace(/\/\/[^@/]*@/, '//…@'); // no password in messages
      throw new UnsupportedDatabaseError(
        `cannot open the PostgreSQL database at ${where}: ${(error as Error).message}`,
      );
    }
  }
  return new SqliteStore(db.path);
}
