/**
 * Thumbnails against a local HTTP server standing in for arXiv: PDFs the test prints with Chromium, a
 * malformed PDF, a page that is not a PDF, a 404, an oversized PDF, a busy server, and an imported thumbnail
 * address. The top of the first page is rendered by the real pdftoppm, kept in the image cache and shown on
 * the day's cards; failures are remembered and a busy server ends the round.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { createApp } from '../server/app.ts';
import { THUMBNAIL_HEIGHT, THUMBNAIL_WIDTH, thumbnailSource } from '../domain/urls.ts';
import { memoryStore, tempDir } from '../../test/helpers.ts';
import { startRouteServer, type Route } from '../../test/support/route-server.ts';
import { decodePng, png } from '../../test/image-fixtures.ts';
import { paperPdf } from '../../test/pdf-fixture.ts';
import { entry, madeUp } from '../../test/contract/fixtures.ts';
import { DiskBlobs } from './blob-storage.ts';
import { ImageCache, createImageCache } from './image-cache.ts';
import { ImageFetcher } from './image-fetcher.ts';
import { renderFirstPage } from './pdf-thumbnail.ts';
import { Thumbnailer, createThumbnailer } from './thumbnails.ts';
import { InProcessJobQueue } from '../jobs/in-process.ts';
import {
  IMAGES_CRON,
  THUMBNAILS_CRON,
  paperboyJobHandlers,
  paperboyJobSchedules,
  thumbnailsRequest,
} from '../jobs/paperboy-jobs.ts';

const RED: [number, number, number] = [192, 57, 43];
const GOOD = await paperPdf('A paper with a red band', { pages: 2, band: '#c0392b' });
const IMPORTED = png(12, 8, [0, 128, 0]);
const MAX_PDF = GOOD.length + 10_000;

const routes: Record<string, Route> = {
  '/pdf/2101.00001': (_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end(GOOD),
  // Says it is a PDF and is not one inside: pdftoppm refuses it.
  '/pdf/2101.00002': (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage'),
  '/pdf/2101.00003': (_req, res) => res.writeHead(404).end('no such paper'),
  '/pdf/2101.00004': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>hi'),
  '/pdf/2101.00005': (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/pdf' }).end(Buffer.concat([GOOD, Buffer.alloc(MAX_PDF)])),
  '/thumbs/2101.00006.png': (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(IMPORTED),
  // An imported address that is gone: the PDF is rendered instead.
  '/thumbs/2101.00007.png': (_req, res) => res.writeHead(404).end(),
  '/pdf/2101.00007': (_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end(GOOD),
  '/pdf/2101.00008': (_req, res) => res.writeHead(503, { 'retry-after': '0' }).end('busy'),
  '/pdf/2101.00009': (_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end(GOOD),
};
const server = await startRouteServer(routes);
const { base, hits } = server;

function setup(options: { pdftoppm?: string; renderTimeoutMs?: number } = {}) {
  const store = memoryStore();
  const clock = { now: new Date('2026-07-24T10:00:00Z') };
  const logger = createLogger('silent');
  const images = new ImageCache({
    store,
    blobs: new DiskBlobs(tempDir('paperboy-thumbs-')),
    fetcher: new ImageFetcher({ userAgent: 'test', minIntervalMs: 0, maxAttempts: 1, allowPrivateAddresses: true }),
    logger,
    now: () => clock.now,
  });
  const thumbnailer = new Thumbnailer({
    store,
    images,
    logger,
    pdfUrl: `${base}/pdf/`,
    userAgent: 'Paperboy/0.1.0 (self-hosted research-paper site; mailto:ops@paperboy.test)',
    maxPdfBytes: MAX_PDF,
    minIntervalMs: 0,
    timeoutMs: 5_000,
    backoffBaseMs: 10,
    pdftoppm: options.pdftoppm ?? 'pdftoppm',
    renderTimeoutMs: options.renderTimeoutMs,
    allowPrivateAddresses: true,
    now: () => clock.now,
  });
  return { store, images, thumbnailer, clock };
}

/** Papers 1..n on one feed day (in id order), with the imported thumbnail addresses given. */
async function onTheFeed(store: ReturnType<typeof memoryStore>, ids: number[], imported: Record<number, string> = {}) {
  await store.importBatch({
    papers: ids.map((n) => madeUp(n)),
    entries: ids.map((n, i) =>
      entry('2026-07-24', madeUp(n).id, i, { thumbnail: imported[n] ? `${base}${imported[n]}` : null }),
    ),
    replaceDays: [],
  });
}

test('the top of the first page becomes a small PNG in the image cache, and the day’s card shows it', async () => {
  const { store, images, thumbnailer } = setup();
  hits.clear();
  await onTheFeed(store, [1, 6, 7], { 6: '/thumbs/2101.00006.png', 7: '/thumbs/2101.00007.png' });

  const round = await thumbnailer.round(10);
  assert.deepEqual({ ...round, renderMs: round.renderMs.length }, { imported: 1, rendered: 2, failed: 0, renderMs: 2 });
  assert.match(server.userAgent, /mailto:ops@paperboy\.test/, 'arXiv is told how to reach the instance');
  assert.equal(hits.get('/pdf/2101.00006'), undefined, 'an imported thumbnail spares the PDF');
  assert.equal(hits.get('/thumbs/2101.00007.png'), 1);
  assert.equal(hits.get('/pdf/2101.00007'), 1, 'a dead imported address falls back to the PDF');

  const path = images.pathFor(thumbnailSource('2101.00001'))!;
  assert.match(path, /^\/images\/[0-9a-f]{64}\.png$/);
  const image = decodePng((await images.read(path.slice('/images/'.length)))!.bytes);
  assert.deepEqual([image.width, image.height], [THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT]);
  const colours = Array.from({ length: THUMBNAIL_HEIGHT / 5 }, (_, i) => image.pixel(THUMBNAIL_WIDTH / 2, i * 5));
  assert.ok(
    colours.some((c) => c.every((v, i) => Math.abs(v - RED[i]!) < 8)),
    "the first page's red band is in the picture",
  );
  assert.deepEqual(image.pixel(2, 2), [255, 255, 255], 'the page is white around its text');
  const imported = (await images.read(images.pathFor(thumbnailSource('2101.00006'))!.slice('/images/'.length)))!;
  assert.deepEqual(Buffer.from(imported.bytes), IMPORTED, 'the imported thumbnail is kept as fetched');

  assert.deepEqual(
    await store.images.thumbnailsDue(new Date(), 10, false),
    [],
    'nothing is due any more: each was made once',
  );

  // The day's cards show the thumbnails from the instance, and a placeholder where there is none yet.
  await onTheFeed(store, [9]);
  const app = createApp({
    store,
    config: loadConfig({ PUBLIC_URL: 'http://paperboy.test', PAPERBOY_IMAGES: '0' }),
    logger: createLogger('silent'),
    images,
  });
  const feed = await (await app.request('/papers/date/2026-07-24')).text();
  assert.match(
    feed,
    new RegExp(
      `<div class="card-thumb"><img src="${path}" alt="" width="${THUMBNAIL_WIDTH}" height="${THUMBNAIL_HEIGHT}"[^>]*></div>\\s*<div class="card-head">[\\s\\S]*?href="/papers/2101.00001"`,
    ),
  );
  assert.match(
    feed,
    /<div class="card-thumb card-thumb-none" aria-hidden="true"><\/div>\s*<div class="card-head">[\s\S]*?href="\/papers\/2101.00009"/,
  );
  assert.equal(feed.match(/class="card-thumb"/g)?.length, 3, 'three cards have a thumbnail');
  assert.equal(feed.match(/class="card-thumb card-thumb-none"/g)?.length, 1, 'one has the placeholder');
  assert.doesNotMatch(feed, /127\.0\.0\.1|cdn-thumbnails/, 'no thumbnail is loaded from another site');
  const response = await app.request(path);
  assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(response.headers.get('content-type'), 'image/png');
});

test('a malformed PDF, a page, a 404 and an oversized PDF are logged as failed once and the round goes on', async () => {
  const { store, thumbnailer, clock } = setup();
  hits.clear();
  await onTheFeed(store, [2, 3, 4, 5, 9]);
  const round = await thumbnailer.round(10);
  assert.equal(round.failed, 4);
  assert.equal(round.rendered, 1, 'the last paper still got its thumbnail');
  const reasons = await Promise.all(
    [2, 3, 4, 5].map(async (n) => (await store.images.get(thumbnailSource(madeUp(n).id)))!),
  );
  assert.match(reasons[0]!.lastError!, /^pdftoppm failed|^pdftoppm wrote no image/);
  assert.deepEqual(
    reasons.slice(1).map((r) => r.lastError),
    ['PDF: HTTP 404', 'not a PDF', `PDF larger than ${MAX_PDF} bytes`],
  );
  assert.ok(
    reasons.every((r) => r.status === 'failed' && r.retryAt === null),
    'final: not tried again by itself',
  );

  clock.now = new Date(clock.now.getTime() + 365 * 24 * 3_600_000);
  assert.deepEqual((await thumbnailer.round(10)).failed, 0);
  assert.equal(hits.get('/pdf/2101.00002'), 1, 'asked for once, a year apart');
});

test('a busy server ends the round; the paper is tried again an hour later, the rest wait for the next round', async () => {
  const { store, thumbnailer, clock } = setup();
  hits.clear();
  await onTheFeed(store, [8, 9]);
  const round = await thumbnailer.round(10);
  assert.deepEqual([round.failed, round.rendered], [1, 0]);
  assert.equal(hits.get('/pdf/2101.00008'), 2, 'tried twice, then left');
  assert.equal(hits.get('/pdf/2101.00009'), undefined, 'arXiv is not pressed while it is busy');
  const busy = (await store.images.get(thumbnailSource('2101.00008')))!;
  assert.equal(busy.lastError, 'PDF: HTTP 503');
  assert.equal(busy.retryAt, new Date(clock.now.getTime() + 3_600_000).toISOString());

  routes['/pdf/2101.00008'] = routes['/pdf/2101.00001']!;
  assert.equal((await thumbnailer.round(10)).rendered, 1, 'the other paper, while the busy one waits');
  clock.now = new Date(clock.now.getTime() + 3_600_000);
  assert.equal((await thumbnailer.round(10)).rendered, 1, 'an hour later');
  assert.equal((await store.images.get(thumbnailSource('2101.00008')))!.status, 'cached');
});

test('pdftoppm that is missing or hangs: a clear error, the process killed at the time limit', async () => {
  await assert.rejects(renderFirstPage(GOOD, { command: '/nonexistent/pdftoppm' }), /is not installed/);
  await assert.rejects(renderFirstPage(Buffer.from('GIF89a')), /not a PDF/);
  const hang = join(tempDir('paperboy-hang-'), 'pdftoppm');
  writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n');
  chmodSync(hang, 0o755);
  const started = performance.now();
  await assert.rejects(renderFirstPage(GOOD, { command: hang, timeoutMs: 300 }), /took longer than 300 ms/);
  assert.ok(performance.now() - started < 5_000);

  const { store, thumbnailer } = setup({ pdftoppm: hang, renderTimeoutMs: 300 });
  await onTheFeed(store, [1]);
  assert.equal((await thumbnailer.round(10)).failed, 1);
  assert.match((await store.images.get(thumbnailSource('2101.00001')))!.lastError!, /took longer/);
});

test('without PDFs (no contact address) only imported thumbnails are fetched', async () => {
  const { store, images } = setup();
  hits.clear();
  await onTheFeed(store, [1, 6], { 6: '/thumbs/2101.00006.png' });
  const thumbnailer = new Thumbnailer({
    store,
    images,
    logger: createLogger('silent'),
    pdfUrl: null,
    userAgent: 'test',
    maxPdfBytes: MAX_PDF,
    minIntervalMs: 0,
    timeoutMs: 5_000,
    pdftoppm: 'pdftoppm',
    allowPrivateAddresses: true,
  });
  const round = await thumbnailer.round(10);
  assert.deepEqual([round.imported, round.rendered, round.failed], [1, 0, 0]);
  assert.equal(hits.get('/pdf/2101.00001'), undefined);
  assert.equal(await store.images.get(thumbnailSource('2101.00001')), null, 'left for when PDFs are fetched');
});

test('the thumbnails job: scheduled every ten minutes beside the images job, a round per run; none when off', async () => {
  const { store, images, thumbnailer } = setup();
  await onTheFeed(store, [1]);
  const logger = createLogger('silent');
  const config = loadConfig({ PAPERBOY_HARVEST: '0', DIGEST_SCHEDULE: '0' });
  const queue = new InProcessJobQueue(logger);
  after(() => queue.stop());
  const jobs = { store, config, logger, queue, embed: null, images, thumbnails: thumbnailer };
  assert.deepEqual(
    paperboyJobSchedules(jobs).map((s) => [s.key, s.cron]),
    [
      ['images', IMAGES_CRON],
      ['thumbnails', THUMBNAILS_CRON],
    ],
  );
  await queue.work(paperboyJobHandlers(jobs), []);
  assert.equal(await queue.enqueue(thumbnailsRequest()), true);
  await queue.drain();
  assert.match(images.pathFor(thumbnailSource('2101.00001')) ?? '', /^\/images\/[0-9a-f]{64}\.png$/);

  // Off by configuration, or where images are not fetched at all: no thumbnailer, no job.
  const cache = (env: Record<string, string>) => {
    const c = loadConfig({ ...env, DATABASE_URL: join(tempDir(), 'x.db') });
    return { config: c, images: createImageCache({ store, config: c, logger }) };
  };
  for (const env of [{ PAPERBOY_THUMBNAILS: '0' }, { PAPERBOY_IMAGES: '0' }] as Record<string, string>[]) {
    const made = cache(env);
    assert.equal(createThumbnailer({ store, logger, ...made }), null, JSON.stringify(env));
  }
  const noContact = createThumbnailer({ store, logger, ...cache({}) })!;
  assert.equal(noContact.renders, false, 'without PAPERBOY_CONTACT no PDF is fetched');
  assert.equal(createThumbnailer({ store, logger, ...cache({ PAPERBOY_CONTACT: 'ops@example.org' }) })!.renders, true);
});

test('only an arXiv id goes into the PDF address', async () => {
  const { thumbnailer } = setup();
  hits.clear();
  for (const id of ['../thumbs/2101.00006.png', '2101.00001?x=1', '2101.00001#frag', 'http://elsewhere/'])
    assert.deepEqual(await thumbnailer.renderPaper(id), { ok: false, reason: 'not an arXiv id', transient: false }, id);
  assert.equal(hits.size, 0, 'no request was made');
});
