/**
 * The demo cut loaded on first start used to be written file by file: a SIGKILL in the middle left 31 of its
 * 1,621 papers, and since the database was no longer empty, no later start finished it; a full disk loaded 203
 * and logged success. It is written in one transaction now: all of it, or nothing and the next start loads it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { CLI, NODE, REPO_ROOT, memoryStore, tempDir } from '../helpers.ts';
import { DEMO_ARCHIVE, loadDemoIfEmpty } from '../../src/ingest/demo.ts';
import { importPath } from '../../src/ingest/import-files.ts';
import { createLogger } from '../../src/log.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store, StoreStats } from '../../src/store/store.ts';

/** What the demo holds once loaded, file after file into a fresh store. */
async function cleanLoad(): Promise<StoreStats> {
  const store = memoryStore();
  const summary = await importPath(store, DEMO_ARCHIVE);
  assert.deepEqual(summary.failures, []);
  return store.stats();
}

function serve(db: string): {
  child: ChildProcess;
  lines: string[];
  next: (match: (line: string) => boolean) => Promise<string>;
} {
  const child = spawn(NODE, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: db,
      MODEL_DIR: join(db, '..', 'models'),
      SEMANTIC_SEARCH: '0',
      PAPERBOY_DEMO: '1',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: string[] = [];
  const waiting: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    lines.push(line);
    for (const w of waiting.filter((w) => w.match(line))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(line);
    }
  });
  const next = (match: (line: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const found = lines.find(match);
      if (found) return resolve(found);
      waiting.push({ match, resolve });
      child.once('exit', (code, signal) => reject(new Error(`serve exited (${signal ?? code}):\n${lines.join('\n')}`)));
    });
  return { child, lines, next };
}

/** Papers in the database file as another reader sees it (committed rows only); null before the schema exists. */
function committedPapers(db: string): number | null {
  if (!existsSync(db)) return null;
  try {
    const reader = new DatabaseSync(db, { readOnly: true });
    try {
      return Number((reader.prepare('SELECT count(*) AS n FROM papers').get() as { n: number }).n);
    } finally {
      reader.close();
    }
  } catch {
    return null;
  }
}

/** Whether another connection is writing: it holds the write lock, so taking it at once is refused. */
function writeLocked(db: string): boolean {
  const probe = new DatabaseSync(db, { timeout: 0 });
  try {
    probe.exec('BEGIN IMMEDIATE');
    probe.exec('ROLLBACK');
    return false;
  } catch (error) {
    return /locked|busy/i.test((error as Error).message);
  } finally {
    probe.close();
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((done) => child.once('exit', () => done()));
}

test('a serve killed (SIGKILL) while it writes the demo: the next start loads all of it', async (t) => {
  const expected = await cleanLoad();
  const db = join(tempDir(), 'demo.db');
  const first = serve(db);
  // The moment: the demo being written. In one transaction its rows are invisible to a reader, but the write lock
  // is held (a probe for it is refused) from when the server says it is loading; written file by file, as before,
  // the papers show up as committed rows.
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      const loading = first.lines.some((line) => line.includes('loading the demo data'));
      if ((loading && writeLocked(db)) || (committedPapers(db) ?? 0) > 0) {
        clearInterval(poll);
        first.child.kill('SIGKILL');
        resolve();
      }
    }, 1);
    first.child.once('exit', () => {
      clearInterval(poll);
      reject(new Error(`serve exited before the demo was loading:\n${first.lines.join('\n')}`));
    });
  });
  await exited(first.child);
  assert.ok(!first.lines.some((line) => line.includes('loaded demo data')), 'killed before the load ended');
  const left = committedPapers(db) ?? 0;
  t.diagnostic(`killed with ${left} papers committed`);
  assert.ok(
    left === 0 || left === expected.papers,
    `after the kill the database holds ${left} of the demo's ${expected.papers} papers`,
  );

  const second = serve(db);
  try {
    await second.next((line) => line.includes('Paperboy is serving'));
  } finally {
    second.child.kill('SIGTERM');
    await exited(second.child);
  }
  const store = new SqliteStore(db);
  try {
    assert.deepEqual(await store.stats(), expected);
  } finally {
    await store.close();
  }
});

test('a store that fails in the middle of the demo (a full disk): nothing is written, the load fails, a later one completes', async () => {
  const expected = await cleanLoad();
  const store = memoryStore();
  let written = 0;
  // Room for 203 papers, as on the disk that filled up: more in one write fails that write, as SQLite does.
  const importBatch: Store['importBatch'] = (batch) => {
    written += batch.papers.length;
    if (written > 203) return Promise.reject(new Error('database or disk is full'));
    return store.importBatch(batch);
  };
  const full = new Proxy(store, {
    get(target, property) {
      if (property === 'importBatch') return importBatch;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  await assert.rejects(
    loadDemoIfEmpty(full, createLogger('silent')),
    /could not load the demo data: .*database or disk is full/,
  );
  assert.equal((await store.stats()).papers, 0);
  const loaded = await loadDemoIfEmpty(store, createLogger('silent'));
  assert.equal(loaded?.papersNew, expected.papers);
  assert.deepEqual(await store.stats(), expected);
  assert.equal(
    await loadDemoIfEmpty(store, createLogger('silent')),
    null,
    'a database that holds papers is left alone',
  );
});
