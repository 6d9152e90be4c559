/**
 * Personal access tokens and the JSON write endpoints: made, named, scoped and revoked in Settings, stored
 * hashed, shown once; what a token may do, what it may not, and what stops it at once.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import { importPath } from '../src/ingest/import-files.ts';
import { hashToken } from '../src/community/secrets.ts';
import { DAY_FIXTURES, TEST_ORIGIN, memoryStore } from './helpers.ts';
import { communityApp, postForm, signIn, type Member } from './community-helpers.ts';
import type { Store } from '../src/store/store.ts';

/** Makes a token through the Settings form; returns the secret shown once. */
export async function makeToken(app: Hono, member: Member, name: string, scope: 'read' | 'write'): Promise<string> {
  const made = await postForm(app, '/settings/tokens', { _csrf: member.csrf, name, scope }, { cookie: member.cookie });
  const page = await made.text();
  assert.equal(made.status, 200, page);
  const secret = /value="(pb_[A-Za-z0-9_-]{43})"/.exec(page)?.[1];
  assert.ok(secret, 'the new token is shown');
  return secret;
}

const bearer = (secret: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${secret}`,
  ...extra,
});
const postJson = (app: Hono, path: string, body: unknown, headers: Record<string, string>) =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

async function setUp(env: Record<string, string> = {}) {
  const store = memoryStore();
  const { app, outboxDir } = communityApp(store, env);
  const summary = await importPath(store, DAY_FIXTURES);
  assert.deepEqual(summary.failures, []);
  const ada = await signIn(app, outboxDir, 'ada@example.org', { handle: 'ada' });
  const paper = (
    await store.listDaily({ firstDay: '2026-08-21', lastDay: '2026-08-21', sort: 'upvotes', offset: 0, limit: 3 })
  )[0]!.paper;
  return { store, app, outboxDir, ada, paper };
}

async function accountId(store: Store, name: string): Promise<number> {
  return (await store.community.getAccountByName(name))!.id;
}

describe('access tokens in Settings', () => {
  test('made with a name and scope, shown once, stored hashed, listed with its last use, revoked at once', async () => {
    const { store, app, ada } = await setUp();
    const secret = await makeToken(app, ada, 'My script', 'read');
    const id = await accountId(store, 'ada');
    const [stored] = await store.tokens.tokensOf(id);
    assert.equal(stored!.name, 'My script');
    assert.equal(stored!.scope, 'read');
    assert.equal(stored!.lastUsedAt, null);
    assert.ok(await store.tokens.findToken(hashToken(secret)), 'the store finds it by its hash');
    assert.equal(await store.tokens.findToken(secret), null, 'not by the token itself');

    const settings = await (await app.request('/settings', { headers: { cookie: ada.cookie } })).text();
    assert.match(settings, /My script/);
    assert.match(settings, /never used/);
    assert.ok(!settings.includes(secret), 'the settings page never shows the token again');

    const me = await app.request('/api/me', { headers: bearer(secret) });
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), { name: 'ada', fullname: 'ada', scope: 'read', token: 'My script' });
    const used = (await store.tokens.tokensOf(id))[0]!.lastUsedAt;
    assert.ok(used, 'the use is recorded');
    await app.request('/api/me', { headers: bearer(secret) });
    assert.equal((await store.tokens.tokensOf(id))[0]!.lastUsedAt, used, 'at most once a minute');
    assert.match(await (await app.request('/settings', { headers: { cookie: ada.cookie } })).text(), /last used/);

    const revoked = await postForm(
      app,
      `/settings/tokens/${stored!.id}/revoke`,
      { _csrf: ada.csrf },
      { cookie: ada.cookie },
    );
    assert.equal(revoked.status, 303);
    const refused = await app.request('/api/me', { headers: bearer(secret) });
    assert.equal(refused.status, 401, 'a revoked token is refused at the next request');
    assert.match(refused.headers.get('www-authenticate') ?? '', /invalid_token/);
  });

  test('a name is required, the scope must be one of the two, and another member cannot revoke it', async () => {
    const { store, app, outboxDir, ada } = await setUp();
    const noName = await postForm(
      app,
      '/settings/tokens',
      { _csrf: ada.csrf, name: '  ', scope: 'read' },
      { cookie: ada.cookie },
    );
    assert.equal(noName.status, 400);
    assert.match(await noName.text(), /Give the token a name/);
    const badScope = await postForm(
      app,
      '/settings/tokens',
      { _csrf: ada.csrf, name: 'x', scope: 'admin' },
      { cookie: ada.cookie },
    );
    assert.equal(badScope.status, 400);
    assert.equal((await store.tokens.tokensOf(await accountId(store, 'ada'))).length, 0, 'nothing made');
    const noCsrf = await postForm(app, '/settings/tokens', { name: 'x', scope: 'read' }, { cookie: ada.cookie });
    assert.equal(noCsrf.status, 403, 'the form is CSRF-checked like every other');

    const secret = await makeToken(app, ada, 'mine', 'write');
    const [token] = await store.tokens.tokensOf(await accountId(store, 'ada'));
    const grace = await signIn(app, outboxDir, 'grace@example.org', { handle: 'grace' });
    await postForm(app, `/settings/tokens/${token!.id}/revoke`, { _csrf: grace.csrf }, { cookie: grace.cookie });
    assert.equal((await app.request('/api/me', { headers: bearer(secret) })).status, 200, 'still works');
  });

  test('a banned or deleted member’s tokens stop at once', async () => {
    const { store, app, outboxDir, ada } = await setUp();
    const secret = await makeToken(app, ada, 'bot', 'write');
    const mod = await store.community.accountForEmail('mod@example.org', new Date());
    await store.community.setRole(mod.id, 'moderator');
    await store.community.banMember(await accountId(store, 'ada'), mod.id, 'spam', new Date());
    assert.equal((await app.request('/api/me', { headers: bearer(secret) })).status, 401);

    const grace = await signIn(app, outboxDir, 'grace@example.org', { handle: 'grace' });
    const graceToken = await makeToken(app, grace, 'bot', 'read');
    const deleted = await postForm(
      app,
      '/settings/delete',
      { _csrf: grace.csrf, comments: 'keep' },
      { cookie: grace.cookie },
    );
    assert.equal(deleted.status, 200);
    assert.equal((await app.request('/api/me', { headers: bearer(graceToken) })).status, 401);
  });
});

// Made at the top level: the store then lives until the file ends, not just the hook.
const shared = setUp();

describe('JSON write endpoints', () => {
  let ctx: Awaited<ReturnType<typeof setUp>>;
  let writer: string;
  let reader: string;
  before(async () => {
    ctx = await shared;
    writer = await makeToken(ctx.app, ctx.ada, 'writer', 'write');
    reader = await makeToken(ctx.app, ctx.ada, 'reader', 'read');
  });

  test('upvote sets the vote (twice: still one), upvoted false takes it back; no CSRF for a token', async () => {
    const { app, store, paper } = ctx;
    const id = await accountId(store, 'ada');
    const before = paper.upvotes;
    const path = `/api/papers/${paper.id}/upvote`;
    const first = await app.request(path, { method: 'POST', headers: bearer(writer) });
    assert.equal(first.status, 200, await first.clone().text());
    assert.deepEqual(await first.json(), { paper: paper.id, upvoted: true, upvotes: before + 1 });
    const again = await postJson(app, path, { upvoted: true }, bearer(writer));
    assert.deepEqual(await again.json(), { paper: paper.id, upvoted: true, upvotes: before + 1 });
    assert.ok((await store.community.votedPapers(id, [paper.id])).has(paper.id));
    const back = await postJson(app, path, { upvoted: false }, bearer(writer));
    assert.deepEqual(await back.json(), { paper: paper.id, upvoted: false, upvotes: before });
    assert.equal((await store.getPaper(paper.id))!.upvotes, before);
  });

  test('a read token, no token, and a session cookie cannot write', async () => {
    const { app, store, paper, ada } = ctx;
    const path = `/api/papers/${paper.id}/upvote`;
    const read = await app.request(path, { method: 'POST', headers: bearer(reader) });
    assert.equal(read.status, 403);
    assert.match(((await read.json()) as { error: string }).error, /only read/);
    const none = await app.request(path, { method: 'POST', headers: { origin: TEST_ORIGIN } });
    assert.equal(none.status, 401);
    const cookie = await app.request(path, {
      method: 'POST',
      headers: { cookie: ada.cookie, 'x-csrf-token': ada.csrf },
    });
    assert.equal(cookie.status, 401, 'the JSON write endpoints take tokens, not sessions');
    assert.equal((await store.community.votedPapers(await accountId(store, 'ada'), [paper.id])).size, 0);
    const garbage = await app.request('/api/me', { headers: { authorization: 'Bearer pb_not-a-token' } });
    assert.equal(garbage.status, 401);
    const onPage = await app.request('/settings', { headers: bearer(writer) });
    assert.equal(onPage.status, 401, 'tokens do not open pages');
    const basic = await app.request('/settings', { headers: { cookie: ada.cookie, authorization: 'Basic dTpw' } });
    assert.equal(basic.status, 200, 'a proxy’s Basic credentials are not a token: the session still counts');
  });

  test('save to a new collection and to an existing one; not to another member’s', async () => {
    const { app, store, paper, outboxDir } = ctx;
    const id = await accountId(store, 'ada');
    const made = await postJson(app, `/api/papers/${paper.id}/save`, { newCollection: 'Agents' }, bearer(writer));
    assert.equal(made.status, 200, await made.clone().text());
    const body = (await made.json()) as { collection: number; created: boolean };
    assert.equal(body.created, true);
    const items = await store.collections.collectionItems(body.collection);
    assert.deepEqual(
      items.map((i) => i.paperId),
      [paper.id],
    );
    assert.equal((await store.collections.collectionsOf(id)).find((k) => k.id === body.collection)?.name, 'Agents');
    const grace = await signIn(app, outboxDir, 'grace2@example.org', { handle: 'grace2' });
    const graceToken = await makeToken(app, grace, 'g', 'write');
    const theirs = await postJson(
      app,
      `/api/papers/${paper.id}/save`,
      { collection: body.collection },
      bearer(graceToken),
    );
    assert.equal(theirs.status, 404);
    const neither = await postJson(app, `/api/papers/${paper.id}/save`, {}, bearer(writer));
    assert.equal(neither.status, 400);
    const notJson = await app.request(`/api/papers/${paper.id}/save`, {
      method: 'POST',
      headers: { ...bearer(writer), 'content-type': 'text/plain' },
      body: 'x',
    });
    assert.equal(notJson.status, 415);
  });

  test('comment and reply; an empty comment is refused; submit a paper already on the feed', async () => {
    const { app, store, paper } = ctx;
    const posted = await postJson(app, `/api/papers/${paper.id}/comments`, { body: 'Nice **work**' }, bearer(writer));
    assert.equal(posted.status, 201, await posted.clone().text());
    const comment = (await posted.json()) as { id: number; url: string };
    assert.equal((await store.community.getComment(comment.id))?.body, 'Nice **work**');
    assert.ok(comment.url.startsWith(`${TEST_ORIGIN}/papers/`));
    const reply = await postJson(
      app,
      `/api/papers/${paper.id}/comments`,
      { body: 'Agreed', parent: comment.id },
      bearer(writer),
    );
    assert.equal(((await reply.json()) as { parent: number }).parent, comment.id);
    const empty = await postJson(app, `/api/papers/${paper.id}/comments`, { body: '   ' }, bearer(writer));
    assert.equal(empty.status, 422);
    const submitted = await postJson(
      app,
      '/api/submissions',
      { paper: `https://arxiv.org/abs/${paper.id}` },
      bearer(writer),
    );
    assert.equal(submitted.status, 200, await submitted.clone().text());
    assert.deepEqual(await submitted.json(), { paper: paper.id, status: 'exists', day: '2026-08-21' });
    const bad = await postJson(app, '/api/submissions', { paper: 'not an id' }, bearer(writer));
    assert.equal(bad.status, 400);
  });

  test('a hidden paper cannot be upvoted, saved or commented on', async () => {
    const { app, store } = ctx;
    const hidden = (
      await store.listDaily({ firstDay: '2026-08-21', lastDay: '2026-08-21', sort: 'upvotes', offset: 2, limit: 1 })
    )[0]!.paper;
    const mod = await store.community.accountForEmail('mod2@example.org', new Date());
    await store.community.hidePaper(hidden.id, mod.id, 'test', new Date());
    assert.equal(
      (await app.request(`/api/papers/${hidden.id}/upvote`, { method: 'POST', headers: bearer(writer) })).status,
      404,
    );
    assert.equal(
      (await postJson(app, `/api/papers/${hidden.id}/save`, { newCollection: 'x' }, bearer(writer))).status,
      404,
    );
    assert.equal((await postJson(app, `/api/papers/${hidden.id}/comments`, { body: 'x' }, bearer(writer))).status, 404);
  });

  test('the OpenAPI document describes the write endpoints and the bearer scheme', async () => {
    const doc = (await (await ctx.app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
      components: { securitySchemes: Record<string, { scheme: string }> };
    };
    for (const path of [
      '/api/papers/{id}/upvote',
      '/api/papers/{id}/save',
      '/api/submissions',
      '/api/papers/{id}/comments',
    ])
      assert.ok(doc.paths[path]?.post?.requestBody, path);
    assert.equal(doc.components.securitySchemes.token?.scheme, 'bearer');
  });
});

test('rate limits hold a token to the pages’ own', async () => {
  const { app, paper, ada } = await setUp({ PAPERBOY_RATE_LIMIT_FACTOR: '0.02' });
  const secret = await makeToken(app, ada, 'fast', 'write');
  const path = `/api/papers/${paper.id}/upvote`;
  assert.equal((await app.request(path, { method: 'POST', headers: bearer(secret) })).status, 200);
  const limited = await app.request(path, { method: 'POST', headers: bearer(secret) });
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
});
