/** The paper page in Markdown: `Accept: text/markdown` on /papers/ID gives the text of /papers/ID.md. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync } from 'node:zlib';
import { importPath } from '../src/ingest/import-files.ts';
import { DAY_FIXTURES, memoryStore, testApp } from './helpers.ts';

const store = memoryStore();
const app = testApp(store);
let id = '';

before(async () => {
  const summary = await importPath(store, DAY_FIXTURES);
  assert.deepEqual(summary.failures, []);
  const latest = await store.latestDay();
  const [first] = await store.listDaily({ firstDay: latest!, lastDay: latest!, sort: 'upvotes', offset: 0, limit: 1 });
  id = first!.paper.id;
});

const MARKDOWN_ACCEPT = 'text/markdown';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

async function page(accept: string | undefined, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { ...extra };
  if (accept) headers.Accept = accept;
  return app.request(`/papers/${id}`, { headers });
}

test('Accept: text/markdown on the paper page gives the same text as /papers/ID.md', async () => {
  const md = await app.request(`/papers/${id}.md`);
  assert.equal(md.status, 200);
  const want = await md.text();
  const response = await page(MARKDOWN_ACCEPT);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/markdown; charset=utf-8/);
  assert.equal(await response.text(), want);
  assert.match(want, /^# /);
  const vary = (response.headers.get('vary') ?? '').toLowerCase();
  assert.match(vary, /\baccept\b/);
  assert.match(vary, /accept-encoding/);
});

test('the shared page cache keeps HTML and Markdown apart, whichever is asked for first', async () => {
  // Markdown first, then a browser, then Markdown again, then no Accept at all.
  const order = [MARKDOWN_ACCEPT, BROWSER_ACCEPT, MARKDOWN_ACCEPT, undefined, BROWSER_ACCEPT, MARKDOWN_ACCEPT];
  for (const accept of order) {
    const response = await page(accept);
    const body = await response.text();
    if (accept === MARKDOWN_ACCEPT) {
      assert.match(response.headers.get('content-type') ?? '', /^text\/markdown/);
      assert.doesNotMatch(body, /<html/);
    } else {
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(body, /^<!doctype html>/);
      assert.match(response.headers.get('vary') ?? '', /Accept\b/);
    }
  }
});

test('the Markdown is compressed like the page, and decodes to the same text', async () => {
  const plain = await (await page(MARKDOWN_ACCEPT)).text();
  const br = await page(MARKDOWN_ACCEPT, { 'Accept-Encoding': 'br' });
  if (Buffer.byteLength(plain) >= 1024) {
    assert.equal(br.headers.get('content-encoding'), 'br');
    assert.equal(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString('utf8'), plain);
  } else {
    assert.equal(br.headers.get('content-encoding'), null);
    assert.equal(await br.text(), plain);
  }
  // And the HTML after it is still HTML.
  const html = await page(BROWSER_ACCEPT, { 'Accept-Encoding': 'br' });
  assert.match(brotliDecompressSync(Buffer.from(await html.arrayBuffer())).toString('utf8'), /^<!doctype html>/);
});

test('an unknown paper asked for in Markdown is a 404 in plain text, not a page', async () => {
  const response = await app.request('/papers/2401.99999', { headers: { Accept: MARKDOWN_ACCEPT } });
  assert.equal(response.status, 404);
  assert.doesNotMatch(await response.text(), /<html/);
});
