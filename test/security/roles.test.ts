/**
 * Moderation reaches only those below: a moderator cannot ban an administrator or another moderator, nor hide
 * their comments (and is not offered the buttons); administrators grant and revoke the moderator role at
 * /admin/roles, every change in the moderation log.
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

async function member(email: string, role: 'member' | 'moderator' | 'admin'): Promise<Member & { name: string }> {
  const account = await store.community.accountForEmail(email, new Date());
  await store.community.setRole(account.id, role);
  return { ...(await signIn(app, outboxDir, email)), name: account.name };
}

const admin = await member('root@example.org', 'admin');
const mod = await member('mod@example.org', 'moderator');
const mod2 = await member('mod2@example.org', 'moderator');
const eve = await member('eve@example.org', 'member');

async function commentBy(who: Member): Promise<number> {
  const response = await postForm(
    app,
    `/papers/${paper}/comments`,
    { _csrf: who.csrf, body: 'A comment.' },
    { cookie: who.cookie },
  );
  assert.equal(response.status, 303);
  return Number(/#comment-(\d+)$/.exec(response.headers.get('location') ?? '')![1]);
}

test('a moderator cannot ban an administrator or another moderator, and is not offered to', async () => {
  for (const target of [admin, mod2]) {
    const response = await postForm(
      app,
      `/members/${target.name}/ban`,
      { _csrf: mod.csrf, reason: 'coup' },
      { cookie: mod.cookie },
    );
    assert.equal(response.status, 403, `@${target.name}`);
    assert.equal((await store.community.getAccountByName(target.name))!.bannedAt, null);
    const profile = await (await app.request(`/members/${target.name}`, { headers: { cookie: mod.cookie } })).text();
    assert.doesNotMatch(profile, /Ban this member/);
  }
  assert.doesNotMatch(
    await (await app.request(`/members/${admin.name}`, { headers: { cookie: admin.cookie } })).text(),
    /Ban this member/,
    'nor oneself',
  );
  // Below them, as before.
  assert.match(
    await (await app.request(`/members/${eve.name}`, { headers: { cookie: mod.cookie } })).text(),
    /Ban this member/,
  );
  const admins = await postForm(
    app,
    `/members/${mod2.name}/ban`,
    { _csrf: admin.csrf, reason: 'test' },
    { cookie: admin.cookie },
  );
  assert.equal(admins.status, 303, 'an administrator can ban a moderator');
  assert.ok((await store.community.getAccountByName(mod2.name))!.bannedAt);
});

test('a moderator cannot hide the comments of an administrator or a moderator', async () => {
  const byAdmin = await commentBy(admin);
  const byEve = await commentBy(eve);
  const refused = await postForm(
    app,
    `/comments/${byAdmin}/hide`,
    { _csrf: mod.csrf, reason: 'coup' },
    { cookie: mod.cookie },
  );
  assert.equal(refused.status, 403);
  const page = await (await app.request(`/papers/${paper}`, { headers: { cookie: mod.cookie } })).text();
  assert.doesNotMatch(page, new RegExp(`/comments/${byAdmin}/hide`), "no Hide button on the administrator's comment");
  assert.match(page, new RegExp(`/comments/${byEve}/hide`), "a Hide button on the member's comment");
  assert.equal(
    (await postForm(app, `/comments/${byEve}/hide`, { _csrf: mod.csrf, reason: 'spam' }, { cookie: mod.cookie }))
      .status,
    303,
  );
});

test('administrators grant and revoke the moderator role at /admin/roles; others may not', async () => {
  assert.equal((await app.request('/admin/roles', { headers: { cookie: mod.cookie } })).status, 403);
  assert.equal(
    (
      await postForm(
        app,
        '/admin/roles',
        { _csrf: mod.csrf, name: eve.name, role: 'moderator', reason: 'x' },
        { cookie: mod.cookie },
      )
    ).status,
    403,
  );
  assert.equal((await app.request('/admin/roles')).status, 403);

  const granted = await postForm(
    app,
    '/admin/roles',
    { _csrf: admin.csrf, name: `@${eve.name}`, role: 'moderator', reason: 'helps a lot' },
    { cookie: admin.cookie },
  );
  assert.equal(granted.status, 303);
  assert.equal((await store.community.getAccountByName(eve.name))!.role, 'moderator');
  const again = await postForm(
    app,
    '/admin/roles',
    { _csrf: admin.csrf, name: eve.name, role: 'moderator', reason: 'twice' },
    { cookie: admin.cookie },
  );
  assert.equal(again.status, 400);
  assert.match(await again.text(), /is a moderator already/);
  const page = await (await app.request('/admin/roles', { headers: { cookie: admin.cookie } })).text();
  assert.match(page, new RegExp(`@${eve.name}</a> <span class="muted">moderator`));

  const toAdmin = await postForm(
    app,
    '/admin/roles',
    { _csrf: admin.csrf, name: admin.name, role: 'member', reason: 'no' },
    { cookie: admin.cookie },
  );
  assert.equal(toAdmin.status, 400, 'administrators are not changed on the web');
  assert.equal(
    (
      await postForm(
        app,
        '/admin/roles',
        { _csrf: admin.csrf, name: eve.name, role: 'moderator', reason: '' },
        { cookie: admin.cookie },
      )
    ).status,
    400,
    'a reason is needed',
  );
  assert.equal(
    (
      await postForm(
        app,
        '/admin/roles',
        { _csrf: admin.csrf, name: 'nobody-here', role: 'moderator', reason: 'x' },
        { cookie: admin.cookie },
      )
    ).status,
    404,
  );

  const revoked = await postForm(
    app,
    '/admin/roles',
    { _csrf: admin.csrf, name: eve.name, role: 'member', reason: 'stepped down' },
    { cookie: admin.cookie },
  );
  assert.equal(revoked.status, 303);
  assert.equal((await store.community.getAccountByName(eve.name))!.role, 'member');
  const log = (await store.community.moderationLog(10)).filter((entry) => entry.action === 'set-role');
  assert.deepEqual(log.map((entry) => [entry.moderator, entry.target, entry.reason]).sort(), [
    [admin.name, eve.name, 'member: stepped down'],
    [admin.name, eve.name, 'moderator: helps a lot'],
  ]);
});
