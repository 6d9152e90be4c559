/**
 * Reports through the HTTP app: a member reports a comment or a paper once (a second report is refused, also when
 * sent twice at the same moment), not their own, at a limited rate; reports of one item merge into one queue entry;
 * moderators resolve it by hiding, warning or dismissing, each logged; reach follows the roles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import { DAY_FIXTURES, memoryStore } from './helpers.ts';
import { communityApp, postForm, signIn, type Member } from './community-helpers.ts';
import { importPath } from '../src/ingest/import-files.ts';
import type { Store } from '../src/store/store.ts';
import { RATE_LIMITS } from '../src/community/rate-limits.ts';

const PAPER = '2608.19880';

async function setup() {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  const { app, outboxDir } = communityApp(store);
  const ada = await signIn(app, outboxDir, 'ada@example.org', { handle: 'ada' });
  const bob = await signIn(app, outboxDir, 'bob@example.org', { handle: 'bob' });
  const cy = await signIn(app, outboxDir, 'cy@example.org', { handle: 'cy' });
  const mod = await signIn(app, outboxDir, 'mod@example.org', { handle: 'mod' });
  await store.community.setRole(await id(store, 'mod@example.org'), 'moderator');
  return { store, app, outboxDir, ada, bob, cy, mod };
}

async function id(store: Store, email: string): Promise<number> {
  return (await store.community.accountForEmail(email, new Date())).id;
}

async function comment(app: Hono, member: Member, body: string): Promise<number> {
  const response = await postForm(
    app,
    `/papers/${PAPER}/comments`,
    { _csrf: member.csrf, body },
    { cookie: member.cookie },
  );
  assert.equal(response.status, 303);
  return Number(/#comment-(\d+)$/.exec(response.headers.get('location') ?? '')![1]);
}

const report = (app: Hono, member: Member, path: string, reason: string) =>
  postForm(app, path, { _csrf: member.csrf, reason }, { cookie: member.cookie });

async function queue(app: Hono, member: Member): Promise<string> {
  const response = await app.request('/moderation/reports', { headers: { cookie: member.cookie } });
  assert.equal(response.status, 200);
  return response.text();
}

test('reports merge per item, once per member, never one’s own; the queue resolves each with a log entry', async () => {
  const { store, app, ada, bob, cy, mod } = await setup();
  const spam = await comment(app, bob, 'Buy cheap watches');
  const paperPage = await (await app.request(`/papers/${PAPER}`, { headers: { cookie: ada.cookie } })).text();
  assert.match(paperPage, new RegExp(`action="/comments/${spam}/report"`), 'a Report form on the comment');
  assert.match(paperPage, new RegExp(`action="/papers/${PAPER}/report"`), 'and on the paper');
  const bobsView = await (await app.request(`/papers/${PAPER}`, { headers: { cookie: bob.cookie } })).text();
  assert.doesNotMatch(bobsView, new RegExp(`action="/comments/${spam}/report"`), 'not on one’s own comment');
  assert.doesNotMatch(await (await app.request(`/papers/${PAPER}`)).text(), /\/report"/, 'not for strangers');

  const first = await report(app, ada, `/comments/${spam}/report`, 'spam');
  assert.equal(first.status, 200);
  assert.match(await first.text(), /The moderators will look at this comment/);
  const again = await report(app, ada, `/comments/${spam}/report`, 'still spam');
  assert.equal(again.status, 409);
  assert.match(await again.text(), /You reported this comment before/);
  assert.equal((await report(app, cy, `/comments/${spam}/report`, 'advert')).status, 200);
  assert.equal((await report(app, bob, `/comments/${spam}/report`, 'mine')).status, 400, 'not one’s own');
  assert.equal((await report(app, cy, `/comments/${spam}/report`, '   ')).status, 400, 'a reason is needed');
  assert.equal((await report(app, cy, '/comments/999999/report', 'x')).status, 404);
  assert.equal(
    (await postForm(app, `/comments/${spam}/report`, { reason: 'x' }, { cookie: cy.cookie })).status,
    403,
    'CSRF: no token',
  );
  assert.equal((await postForm(app, `/comments/${spam}/report`, { reason: 'x' })).status, 303, 'signed out: sign in');
  assert.equal((await report(app, cy, `/papers/${PAPER}/report`, 'not research')).status, 200);

  // Two identical reports at the same moment: one stored, the other refused.
  const other = await comment(app, bob, 'Another one');
  const both = await Promise.all([1, 2].map(() => report(app, ada, `/comments/${other}/report`, 'twice')));
  assert.deepEqual(both.map((r) => r.status).sort(), [200, 409]);

  const page = await queue(app, mod);
  assert.match(page, /Reports <span class="title-count">3 open<\/span>/, 'three items, however many reports');
  assert.match(page, /2 reports/, 'the two reports of the spam merged');
  assert.match(page, /@ada<\/a>: spam/);
  assert.match(page, /@cy<\/a>: advert/);
  assert.match(page, /aria-label="Reports, 3 open"/, 'the header counts them for moderators');
  const adaHeader = await (await app.request('/papers/trending', { headers: { cookie: ada.cookie } })).text();
  assert.doesNotMatch(adaHeader, /href="\/moderation\/reports"/, 'members have no reports link');

  const resolve = (member: Member, fields: Record<string, string>) =>
    postForm(app, '/moderation/reports/resolve', { _csrf: member.csrf, ...fields }, { cookie: member.cookie });
  assert.equal((await resolve(mod, { kind: 'comment', id: String(spam), decision: 'hide', reason: '' })).status, 400);
  assert.equal((await resolve(mod, { kind: 'comment', id: String(spam), decision: 'ban', reason: 'x' })).status, 400);
  const hidden = await resolve(mod, { kind: 'comment', id: String(spam), decision: 'hide', reason: 'spam' });
  assert.equal(hidden.status, 303);
  assert.equal((await store.community.getComment(spam))?.hiddenReason, 'spam');
  const late = await resolve(mod, { kind: 'comment', id: String(spam), decision: 'dismiss', reason: 'late' });
  assert.equal(late.status, 404, 'resolved once');
  assert.equal(
    (await resolve(mod, { kind: 'comment', id: String(other), decision: 'warn', reason: 'no ads' })).status,
    303,
  );
  assert.equal(
    (await resolve(mod, { kind: 'paper', id: PAPER, decision: 'dismiss', reason: 'it is research' })).status,
    303,
  );
  assert.match(await queue(app, mod), /No open reports/);

  const log = await store.community.moderationLog(10);
  assert.deepEqual(
    log.map((e) => [e.action, e.target, e.reason]),
    [
      ['dismiss-report', `paper ${PAPER}`, 'it is research'],
      ['warn-member', 'bob', 'no ads'],
      ['hide-comment', String(spam), 'spam'],
    ],
  );
  const moderationPage = await (await app.request('/moderation', { headers: { cookie: mod.cookie } })).text();
  assert.match(moderationPage, /warn-member/);
  const bobNotes = await (await app.request('/notifications', { headers: { cookie: bob.cookie } })).text();
  assert.match(bobNotes, /The moderators hid your comment/);
  assert.match(bobNotes, /The moderators sent you a warning/);
  assert.match(bobNotes, /Reason: no ads/);
});

test('reach: a moderator does not act on a moderator’s content; an administrator may', async () => {
  const { store, app, outboxDir, ada, mod } = await setup();
  const other = await signIn(app, outboxDir, 'other@example.org', { handle: 'other-mod' });
  await store.community.setRole(await id(store, 'other@example.org'), 'moderator');
  const byModerator = await comment(app, other, 'A moderator’s comment');
  assert.equal((await report(app, ada, `/comments/${byModerator}/report`, 'rude')).status, 200);
  const page = await queue(app, mod);
  assert.match(page, /those above them decide/);
  assert.doesNotMatch(page, /name="decision"/);
  const tried = await postForm(
    app,
    '/moderation/reports/resolve',
    { _csrf: mod.csrf, kind: 'comment', id: String(byModerator), decision: 'hide', reason: 'x' },
    { cookie: mod.cookie },
  );
  assert.equal(tried.status, 403);
  assert.equal((await store.community.getComment(byModerator))?.hiddenReason, null);

  await store.community.setRole(await id(store, 'ada@example.org'), 'admin');
  assert.match(await queue(app, ada), /name="decision" value="warn"/);
  const warned = await postForm(
    app,
    '/moderation/reports/resolve',
    { _csrf: ada.csrf, kind: 'comment', id: String(byModerator), decision: 'warn', reason: 'be kind' },
    { cookie: ada.cookie },
  );
  assert.equal(warned.status, 303);
});

test('reports are rate-limited per member', async () => {
  const { app, bob, cy } = await setup();
  const limit = RATE_LIMITS.report.perMember;
  const ids: number[] = [];
  for (let i = 0; i <= limit; i++) ids.push(await comment(app, bob, `Comment ${i}`));
  for (const commentId of ids.slice(0, limit))
    assert.equal((await report(app, cy, `/comments/${commentId}/report`, 'spam')).status, 200);
  const over = await report(app, cy, `/comments/${ids[limit]}/report`, 'spam');
  assert.equal(over.status, 429);
  assert.ok(Number(over.headers.get('retry-after')) > 0);
  assert.match(await over.text(), /many reports in a short time/);
});
