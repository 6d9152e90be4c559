/**
 * Notifications through the HTTP app: replies, mentions and comments on a member's submitted paper notify, and
 * nobody hears of their own action; the header's bell counts what is unread; read marks; a hidden comment's (or a
 * banned author's) notifications disappear while the author hears of the decision; email choices, the emails a
 * run sends (once), and the one-click unsubscribe link.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import { simpleParser } from 'mailparser';
import { DAY_FIXTURES, memoryStore } from './helpers.ts';
import { communityApp, postForm, signIn, type Member } from './community-helpers.ts';
import { importPath } from '../src/ingest/import-files.ts';
import { madeUp } from './contract/fixtures.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createMailer, listOutbox } from '../src/mail/mailer.ts';
import { runNotificationEmails } from '../src/notify/send.ts';
import type { Store } from '../src/store/store.ts';

const PAPER = '2608.19880';

async function setup() {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  const { app, outboxDir } = communityApp(store);
  const ada = await signIn(app, outboxDir, 'ada@example.org', { handle: 'ada' });
  const bob = await signIn(app, outboxDir, 'bob@example.org', { handle: 'bob' });
  const cy = await signIn(app, outboxDir, 'cy@example.org', { handle: 'cy' });
  return { store, app, outboxDir, ada, bob, cy };
}

async function comment(app: Hono, member: Member, body: string, parent?: number, paper = PAPER): Promise<number> {
  const fields: Record<string, string> = { _csrf: member.csrf, body };
  if (parent !== undefined) fields.parent = String(parent);
  const response = await postForm(app, `/papers/${paper}/comments`, fields, { cookie: member.cookie });
  assert.equal(response.status, 303, await response.clone().text());
  return Number(/#comment-(\d+)$/.exec(response.headers.get('location') ?? '')![1]);
}

async function notificationsPage(app: Hono, member: Member): Promise<string> {
  const response = await app.request('/notifications', { headers: { cookie: member.cookie } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  return response.text();
}

/** The unread count on the header's bell of any page. */
async function bell(app: Hono, member: Member): Promise<number> {
  const page = await (await app.request('/papers/trending', { headers: { cookie: member.cookie } })).text();
  const m = /href="\/notifications" aria-label="Notifications(?:, (\d+) unread)?"/.exec(page);
  assert.ok(m, 'the header has the bell');
  return Number(m[1] ?? 0);
}

async function id(store: Store, email: string): Promise<number> {
  return (await store.community.accountForEmail(email, new Date())).id;
}

test('a reply, a mention and a comment on a submitted paper notify; one’s own action does not', async () => {
  const { store, app, ada, bob, cy } = await setup();
  // A paper cy submits (one not on the feed yet), with one comment by ada.
  await store.importBatch({ papers: [madeUp(7)], entries: [], replaceDays: [] });
  await store.community.submitPaper('2101.00007', await id(store, 'cy@example.org'), '2026-08-21', new Date());
  await comment(app, ada, 'On the submitted paper.', undefined, '2101.00007');
  assert.equal(await bell(app, ada), 0);
  assert.match(await notificationsPage(app, ada), /Nothing yet/);

  const top = await comment(app, ada, 'What do you think, @bob?');
  const reply = await comment(app, bob, 'Good question, see `@cy`.', top);
  await comment(app, ada, 'Replying to myself, mentioning @ada and @nobody.', top);

  const adaPage = await notificationsPage(app, ada);
  assert.match(adaPage, /@bob replied to your comment on/);
  assert.match(adaPage, new RegExp(`href="/papers/${PAPER}#comment-${reply}"`));
  assert.doesNotMatch(adaPage, /@ada /, 'nothing about her own comments');
  assert.equal(await bell(app, ada), 1);
  assert.equal(await bell(app, cy), 1);

  const bobPage = await notificationsPage(app, bob);
  assert.match(bobPage, /@ada mentioned you on/);
  assert.equal(await bell(app, bob), 1, 'bob: mentioned once (the reply thread is his own reply)');

  const cyPage = await notificationsPage(app, cy);
  assert.equal(
    (cyPage.match(/@ada commented on “Made-up paper number 7”/g) ?? []).length,
    1,
    'on the paper cy submitted',
  );
  assert.doesNotMatch(cyPage, /mentioned you/, 'a mention in code is no mention');

  // Read marks: one, then all; another member's id changes nothing.
  const [first] = await store.notifications.list(await id(store, 'cy@example.org'), 1);
  assert.equal(first?.kind, 'paper-comment');
  const byBob = await postForm(
    app,
    '/notifications/read',
    { _csrf: bob.csrf, id: String(first!.id) },
    { cookie: bob.cookie },
  );
  assert.equal(byBob.status, 303);
  await comment(app, bob, 'Another on the submitted paper.', undefined, '2101.00007');
  assert.equal(await bell(app, cy), 2);
  await postForm(app, '/notifications/read', { _csrf: cy.csrf, id: String(first!.id) }, { cookie: cy.cookie });
  assert.equal(await bell(app, cy), 1);
  const all = await postForm(app, '/notifications/read', { _csrf: cy.csrf, all: '1' }, { cookie: cy.cookie });
  assert.equal(all.headers.get('location'), '/notifications?done=read');
  assert.equal(await bell(app, cy), 0);
  assert.equal((await postForm(app, '/notifications/read', { all: '1' }, { cookie: cy.cookie })).status, 403, 'CSRF');
  assert.equal((await app.request('/notifications')).status, 303, 'signed out: to sign in');
});

test('a hidden comment’s notifications disappear, its author hears of the decision; a banned author’s too', async () => {
  const { store, app, ada, bob, cy } = await setup();
  const top = await comment(app, ada, 'A question.');
  const spam = await comment(app, bob, 'Buy now @cy', top);
  await comment(app, cy, 'A fair reply.', top);
  assert.equal(await bell(app, ada), 2);
  assert.equal(await bell(app, cy), 1);

  await store.community.setRole(await id(store, 'ada@example.org'), 'moderator');
  const hidden = await postForm(
    app,
    `/comments/${spam}/hide`,
    { _csrf: ada.csrf, reason: 'spam' },
    { cookie: ada.cookie },
  );
  assert.equal(hidden.status, 303);
  const adaPage = await notificationsPage(app, ada);
  assert.doesNotMatch(adaPage, /@bob replied/, 'the hidden reply is gone from the list');
  assert.match(adaPage, /@cy replied/);
  assert.equal(await bell(app, ada), 1, 'and from the count');
  assert.equal(await bell(app, cy), 0, 'the mention in it too');
  const bobPage = await notificationsPage(app, bob);
  assert.match(bobPage, /The moderators hid your comment/);
  assert.match(bobPage, /Reason: spam/);

  // A banned member's comments notify nobody any more.
  await store.community.banMember(
    await id(store, 'cy@example.org'),
    await id(store, 'ada@example.org'),
    'abuse',
    new Date(),
  );
  assert.equal(await bell(app, ada), 0);
  assert.doesNotMatch(await notificationsPage(app, ada), /@cy replied/);
});

test('email: off by default; chosen per kind; a run mails each notification once; one-click unsubscribe', async () => {
  const { store, app, outboxDir, ada, bob } = await setup();
  const adaId = await id(store, 'ada@example.org');
  assert.match(await notificationsPage(app, ada), /<option value="off" selected>No email<\/option>/);
  const config = loadConfig({ PUBLIC_URL: 'http://paperboy.test', OUTBOX_DIR: outboxDir });
  const mailer = createMailer(config.mail);
  const run = (mode: 'immediate' | 'daily') =>
    runNotificationEmails({ store, mailer, logger: createLogger('silent'), config, mode });
  const top = await comment(app, ada, 'Before any choice.');
  await comment(app, bob, 'Reply one.', top);
  assert.equal((await run('immediate')).sent, 0, 'off by default');

  const bad = await postForm(app, '/notifications/email', { _csrf: ada.csrf, reply: 'hourly' }, { cookie: ada.cookie });
  assert.equal(bad.status, 400);
  const chosen = await postForm(
    app,
    '/notifications/email',
    { _csrf: ada.csrf, reply: 'immediate', mention: 'daily', 'paper-comment': 'off', moderation: 'off' },
    { cookie: ada.cookie },
  );
  assert.equal(chosen.status, 303);
  assert.deepEqual(await store.notifications.emailModes(adaId), {
    reply: 'immediate',
    mention: 'daily',
    'paper-comment': 'off',
    moderation: 'off',
  });
  assert.equal((await run('immediate')).sent, 0, 'what came before the choice is not mailed');
  await new Promise((resolve) => setTimeout(resolve, 5));
  await comment(app, bob, 'Reply two.', top);
  await comment(app, bob, 'Hello @ada.');
  await comment(app, bob, 'Hello again @ada.');
  const mailsBefore = listOutbox(outboxDir).length;
  assert.deepEqual(await run('immediate').then((s) => [s.sent, s.notifications]), [1, 1]);
  assert.equal((await run('immediate')).sent, 0, 'sent once');
  assert.deepEqual(
    await run('daily').then((s) => [s.sent, s.notifications]),
    [1, 2],
    'the two mentions, in one daily email',
  );
  assert.equal((await run('daily')).sent, 0);
  const mails = listOutbox(outboxDir).slice(0, listOutbox(outboxDir).length - mailsBefore);
  assert.equal(mails.length, 2);
  const immediate = await simpleParser(mails.find((m) => m.raw().includes('replied'))!.raw());
  const daily = await simpleParser(mails.find((m) => !m.raw().includes('replied'))!.raw());
  assert.equal(daily.subject, '[Paperboy] 2 new notifications');
  assert.match(daily.text ?? '', /Hello @ada[\s\S]*Hello again @ada/);
  assert.match(daily.text ?? '', /Stop notification emails:/);
  assert.match(immediate.subject ?? '', /^\[Paperboy\] @bob replied to your comment on/);
  assert.match(immediate.text ?? '', /Reply two\./);
  assert.doesNotMatch(immediate.text ?? '', /Reply one\./);
  // Headers unfolded (long ones continue on the next line).
  const raw = mails
    .find((m) => m.raw().includes('replied'))!
    .raw()
    .replace(/\r?\n[ \t]+/g, ' ');
  assert.match(raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
  const link = /^List-Unsubscribe: <(http:\/\/paperboy\.test\/unsubscribe\/notifications\/[^>]+)>/m.exec(raw)?.[1];
  assert.ok(link);
  const path = new URL(link).pathname;

  // One click: GET shows a button and changes nothing; the POST (from the mail provider: no cookie, no CSRF token).
  assert.match(await (await app.request(path)).text(), /Stop emails about replies to your comments/);
  assert.equal((await store.notifications.emailModes(adaId)).reply, 'immediate');
  const stopped = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  });
  assert.equal(stopped.status, 200);
  assert.deepEqual(
    await store.notifications.emailModes(adaId),
    {
      reply: 'off',
      mention: 'daily',
      'paper-comment': 'off',
      moderation: 'off',
    },
    'that kind only',
  );
  const forged = path.replace(/\.r\./, '.a.');
  assert.equal((await app.request(forged, { method: 'POST' })).status, 400, 'the kind is signed');
  const malformed = await app.request('/unsubscribe/notifications/n.1.r.x');
  assert.equal(malformed.status, 400);
  assert.match(await malformed.text(), /not valid/);
});
