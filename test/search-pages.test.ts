/** The search page and search feeds say what they found, and only that. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { importPath } from '../src/ingest/import-files.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_FIXTURES, memoryStore, tempDir, testApp } from './helpers.ts';

const store = memoryStore();
const app = testApp(store);

before(async () => {
  assert.deepEqual((await importPath(store, DAY_FIXTURES)).failures, []);
});

test('an arXiv id or URL in the search box goes to its paper; an unknown id gets a page that says so', async () => {
  const [paper] = await store.paperTexts(0, 1);
  for (const q of [paper!.id, `https://arxiv.org/abs/${paper!.id}v2`]) {
    const response = await app.request(`/search?q=${encodeURIComponent(q)}`);
    assert.equal(response.status, 302, q);
    assert.equal(response.headers.get('location'), `/papers/${paper!.id}`);
  }
  const missing = await app.request('/search?q=2607.21461');
  const body = await missing.text();
  assert.match(body, /Paperboy does not have arXiv 2607\.21461/);
  assert.match(body, /href="https:\/\/arxiv\.org\/abs\/2607\.21461"/);
  assert.match(body, /href="\/submit\?id=2607\.21461"/);
  const api = (await (await app.request('/api/search?q=2607.21461')).json()) as { total: number };
  assert.equal(api.total, 0);
});

test('the page counts the papers that contain the words; nonsense gets the empty page; its feed is empty', async () => {
  const page = await (await app.request('/search?q=diffusion')).text();
  assert.match(page, /\d+ papers contain these words/);
  assert.doesNotMatch(page, /\+ papers/);
  const nonsense = await (await app.request('/search?q=qwxzv')).text();
  assert.match(nonsense, /No papers match/);
  const feed = (await (await app.request('/feeds/search.json?q=qwxzv')).json()) as { items: unknown[] };
  assert.deepEqual(feed.items, []);
});

test('a search feed lists every paper with the words, newest first', async () => {
  const feed = (await (await app.request('/feeds/search.json?q=diffusion')).json()) as {
    items: { date_published?: string }[];
  };
  const api = (await (await app.request('/api/search?q=diffusion&mode=lexical')).json()) as { total: number };
  assert.equal(feed.items.length, Math.min(api.total, 50));
  const dates = feed.items.map((i) => i.date_published ?? '');
  assert.deepEqual(dates, [...dates].sort().reverse());
});

test('the organization filter matches a slug or a name, whatever the case', async () => {
  const [paper] = (await store.getPapers((await store.paperTexts(0, 100)).map((p) => p.id))).filter(
    (p) => p.organization,
  );
  const org = paper!.organization!;
  const counts: number[] = [];
  for (const value of [org.name, org.name.toUpperCase(), org.fullname.toLowerCase()]) {
    const api = (await (
      await app.request(
        `/api/search?q=${encodeURIComponent(paper!.title.split(' ')[0]!)}&mode=lexical&org=${encodeURIComponent(value)}`,
      )
    ).json()) as { total: number };
    counts.push(api.total);
  }
  assert.ok(counts[0]! > 0);
  assert.deepEqual(counts, [counts[0], counts[0], counts[0]]);
});

test('a "from" after "to" shows the form again with the message; filters that cannot match are not offered', async () => {
  const response = await app.request('/search?q=diffusion&from=2025-06-01&to=2024-01-01');
  assert.equal(response.status, 400);
  const body = await response.text();
  assert.match(body, /The “from” date is after the “to” date/);
  assert.match(body, /<form class="search-filters"/);
  assert.match(body, /value="2025-06-01"/);
  assert.match(body, /value="diffusion"/);

  const bare = memoryStore();
  const dir = tempDir();
  const file = join(dir, 'bare.jsonl');
  writeFileSync(
    file,
    `${JSON.stringify({
      arxiv_id: '2608.99998',
      title: 'Diffusion without categories',
      abstract: 'A paper with no categories, organization or code.',
      authors: ['Ann Author'],
      published: '2026-08-20',
      categories: [],
      upvotes: 1,
      hf_date: '2026-08-21',
    })}\n`,
  );
  assert.deepEqual((await importPath(bare, file)).failures, []);
  const page = await (await testApp(bare).request('/search?q=diffusion')).text();
  assert.doesNotMatch(page, /filter-category|filter-org|filter-code/);
  assert.match(page, /filter-from/);
  const demo = await (await app.request('/search?q=diffusion')).text();
  assert.match(demo, /filter-org/);
  assert.doesNotMatch(demo, /filter-category/, 'the demo papers have no arXiv categories');
});

test('the empty page offers the spelling the papers use', async () => {
  const page = await (await app.request('/search?q=difusion')).text();
  assert.match(page, /Did you mean <a href="\/search\?q=diffusion">diffusion<\/a>\?/);
});
