/**
 * Response caches are keyed by what a request means, not by how it is written: a flood of addresses that differ
 * only in junk parameters, parameter order or spelling of the same value leaves one entry per real variant
 * (counted by the caches themselves), and every cache is bounded in entries and in bytes.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createApp } from '../../src/server/app.ts';
import { ResponseCache, createResponseCaches } from '../../src/http/response-cache.ts';
import { importPath } from '../../src/ingest/import-files.ts';
import { DAY_FIXTURES, TEST_ORIGIN, memoryStore, tempDir } from '../helpers.ts';

const store = memoryStore();
const caches = createResponseCaches();
const app = createApp({
  store,
  caches,
  logger: createLogger('silent'),
  config: loadConfig({ PUBLIC_URL: TEST_ORIGIN, OUTBOX_DIR: tempDir('paperboy-outbox-') }),
});
let day = '';

before(async () => {
  assert.deepEqual((await importPath(store, DAY_FIXTURES)).failures, []);
  day = (await store.latestDay())!;
});

/** 2,000 requests to one address, each with a junk parameter of its own and the real ones in varying order and spelling. */
async function flood(spellings: (i: number) => string): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    const path = spellings(i);
    const response = await app.request(path);
    assert.equal(response.status, 200, `${path} -> ${response.status}`);
    await response.arrayBuffer();
  }
}

test('10,000 requests with distinct junk parameters leave one entry per real variant', async () => {
  await flood((i) => `/feeds/daily.rss?utm_source=${i}&date=${i % 2 ? day : ` ${day}`}`);
  await flood((i) =>
    i % 2
      ? `/feeds/search.rss?junk${i}=1&q=diffusion&has_code=1`
      : `/feeds/search.rss?has_code=true&q=diffusion&x=${i}`,
  );
  await flood((i) => `/papers/date/${day}?fbclid=${i}${i % 2 ? '&p=1' : ''}`);
  await flood((i) => `/papers/trending?ref=${i}`);
  await flood((i) =>
    i % 2 ? `/api/daily_papers?date=${day}&limit=50&cb=${i}` : `/api/daily_papers?cb=${i}&date=${day}`,
  );
  assert.equal(caches.feeds.size, 2, 'the daily feed of that day and one search feed');
  assert.equal(caches.periodPages.size, 1);
  assert.equal(caches.trending.size, 1);
  assert.equal(caches.apiLists.size, 1);
});

test('a cache holds at most its number of entries and its number of bytes', () => {
  const cache = new ResponseCache<string>(60_000, 100, 1_000);
  for (let i = 0; i < 10_000; i++) cache.set(`k${i}`, 'x'.repeat(30), 0);
  assert.equal(cache.size, 33, 'bytes bind first: 33 bodies of 30 bytes fit in 1,000');
  assert.equal(cache.bytes, 990);
  assert.equal(cache.get('k9999', 1), 'x'.repeat(30), 'the newest stays');
  cache.set('huge', 'x'.repeat(2_000), 0);
  assert.equal(cache.get('huge', 1), undefined, 'a body over the whole budget is not kept');
  assert.equal(cache.size, 33);
  const small = new ResponseCache<string>(60_000, 3, 1_000_000);
  for (let i = 0; i < 100; i++) small.set(`k${i}`, 'é', 0);
  assert.equal(small.size, 3);
  assert.equal(small.bytes, 6, 'strings count their UTF-8 bytes');
});
