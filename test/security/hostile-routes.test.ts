/**
 * Every registered route, walked from the app's own route table (so a new route is covered without editing
 * this test), with hostile path parameters, query strings and bodies, anonymous and signed in: no answer is
 * a 5xx. The store holds real days, papers without authors, comments, a collection and a subscription.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPath } from '../../src/ingest/import-files.ts';
import { communityApp, signIn } from '../community-helpers.ts';
import { DAY_FIXTURES, JSONL_FIXTURE, memoryStore, tempDir } from '../helpers.ts';
import { concrete, registeredRoutes } from '../route-walk.ts';
import { createApiToken } from '../../src/community/api-tokens.ts';

const store = memoryStore();
await importPath(store, DAY_FIXTURES);
await importPath(store, JSONL_FIXTURE);
const noAuthors = join(tempDir(), 'no-authors.jsonl');
writeFileSync(
  noAuthors,
  `${JSON.stringify({ arxiv_id: '2401.99999', title: 'A paper with no authors about quokka', abstract: 'Quokka quokka.', authors: [], published: '2024-01-02T00:00:00Z', categories: [], hf_date: '2024-01-02' })}\n`,
);
await importPath(store, noAuthors);
const { app, outboxDir } = communityApp(store);
const admin = await store.community.accountForEmail('root@example.org', new Date());
await store.community.setRole(admin.id, 'admin');
const member = await signIn(app, outboxDir, 'root@example.org');
// Scripts and assistants: a write token (on /api/ and /mcp; refused elsewhere).
const made = await createApiToken(store.tokens, admin, 'walk', 'write');
assert.ok(made.ok);
const token = { authorization: `Bearer ${made.secret}` };
const paperId = (
  await store.listDaily({ firstDay: '2000-01-01', lastDay: '2100-01-01', sort: 'upvotes', offset: 0, limit: 1 })
)[0]!.paper.id;

const HOSTILE = [
  '%E4%B8%AD%E6%96%87',
  '%27%3B%20DROP%20TABLE%20papers%3B--',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '0999-01-01',
  '0001-W01',
  '0000-01',
  '0000-W01',
  '9999-12-31',
  '2024-02-30',
  '2024-W54',
  '-1',
  '0',
  '99999999999999999999',
  'a'.repeat(3000),
  '..',
  '%00',
  '%FF%FE',
  '2401.00001',
  'hep-th/9901001',
  `${paperId}`,
  '2401.99999',
  'x.md',
  '1.bib',
  'daily.json',
  'daily.rss',
  'daily.atom',
  'trending.json',
  'search.json',
  'search.rss',
  'x.json',
  'x.eml',
  'root',
  'nobody',
  'A.B.',
  '1',
];
const QUERIES = [
  '',
  '?q=%E4%B8%AD%E6%96%87&p=-1&limit=999999',
  '?date=0999-01-01',
  '?week=0001-W01',
  '?month=0000-01',
  '?q=quokka&from=2030-01-01&to=2020-01-01',
  '?cursor=%FF%FE',
  `?q=${'x'.repeat(5000)}`,
  '?sort=zzz&mode=zzz&explain=1&has_code=2&p=99999999999999999999',
  '?q=%22&org=%00&category=%27',
  '?next=//evil.example&return=javascript:alert(1)',
  '?q=quokka',
  '?date=2024-01-02',
];
const BODIES: { type: string; body: string }[] = [
  {
    type: 'multipart/form-data; boundary=xyz',
    body: '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--xy',
  },
  { type: 'multipart/form-data', body: 'garbage' },
  {
    type: 'application/x-www-form-urlencoded',
    body: 'reason=%E4%B8%AD&body=%00&name=%FF&paper=%27&email=a%40b&frequency=zzz&title=&fullname=x&id=-1&position=999999999999&q=%22',
  },
  { type: 'application/json', body: '{"broken": ' },
];

test('no route answers any hostile request with a 5xx', async () => {
  const routes = registeredRoutes(app);
  assert.ok(routes.length > 60, `the route table is read (${routes.length} routes)`);
  const failures: string[] = [];
  let tried = 0;
  for (const route of routes) {
    const paths = route.path.includes(':')
      ? [...new Set(HOSTILE.map((v) => concrete(route.path, v)).filter((p): p is string => p !== null))]
      : [route.path];
    assert.ok(paths.length > 0, `${route.path}: some value fits its parameters`);
    for (const path of paths) {
      for (const query of route.method === 'GET' ? QUERIES : ['']) {
        for (const who of [null, member, token]) {
          const requests: RequestInit[] =
            route.method === 'GET'
              ? [{}]
              : BODIES.map(({ type, body }) => ({ method: route.method, body, headers: { 'content-type': type } }));
          for (const init of requests) {
            const headers: Record<string, string> = {
              origin: 'http://paperboy.test',
              accept: 'text/html',
              ...(init.headers as Record<string, string> | undefined),
            };
            if (who && 'authorization' in who) Object.assign(headers, who);
            else if (who) Object.assign(headers, { cookie: who.cookie, 'x-csrf-token': who.csrf });
            const response = await app.request(`${path}${query}`, { ...init, headers });
            tried++;
            if (response.status >= 500)
              failures.push(
                `${route.method} ${path.slice(0, 120)}${query.slice(0, 80)} ${who === token ? 'token' : who ? 'member' : 'anonymous'} ${String(headers['content-type'] ?? '')}: ${response.status}`,
              );
            await response.arrayBuffer();
          }
        }
      }
    }
  }
  console.log(`hostile-route walk: ${routes.length} routes, ${tried} requests, ${failures.length} answered 5xx`);
  if (process.env.WALK_DUMP) console.log(failures.join('\n'));
  assert.deepEqual(failures.slice(0, 40), [], `${failures.length} of ${tried} requests answered 5xx`);
});

test('the addresses found answering 500 before now answer 400, 404 or work', async () => {
  const expected: [string, number][] = [
    ['/api/papers/%E4%B8%AD%E6%96%87', 404],
    ['/papers/date/0999-01-01', 400],
    ['/papers/week/0001-W01', 400],
    ['/papers/month/0000-01', 400],
    ['/digest/weekly/0000-W01', 400],
    ['/feeds/daily.json?date=2024-01-02', 200],
    ['/feeds/search.json?q=quokka', 200],
  ];
  for (const [path, status] of expected) assert.equal((await app.request(path)).status, status, path);
  const header = (await app.request('/api/papers/%E4%B8%AD%E6%96%87')).headers.get('x-error-message') ?? '';
  assert.match(header, /%E4%B8%AD%E6%96%87/, 'the header says it in ASCII');
  const feed = (await (await app.request('/feeds/search.json?q=quokka')).json()) as {
    items: { id: string; authors?: unknown }[];
  };
  assert.ok(
    feed.items.some((item) => item.id.endsWith('/papers/2401.99999')),
    'the paper without authors is in the feed',
  );
  const cut = await app.request('/signin', {
    method: 'POST',
    body: '--xyz\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.c\r\n--xy',
    headers: { origin: 'http://paperboy.test', 'content-type': 'multipart/form-data; boundary=xyz' },
  });
  assert.equal(cut.status, 400);
  assert.match(await cut.text(), /malformed/);
});
