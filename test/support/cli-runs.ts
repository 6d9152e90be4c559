/**
 * Real `paperboy` processes for the tests where several of them work at the same moment on one database (digest
 * and notification sends), and the two databases those tests run on: one SQLite file and one PostgreSQL database.
 */
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CLI, NODE, REPO_ROOT, tempDir } from '../helpers.ts';
import { freshPostgresDatabase } from '../postgres-database.ts';
import type { SmtpSink } from '../../src/mail/smtp-sink.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../src/store/store.ts';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr together. */
  output: string;
}

export interface CliRun {
  exited: Promise<Exit>;
  kill(): void;
}

/** `paperboy ARGS…` with the environment given on top of this process's. */
export function runCli(args: readonly string[], env: Record<string, string>): CliRun {
  const child = spawn(NODE, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    output += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    output += s;
  });
  return {
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, output }))),
    kill: () => child.kill('SIGKILL'),
  };
}

/** A sending run (`paperboy ARGS…`) on a database and an SMTP server, with short leases and back-off. */
export function sendingRun(
  args: readonly string[],
  to: { databaseUrl: string; smtpUrl: string; leaseSeconds: number; env?: Record<string, string> },
): CliRun {
  return runCli(args, {
    DATABASE_URL: to.databaseUrl,
    SMTP_URL: to.smtpUrl,
    PUBLIC_URL: 'http://paperboy.test',
    LOG_LEVEL: 'warn',
    DIGEST_LEASE_SECONDS: String(to.leaseSeconds),
    DIGEST_BACKOFF_MS: '50',
    ...to.env,
  });
}

export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A promise and the function that settles it, for answers held until the test lets them go. */
export function held<T>(): { promise: Promise<T>; settle: (value: T) => void } {
  let settle: (value: T) => void = () => {};
  const promise = new Promise<T>((resolve) => {
    settle = resolve;
  });
  return { promise, settle };
}

/**
 * Each of `recipients` got exactly one of the messages the sink accepted, counting only the recipients `counted`
 * keeps.
 */
export function assertOneCopyEach(
  sink: SmtpSink,
  recipients: number,
  counted: (to: string) => boolean = () => true,
): void {
  const copies = new Map<string, number>();
  for (const message of sink.accepted)
    for (const to of message.to) if (counted(to)) copies.set(to, (copies.get(to) ?? 0) + 1);
  assert.deepEqual(
    [...copies].filter(([, n]) => n !== 1),
    [],
    'nobody got a message twice',
  );
  assert.equal(copies.size, recipients, 'everybody got theirs');
}

export interface SharedDatabase {
  url: string;
  store: Store;
}

/**
 * The same tests on one SQLite file and on one PostgreSQL database, each opened (and `prepare`d, if given) once before its
 * tests and closed after them. `title` names the suite for a backend ("SQLite file", "PostgreSQL database");
 * `name` starts the names of the file and the database.
 */
export function onSqliteAndPostgres(
  name: string,
  title: (backend: string) => string,
  prepare: ((store: Store) => Promise<void>) | null,
  tests: (db: () => SharedDatabase) => void,
): void {
  const dir = tempDir(`paperboy-${name}-`);
  const suite = (backend: string, open: () => Promise<SharedDatabase & { close(): Promise<void> }>) =>
    describe(title(backend), () => {
      let db: (SharedDatabase & { close(): Promise<void> }) | undefined;
      before(async () => {
        db = await open();
        await prepare?.(db.store);
      });
      after(() => db?.close());
      tests(() => db!);
    });
  suite('SQLite file', async () => {
    const url = join(dir, 'paperboy.db');
    const store = new SqliteStore(url);
    return { url, store, close: async () => store.close() };
  });
  suite('PostgreSQL database', async () => {
    const database = await freshPostgresDatabase(name);
    const store = await PostgresStore.connect(database.url, { poolSize: 4 });
    return {
      url: database.url,
      store,
      async close() {
        await store.close();
        await database.drop();
      },
    };
  });
}
