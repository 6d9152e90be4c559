/** `paperboy images status|clear|fetch` as a user runs them, on a real database file and its images folder. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, NODE, REPO_ROOT, tempDir } from './helpers.ts';
import { png } from './image-fixtures.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createImageCache } from '../src/images/image-cache.ts';

function paperboy(args: string[], env: Record<string, string>) {
  const result = spawnSync(NODE, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('images status counts what the cache holds; clear --failed forgets failures, clear everything, files included', async () => {
  const dir = tempDir();
  const env = { DATABASE_URL: join(dir, 'paperboy.db') };
  const store = new SqliteStore(env.DATABASE_URL);
  const cache = createImageCache({ store, config: loadConfig(env), logger: createLogger('silent') });
  const path = await cache.put('thumbnail:2101.00001', png(2, 2));
  await store.images.markFailed('https://cdn.example.org/gone.png', 'HTTP 404', null, new Date());
  await store.close();
  const file = join(dir, 'images', path.slice('/images/'.length, '/images/'.length + 2), path.slice('/images/'.length));
  assert.ok(existsSync(file), 'the image file is beside the database');

  const status = paperboy(['images', 'status'], env);
  assert.equal(status.status, 0, status.stderr);
  assert.equal(status.stdout, `cached: 1\nwaiting: 0\nfailed: 1\nbytes: ${join(dir, 'images')}\n`);
  assert.equal(paperboy(['images', 'clear', '--failed'], env).stdout, 'forgotten: 1 image that failed\n');
  assert.equal(paperboy(['images', 'clear'], env).stdout, 'forgotten: 1 image\n');
  assert.ok(!existsSync(file), 'the files are gone');
  assert.match(paperboy(['images', 'status'], env).stdout, /^cached: 0\nwaiting: 0\nfailed: 0\n/);

  const off = paperboy(['images', 'fetch'], { ...env, PAPERBOY_IMAGES: '0' });
  assert.equal(off.status, 1);
  assert.match(off.stderr, /fetching images is off \(PAPERBOY_IMAGES=0\)/);
});

test('images thumbnails: off, without a contact address (imported thumbnails only), and a bad id are said plainly', async () => {
  const dir = tempDir();
  const env = { DATABASE_URL: join(dir, 'paperboy.db') };
  const off = paperboy(['images', 'thumbnails'], { ...env, PAPERBOY_THUMBNAILS: '0' });
  assert.equal(off.status, 1);
  assert.match(off.stderr, /thumbnails are off \(PAPERBOY_THUMBNAILS=0 or PAPERBOY_IMAGES=0\)/);

  const round = paperboy(['images', 'thumbnails'], env);
  assert.equal(round.status, 0, round.stderr);
  assert.equal(round.stdout, 'imported: 0\nrendered: 0\nfailed: 0\nPDFs: not fetched (set PAPERBOY_CONTACT)\n');

  const bad = paperboy(['images', 'thumbnails', '--paper', '../../etc/passwd'], {
    ...env,
    PAPERBOY_CONTACT: 'ops@example.org',
  });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /not an arXiv id: \.\.\/\.\.\/etc\/passwd/);
  const limit = paperboy(['images', 'thumbnails', '--limit', 'lots'], env);
  assert.equal(limit.status, 1);
  assert.match(limit.stderr, /--limit must be a positive whole number/);
});
