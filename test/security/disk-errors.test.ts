/**
 * A full disk, a read-only database and an unwritable outbox are said plainly: which path and why, at start
 * where possible; /healthz reports them; a failed email leaves no empty `*.eml.tmp` behind; and a client that
 * asks for JSON gets JSON errors from every route.
 *
 * The failures are real, not simulated: a small tmpfs (filled up, or remounted read-only) where the process
 * may mount one (as root), and a path that runs through a file (ENOTDIR) everywhere.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMailer } from '../../src/mail/mailer.ts';
import { openStore } from '../../src/store/open-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { importPath } from '../../src/ingest/import-files.ts';
import { CLI, DAY_FIXTURES, NODE, REPO_ROOT, memoryStore, tempDir, testApp } from '../helpers.ts';

/** A tmpfs of `size` mounted on a new folder, or null where mounting is not allowed (not root, no capability). */
function smallDisk(size: string): { dir: string; readOnly: () => void } | null {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmdirSync(dir);
    return null;
  }
  after(() => {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    rmdirSync(dir);
  });
  return { dir, readOnly: () => execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'ignore' }) };
}

/** Fills the disk: files of 4 KiB until one no longer fits. */
function fill(dir: string): void {
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), Buffer.alloc(4096));
    } catch {
      return;
    }
  }
}

/** A path whose parent is a file: nothing can ever be written there. */
function underAFile(name: string): string {
  const file = join(tempDir(), 'a-file');
  writeFileSync(file, 'not a folder');
  return join(file, name);
}

const message = { to: 'ada@example.org', subject: 'Hello', text: 'x'.repeat(100_000) };

test('an outbox on a full disk: the error names the file and ENOSPC, and no *.eml.tmp is left', async (t) => {
  const disk = smallDisk('64k');
  if (!disk) return t.skip('cannot mount a tmpfs here');
  const outboxDir = join(disk.dir, 'outbox');
  mkdirSync(outboxDir);
  fill(disk.dir);
  const mailer = createMailer({ smtpUrl: null, from: 'p@example.org', replyTo: null, outboxDir });
  await assert.rejects(mailer.send(message), (error: Error) => {
    assert.match(
      error.message,
      new RegExp(
        `cannot write the email to the outbox ${outboxDir}/\\S+\\.eml: no space left on the device \\(ENOSPC\\)`,
      ),
    );
    return true;
  });
  assert.deepEqual(readdirSync(outboxDir), [], 'no temporary file is left behind');
});

test('an outbox where a file stands in for a folder: the error names the path and why', async () => {
  const outboxDir = underAFile('outbox');
  const mailer = createMailer({ smtpUrl: null, from: 'p@example.org', replyTo: null, outboxDir });
  await assert.rejects(
    mailer.send(message),
    new RegExp(`outbox ${outboxDir}/\\S+\\.eml: a part of the path is a file, not a folder \\(ENOTDIR\\)`),
  );
});

test('a database that cannot be opened says which path and why', async (t) => {
  const db = underAFile('paperboy.db');
  await assert.rejects(
    openStore(db),
    new RegExp(`cannot open the SQLite database ${db}: a file stands where the folder should be \\(EEXIST\\)`),
  );

  const disk = smallDisk('4m');
  if (!disk) return t.skip('cannot mount a tmpfs here');
  const path = join(disk.dir, 'paperboy.db');
  (await openStore(path)).close();
  disk.readOnly();
  await assert.rejects(
    openStore(path),
    new RegExp(
      `cannot open the SQLite database ${path}: its folder ${disk.dir}: the file system is mounted read-only \\(EROFS\\)`,
    ),
  );
});

test('serve stops at start on a read-only database with one line naming it; an unwritable outbox is a warning', async (t) => {
  const disk = smallDisk('8m');
  if (!disk) return t.skip('cannot mount a tmpfs here');
  const path = join(disk.dir, 'paperboy.db');
  (await openStore(path)).close();
  disk.readOnly();
  const env = { ...process.env, DATABASE_URL: path, PAPERBOY_DEMO: '0', SEMANTIC_SEARCH: '0', OUTBOX_DIR: tempDir() };
  const refused = spawnSync(NODE, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  assert.equal(refused.status, 1);
  assert.match(
    refused.stderr,
    new RegExp(
      `^paperboy: cannot open the SQLite database ${path}: its folder ${disk.dir}: the file system is mounted read-only \\(EROFS\\)\\n$`,
      'm',
    ),
  );

  const outboxDir = underAFile('outbox');
  const child = spawn(NODE, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: REPO_ROOT,
    env: { ...env, DATABASE_URL: join(tempDir(), 'ok.db'), OUTBOX_DIR: outboxDir, LOG_LEVEL: 'info' },
  });
  try {
    const log = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stderr.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('Paperboy is serving')) resolve(text);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${text}`)));
    });
    assert.ok(
      log.includes(
        `the outbox ${outboxDir} cannot be written: a part of the path is a file, not a folder (ENOTDIR); emails (sign-in links, digests) will fail`,
      ),
      log,
    );
    const url = /"url":"(http:[^"]+)"/.exec(log)![1]!;
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 503);
  } finally {
    child.kill('SIGTERM');
  }
});

test('/healthz: ok when all is well, 503 degraded naming the outbox or the database when they cannot be written', async (t) => {
  const store = memoryStore();
  assert.deepEqual(await (await testApp(store).request('/healthz')).json(), { status: 'ok', backend: 'sqlite' });

  const outboxDir = underAFile('outbox');
  const degraded = await testApp(store, { OUTBOX_DIR: outboxDir }).request('/healthz');
  assert.equal(degraded.status, 503);
  const body = (await degraded.json()) as { status: string; backend: string; problems: string[] };
  assert.equal(body.status, 'degraded');
  assert.equal(body.backend, 'sqlite');
  assert.deepEqual(body.problems, [
    `the outbox ${outboxDir} cannot be written: a part of the path is a file, not a folder (ENOTDIR); emails (sign-in links, digests) will fail`,
  ]);

  const disk = smallDisk('8m');
  if (!disk) return t.skip('cannot mount a tmpfs here');
  const fileStore = new SqliteStore(join(disk.dir, 'paperboy.db'));
  after(() => fileStore.close());
  const app = testApp(fileStore);
  assert.equal((await app.request('/healthz')).status, 200);
  fill(disk.dir);
  await new Promise((done) => setTimeout(done, 5_100)); // past the few seconds the answer is kept
  const full = await app.request('/healthz');
  assert.equal(full.status, 503);
  assert.deepEqual(((await full.json()) as { problems: string[] }).problems, [
    `the SQLite database cannot be written: its folder ${disk.dir}: no space left on the device (ENOSPC)`,
  ]);
});

test('a JSON client gets JSON errors from pages, feeds and unknown addresses', async () => {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  const app = testApp(store);
  const asJson = { accept: 'application/json' };
  const cases: [string, number, RegExp][] = [
    ['/papers/date/2026-13-45', 400, /^Invalid date: “2026-13-45” is not a valid date/],
    ['/papers/2607.99999', 404, /^Paper not found: Paperboy has no paper with the id 2607\.99999\.$/],
    ['/feeds/daily.rss?date=yesterday', 400, /^Bad request: date must be a real day/],
    ['/no/such/page', 404, /^Not found$/],
  ];
  for (const [path, status, error] of cases) {
    const response = await app.request(path, { headers: asJson });
    assert.equal(response.status, status, path);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/, path);
    assert.match(((await response.json()) as { error: string }).error, error, path);
    // A browser still gets the page.
    assert.match((await app.request(path)).headers.get('content-type') ?? '', /^text\/(html|plain)/, path);
  }
});
