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

test('images status counts what the cache holds; clear --failed forgets failures, --all the rest but the uploaded logo', async () => {
  const dir = tempDir();
  const env = { DATABASE_URL: join(dir, 'paperboy.db') };
  const store = new SqliteStore(env.DATABASE_URL);
  const cache = createImageCache({ store, config: loadConfig(env), logger: createLogger('silent') });
  const path = await cache.put('thumbnail:2101.00001', png(2, 2));
  const logoPath = await cache.put('instance:logo', png(3, 3, [0, 0, 255]));
  await store.images.markFailed('https://cdn.example.org/gone.png', 'HTTP 404', null, new Date());
  await store.close();
  const fileOf = (p: string) =>
    join(dir, 'images', p.slice('/images/'.length, '/images/'.length + 2), p.slice('/images/'.length));
  const file = fileOf(path);
  assert.ok(existsSync(file), 'the image file is beside the database');
  assert.ok(existsSync(fileOf(logoPath)));

  const status = paperboy(['images', 'status'], env);
  assert.equal(status.status, 0, status.stderr);
  assert.equal(status.stdout, `cached: 2\nwaiting: 0\nfailed: 1\nbytes: ${join(dir, 'images')}\n`);
  const bare = paperboy(['images', 'clear'], env);
  assert.equal(bare.status, 1, 'a bare clear forgets nothing');
  assert.match(bare.stderr, /say what to forget: --all or --failed/);
  assert.equal(paperboy(['images', 'clear', '--failed'], env).stdout, 'forgotten: 1 image that failed\n');
  assert.ok(existsSync(file), '--failed leaves the cached ones');
  const all = paperboy(['images', 'clear', '--all'], env);
  assert.equal(all.status, 0, all.stderr);
  assert.equal(all.stdout, 'forgotten: 1 image\n');
  assert.ok(!existsSync(file), 'the files are gone');
  assert.ok(existsSync(fileOf(logoPath)), 'but the uploaded logo, which nothing could fetch again');
  assert.match(paperboy(['images', 'status'], env).stdout, /^cached: 1\nwaiting: 0\nfailed: 0\n/);
  const reopened = new SqliteStore(env.DATABASE_URL);
  const logo = await reopened.images.get('instance:logo');
  await reopened.close();
  assert.equal(logo?.status, 'cached');

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
