/**
 * test/helpers.ts with memoryStore() on PostgreSQL: each call gets a fresh schema on the server named by
 * PAPERBOY_TEST_POSTGRES_URL, migrated before its first query and dropped when the test file ends. Loaded in
 * place of helpers.ts by test/postgres-hooks.ts, so that HTTP tests written once run on both backends.
 */
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import type { Store } from '../src/store/store.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { PoolRunner, quoteIdentifier, type Queryable, type Row, type Runner } from '../src/store/postgres/runner.ts';
import { migrate } from '../src/store/postgres/migrations.ts';

export * from './helpers.ts';

const url = process.env.PAPERBOY_TEST_POSTGRES_URL;

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

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    await this.#ready;
    return this.#inner.transaction(work);
  }

  async close(): Promise<void> {
    await this.#ready.catch(() => {});
    await this.#inner.close();
  }
}

export function memoryStore(): Store {
  if (!url) throw new Error('PAPERBOY_TEST_POSTGRES_URL is not set: see test/contract/backends.ts for how to start a server');
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
