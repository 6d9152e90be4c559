/**
 * Finding things: the footer, the account menu, Submit for signed-out visitors, a visible feed link on every
 * listing, /feeds, and the search's "not here" page leading to a filled-in submit form.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { importPath } from '../src/ingest/import-files.ts';
import { DAY_FIXTURES, memoryStore } from './helpers.ts';
import { communityApp, signIn, type Member } from './community-helpers.ts';

const store = memoryStore();
const { app, outboxDir } = communityApp(store);
let member: Member;
let org = '';
let author = '';

before(async () => {
  const summary = await importPath(store, DAY_FIXTURES);
  assert.deepEqual(summary.failures, []);
  member = await signIn(app, outboxDir, 'finder@example.org', { handle: 'finder' });
  const [withOrg] = (
    await store.listDaily({ firstDay: '2025-06-02', lastDay: '2026-12-31', sort: 'upvotes', offset: 0, limit: 100 })
  ).filter((e) => e.paper.organization !== null);
  org = withOrg!.paper.organization!.name;
  author = withOrg!.paper.authors[0]!.name;
});

const page = async (path: string, cookie?: string) => {
  const response = await app.request(path, cookie ? { headers: { cookie } } : {});
  assert.equal(response.status, 200, `${path} -> ${response.status}`);
  return response.text();
};

const footer = (html: string) => /<footer class="site-footer">[\s\S]*<\/footer>/.exec(html)?.[0] ?? '';

test('the footer links the digest, feeds, the API, about and the trending formula, signed in or not', async () => {
  for (const cookie of [undefined, member.cookie]) {
    const foot = footer(await page('/', cookie));
    for (const [href, label] of [
      ['/digest', 'Email digest'],
      ['/feeds', 'Feeds'],
      ['/api/openapi.json', 'API (OpenAPI)'],
      ['/about', 'About'],
      ['/about/trending', 'How trending works'],
    ])
      assert.ok(foot.includes(`<a href="${href}">${label}</a>`), `footer links ${href}`);
  }
  // And every one of them leads somewhere (except /about, which another page builds).
  for (const path of ['/digest', '/feeds', '/api/openapi.json', '/about/trending'])
    assert.equal((await app.request(path)).status, 200, path);
});

test('the account menu lists Collections and Following; signed out, there is no menu', async () => {
  const signedIn = await page('/', member.cookie);
  const menu = /<details class="account-menu">[\s\S]*?<\/details>/.exec(signedIn)?.[0] ?? '';
  assert.match(menu, /<a href="\/collections">Collections<\/a>/);
  assert.match(menu, /<a href="\/following">Following<\/a>/);
  assert.match(signedIn, /<a class="button header-submit" href="\/submit">Submit<\/a>/);
  const signedOut = await page('/');
  assert.doesNotMatch(signedOut, /class="account-menu"/);
  assert.doesNotMatch(signedOut, /href="\/collections"/);
});

test('signed out, Submit leads to sign-in, which comes back to the submit form', async () => {
  const html = await page('/papers/trending');
  const href = /<a class="button header-submit" href="([^"]+)">Submit<\/a>/.exec(html)?.[1];
  assert.equal(href, '/signin?next=%2Fsubmit');
  const signInPage = await page(href!.replaceAll('&amp;', '&'));
  assert.match(signInPage, /name="next" value="\/submit"/);
  // /submit itself sends a signed-out visitor the same way.
  const direct = await app.request('/submit');
  assert.equal(direct.status, 303);
  assert.equal(direct.headers.get('location'), '/signin?next=%2Fsubmit');
});

test('/submit?id= fills the form in, for members; signed out it goes through sign-in keeping the id', async () => {
  const filled = await page('/submit?id=2401.00001', member.cookie);
  assert.match(filled, /<input id="paper" name="paper"[^>]*value="2401.00001">/);
  const empty = await page('/submit', member.cookie);
  assert.match(empty, /<input id="paper" name="paper"[^>]*value="">/);
  const hostile = await page(`/submit?id=${encodeURIComponent('"><script>x</script>')}`, member.cookie);
  assert.doesNotMatch(hostile, /<script>x<\/script>/);
  assert.match(hostile, /<input id="paper" name="paper"[^>]*value="">/, 'what is not an arXiv id is not filled in');
  const signedOut = await app.request('/submit?id=2401.00001');
  assert.equal(signedOut.status, 303);
  assert.equal(signedOut.headers.get('location'), `/signin?next=${encodeURIComponent('/submit?id=2401.00001')}`);
});

test('a searched arXiv id Paperboy lacks offers a submit link with the id filled in', async () => {
  const html = await page('/search?q=2401.00001');
  assert.match(html, /<a class="button button-primary" href="\/submit\?id=2401\.00001">Submit arXiv 2401\.00001<\/a>/);
});

test('every listing shows a visible feed link, and has its <link rel="alternate">', async () => {
  const listings: [string, RegExp][] = [
    ['/papers/date/2025-06-02', /\/feeds\/daily\.rss/],
    ['/papers/week/2025-W23', /\/feeds\/daily\.rss/],
    ['/papers/month/2025-06', /\/feeds\/daily\.rss/],
    ['/papers/trending', /\/feeds\/trending\.rss/],
    [`/orgs/${encodeURIComponent(org)}`, new RegExp(`/feeds/organizations/${encodeURIComponent(org)}\\.rss`)],
    [`/authors/${encodeURIComponent(author)}`, /\/feeds\/authors\/[^"]+\.rss/],
    ['/search?q=language', /\/feeds\/search\.rss\?q=language/],
  ];
  for (const [path, feed] of listings) {
    const html = await page(path);
    const visible = /<p class="feed-links">[\s\S]*?<\/p>/.exec(html)?.[0];
    assert.ok(visible, `${path} shows its feeds`);
    assert.match(visible, feed, `${path}: visible link`);
    for (const label of ['RSS', 'Atom', 'JSON Feed']) assert.match(visible, new RegExp(`>${label}</a>`));
    const head = html.slice(0, html.indexOf('</head>'));
    assert.match(head, /<link rel="alternate" type="application\/rss\+xml"/, `${path}: alternate in the head`);
    assert.match(head, feed, `${path}: the head's feed is the visible one`);
  }
  // A page that is not a list has none.
  assert.doesNotMatch(await page('/about/trending'), /class="feed-links"/);
});

test('the feed links of a listing are feeds that answer', async () => {
  const html = await page('/papers/trending');
  const hrefs = [...(/<p class="feed-links">[\s\S]*?<\/p>/.exec(html)?.[0] ?? '').matchAll(/href="([^"]+)"/g)].map(
    (m) => m[1]!.replaceAll('&amp;', '&'),
  );
  assert.equal(hrefs.length, 3);
  for (const href of hrefs) {
    const response = await app.request(href);
    assert.equal(response.status, 200, href);
    assert.match(response.headers.get('content-type') ?? '', /xml|json/);
  }
});

test('/feeds lists the daily and trending feeds and says where the others are', async () => {
  const html = await page('/feeds');
  assert.match(html, /<h1>Feeds<\/h1>/);
  assert.match(html, /href="\/feeds\/daily\.rss"/);
  assert.match(html, /href="\/feeds\/trending\.atom"/);
  assert.match(html, /href="\/feeds\/trending\.json"/);
});
