/**
 * test/helpers.ts with memoryStore() on PostgreSQL: each call gets a fresh schema on the server named by
 * PAPERBOY_TEST_POSTGRES_URL, migrated before its first query and dropped when the test file ends; with
 * PAPERBOY_TEST_PGLITE=1, a fresh schema in one PGlite instance per process (for tests that need pgvector).
 * Loaded in place of helpers.ts by test/postgres-hooks.ts, so that HTTP tests written once run on both backends.
 */
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import type { Store } from '../src/store/store.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import {
  PoolRunner,
  pgliteTransaction,
  quoteIdentifier,
  type PgliteTransaction,
  type Row,
  type Runner,
  type Transaction,
} from '../src/store/postgres/runner.ts';
import { migrate } from '../src/store/postgres/migrations.ts';
import { HOW_TO_START_POSTGRES, POSTGRES_URL_VARIABLE } from './postgres-server.ts';

export * from './helpers.ts';

const url = process.env[POSTGRES_URL_VARIABLE];

/** A runner that creates and migrates its schema before its first query: a store made synchronously. */
class FreshSchemaRunner implements Runner {
  readonly #inner: PoolRunner;
  readonly #ready: Promise<void>;

  constructor(connectionString: string, schema: string) {
    const inner = new PoolRunner(connectionString, { schema, max: 4 });
    this.#inner = inner;
    this.#ready = (async () => {
      const admin = new PoolRunner(connectionString, { max: 1 });
      try {
        await admin.exec(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
      } finally {
        await admin.close();
      }
      await migrate(inner);
    })();
    this.#ready.catch(() => {}); // reported by the first query that waits for it
  }

  async query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    await this.#ready;
    return this.#inner.query<R>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    await this.#ready;
    return this.#inner.exec(sql);
  }

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    await this.#ready;
    return this.#inner.transaction(work);
  }

  async close(): Promise<void> {
    await this.#ready.catch(() => {});
    await this.#inner.close();
  }
}

interface PgliteDb {
  exec(sql: string): Promise<unknown>;
  transaction<T>(work: (tx: PgliteTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

let pglite: Promise<PgliteDb> | null = null;

/** One PGlite per process, with pgvector, made on first use and closed when the test file ends. */
function sharedPglite(): Promise<PgliteDb> {
  pglite ??= (async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const { vector } = await import('@electric-sql/pglite/vector');
    const db = new PGlite({ extensions: { vector } });
    await db.exec('CREATE EXTENSION IF NOT EXISTS vector SCHEMA public');
    after(() => db.close());
    return db as unknown as PgliteDb;
  })();
  return pglite;
}

/**
 * A schema of the shared PGlite: every statement runs in a transaction of its own that points the single
 * session at the schema first (SET LOCAL), so that several stores can be open at once.
 */
class PgliteSchemaRunner implements Runner {
  readonly #schema: string;
  readonly #ready: Promise<PgliteDb>;

  constructor(schema: string) {
    const quoted = quoteIdentifier(schema);
    this.#schema = quoted;
    // Migrations run straight on the instance; everything else waits until they are done.
    const direct: Runner = {
      query: (sql, params) => this.#inSchema((tx) => tx.query(sql, params), sharedPglite()),
      exec: (sql) => this.#inSchema((tx) => tx.exec(sql), sharedPglite()),
      transaction: (work) => this.#inSchema(work, sharedPglite()),
      close: async () => {},
    };
    this.#ready = (async () => {
      const db = await sharedPglite();
      await db.exec(`CREATE SCHEMA ${quoted}`);
      await migrate(direct);
      return db;
    })();
    this.#ready.catch(() => {});
  }

  #inSchema<T>(work: (tx: Transaction) => Promise<T>, db: Promise<PgliteDb>): Promise<T> {
    return db.then((pg) =>
      pg.transaction(async (raw) => {
        await raw.exec(`SET LOCAL search_path = ${this.#schema}, public`);
        return work(pgliteTransaction(raw));
      }),
    );
  }

  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.#inSchema((tx) => tx.query<R>(sql, params), this.#ready);
  }

  exec(sql: string): Promise<void> {
    return this.#inSchema((tx) => tx.exec(sql), this.#ready);
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.#inSchema(work, this.#ready);
  }

  async close(): Promise<void> {
    await this.#ready.catch(() => {});
  }
}

function pgliteStore(): Store {
  const schema = `http_${randomBytes(4).toString('hex')}`;
  return new PostgresStore(new PgliteSchemaRunner(schema));
}

export function memoryStore(): Store {
  if (process.env.PAPERBOY_TEST_PGLITE === '1') return pgliteStore();
  if (!url) throw new Error(`${POSTGRES_URL_VARIABLE} is not set.\n${HOW_TO_START_POSTGRES}`);
  const schema = `http_${process.pid}_${randomBytes(4).toString('hex')}`;
  const store = new PostgresStore(new FreshSchemaRunner(url, schema));
  after(async () => {
    await store.close();
    const admin = new PoolRunner(url, { max: 1 });
    await admin.exec(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    await admin.close();
  });
  return store;
}
