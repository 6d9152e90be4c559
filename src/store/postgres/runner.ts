/**
 * The one thing the PostgreSQL store needs from a connection: run a query with parameters, run a script,
 * and run work in a transaction. Two adapters: a `pg` pool (a real server) and PGlite (PostgreSQL compiled
 * to WebAssembly, with pgvector; used by tests, never imported here so production does not need it).
 */
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';

export type Row = Record<string, unknown>;

export interface Queryable {
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** A transaction: queries, and bulk loading with COPY. */
export interface Transaction extends Queryable {
  /**
   * Loads rows into `table` with COPY … FROM STDIN: `data` is rows in COPY's binary format (copy-binary.ts). A row
   * the table refuses fails the whole COPY; the error's `where` names the line (the row).
   */
  copyFrom(table: string, columns: readonly string[], data: Uint8Array): Promise<void>;
}

export interface Runner extends Queryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** bigint (count(*), identities) as JS numbers: every count and id here is far below 2^53. Set per pool, not
 *  globally, so that other users of `pg` in the process (the job queue) keep their own parsing. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/**
 * PostgreSQL text cannot hold NUL: in a parameter it is replaced by U+FFFD, so that a lookup with a NUL
 * in it finds nothing instead of failing (stored text never has NUL; the store drops it before writing).
 */
export function safeParams(params: readonly unknown[]): unknown[] {
  return params.map(safeParam);
}

function safeParam(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replace(/\u0000/g, '\uFFFD') : value;
  if (Array.isArray(value)) return value.map(safeParam);
  return value;
}

export interface PoolOptions {
  /** Schema the store's tables live in (default: the server's search_path, normally public). */
  schema?: string | undefined;
  max?: number | undefined;
}

/** A `pg` connection pool to a real server. */
export class PoolRunner implements Runner {
  readonly pool: pg.Pool;

  constructor(connectionString: string, options: PoolOptions = {}) {
    const searchPath = options.schema ? `-c search_path=${quoteIdentifier(options.schema)},public` : undefined;
    this.pool = new pg.Pool({
      connectionString,
      max: options.max ?? 10,
      types,
      ...(searchPath ? { options: searchPath } : {}),
    });
    // An idle client that loses its server must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
  }

  async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return (await this.pool.query(sql, safeParams(params))).rows as R[];
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection that loses its server mid-transaction fails the statement that runs; the error event it also
    // emits must not end the process.
    const onError = () => {};
    client.on('error', onError);
    const inTurn = oneAtATime();
    const tx: Transaction = {
      query: <R extends Row = Row>(sql: string, params: readonly unknown[] = []) =>
        inTurn(async () => (await client.query(sql, safeParams(params))).rows as R[]),
      exec: (sql: string) =>
        inTurn(async () => {
          await client.query(sql);
        }),
      copyFrom: (table, columns, data) =>
        inTurn(
          () =>
            new Promise<void>((resolve, reject) => {
              const stream = client.query(copyFromStdin(copyStatement(table, columns, 'STDIN')));
              stream.once('error', reject);
              stream.once('finish', resolve);
              stream.end(data);
            }),
        ),
    };
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      try {
        // After whatever statement of the transaction is still running (a connection takes one at a time).
        await inTurn(() => client.query('ROLLBACK'));
        client.release();
      } catch {
        client.release(true);
      }
      throw error;
    } finally {
      client.off('error', onError);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The part of a PGlite instance the store uses (structural, so that this module does not import PGlite). */
export interface PgliteLike {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(work: (tx: PgliteTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A transaction of a PGlite instance, as PGlite passes it. */
export interface PgliteTransaction {
  /** `blob` is what COPY … FROM '/dev/blob' reads (PGlite has no COPY FROM STDIN). */
  query<R>(sql: string, params?: unknown[], options?: { blob?: Blob }): Promise<{ rows: R[] }>;
  exec(sql: string): Promise<unknown>;
}

/**
 * Statements of one transaction run one after another, in the order they were sent, each once the one before has
 * ended (failed or not). The import sends a chunk's statements without waiting; a connection takes one at a time.
 */
function oneAtATime(): <T>(run: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(run: () => Promise<T>): Promise<T> => {
    const result = last.then(run, run);
    last = result.catch(() => {});
    return result;
  };
}

/** A PGlite transaction as a Transaction (statements one at a time, in the order sent, as on a `pg` connection). */
export function pgliteTransaction(raw: PgliteTransaction): Transaction {
  const inTurn = oneAtATime();
  return {
    query: <R extends Row = Row>(sql: string, params: readonly unknown[] = []) =>
      inTurn(async () => (await raw.query<R>(sql, safeParams(params))).rows),
    exec: (sql: string) =>
      inTurn(async () => {
        await raw.exec(sql);
      }),
    copyFrom: (table, columns, data) =>
      inTurn(async () => {
        await raw.query(copyStatement(table, columns, `'/dev/blob'`), [], { blob: new Blob([data]) });
      }),
  };
}

/** PGlite: one in-process connection; its own lock serializes transactions. */
export class PgliteRunner implements Runner {
  readonly #db: PgliteLike;
  readonly #ownsDb: boolean;
  readonly #schema: string | undefined;

  /**
   * With `ownsDb` false, close() leaves the PGlite instance open (tests share one instance between stores,
   * one after the other: the schema is a setting of its single session).
   */
  constructor(db: PgliteLike, options: { ownsDb?: boolean; schema?: string } = {}) {
    this.#db = db;
    this.#ownsDb = options.ownsDb ?? true;
    this.#schema = options.schema;
  }

  /** Points the session at the schema, if one was given; call before anything else. */
  async open(): Promise<void> {
    if (this.#schema) await this.#db.exec(`SET search_path = ${quoteIdentifier(this.#schema)}, public`);
  }

  async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return (await this.#db.query<R>(sql, safeParams(params))).rows;
  }

  async exec(sql: string): Promise<void> {
    await this.#db.exec(sql);
  }

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.#db.transaction((raw) => work(pgliteTransaction(raw)));
  }

  async close(): Promise<void> {
    if (this.#ownsDb) await this.#db.close();
  }
}

/** COPY `table` (columns) FROM `source`, in binary format; names are the store's own, quoted all the same. */
function copyStatement(table: string, columns: readonly string[], source: string): string {
  return `COPY ${table} (${columns.map(quoteIdentifier).join(', ')}) FROM ${source} (FORMAT binary)`;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
