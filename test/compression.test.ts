/** Compressed responses: br and gzip decode to the plain bytes; shared pages keep one copy per encoding. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { importPath } from '../src/ingest/import-files.ts';
import { stylesheet } from '../src/web/assets.ts';
import { createResponseCaches } from '../src/http/response-cache.ts';
import { createApp } from '../src/server/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { DAY_FIXTURES, TEST_ORIGIN, memoryStore, tempDir, testApp } from './helpers.ts';

const store = memoryStore();
const app = testApp(store);
const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });
const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());

function decode(body: Buffer, coding: string | null): Buffer {
  if (coding === 'br') return brotliDecompressSync(body);
  if (coding === 'gzip') return gunzipSync(body);
  assert.equal(coding, null, `unexpected coding ${coding}`);
  return body;
}

const varyFields = (response: Response) =>
  (response.headers.get('vary') ?? '').split(',').map((f) => f.trim().toLowerCase());

before(async () => {
  const summary = await importPath(store, DAY_FIXTURES);
  assert.deepEqual(summary.failures, []);
});

const ADDRESSES = [
  '/',
  '/papers/month/2025-06',
  '/api/daily_papers?date=2025-06-02',
  stylesheet.url,
  '/search?q=diffusion',
];

for (const path of ADDRESSES) {
  test(`${path}: br and gzip decode to the bytes sent without compression`, async () => {
    const plainResponse = await get(path);
    assert.equal(plainResponse.status, 200);
    assert.equal(plainResponse.headers.get('content-encoding'), null, 'no Accept-Encoding: nothing compressed');
    assert.ok(varyFields(plainResponse).includes('accept-encoding'), 'Vary names Accept-Encoding');
    const plain = await bytes(plainResponse);
    assert.ok(plain.byteLength > 1024);
    for (const coding of ['br', 'gzip']) {
      const response = await get(path, { 'Accept-Encoding': coding });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-encoding'), coding);
      assert.ok(varyFields(response).includes('accept-encoding'));
      assert.equal(response.headers.get('content-type'), plainResponse.headers.get('content-type'));
      const body = await bytes(response);
      assert.ok(body.byteLength < plain.byteLength / 2, `${coding} is at most half: ${body.byteLength}`);
      assert.deepEqual(decode(body, coding), plain);
    }
  });
}

test('a browser Accept-Encoding gets br; q=0 refuses a coding; identity-only gets plain bytes', async () => {
  const browser = await get('/', { 'Accept-Encoding': 'gzip, deflate, br, zstd' });
  assert.equal(browser.headers.get('content-encoding'), 'br');
  const noBr = await get('/', { 'Accept-Encoding': 'br;q=0, gzip' });
  assert.equal(noBr.headers.get('content-encoding'), 'gzip');
  const identity = await get('/', { 'Accept-Encoding': 'identity' });
  assert.equal(identity.headers.get('content-encoding'), null);
  const neither = await get('/', { 'Accept-Encoding': 'br;q=0, gzip;q=0, deflate' });
  assert.equal(neither.headers.get('content-encoding'), null);
});

test('a cached page is served compressed to one client and plain to the next, the same bytes', async () => {
  const path = '/papers/date/2025-06-02';
  const first = await get(path, { 'Accept-Encoding': 'br' });
  assert.equal(first.headers.get('content-encoding'), 'br');
  const second = await get(path);
  assert.equal(second.headers.get('content-encoding'), null);
  const third = await get(path, { 'Accept-Encoding': 'gzip' });
  assert.equal(third.headers.get('content-encoding'), 'gzip');
  const fourth = await get(path, { 'Accept-Encoding': 'br' });
  const plain = await bytes(second);
  assert.match(plain.toString('utf8'), /^<!doctype html>/);
  assert.deepEqual(decode(await bytes(first), 'br'), plain);
  assert.deepEqual(decode(await bytes(third), 'gzip'), plain);
  assert.deepEqual(decode(await bytes(fourth), 'br'), plain);
});

test('the page cache keeps one copy per encoding (compressed once, then served from memory)', async () => {
  const caches = createResponseCaches();
  const counted = createApp({
    store,
    config: loadConfig({ PUBLIC_URL: TEST_ORIGIN, OUTBOX_DIR: tempDir('paperboy-outbox-') }),
    logger: createLogger('silent'),
    caches,
  });
  const path = '/papers/date/2025-06-02';
  await counted.request(path);
  assert.equal(caches.periodPages.size, 1, 'the plain page');
  await counted.request(path, { headers: { 'Accept-Encoding': 'br' } });
  assert.equal(caches.periodPages.size, 2, 'plus its br copy');
  const bytesAfterBr = caches.periodPages.bytes;
  await counted.request(path, { headers: { 'Accept-Encoding': 'br' } });
  await counted.request(path);
  assert.equal(caches.periodPages.size, 2, 'served again from the two copies');
  assert.equal(caches.periodPages.bytes, bytesAfterBr);
  await counted.request(path, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(caches.periodPages.size, 3, 'plus its gzip copy');
});

test('small responses, images and already-compressed types are sent as they are', async () => {
  // A 404 of the API is a few bytes of JSON.
  const small = await get('/api/papers/0000.00000', { 'Accept-Encoding': 'br' });
  assert.equal(small.status, 404);
  assert.equal(small.headers.get('content-encoding'), null);
  assert.ok((await bytes(small)).byteLength < 1024);
  const health = await get('/healthz', { 'Accept-Encoding': 'gzip' });
  assert.equal(health.headers.get('content-encoding'), null);
});

test('an ETag names the bytes of one encoding, and each encoding gets its 304', async () => {
  const plain = await get(stylesheet.url);
  const br = await get(stylesheet.url, { 'Accept-Encoding': 'br' });
  const gz = await get(stylesheet.url, { 'Accept-Encoding': 'gzip' });
  const tags = [plain, br, gz].map((r) => r.headers.get('etag'));
  assert.equal(new Set(tags).size, 3, `three different tags: ${tags.join(' ')}`);
  assert.equal(tags[0], stylesheet.etag);
  // Each client sends back the tag it got, with its own Accept-Encoding.
  for (const [coding, tag] of [
    [null, tags[0]],
    ['br', tags[1]],
    ['gzip', tags[2]],
  ] as const) {
    const headers: Record<string, string> = { 'If-None-Match': tag! };
    if (coding) headers['Accept-Encoding'] = coding;
    const again = await get(stylesheet.url, headers);
    assert.equal(again.status, 304, `${coding ?? 'plain'} revalidates`);
    assert.equal(again.headers.get('etag'), tag);
    assert.equal((await bytes(again)).byteLength, 0);
  }
  // A tag of another encoding does not match: the client gets the bytes.
  const mismatch = await get(stylesheet.url, { 'Accept-Encoding': 'gzip', 'If-None-Match': tags[1]! });
  assert.equal(mismatch.status, 200);
  assert.equal(mismatch.headers.get('content-encoding'), 'gzip');
});

test('feeds: compressed on the way out with their own ETag, and a 304 for it', async () => {
  const path = '/feeds/daily.rss';
  const plain = await get(path);
  const tag = plain.headers.get('etag')!;
  const br = await get(path, { 'Accept-Encoding': 'br' });
  assert.equal(br.headers.get('content-encoding'), 'br');
  const brTag = br.headers.get('etag')!;
  assert.notEqual(brTag, tag);
  assert.deepEqual(decode(await bytes(br), 'br'), await bytes(plain));
  const revalidated = await get(path, { 'Accept-Encoding': 'br', 'If-None-Match': brTag });
  assert.equal(revalidated.status, 304);
  assert.ok(varyFields(revalidated).includes('accept-encoding'));
  const plainAgain = await get(path, { 'If-None-Match': tag });
  assert.equal(plainAgain.status, 304);
});

test('JSON errors stay JSON for a client that accepts br', async () => {
  const response = await get('/api/daily_papers?date=nonsense', { 'Accept-Encoding': 'br' });
  assert.equal(response.status, 400);
  const body = decode(await bytes(response), response.headers.get('content-encoding'));
  assert.match(JSON.parse(body.toString('utf8')).error, /date/);
});
