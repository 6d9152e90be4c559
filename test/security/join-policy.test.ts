/**
 * Who may join (PAPERBOY_SIGNUP), through HTTP: open, an allow-list of email domains, invitation links. A
 * refused new address gets no email and the same answer as a member who does not join by itself (the answer
 * does not reveal who is a member); an invitation works once, for its address only, until it expires or is
 * revoked; the account is made only when the invited person completes sign-in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { listOutbox } from '../../src/mail/mailer.ts';
import { createInvitation, openInvitation } from '../../src/community/invitations.ts';
import { openStore } from '../../src/store/open-store.ts';
import { startSmtpSink } from '../../src/mail/smtp-sink.ts';
import { communityApp, postForm, signIn, signInLink } from '../community-helpers.ts';
import { CLI, NODE, REPO_ROOT, memoryStore, tempDir } from '../helpers.ts';
import type { Store } from '../../src/store/store.ts';
import type { Hono } from 'hono';

const mailsTo = (outboxDir: string, email: string) =>
  listOutbox(outboxDir).filter((m) => m.raw().toString().includes(`To: ${email}`)).length;

/** The sign-in form's answer with the address taken out, to compare the answers to two addresses. */
async function answer(
  app: Hono,
  email: string,
  fields: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const response = await postForm(app, '/signin', { email, next: '/', ...fields });
  return { status: response.status, text: (await response.text()).replaceAll(email, 'ADDRESS') };
}

/** Completes the sign-in of the newest link mailed to `email`: the redirect, or the failure page. */
async function follow(app: Hono, outboxDir: string, email: string) {
  const link = await signInLink(outboxDir, email);
  const confirm = await app.request(`${link.pathname}${link.search}`);
  const form = await confirm.text();
  const invite = /name="invite" value="([^"]+)"/.exec(form)?.[1];
  return postForm(app, '/signin/verify', {
    token: link.searchParams.get('token')!,
    next: '/',
    ...(invite ? { invite } : {}),
  });
}

async function adminOf(store: Store, app: Hono, outboxDir: string) {
  const account = await store.community.accountForEmail('admin@lab.example', new Date());
  await store.community.setRole(account.id, 'admin');
  return signIn(app, outboxDir, 'admin@lab.example');
}

test('the policy settings are checked together, with messages that say what to set', () => {
  assert.deepEqual(loadConfig({}).access, { signup: 'open', signupDomains: [], read: 'public' });
  assert.deepEqual(
    loadConfig({ PAPERBOY_SIGNUP: 'domains', PAPERBOY_SIGNUP_DOMAINS: ' Lab.example, @uni.example ,' }).access
      .signupDomains,
    ['lab.example', 'uni.example'],
  );
  assert.throws(
    () => loadConfig({ PAPERBOY_SIGNUP: 'domains' }),
    (e: Error) => e instanceof ConfigError && /PAPERBOY_SIGNUP_DOMAINS.*needs the email domains/.test(e.message),
  );
  assert.throws(() => loadConfig({ PAPERBOY_SIGNUP_DOMAINS: 'lab.example' }), /only with PAPERBOY_SIGNUP=domains/);
  assert.throws(
    () => loadConfig({ PAPERBOY_SIGNUP: 'domains', PAPERBOY_SIGNUP_DOMAINS: 'not a domain' }),
    /"not a domain" is not an email domain/,
  );
  assert.throws(() => loadConfig({ PAPERBOY_SIGNUP: 'closed' }), /PAPERBOY_SIGNUP/);
  assert.throws(() => loadConfig({ PAPERBOY_READ: 'private' }), /PAPERBOY_READ/);
});

test('open: any new address gets a link and an account; the form states no rule', async () => {
  const store = memoryStore();
  const { app, outboxDir } = communityApp(store);
  assert.doesNotMatch(await (await app.request('/signin')).text(), /join-rule/);
  const asked = await answer(app, 'new@anywhere.example');
  assert.match(asked.text, /a sign-in link is on its way/);
  assert.equal((await follow(app, outboxDir, 'new@anywhere.example')).status, 303);
  assert.ok(await store.access.memberExists('new@anywhere.example'));
});

test('domains: listed domains join; others do not, with the same answer as a member of another domain, who still signs in', async () => {
  const store = memoryStore();
  const { app, outboxDir } = communityApp(store, {
    PAPERBOY_SIGNUP: 'domains',
    PAPERBOY_SIGNUP_DOMAINS: 'lab.example,uni.example',
  });
  const form = await (await app.request('/signin')).text();
  assert.match(
    form,
    /New members need an address at @lab\.example or @uni\.example/,
    'the rule is on the form for everyone',
  );

  assert.match((await answer(app, 'ada@lab.example')).text, /a sign-in link is on its way/);
  assert.equal(mailsTo(outboxDir, 'ada@lab.example'), 1, 'a listed domain gets its link');
  assert.equal((await follow(app, outboxDir, 'ada@lab.example')).status, 303);
  assert.ok(await store.access.memberExists('ada@lab.example'));

  await store.community.accountForEmail('old-friend@elsewhere.example', new Date()); // a member from before the policy
  const stranger = await answer(app, 'stranger@elsewhere.example');
  const member = await answer(app, 'old-friend@elsewhere.example');
  assert.equal(stranger.status, 200);
  assert.deepEqual(stranger, member, 'a refused stranger and a member of another domain get the same answer');
  assert.match(stranger.text, /If <strong>ADDRESS<\/strong> belongs to a member/);
  assert.match(
    stranger.text,
    /New members need an address at @lab\.example or @uni\.example/,
    'the stranger learns why',
  );
  assert.equal(mailsTo(outboxDir, 'stranger@elsewhere.example'), 0, 'no email to a refused address');
  assert.equal(await store.access.memberExists('stranger@elsewhere.example'), false, 'and no account');
  assert.equal(mailsTo(outboxDir, 'old-friend@elsewhere.example'), 1, 'the member of another domain gets their link');
  assert.equal((await follow(app, outboxDir, 'old-friend@elsewhere.example')).status, 303, 'the member signs in');

  await answer(app, 'eve@sub.lab.example');
  assert.equal(mailsTo(outboxDir, 'eve@sub.lab.example'), 0, 'subdomains are not implied');
  await answer(app, 'eve@lab.example.evil.example');
  assert.equal(mailsTo(outboxDir, 'eve@lab.example.evil.example'), 0);
});

test('with a slow mail server, a member of another domain is answered as fast as a stranger; their link still goes', async () => {
  const sink = await startSmtpSink({ onMessage: () => new Promise((done) => setTimeout(() => done('accept'), 1_500)) });
  try {
    const store = memoryStore();
    const { app } = communityApp(store, {
      PAPERBOY_SIGNUP: 'domains',
      PAPERBOY_SIGNUP_DOMAINS: 'lab.example',
      SMTP_URL: sink.url,
    });
    await store.community.accountForEmail('old-friend@elsewhere.example', new Date());
    for (const email of ['old-friend@elsewhere.example', 'stranger@elsewhere.example']) {
      const started = performance.now();
      assert.match((await answer(app, email)).text, /belongs to a member/);
      assert.ok(performance.now() - started < 1_000, `${email}: answered without waiting for the mail server`);
    }
    for (let waited = 0; sink.accepted.length === 0 && waited < 10_000; waited += 100)
      await new Promise((done) => setTimeout(done, 100));
    assert.deepEqual(
      sink.accepted.map((m) => m.to),
      [['old-friend@elsewhere.example']],
      'only the member gets a link',
    );
  } finally {
    await sink.close();
  }
});

test('invite: an invitation link leads to the form, makes the account at the end of sign-in, and works once', async () => {
  const store = memoryStore();
  const { app, outboxDir } = communityApp(store, { PAPERBOY_SIGNUP: 'invite' });
  const admin = await adminOf(store, app, outboxDir);
  assert.match(await (await app.request('/signin')).text(), /invitation-only/);

  const uninvited = await answer(app, 'walk-in@lab.example');
  assert.match(uninvited.text, /belongs to a member.*[\s\S]*invitation-only/);
  assert.equal(mailsTo(outboxDir, 'walk-in@lab.example'), 0);

  const made = await postForm(
    app,
    '/admin/invitations',
    { _csrf: admin.csrf, email: '', days: '7' },
    { cookie: admin.cookie },
  );
  assert.equal(made.status, 200);
  const link = new URL(/value="(http:\/\/paperboy\.test\/invite\/[^"]+)"/.exec(await made.text())![1]!);
  const token = link.pathname.split('/').pop()!;
  assert.equal(await store.access.invitations(10).then((list) => list[0]!.createdBy), admin.name);

  const opened = await (await app.request(link.pathname)).text();
  assert.match(
    opened,
    new RegExp(`name="invite" value="${token}"`),
    'opening it leads to the sign-in form carrying it',
  );
  assert.match((await answer(app, 'guest@anywhere.example', { invite: token })).text, /a sign-in link is on its way/);
  assert.equal(
    await store.access.memberExists('guest@anywhere.example'),
    false,
    'no account before the sign-in completes',
  );
  assert.equal((await follow(app, outboxDir, 'guest@anywhere.example')).status, 303);
  assert.ok(await store.access.memberExists('guest@anywhere.example'), 'the account is made at the end of sign-in');

  assert.equal((await app.request(link.pathname)).status, 404, 'used once, the link does not work again');
  const again = await answer(app, 'second@anywhere.example', { invite: token });
  assert.equal(again.status, 400);
  assert.match(again.text, /not valid any more/);
  assert.equal(mailsTo(outboxDir, 'second@anywhere.example'), 0);
  const list = await (await app.request('/admin/invitations', { headers: { cookie: admin.cookie } })).text();
  assert.match(list, /used .* by guest@anywhere\.example/);
});

test("invite: an expired, a revoked or another address's invitation does not let anyone in", async () => {
  const store = memoryStore();
  const { app, outboxDir } = communityApp(store, { PAPERBOY_SIGNUP: 'invite' });
  const admin = await adminOf(store, app, outboxDir);
  const tokenOf = (link: string) => link.split('/').pop()!;

  const expired = await createInvitation(
    store.access,
    'http://paperboy.test',
    { email: null, days: 1, createdById: null },
    new Date(Date.now() - 2 * 86_400_000),
  );
  assert.equal((await app.request(new URL(expired.link).pathname)).status, 404);
  assert.match((await answer(app, 'late@anywhere.example', { invite: tokenOf(expired.link) })).text, /expired/);

  const revoked = await createInvitation(store.access, 'http://paperboy.test', {
    email: null,
    days: 7,
    createdById: null,
  });
  const revoke = await postForm(
    app,
    `/admin/invitations/${revoked.invitation.id}/revoke`,
    { _csrf: admin.csrf },
    { cookie: admin.cookie },
  );
  assert.equal(revoke.status, 303);
  assert.equal((await app.request(new URL(revoked.link).pathname)).status, 404);
  assert.equal((await answer(app, 'revoked@anywhere.example', { invite: tokenOf(revoked.link) })).status, 400);
  assert.equal(mailsTo(outboxDir, 'revoked@anywhere.example'), 0);

  const addressed = await createInvitation(store.access, 'http://paperboy.test', {
    email: 'Grace@Lab.example',
    days: 7,
    createdById: null,
  });
  assert.match(
    await (await app.request(new URL(addressed.link).pathname)).text(),
    /value="Grace@Lab\.example"/,
    'the form holds the invited address',
  );
  const wrong = await answer(app, 'mallory@lab.example', { invite: tokenOf(addressed.link) });
  assert.equal(wrong.status, 400);
  assert.match(wrong.text, /for another email address/);
  assert.equal(mailsTo(outboxDir, 'mallory@lab.example'), 0);

  // Revoked between asking for the link and following it: the sign-in fails and no account is made.
  assert.match((await answer(app, 'grace@lab.example', { invite: tokenOf(addressed.link) })).text, /on its way/);
  assert.ok(await store.access.revokeInvitation(addressed.invitation.id, new Date()));
  const late = await follow(app, outboxDir, 'grace@lab.example');
  assert.equal(late.status, 400);
  assert.match(await late.text(), /not valid any more/);
  assert.equal(await store.access.memberExists('grace@lab.example'), false);
});

test('only administrators see and make invitations', async () => {
  const store = memoryStore();
  const { app, outboxDir } = communityApp(store);
  const member = await signIn(app, outboxDir, 'someone@lab.example');
  assert.equal((await app.request('/admin/invitations', { headers: { cookie: member.cookie } })).status, 403);
  assert.equal(
    (await postForm(app, '/admin/invitations', { _csrf: member.csrf, days: '7' }, { cookie: member.cookie })).status,
    403,
  );
  assert.equal((await app.request('/admin/invitations')).status, 403);
  assert.equal((await store.access.invitations(10)).length, 0);
});

test('paperboy admin invite prints an invitation link for the address', async () => {
  const dir = tempDir();
  const databaseUrl = join(dir, 'paperboy.db');
  const run = spawnSync(NODE, [CLI, 'admin', 'invite', 'cli@anywhere.example', '--days', '3'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: databaseUrl, PUBLIC_URL: 'http://paperboy.test', PAPERBOY_SIGNUP: 'invite' },
  });
  assert.equal(run.status, 0, run.stderr);
  const link = /^http:\/\/paperboy\.test\/invite\/([A-Za-z0-9_-]{43})$/m.exec(run.stdout);
  assert.ok(link, run.stdout);
  assert.match(run.stdout, /For cli@anywhere\.example; it works once/);
  const store = await openStore(databaseUrl);
  try {
    const invitation = await openInvitation(store.access, link[1]!);
    assert.equal(invitation?.email, 'cli@anywhere.example', 'the printed token opens the stored invitation');
  } finally {
    await store.close();
  }
  const bad = spawnSync(NODE, [CLI, 'admin', 'invite', '--days', '0'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--days/);
});
