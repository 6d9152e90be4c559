/** Page tests: app.request() against an in-memory store holding a few hand-made papers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import type { DailyEntryInput, PaperInput } from '../domain/types.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';

const QWEN = {
  name: 'Qwen',
  fullname: 'Qwen Team',
  avatar: 'https://cdn-avatars.huggingface.co/qwen.png',
  externalId: null,
};

function paper(id: string, title: string, upvotes: number, extra: Partial<PaperInput> = {}): PaperInput {
  return {
    id,
    title,
    summary: `Abstract of ${title}. `.repeat(3).trim(),
    publishedAt: '2026-07-15T09:00:00.000Z',
    authors: [{ name: 'Ada Lovelace', externalId: null, hidden: false }],
    upvotes,
    numComments: 2,
    ...extra,
  };
}

function entry(day: string, paperId: string, position: number): DailyEntryInput {
  return {
    day,
    paperId,
    position,
    submittedAt: `${day}T08:00:00.000Z`,
    submittedBy: null,
    listedPublishedAt: `${day}T08:00:00.000Z`,
    thumbnail: null,
    isAuthorParticipating: false,
  };
}

const LONG_ABSTRACT = `${'We study a long problem with many words in it. '.repeat(20)}The very last sentence ends here.`;

const PAPERS: PaperInput[] = [
  paper('2607.00001', 'Alpha: a paper from Qwen', 5, { organization: QWEN, publishedAt: '2026-07-23T10:00:00.000Z' }),
  paper('2607.00002', '<script>alert(1)</script>', 50, {
    authors: [
      { name: 'Ada Lovelace', externalId: null, hidden: false },
      { name: 'Alan/Turing', externalId: null, hidden: false },
    ],
  }),
  paper('2607.00003', 'Gamma: withdrawn but popular', 20, {
    summary: LONG_ABSTRACT,
    organization: QWEN,
    publishedAt: '2026-07-20T10:00:00.000Z',
    githubRepo: 'https://github.com/example/gamma',
    githubStars: 1234,
    projectPage: 'https://gamma.example.org/',
    aiSummary: 'Gamma does things, summarized by a model.',
    aiKeywords: ['alignment', 'scaling laws'],
    withdrawn: true,
    numComments: 7,
  }),
  paper('2607.00004', 'Delta on Tuesday', 7, { projectPage: 'javascript:alert(1)' }),
  paper('hep-th/9901001', 'Old-style string theory', 3, { publishedAt: '1999-01-01T00:00:00.000Z' }),
  paper('2606.00001', 'Zeta in June', 1),
];

const ENTRIES: DailyEntryInput[] = [
  entry('2026-06-30', '2606.00001', 0),
  entry('2026-07-20', 'hep-th/9901001', 0),
  entry('2026-07-21', '2607.00004', 0),
  entry('2026-07-21', '2607.00003', 1),
  entry('2026-07-24', '2607.00001', 0),
  entry('2026-07-24', '2607.00002', 1),
  entry('2026-07-24', '2607.00003', 2),
];

/** 55 papers in May 2026: more than one page of a month. */
function mayPapers(): { papers: PaperInput[]; entries: DailyEntryInput[] } {
  const papers: PaperInput[] = [];
  const entries: DailyEntryInput[] = [];
  for (let i = 0; i < 55; i++) {
    const id = `2605.${String(10000 + i)}`;
    papers.push(paper(id, `May paper number ${i}`, 100 + i));
    entries.push(entry(`2026-05-${String(4 + (i % 5)).padStart(2, '0')}`, id, i));
  }
  return { papers, entries };
}

async function pagesApp(options: { empty?: boolean } = {}): Promise<{ app: Hono; store: SqliteStore }> {
  const store = new SqliteStore(':memory:');
  if (!options.empty) {
    const may = mayPapers();
    await store.importBatch({
      papers: [...PAPERS, ...may.papers],
      entries: [...ENTRIES, ...may.entries],
      replaceDays: [],
    });
  }
  const app = createApp({
    store,
    config: loadConfig({ PUBLIC_URL: 'http://paperboy.test' }),
    logger: createLogger('silent'),
  });
  return { app, store };
}

async function get(app: Hono, path: string): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await app.request(path);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** Titles of the cards, in page order. */
function cardTitles(body: string): string[] {
  return [...body.matchAll(/<h3 class="card-title"><a href="[^"]*">([^<]*)<\/a><\/h3>/g)].map((m) => m[1]!);
}

function relLink(body: string, rel: 'prev' | 'next'): string | null {
  return new RegExp(`rel="${rel}" href="([^"]*)"`).exec(body)?.[1] ?? null;
}

const { app } = await pagesApp();

test('the home page shows the latest day, cards ranked by upvotes, titles escaped', async () => {
  for (const path of ['/', '/papers']) {
    const { status, body, headers } = await get(app, path);
    assert.equal(status, 200);
    assert.match(headers.get('content-type') ?? '', /^text\/html/);
    assert.match(body, /<h2 id="period-heading">Jul 24, 2026<\/h2>/);
    assert.deepEqual(cardTitles(body), [
      '&lt;script&gt;alert(1)&lt;/script&gt;',
      'Gamma: withdrawn but popular',
      'Alpha: a paper from Qwen',
    ]);
    assert.ok(!body.includes('<script>alert(1)</script>'), 'the title must be escaped');
    assert.ok(!body.includes('<script'), 'the pages need no script at all');
  }
});

test('every page has the frame: language, viewport, title, landmarks, home link, nav, footer', async () => {
  const { body } = await get(app, '/papers/date/2026-07-24');
  assert.match(body, /<html lang="en">/);
  assert.match(body, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  assert.match(body, /<title>Daily Papers — Jul 24, 2026 · Paperboy<\/title>/);
  assert.match(body, /<a class="brand" href="\/">.*Paperboy<\/a>/);
  assert.match(
    body,
    /<nav class="site-nav" aria-label="Main">[\s\S]*<a href="\/papers" aria-current="page">Daily Papers<\/a>/,
  );
  assert.match(body, /<main id="main"/);
  assert.match(body, /<footer class="site-footer">/);
  assert.match(body, /<h1>Daily Papers<\/h1>\s*<p class="subtitle">by the research community<\/p>/);
});

test('a card shows the organization with its avatar, or the number of authors, date, votes, comments, stars', async () => {
  const { body } = await get(app, '/papers/date/2026-07-24');
  // The avatar is not in the instance's image cache: initials, and never the remote address (src/images/).
  assert.match(
    body,
    /<a class="card-org" href="\/orgs\/Qwen"[^>]*><span class="avatar avatar-sm"><span class="avatar-initials" aria-hidden="true">QT<\/span>/,
  );
  assert.doesNotMatch(body, /cdn-avatars/);
  assert.match(body, /<span class="card-authors">2 authors<\/span>/);
  assert.match(body, /<time datetime="2026-07-23">Jul 23, 2026<\/time>/);
  assert.match(body, /<span class="vote-count">50<\/span>/);
  // Imported comments are Hugging Face's, said so and linked there; no local discussion, so no local count.
  assert.match(
    body,
    /<a class="stat stat-hf" href="https:\/\/huggingface\.co\/papers\/2607\.00003" title="7 comments on Hugging Face">/,
  );
  assert.match(body, /7 on Hugging Face/);
  assert.doesNotMatch(body, /<span class="stat" title="\d+ comments?"/);
  assert.match(body, /title="1,234 GitHub stars"/);
  assert.match(body, /<p class="badge badge-warning card-badge">Withdrawn<\/p>/);
  // The long abstract is cut on a word boundary; the full text is on the paper page.
  assert.ok(!body.includes('The very last sentence ends here.'));
  assert.match(body, /We study a long…<\/p>/);
});

test('day pages step over days without papers, and have Daily / Weekly / Monthly tabs', async () => {
  const last = await get(app, '/papers/date/2026-07-24');
  assert.equal(relLink(last.body, 'prev'), '/papers/date/2026-07-21');
  assert.equal(relLink(last.body, 'next'), null);
  assert.match(last.body, /<a class="tab" href="\/papers\/date\/2026-07-24" aria-current="page">Daily<\/a>/);
  assert.match(last.body, /<a class="tab" href="\/papers\/week\/2026-W30">Weekly<\/a>/);
  assert.match(last.body, /<a class="tab" href="\/papers\/month\/2026-07">Monthly<\/a>/);

  const middle = await get(app, '/papers/date/2026-07-21');
  assert.equal(relLink(middle.body, 'prev'), '/papers/date/2026-07-20');
  assert.equal(relLink(middle.body, 'next'), '/papers/date/2026-07-24');
  assert.deepEqual(cardTitles(middle.body), ['Gamma: withdrawn but popular', 'Delta on Tuesday']);

  const empty = await get(app, '/papers/date/2026-07-22');
  assert.equal(empty.status, 200);
  assert.match(empty.body, /No papers on this day/);
  assert.equal(relLink(empty.body, 'prev'), '/papers/date/2026-07-21');
  assert.equal(relLink(empty.body, 'next'), '/papers/date/2026-07-24');
});

test('the date picker works without JS: /papers?date=D redirects to the day page', async () => {
  const { body } = await get(app, '/papers/date/2026-07-24');
  assert.match(
    body,
    /<form class="date-picker" action="\/papers" method="get">[\s\S]*<input id="date-picker-input" type="date" name="date" value="2026-07-24"/,
  );
  const response = await app.request('/papers?date=2026-07-21');
  assert.equal(response.status, 302);
  assert.equal(response.headers.get('location'), '/papers/date/2026-07-21');
  const bad = await get(app, '/papers?date=2025-13-40');
  assert.equal(bad.status, 400);
});

test('week pages list each paper once, ranked, with previous / next weeks', async () => {
  const { status, body } = await get(app, '/papers/week/2026-W30');
  assert.equal(status, 200);
  assert.match(body, /<h2 id="period-heading">Week 30, 2026<\/h2>/);
  assert.match(body, /Jul 20 – Jul 26, 2026 · 5 papers/);
  assert.deepEqual(cardTitles(body), [
    '&lt;script&gt;alert(1)&lt;/script&gt;',
    'Gamma: withdrawn but popular',
    'Delta on Tuesday',
    'Alpha: a paper from Qwen',
    'Old-style string theory',
  ]);
  assert.match(body, /<a class="tab" href="\/papers\/week\/2026-W30" aria-current="page">Weekly<\/a>/);
  assert.match(body, /<a class="tab" href="\/papers\/date\/2026-07-24">Daily<\/a>/);
  assert.equal(relLink(body, 'prev'), '/papers/week/2026-W29');
  assert.equal(relLink(body, 'next'), null);
});

test('month pages, and paging with ?p= past 50 papers', async () => {
  const july = await get(app, '/papers/month/2026-07');
  assert.match(july.body, /<h2 id="period-heading">July 2026<\/h2>/);
  assert.equal(relLink(july.body, 'prev'), '/papers/month/2026-06');
  assert.equal(cardTitles(july.body).length, 5);

  const may = await get(app, '/papers/month/2026-05');
  assert.equal(may.status, 200);
  const first = cardTitles(may.body);
  assert.equal(first.length, 50);
  assert.equal(first[0], 'May paper number 54');
  assert.match(may.body, /Page 1 of 2/);
  assert.match(may.body, /rel="next" href="\/papers\/month\/2026-05\?p=2">Next page/);

  const second = await get(app, '/papers/month/2026-05?p=2');
  assert.deepEqual(cardTitles(second.body), [
    'May paper number 4',
    'May paper number 3',
    'May paper number 2',
    'May paper number 1',
    'May paper number 0',
  ]);
  assert.match(second.body, /<ol class="card-grid" start="51">/);
  assert.match(second.body, /rel="prev" href="\/papers\/month\/2026-05">← Previous page/);

  assert.equal((await get(app, '/papers/month/2026-05?p=3')).status, 404);
  assert.equal((await get(app, '/papers/month/2026-05?p=0')).status, 400);
  assert.equal((await get(app, '/papers/month/2026-05?p=abc')).status, 400);
});

test('bad dates, weeks and months are a 400 page that says what is expected', async () => {
  for (const [path, hint] of [
    ['/papers/date/2025-13-40', '2026-07-24'],
    ['/papers/date/2025-02-29', '2026-07-24'],
    ['/papers/date/yesterday', '2026-07-24'],
    ['/papers/week/2026-W60', '2026-W30'],
    ['/papers/week/2026-30', '2026-W30'],
    ['/papers/month/2026-13', '2026-07'],
    ['/papers/month/%3Cb%3E', '2026-07'],
  ] as const) {
    const { status, body } = await get(app, path);
    assert.equal(status, 400, path);
    assert.match(body, /<html lang="en">/);
    assert.ok(body.includes(hint), `${path} explains the format`);
    assert.ok(!body.includes('<b>'), 'the bad input is escaped');
  }
});

test('the paper page shows everything known about the paper', async () => {
  const { status, body } = await get(app, '/papers/2607.00003');
  assert.equal(status, 200);
  assert.match(body, /<title>Gamma: withdrawn but popular · Paperboy<\/title>/);
  assert.match(body, /<h1 class="paper-title">Gamma: withdrawn but popular<\/h1>/);
  assert.ok(body.includes('The very last sentence ends here.'), 'full abstract');
  assert.match(body, /<a href="\/authors\/Ada%20Lovelace">Ada Lovelace<\/a>/);
  assert.match(body, /<a href="\/orgs\/Qwen">.*Qwen Team/);
  assert.match(body, /href="https:\/\/arxiv.org\/abs\/2607.00003"/);
  assert.match(body, /href="https:\/\/arxiv.org\/pdf\/2607.00003"/);
  assert.match(body, /href="https:\/\/github.com\/example\/gamma"/);
  assert.match(body, /example\/gamma<\/span>/);
  assert.match(body, /1,234<span class="sr-only"> stars/);
  assert.match(body, /href="https:\/\/gamma.example.org\/"/);
  assert.match(body, /Gamma does things, summarized by a model./);
  assert.match(body, /<li class="chip">scaling laws<\/li>/);
  assert.match(body, /<span class="vote-count">20<\/span>/);
  // The 7 imported comments are Hugging Face's: said so and linked; no local discussion line.
  assert.match(
    body,
    /href="https:\/\/huggingface\.co\/papers\/2607\.00003" title="7 comments on Hugging Face">7 comments on Hugging Face<\/a>/,
  );
  assert.doesNotMatch(body, /<a href="#discussion">/);
  assert.match(body, /<a href="\/papers\/date\/2026-07-21"><time datetime="2026-07-21">Jul 21, 2026<\/time><\/a>/);
  assert.match(body, /<a href="\/papers\/date\/2026-07-24"><time datetime="2026-07-24">Jul 24, 2026<\/time><\/a>/);
  assert.match(body, /<span class="badge badge-warning">Withdrawn<\/span>/);
  assert.match(body, /<link rel="canonical" href="http:\/\/paperboy.test\/papers\/2607.00003">/);
  assert.match(body, /<a href="\/papers" aria-current="true">Daily Papers<\/a>/);
});

test('author names with a slash are encoded in links and found again', async () => {
  const paper = await get(app, '/papers/2607.00002');
  assert.match(paper.body, /<a href="\/authors\/Alan%2FTuring">Alan\/Turing<\/a>/);
  const author = await get(app, '/authors/Alan%2FTuring');
  assert.equal(author.status, 200);
  assert.match(author.body, /<h1>Alan\/Turing<\/h1>/);
});

test('links from imported data are only http(s)', async () => {
  const { body } = await get(app, '/papers/2607.00004');
  assert.ok(!body.includes('javascript:'));
  assert.ok(!body.includes('Project page'));
});

test('old-style arXiv ids have their own address with one slash', async () => {
  const { status, body } = await get(app, '/papers/hep-th/9901001');
  assert.equal(status, 200);
  assert.match(body, /<h1 class="paper-title">Old-style string theory<\/h1>/);
  assert.match(body, /href="https:\/\/arxiv.org\/abs\/hep-th\/9901001"/);
  const day = await get(app, '/papers/date/2026-07-20');
  assert.match(day.body, /<a href="\/papers\/hep-th\/9901001">Old-style string theory<\/a>/);
});

test('unknown and malformed paper ids are 404 pages; versions redirect to the paper', async () => {
  for (const path of ['/papers/2607.99999', '/papers/not-an-id', '/papers/hep-th/123', '/papers/a/b', '/papers/date']) {
    const { status, body } = await get(app, path);
    assert.equal(status, 404, path);
    assert.match(body, /<html lang="en">/);
  }
  const versioned = await app.request('/papers/2607.00003v2');
  assert.equal(versioned.status, 301);
  assert.equal(versioned.headers.get('location'), '/papers/2607.00003');
});

test('organization pages: avatar, name, totals, papers newest first', async () => {
  const { status, body } = await get(app, '/orgs/Qwen');
  assert.equal(status, 200);
  assert.match(body, /<h1>Qwen Team<\/h1>/);
  assert.match(body, /<span class="avatar avatar-lg"><span class="avatar-initials" aria-hidden="true">QT<\/span>/);
  assert.doesNotMatch(body, /cdn-avatars/);
  assert.match(body, /<dt>Papers<\/dt><dd>2<\/dd>/);
  assert.match(body, /<dt>Upvotes<\/dt><dd>25<\/dd>/);
  assert.deepEqual(cardTitles(body), ['Alpha: a paper from Qwen', 'Gamma: withdrawn but popular']);
  assert.equal((await get(app, '/orgs/nobody')).status, 404);
  assert.equal((await get(app, '/orgs/Qwen?p=2')).status, 404);
});

test('author pages: papers newest first with totals', async () => {
  const { status, body } = await get(app, '/authors/Ada%20Lovelace');
  assert.equal(status, 200);
  assert.match(body, /<h1>Ada Lovelace<\/h1>/);
  assert.match(body, /<dt>Papers<\/dt><dd>61<\/dd>/);
  assert.equal(cardTitles(body).length, 50);
  assert.match(body, /Page 1 of 2/);
  assert.equal((await get(app, '/authors/Nobody')).status, 404);
});

test('the stylesheet is served from memory under a content hash, cached for a year', async () => {
  const { body } = await get(app, '/');
  const href = /<link rel="stylesheet" href="(\/static\/style\.[0-9a-f]{10}\.css)">/.exec(body)?.[1];
  assert.ok(href);
  const css = await app.request(href);
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
  assert.equal(css.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.match(await css.text(), /prefers-color-scheme: dark/);
  assert.equal((await app.request('/static/style.0000000000.css')).status, 404);
});

test('an instance without papers explains how to import some', async () => {
  const empty = await pagesApp({ empty: true });
  const { status, body } = await get(empty.app, '/');
  assert.equal(status, 200);
  assert.match(body, /paperboy import PATH/);
});
