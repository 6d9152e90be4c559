/**
 * The store backends the contract suite runs on. Each test gets a fresh, empty store that is closed and
 * removed when the test ends: SQLite in memory (or a temporary file where two connections must share it),
 * a schema of its own on a real PostgreSQL server, or a schema of its own in PGlite (PostgreSQL compiled
 * to WebAssembly, with pgvector).
 */
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Store } from '../../src/store/store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { PgliteRunner, quoteIdentifier, type PgliteLike } from '../../src/store/postgres/runner.ts';
import { HOW_TO_START_POSTGRES, POSTGRES_URL_VARIABLE } from '../postgres-server.ts';

export interface ContractBackend {
  /** Shown in every test name: which backend ran it. */
  readonly name: 'sqlite' | 'postgres' | 'pglite';
  /** Whether this backend stores vectors (PostgreSQL needs pgvector for that). */
  readonly vectors: boolean;
  /** A fresh, empty store for one test. */
  open(t: TestContext): Promise<Store>;
  /** Two stores on one fresh database, as two processes would see it. */
  openTwo(t: TestContext): Promise<[Store, Store]>;
  /** Contract tests this backend is known to fail, by title, with the reason: they run and report as todo. */
  readonly knownIssues?: Readonly<Record<string, string>>;
}

export const sqliteBackend: ContractBackend = {
  name: 'sqlite',
  vectors: true,
  async open(t) {
    const store = new SqliteStore(':memory:');
    t.after(() => store.close());
    return store;
  },
  async openTwo(t) {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-contract-'));
    const a = new SqliteStore(join(dir, 'store.db'));
    const b = new SqliteStore(join(dir, 'store.db'));
    t.after(async () => {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return [a, b];
  },
};

// Where the tests find PostgreSQL, and what they say without it: defined beside the server `npm test` starts.
export { HOW_TO_START_POSTGRES, POSTGRES_URL_VARIABLE };

const schemaName = (prefix: string) => `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;

/** A real server: one schema per test, dropped afterwards. */
export class PostgresBackend implements ContractBackend {
  readonly name = 'postgres' as const;
  readonly url: string;
  readonly #admin: pg.Pool;
  vectors = false;

  constructor(url: string) {
    this.url = url;
    this.#admin = new pg.Pool({ connectionString: url, max: 2 });
  }

  /** Checks that the server answers (with a message that says how to start one) and whether it has pgvector. */
  async connect(): Promise<void> {
    try {
      const { rows } = await this.#admin.query(
        `SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'`,
      );
      this.vectors = rows[0].n > 0;
    } catch (error) {
      throw new Error(
        `cannot reach PostgreSQL at ${POSTGRES_URL_VARIABLE}=${this.url}: ${(error as Error).message}\n${HOW_TO_START_POSTGRES}`,
      );
    }
    if (this.vectors) await this.#admin.query('CREATE EXTENSION IF NOT EXISTS vector SCHEMA public');
  }

  /** `count` stores on one fresh schema; closed, then the schema dropped, when the test ends. */
  async #stores(t: TestContext, count: number): Promise<PostgresStore[]> {
    const schema = schemaName('contract');
    await this.#admin.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    const stores: PostgresStore[] = [];
    t.after(async () => {
      for (const store of stores) await store.close();
      await this.#admin.query(`DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
    });
    for (let i = 0; i < count; i++) stores.push(await PostgresStore.connect(this.url, { schema, poolSize: 4 }));
    return stores;
  }

  async open(t: TestContext): Promise<Store> {
    const [store] = await this.#stores(t, 1);
    return store!;
  }

  async openTwo(t: TestContext): Promise<[Store, Store]> {
    const [a, b] = await this.#stores(t, 2);
    return [a!, b!];
  }

  async close(): Promise<void> {
    await this.#admin.end();
  }
}

/** PGlite (one instance per test file, started once): one schema per test, dropped afterwards. */
export class PgliteBackend implements ContractBackend {
  readonly name = 'pglite' as const;
  readonly vectors = true;
  #db: (PgliteLike & { exec(sql: string): Promise<unknown> }) | null = null;

  async start(): Promise<void> {
    // Loaded here, not at the top: PGlite is a development dependency that only these tests use.
    const { PGlite } = await import('@electric-sql/pglite');
    const { vector } = await import('@electric-sql/pglite/vector');
    const db = new PGlite({ extensions: { vector } });
    await db.exec('CREATE EXTENSION IF NOT EXISTS vector SCHEMA public');
    this.#db = db as unknown as PgliteLike;
  }

  /** `count` stores on one fresh schema (PGlite has one session: they share it); closed, then the schema
   *  dropped, when the test ends. */
  async #stores(t: TestContext, count: number): Promise<PostgresStore[]> {
    const db = this.#db!;
    const schema = schemaName('contract');
    await db.exec(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    const stores: PostgresStore[] = [];
    t.after(async () => {
      for (const store of stores) await store.close();
      await db.exec(`SET search_path = public; DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
    });
    for (let i = 0; i < count; i++) {
      const runner = new PgliteRunner(db, { ownsDb: false, schema });
      await runner.open();
      stores.push(await PostgresStore.open(runner));
    }
    return stores;
  }

  async open(t: TestContext): Promise<Store> {
    const [store] = await this.#stores(t, 1);
    return store!;
  }

  async openTwo(t: TestContext): Promise<[Store, Store]> {
    const [a, b] = await this.#stores(t, 2);
    return [a!, b!];
  }

  async close(): Promise<void> {
    await this.#db?.close();
  }
}
