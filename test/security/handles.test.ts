/**
 * Handles are public and email addresses are not: a new account's handle is a random suggestion, not made from
 * the address (alice.researcher@… used to become @alice-researcher), and the member chooses their handle and
 * display name on a welcome page at their first sign-in, before they land where they were going. Accounts made
 * before keep their handles and are not asked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { getLoadablePath } from 'sqlite-vec';
import { DAY_FIXTURES, memoryStore, tempDir } from '../helpers.ts';
import { communityApp, postForm, signIn, signInLink } from '../community-helpers.ts';
import { importPath } from '../../src/ingest/import-files.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';

async function seeded() {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  return { store, ...communityApp(store) };
}

/** The sign-in link's button pressed, with `next`: the session cookie and where it leads. */
async function verify(app: Awaited<ReturnType<typeof seeded>>['app'], outboxDir: string, email: string, next: string) {
  assert.equal((await postForm(app, '/signin', { email, next })).status, 200);
  const link = await signInLink(outboxDir, email);
  const verified = await postForm(app, '/signin/verify', { token: link.searchParams.get('token')!, next });
  assert.equal(verified.status, 303);
  return {
    cookie: /pb_session=[^;]+/.exec(verified.headers.get('set-cookie') ?? '')![0],
    location: verified.headers.get('location'),
  };
}

test("a new member's handle is not made from their address, and the address shows on none of their pages", async () => {
  const { store, app, outboxDir } = await seeded();
  const alice = await signIn(app, outboxDir, 'alice.researcher@example.org');
  assert.match(alice.name, /^reader-[a-z0-9]{5}$/);
  const paper = (
    await store.listDaily({ firstDay: '2000-01-01', lastDay: '2100-01-01', sort: 'upvotes', offset: 0, limit: 1 })
  )[0]!.paper.id;
  await postForm(app, `/papers/${paper}/comments`, { _csrf: alice.csrf, body: 'A comment.' }, { cookie: alice.cookie });
  await postForm(app, `/papers/${paper}/upvote`, { _csrf: alice.csrf }, { cookie: alice.cookie });
  const bob = await signIn(app, outboxDir, 'bob@example.org');
  for (const path of [`/members/${alice.name}`, `/papers/${paper}`, '/papers/trending', '/moderation']) {
    for (const cookie of [undefined, bob.cookie]) {
      const page = await (await app.request(path, cookie ? { headers: { cookie } } : {})).text();
      assert.doesNotMatch(page, /alice[.-]researcher/i, `${path}${cookie ? ' (to another member)' : ''}`);
    }
  }
});

test('the first sign-in asks for a handle and a display name, with clear errors, then goes on to `next`', async () => {
  const { store, app, outboxDir } = await seeded();
  const first = await verify(app, outboxDir, 'grace@example.org', '/papers/trending');
  assert.equal(first.location, '/welcome?next=%2Fpapers%2Ftrending', 'after the sign-in button, before `next`');
  const { cookie } = first;
  const account = await store.community.accountForEmail('grace@example.org', new Date());
  const welcome = await (await app.request(first.location, { headers: { cookie } })).text();
  assert.match(
    welcome,
    new RegExp(`<input id="handle" name="handle"[^>]* value="${account.name}"`),
    'the suggestion is filled in',
  );
  assert.match(welcome, /name="next" value="\/papers\/trending"/);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(welcome)![1]!;
  const choose = (handle: string, fullname = 'Grace Hopper', withCsrf = true) =>
    postForm(
      app,
      '/welcome',
      { ...(withCsrf ? { _csrf: csrf } : {}), handle, fullname, next: '/papers/trending' },
      { cookie },
    );

  const imported = await importedHandle(store);
  for (const [handle, error] of [
    ['g', /A handle has 2 to 24 characters/],
    ['g'.repeat(25), /2 to 24 characters/],
    ['Grace Hopper', /letters a–z, the digits 0–9 and dashes only/],
    ['grace--h', /Dashes go between letters or digits/],
    ['-grace', /Dashes go between/],
    ['<script>alert(1)</script>', /letters a–z/],
    [imported, /is taken/],
    [imported.toUpperCase(), /is taken/],
  ] as const) {
    const refused = await choose(handle);
    assert.equal(refused.status, 400, handle);
    const page = await refused.text();
    assert.match(page, error, handle);
    assert.match(page, /aria-invalid="true"/);
    assert.doesNotMatch(page, /<script>alert/, 'what was typed comes back as text');
  }
  const noName = await choose('grace-h', '   ');
  assert.equal(noName.status, 400);
  assert.match(await noName.text(), /A display name has 1 to 60 characters/);
  assert.equal((await choose('grace-h', 'Grace', false)).status, 403, 'CSRF as every form');
  assert.equal((await store.community.getAccount(account.id))!.handleChosen, false, 'nothing was stored');

  const chosen = await choose('@Grace-H');
  assert.equal(chosen.status, 303);
  assert.equal(chosen.headers.get('location'), '/papers/trending');
  const stored = (await store.community.getAccount(account.id))!;
  assert.deepEqual([stored.name, stored.fullname, stored.handleChosen], ['grace-h', 'Grace Hopper', true]);
  assert.match(await (await app.request('/members/grace-h')).text(), /Grace Hopper/);

  // Chosen once: the page and a second form (another tab) send the member on, and rename nothing.
  assert.equal(
    (await app.request('/welcome?next=%2Fsettings', { headers: { cookie } })).headers.get('location'),
    '/settings',
  );
  assert.equal((await choose('grace-other')).status, 303);
  assert.equal((await store.community.getAccount(account.id))!.name, 'grace-h');
  const second = await verify(app, outboxDir, 'grace@example.org', '/papers/trending');
  assert.equal(second.location, '/papers/trending', 'the next sign-in goes straight on');

  // Taken by another member, in any letter case; a member may keep the suggestion.
  const other = await signIn(app, outboxDir, 'other@example.org');
  const taken = await postForm(
    app,
    '/welcome',
    { _csrf: other.csrf, handle: 'GRACE-H', fullname: 'X', next: '/' },
    { cookie: other.cookie },
  );
  assert.equal(taken.status, 400);
  assert.match(await taken.text(), /@grace-h is taken/);
  const kept = await postForm(
    app,
    '/welcome',
    { _csrf: other.csrf, handle: other.name, fullname: 'Other', next: '/' },
    { cookie: other.cookie },
  );
  assert.equal(kept.status, 303);
  assert.deepEqual(pick((await store.community.getAccountByName(other.name))!), [other.name, 'Other', true]);
  assert.equal((await app.request('/welcome')).status, 303, 'signed out: to sign in');
});

test('accounts made before keep their handles and are not asked', async () => {
  const path = join(tempDir('paperboy-handles-'), 'paperboy.db');
  new SqliteStore(path).close();
  // The schema before this change, with an account it made (its handle made from the address).
  const raw = new DatabaseSync(path, { allowExtension: true });
  raw.loadExtension(getLoadablePath());
  raw.exec(`DROP INDEX members_name_lower;
    ALTER TABLE members DROP COLUMN handle_chosen; ALTER TABLE members DROP COLUMN upvotes_public; ALTER TABLE members DROP COLUMN deleted_at;
    DELETE FROM schema_migrations WHERE version = 11;
    INSERT INTO members (name, fullname, email, role, created_at) VALUES ('jane-doe', 'Jane', 'jane.doe@example.org', 'member', '2026-01-01T00:00:00.000Z')`);
  raw.close();
  const store = new SqliteStore(path);
  try {
    const jane = (await store.community.getAccountByName('jane-doe'))!;
    assert.deepEqual(pick(jane), ['jane-doe', 'Jane', true]);
    assert.equal(jane.upvotesPublic, true);
    const { app, outboxDir } = communityApp(store);
    const signedIn = await verify(app, outboxDir, 'jane.doe@example.org', '/settings');
    assert.equal(signedIn.location, '/settings');
    assert.equal((await store.community.accountForEmail('jane.doe@example.org', new Date())).name, 'jane-doe');
  } finally {
    await store.close();
  }
});

/** A handle an imported Daily Papers submitter holds, as members would type it. */
async function importedHandle(store: Store): Promise<string> {
  const entries = await store.listDaily({
    firstDay: '2000-01-01',
    lastDay: '2100-01-01',
    sort: 'upvotes',
    offset: 0,
    limit: 100,
  });
  const name = entries
    .map((e) => e.submittedBy?.name ?? '')
    .find((n) => /^[a-z0-9]+(?:-[a-z0-9]+)*$/i.test(n) && n.length >= 2 && n.length <= 24);
  assert.ok(name, 'the fixtures have submitters');
  return name.toLowerCase();
}

function pick(account: { name: string; fullname: string; handleChosen: boolean }) {
  return [account.name, account.fullname, account.handleChosen];
}
