/** Feeds: RSS 2.0, Atom and JSON Feed of the daily list, trending, organizations, authors and searches. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { importPath } from '../src/ingest/import-files.ts';
import { DAY_FIXTURES, memoryStore, tempDir, testApp } from './helpers.ts';

const store = memoryStore();
const app = testApp(store);
const BASE = 'http://paperboy.test';
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });
const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
/** An element's text, whether the parser gave a string or an object with attributes. */
const text = (x: unknown): string =>
  typeof x === 'object' && x !== null ? String((x as Record<string, unknown>)['#text']) : String(x);

before(async () => {
  assert.deepEqual((await importPath(store, DAY_FIXTURES)).failures, []);
  // A paper whose title and abstract hold markup, a CDATA end, a control character and line breaks.
  const dir = tempDir();
  const file = join(dir, 'hostile.jsonl');
  writeFileSync(
    file,
    `${JSON.stringify({
      arxiv_id: '2608.99999',
      title: 'When x < y & <b>bold</b> ]]> meets\n  \u0001 control',
      abstract: 'Abstract with <script>alert(1)</script> and ]]> inside \u0002.',
      authors: ['Ann <Hostile> Author', 'Bob "Quotes"'],
      published: '2026-08-20',
      categories: ['cs.LG'],
      organization: 'google',
      upvotes: 3,
      hf_date: '2026-08-21',
    })}\n`,
  );
  assert.deepEqual((await importPath(store, file)).failures, []);
});

async function fetchFeed(path: string, format: 'rss' | 'atom' | 'json'): Promise<{ response: Response; body: string }> {
  const response = await app.request(path);
  const body = await response.text();
  assert.equal(response.status, 200, `${path} -> ${response.status}: ${body.slice(0, 200)}`);
  const type = { rss: 'application/rss+xml', atom: 'application/atom+xml', json: 'application/feed+json' }[format];
  assert.match(response.headers.get('content-type') ?? '', new RegExp(`^${type.replace('+', '\\+')}`));
  return { response, body };
}

interface Checked {
  titles: string[];
  links: string[];
}

async function checkRss(path: string): Promise<Checked> {
  const { body } = await fetchFeed(path, 'rss');
  assert.equal(XMLValidator.validate(body), true, `${path} is well-formed XML`);
  const channel = parser.parse(body).rss.channel;
  assert.ok(channel.title, 'channel title');
  assert.ok(String(channel.link).startsWith(BASE), 'channel link is absolute');
  assert.ok(typeof channel.description === 'string', 'channel description');
  const items = list<Record<string, unknown>>(channel.item);
  for (const item of items) {
    assert.ok(item.title, 'item title');
    assert.ok(String(item.link).startsWith(`${BASE}/papers/`), 'item link to our paper page');
    assert.ok(item.guid, 'item guid');
    assert.ok(item.pubDate, 'item date');
  }
  return { titles: items.map((i) => String(i.title)), links: items.map((i) => String(i.link)) };
}

async function checkAtom(path: string): Promise<Checked> {
  const { body } = await fetchFeed(path, 'atom');
  assert.equal(XMLValidator.validate(body), true, `${path} is well-formed XML`);
  const feed = parser.parse(body).feed;
  assert.ok(feed.id && feed.title && feed.updated, 'feed id, title, updated');
  assert.ok(!Number.isNaN(Date.parse(feed.updated)));
  const entries = list<Record<string, unknown>>(feed.entry);
  for (const entry of entries) {
    assert.ok(entry.id && entry.title && entry.updated, 'entry id, title, updated');
    assert.ok(String((entry.link as Record<string, string>)['@href']).startsWith(`${BASE}/papers/`), 'entry link');
  }
  return {
    titles: entries.map((e) => text(e.title)),
    links: entries.map((e) => String((e.link as Record<string, string>)['@href'])),
  };
}

async function checkJson(path: string): Promise<Checked> {
  const { body } = await fetchFeed(path, 'json');
  const feed = JSON.parse(body) as {
    version: string;
    title: string;
    items: { id: string; url: string; title: string }[];
  };
  assert.equal(feed.version, 'https://jsonfeed.org/version/1');
  assert.ok(feed.title);
  for (const item of feed.items) assert.ok(item.id && item.url.startsWith(`${BASE}/papers/`) && item.title);
  return { titles: feed.items.map((i) => i.title), links: feed.items.map((i) => i.url) };
}

const FEEDS = [
  '/feeds/daily',
  '/feeds/trending',
  '/feeds/organizations/google',
  '/feeds/authors/Chengsong%20Huang',
  '/feeds/search',
];
const QUERY: Record<string, string> = { '/feeds/search': '?q=agents' };

for (const feed of FEEDS) {
  test(`${feed}: RSS, Atom and JSON Feed parse, with the required elements and the same papers`, async () => {
    const q = QUERY[feed] ?? '';
    const rss = await checkRss(`${feed}.rss${q}`);
    const atom = await checkAtom(`${feed}.atom${q}`);
    const json = await checkJson(`${feed}.json${q}`);
    assert.ok(rss.links.length > 0, 'the feed has items');
    assert.deepEqual(atom.links, rss.links);
    assert.deepEqual(json.links, rss.links);
  });
}

test('the daily feed of one day lists that day, most upvoted first; a bad date is a 400', async () => {
  const { links } = await checkRss('/feeds/daily.rss?date=2024-06-03');
  const api = (await (await app.request('/api/daily_papers?date=2024-06-03')).json()) as { paper: { id: string } }[];
  assert.deepEqual(
    links,
    api.slice(0, 50).map((i) => `${BASE}/papers/${i.paper.id}`),
  );
  const bad = await app.request('/feeds/daily.rss?date=2024-02-30');
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /YYYY-MM-DD/);
});

test('items carry authors, the abstract and categories', async () => {
  const { body } = await fetchFeed('/feeds/organizations/google.atom', 'atom');
  const entry = list<Record<string, unknown>>(parser.parse(body).feed.entry).find((e) =>
    String(e.id).endsWith('/papers/2608.19880'),
  )!;
  assert.ok(entry, 'the paper is in its organization feed');
  assert.ok(list<{ name: string }>(entry.author as { name: string }[]).some((a) => a.name === 'Chengsong Huang'));
  assert.ok(text(entry.summary).length > 100);
  const rss = await fetchFeed('/feeds/organizations/google.rss', 'rss');
  assert.match(rss.body, /<dc:creator>[^<]*Chengsong Huang/);
  assert.match(rss.body, /xmlns:dc="http:\/\/purl.org\/dc\/elements\/1.1\/"/);
  const json = JSON.parse((await fetchFeed('/feeds/organizations/google.json', 'json')).body) as {
    items: { id: string; _paperboy: { authors: string[] } }[];
  };
  assert.ok(json.items.find((i) => i.id.endsWith('/2608.19880'))!._paperboy.authors.includes('Chengsong Huang'));
});

test('a paper with markup, a CDATA end and control characters in its text keeps every format valid', async () => {
  for (const format of ['rss', 'atom'] as const) {
    const { body } = await fetchFeed(`/feeds/organizations/google.${format}`, format);
    assert.equal(XMLValidator.validate(body), true);
    assert.doesNotMatch(body, /[\u0001\u0002]/);
    assert.doesNotMatch(body, /<script>/);
  }
  const rss = await checkRss('/feeds/organizations/google.rss');
  assert.ok(
    rss.titles.includes('When x < y & <b>bold</b> ]]> meets control'),
    'RSS titles are plain text, on one line',
  );
  const atom = await checkAtom('/feeds/organizations/google.atom');
  // Atom titles are HTML: the markup arrives escaped, so a reader shows it as written.
  assert.ok(atom.titles.includes('When x &lt; y &amp; &lt;b&gt;bold&lt;/b&gt; ]]&gt; meets control'));
  const json = JSON.parse((await fetchFeed('/feeds/organizations/google.json', 'json')).body) as {
    items: { title: string; content_html: string }[];
  };
  const item = json.items.find((i) => i.title.startsWith('When x'))!;
  assert.equal(item.title, 'When x < y & <b>bold</b> ]]> meets control');
  assert.match(item.content_html, /&lt;script&gt;/);
});

test('hostile search queries are escaped, or refused with a clear 400', async () => {
  const hostile = '<script>alert("x")</script> \'quotes\' "more" \r\n]]> &amp;';
  for (const format of ['rss', 'atom', 'json'] as const) {
    const path = `/feeds/search.${format}?q=${encodeURIComponent(hostile)}`;
    const { body } = await fetchFeed(path, format);
    if (format === 'json') {
      // JSON Feed titles are plain text in a JSON string: nothing to escape beyond JSON's own rules.
      assert.match(JSON.parse(body).title as string, /<script>alert\("x"\)<\/script>/);
    } else {
      assert.equal(XMLValidator.validate(body), true);
      assert.doesNotMatch(body, /<script>/);
      const title = text(format === 'rss' ? parser.parse(body).rss.channel.title : parser.parse(body).feed.title);
      assert.match(
        title,
        format === 'rss' ? /<script>alert\("x"\)<\/script> 'quotes' "more" \]\]> / : /&lt;script&gt;/,
      );
    }
  }
  const cases: [string, RegExp][] = [
    [`/feeds/search.rss?q=${'a'.repeat(10_000)}`, /longer than 1000 characters/],
    ['/feeds/search.rss?q=%01bad', /control characters/],
    ['/feeds/search.rss', /needs a query/],
    ['/feeds/search.rss?q=%20%20', /needs a query/],
    ['/feeds/search.atom?q=x&from=2026-13-01', /date/],
    ['/feeds/search.json?q=x&sort=%3Cscript%3E', /sort order/],
  ];
  for (const [path, message] of cases) {
    const response = await app.request(path);
    assert.equal(response.status, 400, path.slice(0, 80));
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await response.text(), message);
  }
});

test('search feeds follow the filters of /search and list newest first by default', async () => {
  const { body } = await fetchFeed('/feeds/search.json?q=agents&org=google', 'json');
  const feed = JSON.parse(body) as { items: { id: string; date_modified: string }[]; feed_url: string };
  assert.ok(feed.items.length > 0);
  const dates = feed.items.map((i) => i.date_modified);
  assert.deepEqual(dates, [...dates].sort().reverse());
  assert.equal(feed.feed_url, `${BASE}/feeds/search.json?q=agents&org=google`);
});

test('unknown organizations, authors, feeds and formats are 404s', async () => {
  for (const path of [
    '/feeds/organizations/no-such-org.rss',
    '/feeds/authors/Nobody%20Atall.atom',
    '/feeds/nothing.rss',
    '/feeds/daily.xml',
    '/feeds/daily',
    '/feeds/organizations/google',
  ]) {
    const response = await app.request(path);
    assert.equal(response.status, 404, path);
  }
});

test('feeds can be cached: Cache-Control, an ETag, and 304 for a reader that has the current one', async () => {
  const first = await app.request('/feeds/trending.rss');
  assert.match(first.headers.get('cache-control') ?? '', /max-age=\d+/);
  const etag = first.headers.get('etag');
  assert.ok(etag);
  const again = await app.request('/feeds/trending.rss', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  const other = await app.request('/feeds/trending.atom', { headers: { 'If-None-Match': etag } });
  assert.equal(other.status, 200);
});

test('pages link their feeds with <link rel="alternate">', async () => {
  const pages: [string, string][] = [
    ['/papers/date/2026-08-21', '/feeds/daily.rss'],
    ['/orgs/google', '/feeds/organizations/google.rss'],
    ['/authors/Chengsong%20Huang', '/feeds/authors/Chengsong%20Huang.rss'],
    ['/search?q=agents&org=google', '/feeds/search.rss?q=agents&amp;org=google'],
  ];
  for (const [page, feed] of pages) {
    const response = await app.request(page);
    assert.equal(response.status, 200, page);
    const head = (await response.text()).split('</head>')[0]!;
    for (const type of ['application/rss+xml', 'application/atom+xml', 'application/feed+json']) {
      assert.match(
        head,
        new RegExp(`<link rel="alternate" type="${type.replace('+', '\\+')}"`),
        `${page} links ${type}`,
      );
    }
    assert.ok(head.includes(`href="${feed}"`), `${page} links ${feed}`);
  }
  const hostile = await app.request(`/search?q=${encodeURIComponent('"><script>x</script>')}`);
  const head = (await hostile.text()).split('</head>')[0]!;
  assert.doesNotMatch(head, /<script>x/);
});

test('the trending feed ranks by local discussion: comment counts imported from Hugging Face weigh nothing', async () => {
  const own = memoryStore();
  const ownApp = testApp(own);
  const file = join(tempDir(), 'counts.jsonl');
  // Same day, same submission: 6 upvotes and no comments against 5 upvotes and 40 comments on Hugging Face.
  const paper = (id: string, upvotes: number, comments: number) =>
    JSON.stringify({
      arxiv_id: id,
      title: `Paper ${id}`,
      abstract: 'An abstract.',
      authors: ['Ada Lovelace'],
      published: '2026-08-20',
      upvotes,
      num_comments: comments,
      hf_date: '2026-08-21',
    });
  writeFileSync(file, `${paper('2608.90001', 5, 40)}\n${paper('2608.90002', 6, 0)}\n`);
  assert.deepEqual((await importPath(own, file)).failures, []);
  const response = await ownApp.request('/feeds/trending.json');
  assert.equal(response.status, 200);
  const feed = (await response.json()) as { items: { url: string }[] };
  assert.deepEqual(
    feed.items.map((i) => i.url),
    [`${BASE}/papers/2608.90002`, `${BASE}/papers/2608.90001`],
  );
});
