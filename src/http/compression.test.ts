import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { addVary, compress, compressibleType, encodedEtag, etagMatches, negotiateEncoding } from './compression.ts';

test('negotiateEncoding: br first, gzip next, as weighed; nothing when neither is accepted', () => {
  assert.equal(negotiateEncoding(undefined), null);
  assert.equal(negotiateEncoding(''), null);
  assert.equal(negotiateEncoding('identity'), null);
  assert.equal(negotiateEncoding('deflate'), null);
  assert.equal(negotiateEncoding('gzip, deflate, br, zstd'), 'br');
  assert.equal(negotiateEncoding('gzip'), 'gzip');
  assert.equal(negotiateEncoding('x-gzip'), 'gzip');
  assert.equal(negotiateEncoding('br;q=0, gzip'), 'gzip');
  assert.equal(negotiateEncoding('br;q=0.5, gzip;q=0.8'), 'gzip');
  assert.equal(negotiateEncoding('BR'), 'br');
  assert.equal(negotiateEncoding('*'), 'br');
  assert.equal(negotiateEncoding('*;q=0'), null);
  assert.equal(negotiateEncoding('gzip;q=0, br;q=0'), null);
});

test('compressibleType: text, JSON, XML, JavaScript and SVG; not images, archives or fonts', () => {
  for (const type of [
    'text/html; charset=UTF-8',
    'text/css; charset=utf-8',
    'text/markdown; charset=utf-8',
    'application/json',
    'application/rss+xml; charset=utf-8',
    'application/atom+xml',
    'application/feed+json',
    'image/svg+xml',
    'text/javascript; charset=utf-8',
  ])
    assert.equal(compressibleType(type), true, type);
  for (const type of [
    null,
    'image/png',
    'image/webp',
    'image/jpeg',
    'application/gzip',
    'font/woff2',
    'application/zip',
  ])
    assert.equal(compressibleType(type), false, String(type));
});

test('compress: both codings decode to the input at both efforts', async () => {
  const input = new TextEncoder().encode('Paperboy '.repeat(1000));
  for (const effort of ['once', 'kept'] as const) {
    assert.deepEqual(new Uint8Array(brotliDecompressSync(await compress(input, 'br', effort))), input);
    assert.deepEqual(new Uint8Array(gunzipSync(await compress(input, 'gzip', effort))), input);
  }
});

test('ETags of encoded copies differ from the plain one and match only themselves', () => {
  assert.equal(encodedEtag('"abc"', 'br'), '"abc-br"');
  assert.equal(encodedEtag('W/"abc"', 'gzip'), 'W/"abc-gz"');
  assert.equal(etagMatches('"abc-br"', '"abc-br"'), true);
  assert.equal(etagMatches('"x", "abc-br"', '"abc-br"'), true);
  assert.equal(etagMatches('W/"abc-br"', '"abc-br"'), true);
  assert.equal(etagMatches('*', '"abc"'), true);
  assert.equal(etagMatches('"abc"', '"abc-br"'), false);
  assert.equal(etagMatches(undefined, '"abc"'), false);
});

test('addVary adds a field once, keeps the others', () => {
  const headers = new Headers();
  addVary(headers, 'Accept-Encoding');
  addVary(headers, 'accept-encoding');
  assert.equal(headers.get('vary'), 'Accept-Encoding');
  const other = new Headers({ Vary: 'Accept' });
  addVary(other, 'Accept-Encoding');
  assert.equal(other.get('vary'), 'Accept, Accept-Encoding');
});
