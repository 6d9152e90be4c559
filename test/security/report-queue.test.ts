/**
 * The report queue is for moderators: a stranger is sent to sign in, a member is refused (403) on the page and on
 * the resolve form alike and changes nothing, a moderator and an administrator see it. What members reported
 * (and who reported it) shows on no page but the queue; notifications are a member's own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importPath } from '../../src/ingest/import-files.ts';
import { communityApp, postForm, signIn, type Member } from '../community-helpers.ts';
import { DAY_FIXTURES, memoryStore } from '../helpers.ts';

const store = memoryStore();
await importPath(store, DAY_FIXTURES);
const { app, outboxDir } = communityApp(store);
const paper = (
  await store.listDaily({ firstDay: '2000-01-01', lastDay: '2100-01-01', sort: 'upvotes', offset: 0, limit: 1 })
)[0]!.paper.id;

async function member(email: string, role: 'member' | 'moderator' | 'admin'): Promise<Member> {
  const account = await store.community.accountForEmail(email, new Date());
  await store.community.setRole(account.id, role);
  return signIn(app, outboxDir, email);
}

const admin = await member('root@example.org', 'admin');
const mod = await member('mod@example.org', 'moderator');
const eve = await member('eve@example.org', 'member');
const author = await member('author@example.org', 'member');

const posted = await postForm(
  app,
  `/papers/${paper}/comments`,
  { _csrf: author.csrf, body: 'Rude words' },
  { cookie: author.cookie },
);
const commentId = /#comment-(\d+)$/.exec(posted.headers.get('location') ?? '')![1]!;
const reason = 'SECRET-REPORT-REASON';
assert.equal(
  (await postForm(app, `/comments/${commentId}/report`, { _csrf: eve.csrf, reason }, { cookie: eve.cookie })).status,
  200,
);

const resolve = (who: Member | null, csrf = who?.csrf ?? '') =>
  postForm(
    app,
    '/moderation/reports/resolve',
    { _csrf: csrf, kind: 'comment', id: commentId, decision: 'hide', reason: 'rude' },
    who ? { cookie: who.cookie } : {},
  );

test('a stranger is sent to sign in, from the queue and from its form', async () => {
  const page = await app.request('/moderation/reports');
  assert.equal(page.status, 303);
  assert.match(page.headers.get('location') ?? '', /^\/signin\?next=%2Fmoderation%2Freports/);
  assert.equal((await resolve(null)).status, 303);
  assert.equal((await store.community.getComment(Number(commentId)))?.hiddenReason, null);
});

test('a member is refused the queue and its form, and changes nothing', async () => {
  for (const who of [eve, author]) {
    const page = await app.request('/moderation/reports', { headers: { cookie: who.cookie } });
    assert.equal(page.status, 403);
    assert.ok(!(await page.text()).includes(reason), 'no report shows');
    assert.equal((await resolve(who)).status, 403);
  }
  assert.equal((await store.community.getComment(Number(commentId)))?.hiddenReason, null);
  assert.equal(await store.reports.openCount(), 1);
  for (const path of [`/papers/${paper}`, '/moderation', '/notifications', `/members/eve`]) {
    const text = await (await app.request(path, { headers: { cookie: author.cookie } })).text();
    assert.ok(!text.includes(reason), `the reason is on no page but the queue: ${path}`);
  }
});

test('a moderator’s resolve needs the CSRF token; moderators and administrators see the queue', async () => {
  assert.equal((await resolve(mod, 'forged')).status, 403);
  assert.equal(await store.reports.openCount(), 1);
  for (const who of [mod, admin]) {
    const page = await app.request('/moderation/reports', { headers: { cookie: who.cookie } });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.ok((await page.text()).includes(reason));
  }
  assert.equal((await resolve(mod)).status, 303);
  assert.equal((await store.community.getComment(Number(commentId)))?.hiddenReason, 'rude');
});

test('notifications are the member’s own: marking another member’s read does nothing', async () => {
  const [note] = await store.notifications.list(
    (await store.community.accountForEmail('author@example.org', new Date())).id,
    1,
  );
  assert.equal(note?.kind, 'moderation', 'the author heard of the decision');
  const marked = await postForm(
    app,
    '/notifications/read',
    { _csrf: eve.csrf, id: String(note!.id) },
    { cookie: eve.cookie },
  );
  assert.equal(marked.status, 303);
  const [still] = await store.notifications.list(
    (await store.community.accountForEmail('author@example.org', new Date())).id,
    1,
  );
  assert.equal(still?.readAt, null);
});
