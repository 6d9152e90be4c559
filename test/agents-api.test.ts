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
import { communityApp, deleteOwnAccount, postForm, signIn, type Member } from './community-helpers.ts';
import type { Store } from '../src/store/store.ts';
import { madeUp } from './contract/fixtures.ts';

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
    await deleteOwnAccount(app, grace);
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
      '/api/papers/{id}/links',
      '/api/papers/{id}/upvote',
      '/api/papers/{id}/save',
      '/api/submissions',
      '/api/papers/{id}/comments',
    ])
      assert.ok(doc.paths[path]?.post?.requestBody, path);
    assert.equal(doc.components.securitySchemes.token?.scheme, 'bearer');
  });
});

/** A paper that was on no feed until the member submitted it here. */
async function submittedBy(store: Store, name: string) {
  await store.importBatch({ papers: [madeUp(42)], entries: [], replaceDays: [] });
  const result = await store.community.submitPaper(
    madeUp(42).id,
    await accountId(store, name),
    '2026-08-22',
    new Date(),
  );
  assert.equal(result.status, 'added');
  return (await store.getPaper(madeUp(42).id))!;
}

describe('editing a paper’s links with a token', () => {
  test('its submitter and a verified author may, a read token and another member may not; bad links are 400', async () => {
    const { app, store, outboxDir, ada } = await setUp();
    const paper = await submittedBy(store, 'ada');
    const path = `/api/papers/${paper.id}/links`;
    const writer = await makeToken(app, ada, 'writer', 'write');
    const reader = await makeToken(app, ada, 'reader', 'read');
    const before = { githubRepo: paper.githubRepo, projectPage: paper.projectPage };

    const none = await postJson(app, path, { githubRepo: 'github.com/ada/engine' }, { origin: TEST_ORIGIN });
    assert.equal(none.status, 401);
    const read = await postJson(app, path, { githubRepo: 'github.com/ada/engine' }, bearer(reader));
    assert.equal(read.status, 403, 'a read token may not write');
    const cookie = await postJson(
      app,
      path,
      { githubRepo: 'github.com/ada/engine' },
      { cookie: ada.cookie, 'x-csrf-token': ada.csrf },
    );
    assert.equal(cookie.status, 401, 'the session cookie is not a token');
    const grace = await signIn(app, outboxDir, 'grace@example.org', { handle: 'grace' });
    const graceToken = await makeToken(app, grace, 'g', 'write');
    const stranger = await postJson(app, path, { githubRepo: 'github.com/grace/fork' }, bearer(graceToken));
    assert.equal(stranger.status, 403, 'not the submitter, an author or a moderator');
    assert.match(((await stranger.json()) as { error: string }).error, /verified authors and moderators/);
    const untouched = (await store.getPaper(paper.id))!;
    assert.deepEqual({ githubRepo: untouched.githubRepo, projectPage: untouched.projectPage }, before);

    // Bad addresses: a 400 naming each field, nothing written.
    const bad = await postJson(
      app,
      path,
      { githubRepo: 'https://gitlab.com/ada/engine', projectPage: 'http://127.0.0.1/admin' },
      bearer(writer),
    );
    assert.equal(bad.status, 400);
    const badBody = (await bad.json()) as { error: string; errors: Record<string, string> };
    assert.match(badBody.errors.githubRepo ?? '', /GitHub repository address/);
    assert.match(badBody.errors.projectPage ?? '', /https:\/\/ address/);
    const notString = await postJson(app, path, { githubRepo: 42 }, bearer(writer));
    assert.equal(notString.status, 400, 'the body is checked by its schema');
    const unknownField = await postJson(app, path, { github: 'github.com/ada/engine' }, bearer(writer));
    assert.equal(unknownField.status, 400);
    assert.deepEqual(
      await (async () => {
        const p = (await store.getPaper(paper.id))!;
        return { githubRepo: p.githubRepo, projectPage: p.projectPage };
      })(),
      before,
    );

    // The submitter sets the repository; the project page, left out, stays.
    const set = await postJson(app, path, { githubRepo: 'github.com/ada/engine.git' }, bearer(writer));
    assert.equal(set.status, 200, await set.clone().text());
    assert.deepEqual(await set.json(), {
      paper: paper.id,
      changed: true,
      githubRepo: 'https://github.com/ada/engine',
      projectPage: before.projectPage,
    });
    const again = await postJson(app, path, { githubRepo: 'https://github.com/ada/engine' }, bearer(writer));
    assert.equal(((await again.json()) as { changed: boolean }).changed, false, 'the same links: nothing changes');
    const logged = await store.community.paperLinkChanges(paper.id, 10);
    assert.equal(logged.length, 1, 'one edit logged, as the form logs it');

    // A verified author of the paper may edit it too; once their claim is taken back, no more.
    const authorId = (await store.community.getAccountByName('grace'))!.id;
    const filed = await store.claims.fileClaim(
      {
        paperId: paper.id,
        position: 0,
        authorName: paper.authors[0]!.name,
        memberId: authorId,
        approveReason: 'test',
      },
      new Date(),
    );
    assert.equal(filed.status, 'filed');
    const byAuthor = await postJson(app, path, { projectPage: 'https://grace.example/engine' }, bearer(graceToken));
    assert.equal(byAuthor.status, 200, await byAuthor.clone().text());
    assert.equal((await store.getPaper(paper.id))!.projectPage, 'https://grace.example/engine');
    if (filed.status === 'filed') assert.ok(await store.claims.withdrawClaim(filed.claim.id, authorId));
    const withdrawn = await postJson(app, path, { projectPage: '' }, bearer(graceToken));
    assert.equal(withdrawn.status, 403);
    assert.equal((await store.getPaper(paper.id))!.projectPage, 'https://grace.example/engine');

    const unknown = await postJson(app, '/api/papers/2101.99999/links', { githubRepo: '' }, bearer(writer));
    assert.equal(unknown.status, 404);
    const garbageId = await postJson(app, '/api/papers/not-a-paper/links', { githubRepo: '' }, bearer(writer));
    assert.equal(garbageId.status, 404);
  });

  test('an edit from links read before another edit is refused with 409 and the links as they are now', async () => {
    const { app, store, outboxDir, ada } = await setUp();
    const paper = await submittedBy(store, 'ada');
    const path = `/api/papers/${paper.id}/links`;
    const mod = await signIn(app, outboxDir, 'mod@example.org', { handle: 'mod' });
    await store.community.setRole(await accountId(store, 'mod'), 'moderator');
    const adaToken = await makeToken(app, ada, 'a', 'write');
    const modToken = await makeToken(app, mod, 'm', 'write');
    const seen = { githubRepo: paper.githubRepo, projectPage: paper.projectPage };

    // Both read the same links; the moderator writes first, then ada's edit arrives.
    const first = await postJson(
      app,
      path,
      { githubRepo: 'https://github.com/mod/official', expected: seen },
      bearer(modToken),
    );
    assert.equal(first.status, 200, await first.clone().text());
    const late = await postJson(
      app,
      path,
      { githubRepo: 'https://github.com/ada/mine', expected: seen },
      bearer(adaToken),
    );
    assert.equal(late.status, 409);
    const body = (await late.json()) as { error: string; links: { githubRepo: string | null } };
    assert.match(body.error, /changed since you read them/);
    assert.equal(body.links.githubRepo, 'https://github.com/mod/official');
    assert.equal((await store.getPaper(paper.id))!.githubRepo, 'https://github.com/mod/official', 'not overwritten');

    // Two edits sent at the same moment from the same links: one is written, the other is 409.
    const current = { githubRepo: 'https://github.com/mod/official', projectPage: seen.projectPage };
    const race = await Promise.all([
      postJson(app, path, { githubRepo: 'https://github.com/ada/one', expected: current }, bearer(adaToken)),
      postJson(app, path, { githubRepo: 'https://github.com/mod/two', expected: current }, bearer(modToken)),
    ]);
    assert.deepEqual(race.map((r) => r.status).sort(), [200, 409]);
    const winner = race[0]!.status === 200 ? 'https://github.com/ada/one' : 'https://github.com/mod/two';
    assert.equal((await store.getPaper(paper.id))!.githubRepo, winner);
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
