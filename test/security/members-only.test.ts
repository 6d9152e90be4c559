/**
 * Members-only reading (PAPERBOY_READ=members), through HTTP. Every registered GET route, walked from the app's
 * own route table, answers a stranger with a redirect to the sign-in form (pages) or a 401 (API, feeds), except
 * the few open to strangers, and none of those shows paper data. Feeds open with a member's private key and no
 * cookie; a reset key stops working; the response caches never hand a member's page to a stranger.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importPath } from '../../src/ingest/import-files.ts';
import { openToStrangers } from '../../src/web/auth/read-access.ts';
import { communityApp, postForm, signIn } from '../community-helpers.ts';
import { DAY_FIXTURES, TEST_ORIGIN, memoryStore } from '../helpers.ts';
import { concrete, registeredRoutes } from '../route-walk.ts';

const store = memoryStore();
await importPath(store, DAY_FIXTURES);
const { app, outboxDir } = communityApp(store, { PAPERBOY_READ: 'members' });
const member = await signIn(app, outboxDir, 'reader@lab.example');
const [top] = await store.listDaily({
  firstDay: '2000-01-01',
  lastDay: '2100-01-01',
  sort: 'upvotes',
  offset: 0,
  limit: 1,
});
const paper = top!.paper;
const org =
  (
    await store.listDaily({ firstDay: '2000-01-01', lastDay: '2100-01-01', sort: 'upvotes', offset: 0, limit: 50 })
  ).find((entry) => entry.paper.organization)?.paper.organization?.name ?? 'x';
/** Values tried for a route's parameters, the first that fits its pattern: ones that find real data first. */
const VALUES = [
  paper.id,
  `${paper.id}.md`,
  'x.eml',
  'daily.rss',
  `${org}.rss`,
  '1',
  '1.bib',
  org,
  '2024-01-02',
  '2024-W01',
  '2024-01',
  'x',
];
const asStranger = (path: string) => app.request(path, { headers: { accept: 'text/html' } });
const asMember = (path: string) => app.request(path, { headers: { cookie: member.cookie } });

async function feedKey(): Promise<string> {
  const settings = await (await asMember('/settings')).text();
  const key = /\/feeds\/daily\.rss\?key=([A-Za-z0-9_-]{43})/.exec(settings)?.[1];
  assert.ok(key, "the settings show the member's feed address with its key");
  return key;
}

test('a stranger gets nothing but the sign-in flow, static files, health and links with their own token', async () => {
  const routes = registeredRoutes(app).filter((r) => r.method === 'GET');
  assert.ok(routes.length > 40, `the route table is read (${routes.length} GET routes)`);
  const leaks: string[] = [];
  let refused = 0;
  for (const route of routes) {
    const path = route.path.includes(':')
      ? VALUES.map((v) => concrete(route.path, v)).find((p): p is string => p !== null)
      : route.path;
    assert.ok(path, `${route.path}: some value fits its parameters`);
    for (const query of [
      '',
      '?key=not-a-key',
      `?date=2024-01-02&q=${encodeURIComponent(paper.title.split(' ')[0]!)}`,
    ]) {
      const response = await asStranger(`${path}${query}`);
      const body = await response.text();
      if (openToStrangers(path)) {
        if (body.includes(paper.title) || body.includes(paper.id))
          leaks.push(`${path}${query}: an open path shows paper data`);
        continue;
      }
      refused++;
      const location = response.headers.get('location') ?? '';
      const ok =
        path.startsWith('/api/') || path.startsWith('/feeds/') || path === '/mcp'
          ? response.status === 401
          : response.status === 303 && location.startsWith('/signin');
      if (!ok) leaks.push(`${path}${query}: ${response.status} ${location}`);
      if (body.includes(paper.title)) leaks.push(`${path}${query}: the answer holds paper data`);
    }
  }
  assert.deepEqual(leaks, []);
  assert.ok(refused > 100, `${refused} requests refused`);
  const page = await asStranger(`/papers/${paper.id}?a=1`);
  assert.equal(
    page.headers.get('location'),
    `/signin?next=${encodeURIComponent(`/papers/${paper.id}?a=1`)}`,
    'back to the page after signing in',
  );
  const api = await app.request('/api/daily_papers');
  assert.equal(api.status, 401);
  assert.match(((await api.json()) as { error: string }).error, /members only/);
});

test('what is open to strangers works', async () => {
  assert.equal((await asStranger('/signin')).status, 200);
  assert.equal((await asStranger('/healthz')).status, 200);
  assert.equal(
    (await asStranger('/invite/nothing-here')).status,
    404,
    'an invitation page answers itself (not a redirect)',
  );
  const css = /href="(\/static\/[^"]+\.css)"/.exec(await (await asStranger('/signin')).text())?.[1];
  assert.ok(css);
  assert.equal((await asStranger(css)).status, 200);
  assert.notEqual(
    (await asStranger('/unsubscribe/not.a.token')).status,
    303,
    'an unsubscribe link is checked by its own token',
  );
  assert.notEqual((await asStranger('/digest/confirm/not.a.token')).status, 303);
});

test('a stranger cannot act either: forms redirect to sign in, and subscribing is for members, at their own address', async () => {
  const subscribe = await postForm(app, '/digest/subscribe', { email: 'outsider@example.org', frequency: 'daily' });
  assert.equal(subscribe.status, 303);
  assert.match(subscribe.headers.get('location') ?? '', /^\/signin/);
  assert.equal(await store.subscriptions.getSubscriptionByEmail('outsider@example.org'), null);
  const forOther = await postForm(
    app,
    '/digest/subscribe',
    { _csrf: member.csrf, email: 'outsider@example.org', frequency: 'daily' },
    { cookie: member.cookie },
  );
  assert.equal(forOther.status, 400);
  assert.match(await forOther.text(), /digests go to members only/);
  const own = await postForm(
    app,
    '/digest/subscribe',
    { _csrf: member.csrf, email: 'reader@lab.example', frequency: 'daily' },
    { cookie: member.cookie },
  );
  assert.equal(own.status, 200);
  assert.equal((await postForm(app, `/papers/${paper.id}/upvote`, {})).status, 303);
});

test('a member reads everything, privately: no shared cache may keep the answers', async () => {
  for (const path of [
    '/',
    `/papers/${paper.id}`,
    '/papers/trending',
    '/api/daily_papers',
    '/digest',
    `/orgs/${encodeURIComponent(org)}`,
  ]) {
    const response = await asMember(path);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get('cache-control') ?? '', /no-store/, path);
  }
  const home = await (await asMember('/')).text();
  assert.ok(home.includes(paper.title));
});

test("feeds open with the member's key and no cookie; pages link them with it; a reset key stops working", async () => {
  const key = await feedKey();
  assert.equal((await app.request('/feeds/daily.rss')).status, 401);
  const keyed = await app.request(`/feeds/daily.rss?key=${key}`);
  assert.equal(keyed.status, 200);
  assert.equal(keyed.headers.get('cache-control'), 'private, no-store');
  assert.match(await keyed.text(), /<rss/);
  assert.equal((await app.request(`/feeds/trending.json?key=${key}`)).status, 200);
  assert.equal(
    (await app.request(`/feeds/daily.rss?key=${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).status,
    401,
    'a wrong key',
  );
  assert.equal((await app.request(`/api/daily_papers?key=${key}`)).status, 401, 'the key opens feeds only');
  assert.equal((await app.request(`/?key=${key}`)).status, 303);

  const home = await (await asMember('/')).text();
  assert.match(
    home,
    new RegExp(`<link rel="alternate" type="application/rss\\+xml"[^>]*href="/feeds/daily\\.rss\\?key=${key}"`),
    'feed links carry the key',
  );

  const reset = await postForm(app, '/settings/feed-key', { _csrf: member.csrf }, { cookie: member.cookie });
  assert.equal(reset.status, 303);
  const fresh = await feedKey();
  assert.notEqual(fresh, key);
  assert.equal((await app.request(`/feeds/daily.rss?key=${key}`)).status, 401, 'the old key no longer works');
  assert.equal((await app.request(`/feeds/daily.rss?key=${fresh}`)).status, 200);
});

test("the response caches never serve a member's answer to a stranger", async () => {
  const key = await feedKey();
  for (const path of [
    '/',
    '/papers',
    `/papers/${paper.id}`,
    '/papers/trending',
    '/api/daily_papers',
    '/api/papers/search?q=model',
    '/search?q=model',
  ]) {
    assert.equal((await asMember(path)).status, 200, path);
    assert.equal((await asMember(path)).status, 200, `${path} again, from the cache if any`);
    const stranger = await asStranger(path);
    assert.ok(stranger.status === 303 || stranger.status === 401, `${path}: ${stranger.status}`);
    assert.doesNotMatch(
      await stranger.text(),
      new RegExp(paper.title.slice(0, 30).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      path,
    );
  }
  assert.equal((await app.request(`/feeds/daily.rss?key=${key}`)).status, 200);
  assert.equal((await app.request('/feeds/daily.rss')).status, 401, 'a feed served with a key is not served without');
  assert.equal((await app.request(`/feeds/daily.rss?key=${key}`, { headers: { origin: TEST_ORIGIN } })).status, 200);
});

test('a public instance is unchanged: strangers read, feeds need no key, pages link them without one', async () => {
  const open = communityApp(store);
  assert.equal((await open.app.request('/')).status, 200);
  assert.equal((await open.app.request('/feeds/daily.rss')).status, 200);
  assert.equal((await open.app.request('/api/daily_papers')).status, 200);
  const reader = await signIn(open.app, open.outboxDir, 'reader@lab.example');
  const home = await (await open.app.request('/', { headers: { cookie: reader.cookie } })).text();
  assert.doesNotMatch(home, /key=/);
  assert.doesNotMatch(
    await (await open.app.request('/settings', { headers: { cookie: reader.cookie } })).text(),
    /Feed key/,
  );
});
