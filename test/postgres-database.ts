/**
 * A fresh database on the PostgreSQL server of PAPERBOY_TEST_POSTGRES_URL, for tests that start `paperboy`
 * processes on PostgreSQL (a whole database, as a deployment has, rather than a schema). Without the variable
 * or a server, it throws the how-to message: such tests fail, never skip.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { HOW_TO_START_POSTGRES, POSTGRES_URL_VARIABLE } from './contract/backends.ts';

/** The database's URL, and `drop` for the end of the test. */
export async function freshPostgresDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = process.env[POSTGRES_URL_VARIABLE];
  if (!serverUrl)
    throw new Error(`this test needs PostgreSQL: ${POSTGRES_URL_VARIABLE} is not set.\n${HOW_TO_START_POSTGRES}`);
  const admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
  const database = `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } catch (error) {
    await admin.end();
    throw new Error(
      `cannot create a database on PostgreSQL at ${POSTGRES_URL_VARIABLE}=${serverUrl}: ${(error as Error).message}\n${HOW_TO_START_POSTGRES}`,
    );
  }
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    async drop() {
      // Processes the test left connected (a killed one's sessions linger until the server notices).
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      );
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      await admin.end();
    },
  };
}
