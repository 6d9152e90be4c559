/** The JSON API against real recorded Daily Papers days: same papers, same order, same shapes. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPath } from '../src/ingest/import-files.ts';
import { DAY_FIXTURES, memoryStore, testApp } from './helpers.ts';

interface RecordedItem {
  paper: {
    id: string;
    title: string;
    upvotes: number;
    authors: { _id: string; name: string }[];
    submittedOnDailyAt: string;
  };
  title: string;
  numComments: number;
  submittedBy?: { name: string } | null;
  organization?: { name: string };
  isAuthorParticipating: boolean;
}

const DAYS = ['2024-06-03', '2025-06-02', '2026-08-21'];
const recorded = (day: string): RecordedItem[] => JSON.parse(readFileSync(join(DAY_FIXTURES, `${day}.json`), 'utf8'));

const store = memoryStore();
const METRICS_TOKEN = 'metrics-token-for-the-tests';
const app = testApp(store, { METRICS_TOKEN });
const get = (path: string) => app.request(path);
const json = async <T>(path: string): Promise<T> => {
  const response = await get(path);
  assert.equal(response.status, 200, `${path} -> ${response.status}`);
  return response.json() as Promise<T>;
};

before(async () => {
  const summary = await importPath(store, DAY_FIXTURES);
  assert.deepEqual(summary.failures, []);
});

for (const day of DAYS) {
  test(`GET /api/daily_papers?date=${day} returns the recorded papers in the recorded order`, async () => {
    const want = recorded(day);
    const got = await json<RecordedItem[]>(`/api/daily_papers?date=${day}`);
    assert.deepEqual(
      got.map((i) => i.paper.id),
      want.map((i) => i.paper.id),
    );
    // Titles are stored with arXiv's line breaks folded into one space ("Models with\n  Autoregressive").
    const folded = (title: string) => title.replace(/\s+/g, ' ').trim();
    assert.deepEqual(
      got.map((i) => i.paper.title),
      want.map((i) => folded(i.paper.title)),
    );
    assert.deepEqual(
      got.map((i) => i.title),
      want.map((i) => folded(i.title)),
    );
    assert.deepEqual(
      got.map((i) => i.paper.upvotes),
      want.map((i) => i.paper.upvotes),
    );
    assert.deepEqual(
      got.map((i) => i.numComments),
      want.map((i) => i.numComments),
    );
    assert.deepEqual(
      got.map((i) => i.submittedBy?.name),
      want.map((i) => i.submittedBy?.name),
    );
    assert.deepEqual(
      got.map((i) => i.organization?.name),
      want.map((i) => i.organization?.name),
    );
    // Old days were recorded without submittedOnDailyAt: the day of the file stands in for it.
    assert.deepEqual(
      got.map((i) => i.paper.submittedOnDailyAt),
      want.map((i) => i.paper.submittedOnDailyAt ?? `${day}T00:00:00.000Z`),
    );
    assert.deepEqual(
      got.map((i) => i.paper.authors.map((a) => [a._id, a.name])),
      want.map((i) => i.paper.authors.map((a) => [a._id, a.name])),
    );
  });
}

test('items follow the client rules: datetimes end in Z, authors are objects, fields at the top level', async () => {
  const items = await json<Record<string, unknown>[]>('/api/daily_papers?date=2026-08-21');
  const isoZ = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
  for (const item of items) {
    const paper = item.paper as Record<string, unknown>;
    for (const key of [
      'title',
      'numComments',
      'submittedBy',
      'publishedAt',
      'summary',
      'thumbnail',
      'isAuthorParticipating',
    ]) {
      assert.ok(key in item, `item has ${key}`);
    }
    for (const key of ['id', 'authors', 'publishedAt', 'summary', 'upvotes', 'discussionId'])
      assert.ok(key in paper, `paper has ${key}`);
    assert.match(String(item.publishedAt), isoZ);
    assert.match(String(paper.publishedAt), isoZ);
    assert.match(String(paper.submittedOnDailyAt), isoZ);
    assert.equal(typeof paper.upvotes, 'number');
    for (const author of paper.authors as unknown[]) assert.equal(typeof author, 'object');
    if (paper.ai_summary !== undefined) assert.equal(item.ai_summary, paper.ai_summary);
    if (paper.githubRepo !== undefined) assert.equal(item.githubRepo, paper.githubRepo);
  }
});

test('limit, p, week, month and submitter are honoured', async () => {
  const all = recorded('2026-08-21');
  const two = await json<RecordedItem[]>('/api/daily_papers?date=2026-08-21&limit=2');
  assert.deepEqual(
    two.map((i) => i.paper.id),
    all.slice(0, 2).map((i) => i.paper.id),
  );
  const page1 = await json<RecordedItem[]>('/api/daily_papers?date=2026-08-21&limit=2&p=1');
  assert.deepEqual(
    page1.map((i) => i.paper.id),
    all.slice(2, 4).map((i) => i.paper.id),
  );
  assert.deepEqual(await json('/api/daily_papers?date=2026-08-21&p=99'), []);
  const week = await json<RecordedItem[]>('/api/daily_papers?week=2026-W34');
  assert.equal(week.length, all.length);
  const month = await json<RecordedItem[]>('/api/daily_papers?month=2025-06');
  assert.equal(month.length, recorded('2025-06-02').length);
  assert.deepEqual(await json('/api/daily_papers?month=2025-07'), []);
  const submitter = all[0]!.submittedBy!.name;
  const bySubmitter = await json<RecordedItem[]>(
    `/api/daily_papers?date=2026-08-21&submitter=${encodeURIComponent(submitter)}`,
  );
  assert.ok(bySubmitter.length > 0);
  assert.ok(bySubmitter.every((i) => i.submittedBy?.name === submitter));
  assert.equal(bySubmitter.length, all.filter((i) => i.submittedBy?.name === submitter).length);
  const latest = await json<{ paper: { submittedOnDailyAt: string } }[]>('/api/daily_papers?limit=100');
  assert.equal(
    latest.length,
    DAYS.reduce((n, d) => n + recorded(d).length, 0),
  );
  assert.equal(
    latest[0]!.paper.submittedOnDailyAt.slice(0, 10) >= latest.at(-1)!.paper.submittedOnDailyAt.slice(0, 10),
    true,
  );
});

test('sort=publishedAt orders by publication, newest first; sort=trending returns the same set', async () => {
  const byDate = await json<{ paper: { publishedAt: string; id: string } }[]>(
    '/api/daily_papers?date=2026-08-21&sort=publishedAt',
  );
  const dates = byDate.map((i) => i.paper.publishedAt);
  assert.deepEqual(dates, [...dates].sort().reverse());
  const trending = await json<{ paper: { id: string } }[]>('/api/daily_papers?date=2026-08-21&sort=trending');
  assert.deepEqual(trending.map((i) => i.paper.id).sort(), byDate.map((i) => i.paper.id).sort());
});

test('bad parameters give 400 JSON with a message', async () => {
  for (const query of [
    'date=2025-13-40',
    'date=yesterday',
    'week=2026-W60',
    'month=2026-13',
    'limit=0',
    'limit=101',
    'limit=abc',
    'p=-1',
    'sort=votes',
    'date=2026-08-21&week=2026-W34',
    `submitter=${'x'.repeat(500)}`,
    'date=%3Cscript%3E',
  ]) {
    const response = await get(`/api/daily_papers?${query}`);
    assert.equal(response.status, 400, query);
    const body = (await response.json()) as { error: string };
    assert.equal(typeof body.error, 'string');
    assert.ok(body.error.length > 0);
    assert.equal(response.headers.get('x-error-message'), body.error);
    assert.doesNotMatch(body.error, /<script>/);
  }
});

test('GET /api/papers/:id is the flat paper; unknown ids are 404 JSON', async () => {
  const want = recorded('2026-08-21')[0]!;
  const paper = await json<Record<string, unknown>>(`/api/papers/${want.paper.id}`);
  assert.equal(paper.id, want.paper.id);
  assert.equal(paper.title, want.paper.title);
  assert.equal(paper.numComments, want.numComments);
  assert.equal(paper.upvotes, want.paper.upvotes);
  assert.equal('paper' in paper, false);
  assert.equal((await json<Record<string, unknown>>(`/api/papers/${want.paper.id}v2`)).id, want.paper.id);
  for (const id of ['2101.00001', 'nonsense', '..%2F..%2Fetc%2Fpasswd', 'hep-th/9901001']) {
    const response = await get(`/api/papers/${id}`);
    assert.equal(response.status, 404, id);
    assert.match(((await response.json()) as { error: string }).error, /Paper not found/);
  }
});

test('GET /api/papers pages through every paper exactly once by cursor', async () => {
  const seen: string[] = [];
  let path: string | null = '/api/papers';
  while (path) {
    const response = await get(path);
    assert.equal(response.status, 200);
    seen.push(...((await response.json()) as { id: string }[]).map((p) => p.id));
    const link = response.headers.get('link');
    path = link ? new URL(/<([^>]+)>/.exec(link)![1]!).pathname + new URL(/<([^>]+)>/.exec(link)![1]!).search : null;
  }
  assert.equal(seen.length, (await store.stats()).papers);
  assert.equal(new Set(seen).size, seen.length);
  assert.equal((await get('/api/papers?cursor=garbage')).status, 400);
});

test('GET /api/papers honours limit (1..100), the next page keeps it; a bad limit is 400 JSON', async () => {
  const first = await get('/api/papers?limit=3');
  assert.equal(first.status, 200);
  const three = (await first.json()) as { id: string }[];
  assert.equal(three.length, 3);
  const next = new URL(/<([^>]+)>/.exec(first.headers.get('link') ?? '')![1]!);
  assert.equal(next.searchParams.get('limit'), '3');
  const second = (await (await get(next.pathname + next.search)).json()) as { id: string }[];
  assert.equal(second.length, 3);
  const six = (await (await get('/api/papers?limit=6')).json()) as { id: string }[];
  assert.deepEqual(
    [...three, ...second].map((p) => p.id),
    six.map((p) => p.id),
  );
  // The recorded days hold fewer than 50 papers: one page of the default size, or of 100, holds them all.
  const total = (await store.stats()).papers;
  for (const path of ['/api/papers?limit=100', '/api/papers']) {
    const all = await get(path);
    assert.equal(((await all.json()) as unknown[]).length, total, path);
    assert.equal(all.headers.get('link'), null, path);
  }
  for (const limit of ['0', '101', 'abc', '-1', '2.5']) {
    const response = await get(`/api/papers?limit=${limit}`);
    assert.equal(response.status, 400, limit);
    assert.match(((await response.json()) as { error: string }).error, /limit/);
  }
});

test('GET /papers/:id.md is the paper as Markdown', async () => {
  const want = recorded('2026-08-21')[0]!;
  const response = await get(`/papers/${want.paper.id}.md`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/markdown/);
  const text = await response.text();
  assert.ok(text.startsWith(`# ${want.paper.title}`));
  assert.match(text, new RegExp(`https://arxiv.org/abs/${want.paper.id.replace('.', '\\.')}`));
  assert.match(text, /## Abstract/);
  assert.ok(text.includes(want.paper.authors[0]!.name));
  assert.equal((await get('/papers/2101.00001.md')).status, 404);
});

test('the OpenAPI document describes the endpoints', async () => {
  const doc = await json<{ openapi: string; paths: Record<string, unknown> }>('/api/openapi.json');
  assert.equal(doc.openapi, '3.1.0');
  for (const path of ['/api/daily_papers', '/api/papers', '/api/papers/{id}', '/papers/{id}.md'])
    assert.ok(path in doc.paths, path);
});

test('health and metrics', async () => {
  assert.deepEqual(await json('/healthz'), { status: 'ok', backend: store.backend });
  await get('/api/daily_papers?date=2026-08-21');
  const metrics = await (
    await app.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text();
  assert.match(metrics, /paperboy_http_requests_total\{method="GET",route="\/api\/daily_papers",status="200"\} \d+/);
  assert.match(metrics, /paperboy_http_request_duration_seconds_bucket/);
});
