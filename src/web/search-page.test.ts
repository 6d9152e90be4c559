/** The search page, the header search box and "Similar papers": app.request() against an in-memory store. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import type { DailyEntryInput, PaperInput } from '../domain/types.ts';
import type { Embedder } from '../search/embedder.ts';
import { SearchService } from '../search/search-service.ts';
import { lexicalSearch } from '../search/lexical/lexical-search.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';

const QWEN = { name: 'Qwen', fullname: 'Qwen Team', avatar: null, externalId: null };
const FILLER = 'This sentence is about the setting and says nothing of interest to the reader at all. ';

function paper(id: string, title: string, extra: Partial<PaperInput> = {}): PaperInput {
  return {
    id,
    title,
    summary: `${title} is described here in a few words.`,
    publishedAt: '2026-07-15T09:00:00.000Z',
    authors: [{ name: 'Ada Lovelace', externalId: null, hidden: false }],
    upvotes: 1,
    numComments: 0,
    ...extra,
  };
}

const PAPERS: PaperInput[] = [
  paper('2607.00001', 'Diffusion models for video generation', {
    organization: QWEN,
    categories: ['cs.CV'],
    githubRepo: 'https://github.com/example/vdm',
    githubStars: 10,
    publishedAt: '2026-07-20T09:00:00.000Z',
    upvotes: 5,
  }),
  paper('2607.00002', 'Video diffusion with transformers', {
    categories: ['cs.LG'],
    publishedAt: '2026-06-01T09:00:00.000Z',
    upvotes: 40,
  }),
  paper('2607.00003', 'Graph neural networks for molecules', { categories: ['cs.LG'] }),
  paper('2607.00004', '<img src=x onerror=alert(1)> diffusion of hostile titles', { upvotes: 2 }),
  paper('2607.00005', 'A long survey', {
    summary: `${FILLER.repeat(8)}Here diffusion appears, and diffusion again, with latent diffusion too. ${FILLER.repeat(8)}`,
    publishedAt: '2026-07-01T09:00:00.000Z',
  }),
  paper('2607.00006', 'Sparse retrieval for question answering'),
  paper('2607.00007', 'Dense retrieval for open-domain question answering'),
];

const ENTRIES: DailyEntryInput[] = PAPERS.map((p, i) => ({
  day: '2026-07-24',
  paperId: p.id,
  position: i,
  submittedAt: '2026-07-24T08:00:00.000Z',
  submittedBy: null,
  listedPublishedAt: '2026-07-24T08:00:00.000Z',
  thumbnail: null,
  isAuthorParticipating: false,
}));

async function searchApp(embedder: Embedder | null = null): Promise<{ app: Hono; store: SqliteStore }> {
  const store = new SqliteStore(':memory:');
  await store.importBatch({ papers: PAPERS, entries: ENTRIES, replaceDays: [] });
  // Built now rather than in the background of the first search, which could outlive the store.
  await lexicalSearch(store).warmUp();
  after(() => store.close());
  const config = loadConfig({ PUBLIC_URL: 'http://paperboy.test' });
  const app = createApp({ store, config, logger: createLogger('silent'), search: new SearchService(store, embedder) });
  return { app, store };
}

const { app } = await searchApp();

async function get(path: string, on: Hono = app): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await on.request(path);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** Card links in page order (ids). */
function cardIds(body: string): string[] {
  return [...body.matchAll(/<h3 class="card-title"><a href="\/papers\/([^"]+)">/g)].map((m) => m[1]!);
}

const text = (html: string) => html.replace(/<[^>]+>/g, '');

test('every page has the header search box: a GET form to /search with a labelled q', async () => {
  for (const path of [
    '/',
    '/papers/2607.00001',
    '/orgs/Qwen',
    '/papers/date/2099-01-01',
    '/nowhere',
    '/search?q=video',
  ]) {
    const { body } = await get(path);
    assert.match(body, /<form class="site-search" action="\/search" method="get" role="search"[^>]*>/, path);
    assert.match(
      body,
      /<label class="sr-only" for="site-search-q">Search papers<\/label>\s*<input id="site-search-q" type="search" name="q"/,
      path,
    );
  }
});

test('results are the matching papers, ranked, with the matched words marked in titles and snippets', async () => {
  const { status, body } = await get('/search?q=diffusion+video');
  assert.equal(status, 200);
  const ids = cardIds(body);
  assert.deepEqual(new Set(ids), new Set(['2607.00001', '2607.00002', '2607.00004', '2607.00005']));
  assert.ok(
    ids.indexOf('2607.00001') < ids.indexOf('2607.00005'),
    'both words in the title rank above one in the abstract',
  );
  assert.ok(
    body.includes('<a href="/papers/2607.00001"><mark>Diffusion</mark> models for <mark>video</mark> generation</a>'),
  );
  assert.ok(body.includes('<a href="/papers/2607.00002"><mark>Video diffusion</mark> with transformers</a>'));
  assert.match(body, /<title>diffusion video — Search · Paperboy<\/title>/);
  assert.match(body, /<q class="search-query">diffusion video<\/q>/);
  assert.match(body, /4 papers contain these words · most relevant first/);
  // The header box keeps the query.
  assert.match(body, /<input id="site-search-q" type="search" name="q" value="diffusion video"/);
});

test('the snippet is the part of a long abstract with the matches, with ellipses', async () => {
  const { body } = await get('/search?q=diffusion');
  const snippet = /<a href="\/papers\/2607.00005">[\s\S]*?<p class="card-abstract card-snippet">([\s\S]*?)<\/p>/.exec(
    body,
  )?.[1];
  assert.ok(snippet);
  assert.ok(
    snippet.startsWith(
      '…Here <mark>diffusion</mark> appears, and <mark>diffusion</mark> again, with latent <mark>diffusion</mark> too.',
    ),
    snippet,
  );
  assert.ok(snippet.endsWith('…'));
  assert.ok(text(snippet).length <= 302);
});

test('a hostile title is escaped, also where words are marked', async () => {
  const { body } = await get('/search?q=diffusion');
  assert.ok(!body.includes('<img src=x'));
  assert.ok(body.includes('&lt;img src=x onerror=alert(1)&gt; <mark>diffusion</mark> of hostile titles'));
});

test('hostile queries never break the page or inject markup', async () => {
  const script = await get(`/search?q=${encodeURIComponent('<script>alert(1)</script>')}`);
  assert.equal(script.status, 200);
  assert.ok(!script.body.includes('<script'));
  assert.match(script.body, /<q class="search-query">&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/q>/);
  assert.ok(script.body.includes('value="&lt;script&gt;alert(1)&lt;/script&gt;"'));

  const attribute = await get(`/search?q=${encodeURIComponent('"><svg onload=alert(1)> diffusion')}`);
  assert.equal(attribute.status, 200);
  // The page's own icons are SVG; none carries an event handler.
  assert.doesNotMatch(attribute.body, /<svg[^>]*onload/);
  assert.ok(attribute.body.includes('value="&quot;&gt;&lt;svg onload=alert(1)&gt; diffusion"'));
  assert.ok(cardIds(attribute.body).includes('2607.00001'));

  const sql = await get(`/search?q=${encodeURIComponent("'; DROP TABLE papers; --")}`);
  assert.equal(sql.status, 200);
  assert.ok(sql.body.includes('&#39;; DROP TABLE papers; --'));
  assert.equal((await get('/search?q=video')).status, 200, 'the papers are still there');

  const emoji = await get(`/search?q=${encodeURIComponent('🚀🔥')}`);
  assert.equal(emoji.status, 200);
  assert.match(emoji.body, /<p class="notice notice-info" role="status">The query has no words to search for.<\/p>/);
  assert.ok(emoji.body.includes('🚀🔥'));

  const long = await get(`/search?q=${'a'.repeat(10_000)}`);
  assert.equal(long.status, 400);
  assert.match(long.body, /longer than 1000 characters/);
  assert.ok(!long.body.includes('a'.repeat(200)), 'the long query is not echoed');

  const limit = await get(`/search?q=${'diffusion '.repeat(100)}`);
  assert.equal(limit.status, 200, 'exactly 1000 characters is fine');
});

test('filters: organization, has code, dates, category; empty fields of the no-JS form mean no filter', async () => {
  assert.deepEqual(cardIds((await get('/search?q=diffusion&org=Qwen')).body), ['2607.00001']);
  assert.deepEqual(cardIds((await get('/search?q=diffusion&has_code=1')).body), ['2607.00001']);
  assert.deepEqual(cardIds((await get('/search?q=diffusion+video&category=cs.LG')).body), ['2607.00002']);
  assert.deepEqual(
    new Set(cardIds((await get('/search?q=diffusion&from=2026-06-15&to=2026-07-15')).body)),
    new Set(['2607.00004', '2607.00005']),
  );
  const all = await get('/search?q=diffusion&from=&to=&org=&category=&sort=relevance');
  assert.equal(all.status, 200);
  assert.equal(cardIds(all.body).length, 4);
  // The form shows the filters in force, and the header box carries them along to the next query.
  const filtered = await get('/search?q=diffusion&org=Qwen&has_code=1&from=2026-01-01');
  assert.match(filtered.body, /<input id="filter-org" type="text" name="org" value="Qwen"/);
  assert.match(filtered.body, /<input id="filter-code" type="checkbox" name="has_code" value="1" checked>/);
  assert.match(filtered.body, /<input id="filter-from" type="date" name="from" value="2026-01-01">/);
  assert.match(
    filtered.body,
    /<form class="site-search"[\s\S]*?<input type="hidden" name="org" value="Qwen">[\s\S]*?<\/form>/,
  );
  assert.match(filtered.body, /<a class="filter-clear" href="\/search\?q=diffusion">Clear filters<\/a>/);
});

test('sorting by date and by upvotes', async () => {
  assert.deepEqual(cardIds((await get('/search?q=diffusion+video&sort=date')).body), [
    '2607.00001',
    '2607.00004',
    '2607.00005',
    '2607.00002',
  ]);
  assert.deepEqual(cardIds((await get('/search?q=diffusion+video&sort=upvotes')).body)[0], '2607.00002');
  assert.match(
    (await get('/search?q=video&sort=upvotes')).body,
    /<option value="upvotes" selected>Most upvoted<\/option>/,
  );
});

test('paging: previous / next links keep the query and filters; past the end is a 404', async () => {
  const first = await get('/search?q=diffusion&limit=2');
  assert.equal(cardIds(first.body).length, 2);
  assert.match(first.body, /4 papers contain these words · showing 1–2/);
  assert.match(first.body, /rel="next" href="\/search\?q=diffusion&amp;limit=2&amp;p=2">Next page/);
  const second = await get('/search?q=diffusion&limit=2&p=2');
  assert.equal(second.status, 200);
  assert.match(second.body, /rel="prev" href="\/search\?q=diffusion&amp;limit=2">← Previous page/);
  assert.match(second.body, /<ol class="card-grid" start="3">/);
  assert.deepEqual(new Set([...cardIds(first.body), ...cardIds(second.body)]).size, 4);
  assert.equal((await get('/search?q=diffusion&limit=2&p=3')).status, 404);
});

test('bad parameters are a 400 page that says what is wrong', async () => {
  for (const [query, message] of [
    ['q=x&from=2026-13-01', 'The “from” date must be a real YYYY-MM-DD.'],
    ['q=x&from=2026-07-02&to=2026-07-01', 'The “from” date is after the “to” date.'],
    ['q=x&sort=best', 'The sort order must be relevance, date or upvotes.'],
    ['q=x&category=%3Cb%3E', 'The arXiv category must look like cs.CL.'],
    ['q=x&p=0', 'The page number (p) must be a whole number from 1.'],
    ['q=x&p=abc', 'The page number (p) must be a whole number from 1.'],
    ['q=x&limit=500', 'The number of results per page (limit) must be between 1 and 50.'],
    ['q=x&has_code=maybe', 'The “has code” filter must be 1 or 0.'],
  ] as const) {
    const { status, body } = await get(`/search?${query}`);
    assert.equal(status, 400, query);
    assert.ok(body.includes(message), `${query}: ${message}`);
    assert.ok(!body.includes('<b>'));
    assert.match(body, /<form class="site-search"/, 'the 400 page can search again');
  }
});

test('an empty result helps: spelling, fewer words one at a time, removing filters, the feed', async () => {
  const { status, body } = await get('/search?q=zzyzx+quux');
  assert.equal(status, 200);
  assert.match(body, /No papers match “zzyzx quux”/);
  assert.match(body, /Check the spelling/);
  assert.match(
    body,
    /One word at a time: <a href="\/search\?q=zzyzx">zzyzx<\/a>, <a href="\/search\?q=quux">quux<\/a>/,
  );
  assert.match(body, /<a href="\/papers">the latest Daily Papers<\/a>/);
  assert.ok(!body.includes('search all papers for these words'));

  const filtered = await get('/search?q=molecules&org=Qwen');
  assert.match(filtered.body, /No papers match/);
  assert.match(filtered.body, /<a href="\/search\?q=molecules">search all papers for these words<\/a>/);
});

test('/search without a query shows how to search; /papers?q= goes to /search with the same query', async () => {
  const start = await get('/search');
  assert.equal(start.status, 200);
  assert.match(start.body, /<h1 class="search-title">Search papers<\/h1>/);
  assert.match(start.body, /<form class="search-start" action="\/search" method="get" role="search"/);
  assert.equal((await get('/search?q=%20%20')).status, 200);

  const redirect = await app.request('/papers?q=video%20diffusion&sort=date');
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get('location'), '/search?q=video%20diffusion&sort=date');
});

test('similar papers without an embedder: a lexical "more like this", without the paper itself', async () => {
  const { body } = await get('/papers/2607.00006');
  const section = /<section class="similar"[\s\S]*?<\/section>/.exec(body)?.[0];
  assert.ok(section, 'the section is there');
  assert.match(section, /<h2 id="similar-heading" class="section-heading">Similar papers<\/h2>/);
  const ids = cardIds(section);
  assert.equal(ids[0], '2607.00007', 'the other retrieval paper first');
  assert.ok(!ids.includes('2607.00006'), 'not the paper itself');
  assert.ok(ids.length <= 5);
});

/** Vectors by hand: papers about the same topic point the same way. */
const TOPICS: Record<string, number[]> = {
  '2607.00001': [1, 0.1, 0],
  '2607.00002': [1, 0.2, 0],
  '2607.00004': [0.9, 0, 0.3],
  '2607.00005': [0.8, 0.1, 0.1],
  '2607.00003': [0, 1, 0],
  '2607.00006': [0, 0, 1],
  '2607.00007': [0.1, 0, 1],
};
const unit = (v: number[]) => {
  const norm = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / norm);
};
const fakeEmbedder: Embedder = {
  id: 'test-topics/1',
  dimensions: 3,
  embedDocuments: async (texts) => texts.map(() => unit([1, 1, 1])),
  embedQuery: async () => unit([1, 1, 1]),
};

test('similar papers with an embedder: nearest by the stored vectors, at most 5, without the paper itself', async () => {
  const withVectors = await searchApp(fakeEmbedder);
  await withVectors.store.putVectors(
    fakeEmbedder.id,
    3,
    Object.entries(TOPICS).map(([id, v]) => ({ id, vector: unit(v) })),
  );
  const { body } = await get('/papers/2607.00001', withVectors.app);
  const ids = cardIds(/<section class="similar"[\s\S]*?<\/section>/.exec(body)?.[0] ?? '');
  assert.deepEqual(ids.slice(0, 3), ['2607.00002', '2607.00005', '2607.00004']);
  assert.ok(!ids.includes('2607.00001'));
  assert.equal(ids.length, 5);
  // A paper without a vector falls back to words.
  await withVectors.store.importBatch({
    papers: [paper('2607.00008', 'Dense retrieval again')],
    entries: [],
    replaceDays: [],
  });
  const fallback = await get('/papers/2607.00008', withVectors.app);
  assert.equal(cardIds(/<section class="similar"[\s\S]*?<\/section>/.exec(fallback.body)?.[0] ?? '')[0], '2607.00007');
  // Words no paper has: the nearest papers by meaning, said so.
  const byMeaning = await get('/search?q=zzyzx', withVectors.app);
  assert.ok(cardIds(byMeaning.body).length > 0);
  assert.match(
    byMeaning.body,
    /<p class="notice notice-info" role="status">No paper contains these words; these papers are the closest in meaning.<\/p>/,
  );
  const byWords = await get('/search?q=retrieval', withVectors.app);
  assert.ok(!byWords.body.includes('closest in meaning'));
});
