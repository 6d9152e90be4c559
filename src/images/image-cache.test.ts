/**
 * The image cache against a local HTTP server the test starts: real images (made by the test), a 404, a page
 * that is not an image, an SVG, oversized bodies, a slow answer, a redirect. Each image is fetched once, kept
 * by its hash and served with long cache headers; failures are remembered and not fetched again and again.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { createApp } from '../server/app.ts';
import type { Store } from '../store/store.ts';
import type { Organization } from '../domain/types.ts';
import { memoryStore, tempDir } from '../../test/helpers.ts';
import { communityApp, deleteOwnAccount, signIn } from '../../test/community-helpers.ts';
import { startRouteServer, type Route } from '../../test/support/route-server.ts';
import { jpeg, png } from '../../test/image-fixtures.ts';
import { entry, madeUp } from '../../test/contract/fixtures.ts';
import { ImageCache, nextTry } from './image-cache.ts';
import { ImageFetcher, MAX_IMAGE_BYTES } from './image-fetcher.ts';
import { DiskBlobs, StoreBlobs, type BlobStorage } from './blob-storage.ts';
import { InProcessJobQueue } from '../jobs/in-process.ts';
import { IMAGES_CRON, imagesRequest, paperboyJobHandlers, paperboyJobSchedules } from '../jobs/paperboy-jobs.ts';

const PNG = png(4, 4);
const JPEG = jpeg();
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Requests per path, and the User-Agent of the last one. */
const routes: Record<string, Route> = {
  '/logo.png': (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG),
  // A server that says nothing useful about the type: the bytes decide.
  '/face.jpg': (_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(JPEG),
  '/gone.png': (_req, res) => res.writeHead(404).end('not here'),
  '/page.png': (_req, res) =>
    res.writeHead(200, { 'content-type': 'image/png' }).end('<!doctype html><p>a page, not a picture'),
  '/drawing.svg': (_req, res) =>
    res.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg"/>'),
  '/huge.png': (_req, res) =>
    res
      .writeHead(200, { 'content-type': 'image/png', 'content-length': String(MAX_IMAGE_BYTES + 1) })
      .end(Buffer.concat([PNG, Buffer.alloc(MAX_IMAGE_BYTES + 1 - PNG.length)])),
  // No length said beforehand: the limit is kept while reading.
  '/endless.png': (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    res.write(PNG);
    const more = () =>
      res.destroyed ? undefined : res.write(Buffer.alloc(64 * 1024)) ? setImmediate(more) : res.once('drain', more);
    more();
  },
  '/slow.png': (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    const timer = setTimeout(() => res.end(PNG), 5_000);
    res.once('close', () => clearTimeout(timer));
  },
  '/busy.png': (_req, res) => res.writeHead(503).end('busy'),
  '/moved.png': (_req, res) => res.writeHead(302, { location: '/logo.png' }).end(),
};
const server = await startRouteServer(routes);
const { base, at, hits } = server;

/** A cache on a fake clock, fetching from the local server (its address is private: allowed here only). */
function setup(options: { blobs?: (store: Store) => BlobStorage; allowPrivate?: boolean } = {}) {
  const store = memoryStore();
  const dir = tempDir('paperboy-images-');
  const clock = { now: new Date('2026-07-24T10:00:00Z') };
  const fetcher = new ImageFetcher({
    userAgent: 'Paperboy/test (+http://paperboy.test)',
    minIntervalMs: 0,
    maxAttempts: 1,
    timeoutMs: 400,
    allowPrivateAddresses: options.allowPrivate ?? true,
  });
  const blobs = options.blobs?.(store) ?? new DiskBlobs(dir);
  const cache = new ImageCache({ store, blobs, fetcher, logger: createLogger('silent'), now: () => clock.now });
  return { store, dir, clock, cache };
}

const org = (name: string, avatar: string): Organization => ({ name, fullname: name, avatar, externalId: null });

/** Papers whose organizations have these avatars, and one submitter with an avatar of their own. */
async function importAvatars(
  store: Store,
  avatars: readonly string[],
  memberAvatar: string | null = null,
): Promise<void> {
  await store.importBatch({
    papers: avatars.map((avatar, i) => madeUp(i + 1, { organization: org(`org${i}`, avatar) })),
    entries:
      memberAvatar === null
        ? []
        : [
            entry('2026-07-24', '2101.00001', 0, {
              submittedBy: { name: 'ada', fullname: 'Ada', avatarUrl: memberAvatar, externalId: null },
            }),
          ],
    replaceDays: [],
  });
}

test('an avatar is fetched once, kept by the hash of its bytes, and pages point at the copy', async () => {
  const { store, dir, cache } = setup();
  hits.clear();
  await importAvatars(store, [at('/logo.png'), at('/moved.png')], at('/face.jpg'));

  const round = await cache.fetchDue();
  assert.deepEqual(round, { requested: 3, cached: 3, failed: 0, skipped: 0 });
  assert.equal(cache.pathFor(at('/logo.png')), `/images/${sha(PNG)}.png`);
  assert.equal(cache.pathFor(at('/moved.png')), `/images/${sha(PNG)}.png`, 'a redirect is followed');
  assert.equal(cache.pathFor(at('/face.jpg')), `/images/${sha(JPEG)}.jpg`, 'the type comes from the bytes');
  assert.equal(cache.pathFor(at('/never-seen.png')), null);
  assert.ok(existsSync(join(dir, sha(PNG).slice(0, 2), `${sha(PNG)}.png`)), 'kept in a file named by its hash');
  assert.equal(server.userAgent, 'Paperboy/test (+http://paperboy.test)', 'the request says who is asking');

  assert.deepEqual(
    await cache.fetchDue(),
    { requested: 0, cached: 0, failed: 0, skipped: 0 },
    'nothing is due any more',
  );
  assert.equal(hits.get('/logo.png'), 2, 'fetched once itself, once through the redirect');
  assert.equal(hits.get('/face.jpg'), 1);

  // Another process (a web process beside the worker) learns of the copies from the store.
  const other = new ImageCache({ store, blobs: new DiskBlobs(dir), fetcher: null, logger: createLogger('silent') });
  assert.equal(other.pathFor(at('/logo.png')), null);
  await other.refresh();
  assert.equal(other.pathFor(at('/face.jpg')), `/images/${sha(JPEG)}.jpg`);
});

test('/images/ serves the copy with long cache headers, its type and nosniff; unknown names are 404', async () => {
  const { store, cache } = setup();
  await importAvatars(store, [at('/logo.png')], at('/face.jpg'));
  await cache.fetchDue();
  const app = createApp({
    store,
    config: loadConfig({ PUBLIC_URL: 'http://paperboy.test', PAPERBOY_IMAGES: '0' }),
    logger: createLogger('silent'),
    images: cache,
  });

  const path = cache.pathFor(at('/logo.png'))!;
  const response = await app.request(path);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(response.headers.get('content-type'), 'image/png');
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  assert.deepEqual(Buffer.from(await response.arrayBuffer()), PNG);
  const etag = response.headers.get('etag')!;
  assert.equal((await app.request(path, { headers: { 'if-none-match': etag } })).status, 304);
  assert.equal((await app.request(cache.pathFor(at('/face.jpg'))!)).headers.get('content-type'), 'image/jpeg');

  for (const unknown of [
    `/images/${'0'.repeat(64)}.png`,
    path.replace('.png', '.gif'),
    path.replace('.png', '.svg'),
    '/images/x.png',
    '/images/..%2Fpaperboy.db',
  ]) {
    assert.equal((await app.request(unknown)).status, 404, unknown);
  }

  // The organization's page, the day's cards and the submitter's page show the copies and name no other site.
  const orgPage = await (await app.request('/orgs/org0')).text();
  assert.match(orgPage, new RegExp(`<img src="${path}" alt="org0 logo"`));
  const feed = await (await app.request('/papers/date/2026-07-24')).text();
  assert.match(
    feed,
    new RegExp(
      `<a class="card-org" href="/orgs/org0"[^>]*><span class="avatar avatar-sm"><img src="${path}" alt="" data-initials="O"`,
    ),
  );
  const member = await (await app.request('/members/ada')).text();
  assert.match(member, new RegExp(`<img src="${cache.pathFor(at('/face.jpg'))}"`));
  for (const page of [orgPage, feed, member]) assert.doesNotMatch(page, /127\.0\.0\.1/);
});

test('failures are remembered: a dead link, a page, an SVG or an oversized body is not fetched again', async () => {
  const { store, cache, clock } = setup();
  hits.clear();
  const dead = ['/gone.png', '/page.png', '/drawing.svg', '/huge.png', '/endless.png'].map(at);
  await importAvatars(store, dead);
  const round = await cache.fetchDue();
  assert.deepEqual(round, { requested: 5, cached: 0, failed: 5, skipped: 0 });
  const reasons = await Promise.all(dead.map(async (url) => (await store.images.get(url))!));
  assert.deepEqual(
    reasons.map((r) => [r.status, r.retryAt]),
    dead.map(() => ['failed', null]),
    'final: not retried by itself',
  );
  assert.deepEqual(
    reasons.map((r) => r.lastError),
    [
      'HTTP 404',
      'not a PNG, JPEG, GIF or WebP image',
      'not a PNG, JPEG, GIF or WebP image',
      `larger than ${MAX_IMAGE_BYTES} bytes`,
      `larger than ${MAX_IMAGE_BYTES} bytes`,
    ],
  );
  assert.ok(dead.every((url) => cache.pathFor(url) === null));

  clock.now = new Date(clock.now.getTime() + 365 * 24 * 3_600_000);
  assert.deepEqual(await cache.fetchDue(), { requested: 0, cached: 0, failed: 0, skipped: 0 });
  assert.deepEqual(
    dead.map((url) => hits.get(new URL(url).pathname)),
    [1, 1, 1, 1, 1],
    'each was asked for once, a year apart',
  );

  // Forgetting the failures makes the next round try them again.
  assert.equal(await cache.clear('failed'), 5);
  assert.equal((await cache.fetchDue()).failed, 5);
  assert.equal(hits.get('/gone.png'), 2);
});

test('a slow or failing server is tried again later, less and less often, and left alone for the rest of a round', async () => {
  const { store, cache, clock } = setup();
  hits.clear();
  await importAvatars(store, [at('/slow.png'), at('/busy.png'), at('/logo.png')]);
  // In source order: /busy.png fails first, and the same host's other images wait for the next round.
  assert.deepEqual(await cache.fetchDue(), { requested: 3, cached: 0, failed: 1, skipped: 2 });
  const busy = (await store.images.get(at('/busy.png')))!;
  assert.equal(busy.lastError, 'HTTP 503');
  assert.equal(busy.retryAt, new Date(clock.now.getTime() + 3_600_000).toISOString());
  assert.equal((await store.images.get(at('/logo.png')))!.status, 'pending');

  const started = performance.now();
  assert.deepEqual(
    await cache.fetchDue(),
    { requested: 0, cached: 1, failed: 1, skipped: 0 },
    '/busy.png is not due yet',
  );
  assert.ok(performance.now() - started < 3_000, 'the timeout cut the slow answer short');
  assert.match((await store.images.get(at('/slow.png')))!.lastError ?? '', /gave up after 1 attempts \(.*timeout\)/);
  assert.equal(hits.get('/busy.png'), 1);

  clock.now = new Date(clock.now.getTime() + 3_600_000);
  routes['/busy.png'] = (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
  assert.deepEqual(
    await cache.fetchDue(),
    { requested: 0, cached: 1, failed: 1, skipped: 0 },
    'both due again after an hour',
  );
  assert.equal(cache.pathFor(at('/busy.png')), `/images/${sha(PNG)}.png`);
  assert.equal((await store.images.get(at('/busy.png')))!.attempts, 0, 'a success clears the failures');
  const slow = (await store.images.get(at('/slow.png')))!;
  assert.equal(slow.attempts, 2);
  assert.equal(
    slow.retryAt,
    new Date(clock.now.getTime() + 4 * 3_600_000).toISOString(),
    'the second failure waits four hours',
  );

  const now = new Date('2026-01-01T00:00:00Z');
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((n) => nextTry(n, now)?.getTime()),
    [
      now.getTime() + 3_600_000,
      now.getTime() + 4 * 3_600_000,
      now.getTime() + 16 * 3_600_000,
      now.getTime() + 64 * 3_600_000,
      now.getTime() + 7 * 24 * 3_600_000,
      undefined,
    ],
  );
});

test('addresses that are not public are refused (production), and the refusal is final', async () => {
  const { store, cache } = setup({ allowPrivate: false });
  hits.clear();
  const port = new URL(base).port;
  const urls = [
    `http://127.0.0.1:${port}/logo.png`,
    `http://localhost:${port}/logo.png`,
    `http://[::1]:${port}/logo.png`,
    'http://169.254.169.254/latest/meta-data',
  ];
  await importAvatars(store, urls);
  assert.deepEqual(await cache.fetchDue(), { requested: 4, cached: 0, failed: 4, skipped: 0 });
  for (const url of urls) {
    const record = (await store.images.get(url))!;
    assert.match(record.lastError ?? '', /not (a )?public/, url);
    assert.equal(record.retryAt, null);
  }
  assert.equal(hits.get('/logo.png'), undefined, 'no request reached the server');
});

test('bytes made here are kept with one call, in files or in the store, and served alike', async () => {
  for (const blobs of [undefined, (store: Store) => new StoreBlobs(store.images)]) {
    const { store, cache } = setup({ blobs });
    const path = await cache.put('arxiv-thumbnail:2101.00001', PNG);
    assert.equal(path, `/images/${sha(PNG)}.png`);
    assert.equal(cache.pathFor('arxiv-thumbnail:2101.00001'), path);
    assert.deepEqual(Buffer.from((await cache.read(path.slice('/images/'.length)))!.bytes), PNG);
    assert.equal(await cache.read(`${sha(PNG)}.jpg`), null, 'the type is part of the name');
    await assert.rejects(
      cache.put('arxiv-thumbnail:2101.00002', Buffer.from('<svg/>')),
      /not a PNG, JPEG, GIF or WebP image/,
    );
    assert.deepEqual(await cache.counts(), { pending: 0, cached: 1, failed: 0 });

    assert.equal(await cache.clear('all'), 1);
    assert.equal(cache.pathFor('arxiv-thumbnail:2101.00001'), null);
    assert.equal(await cache.read(path.slice('/images/'.length)), null, 'the bytes are gone too');
    assert.equal(store.backend, 'sqlite');
  }
});

test('without fetching (PAPERBOY_IMAGES=0) nothing is asked for or fetched', async () => {
  const { store } = setup();
  const cache = new ImageCache({
    store,
    blobs: new DiskBlobs(tempDir()),
    fetcher: null,
    logger: createLogger('silent'),
  });
  await importAvatars(store, [at('/logo.png')]);
  assert.equal(cache.fetches, false);
  assert.deepEqual(await cache.fetchDue(), { requested: 0, cached: 0, failed: 0, skipped: 0 });
  assert.deepEqual(await store.images.counts(), { pending: 0, cached: 0, failed: 0 });
});

test('the images job: scheduled every ten minutes when the cache fetches, a round per run', async () => {
  const { store, cache } = setup();
  await importAvatars(store, [at('/logo.png')]);
  const logger = createLogger('silent');
  const config = loadConfig({ PAPERBOY_HARVEST: '0', DIGEST_SCHEDULE: '0' });
  const queue = new InProcessJobQueue(logger);
  after(() => queue.stop());
  const jobs = { store, config, logger, queue, embed: null, images: cache };
  assert.deepEqual(
    paperboyJobSchedules(jobs).map((s) => [s.key, s.cron]),
    [['images', IMAGES_CRON]],
  );
  const off = new ImageCache({ store, blobs: new DiskBlobs(tempDir()), fetcher: null, logger });
  assert.deepEqual(paperboyJobSchedules({ ...jobs, images: off }), [], 'no job when fetching is off');

  await queue.work(paperboyJobHandlers(jobs), []);
  assert.equal(await queue.enqueue(imagesRequest()), true);
  await queue.drain();
  assert.equal(cache.pathFor(at('/logo.png')), `/images/${sha(PNG)}.png`);
});

test('a deleted member’s avatar leaves the cache, bytes included; bytes another image shares stay', async () => {
  const { store, dir, cache } = setup();
  const { app, outboxDir } = communityApp(store, { IMAGE_DIR: dir, PAPERBOY_IMAGES: '0' });
  const ada = await signIn(app, outboxDir, 'ada@example.org', { handle: 'ada' });
  const grace = await signIn(app, outboxDir, 'grace@example.org', { handle: 'grace' });
  // Imported submitters of these names: the members who chose them get their avatars (as on Hugging Face).
  const submitter = (name: string, avatarUrl: string) => ({ name, fullname: name, avatarUrl, externalId: null });
  await store.importBatch({
    papers: [madeUp(1, { organization: org('org0', at('/logo.png')) }), madeUp(2)],
    entries: [
      entry('2026-07-24', '2101.00001', 0, { submittedBy: submitter('ada', at('/face.jpg')) }),
      // The same bytes as the organization's logo, through the redirect.
      entry('2026-07-24', '2101.00002', 1, { submittedBy: submitter('grace', at('/moved.png')) }),
    ],
    replaceDays: [],
  });
  assert.equal((await store.community.getAccountByName('ada'))?.avatarUrl, at('/face.jpg'));
  assert.deepEqual(await cache.fetchDue(), { requested: 3, cached: 3, failed: 0, skipped: 0 });
  const file = (bytes: Uint8Array, ext: string) => join(dir, sha(bytes).slice(0, 2), `${sha(bytes)}.${ext}`);
  assert.ok(existsSync(file(JPEG, 'jpg')));
  const facePath = cache.pathFor(at('/face.jpg'))!;
  assert.equal((await app.request(facePath)).status, 200);

  for (const member of [ada, grace]) await deleteOwnAccount(app, member);
  assert.equal(await store.images.get(at('/face.jpg')), null, 'the avatar is forgotten');
  assert.equal(await store.images.get(at('/moved.png')), null);
  assert.ok(!existsSync(file(JPEG, 'jpg')), 'its file is gone');
  assert.equal((await app.request(facePath)).status, 404);
  assert.ok(existsSync(file(PNG, 'png')), 'bytes the organization’s logo holds too stay');
  assert.equal((await store.images.get(at('/logo.png')))?.status, 'cached');
  assert.equal((await app.request(cache.pathFor(at('/logo.png'))!)).status, 200);

  hits.clear();
  assert.deepEqual(await cache.fetchDue(), { requested: 0, cached: 0, failed: 0, skipped: 0 }, 'not asked for again');
  assert.equal(hits.get('/face.jpg'), undefined);
});
