/**
 * Members delete their account from Settings (a confirmation step, the choice of keeping or removing their
 * comments, CSRF as every form): afterwards nothing personal of theirs is left in any table of the database,
 * each paper they upvoted counts one vote less, comments they kept read "deleted member", their submissions stay
 * without their name, and the moderation log keeps what they did as moderators. The scan walks every table and
 * every column that references members, so that a table added later is checked too.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { getLoadablePath } from 'sqlite-vec';
import { DAY_FIXTURES, tempDir } from '../helpers.ts';
import { communityApp, postForm, signIn, type Member } from '../community-helpers.ts';
import { startArxivApiStub } from '../arxiv-api-stub.ts';
import { importPath } from '../../src/ingest/import-files.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { DELETED_MEMBER } from '../../src/domain/handles.ts';

const stub = await startArxivApiStub();

const ALICE = { email: 'alice.researcher@example.org', handle: 'alice-r', fullname: 'Alice Researcher Q' };
const SECRETS = {
  collection: 'Alice secret collection',
  search: 'aliceprivatequery',
  thread: 'Alice starts a thread on the first paper',
  alone: 'Alice alone under the second paper',
};

async function setUp() {
  const path = join(tempDir('paperboy-deletion-'), 'paperboy.db');
  const store = new SqliteStore(path);
  after(() => store.close());
  await importPath(store, DAY_FIXTURES);
  const { app, outboxDir } = communityApp(store, {
    PAPERBOY_SUBMIT_WINDOW_DAYS: '100000',
    PAPERBOY_ARXIV_API_URL: stub.url,
    PAPERBOY_ARXIV_INTERVAL_MS: '0',
  });
  const latest = (await store.latestDay())!;
  const [p1, p2, p3] = (
    await store.listDaily({ firstDay: latest, lastDay: latest, sort: 'upvotes', offset: 0, limit: 3 })
  ).map((e) => e.paper.id) as [string, string, string];
  const before = scan(path);
  for (const needle of needles()) assert.ok(!before.text.includes(needle), `the fixtures hold no "${needle}"`);

  const alice = await signIn(app, outboxDir, ALICE.email);
  const chosen = await postForm(
    app,
    '/welcome',
    { _csrf: alice.csrf, handle: ALICE.handle, fullname: ALICE.fullname, next: '/' },
    { cookie: alice.cookie },
  );
  assert.equal(chosen.status, 303);
  const bob = await signIn(app, outboxDir, 'bob@example.org', { handle: 'bob-b' });
  const post = (m: Member, path: string, fields: Record<string, string> = {}) =>
    postForm(app, path, { _csrf: m.csrf, ...fields }, { cookie: m.cookie });
  const upvotes = async (id: string) =>
    ((await (await app.request(`/api/papers/${id}`)).json()) as { upvotes: number }).upvotes;
  const comments = async (id: string) =>
    ((await (await app.request(`/api/papers/${id}`)).json()) as { numComments: number }).numComments;

  for (const id of [p1, p2]) assert.equal((await post(alice, `/papers/${id}/upvote`)).status, 303);
  assert.equal((await post(bob, `/papers/${p1}/upvote`)).status, 303);
  const thread = await post(alice, `/papers/${p1}/comments`, { body: SECRETS.thread });
  const threadId = /#comment-(\d+)$/.exec(thread.headers.get('location') ?? '')![1]!;
  assert.equal(
    (await post(bob, `/papers/${p1}/comments`, { body: 'Bob replies to the thread', parent: threadId })).status,
    303,
  );
  assert.equal((await post(alice, `/papers/${p2}/comments`, { body: SECRETS.alone })).status, 303);
  assert.equal((await post(alice, '/collections', { name: SECRETS.collection, visibility: 'public' })).status, 303);
  assert.equal((await post(alice, '/follow', { kind: 'search', target: `q=${SECRETS.search}` })).status, 303);
  assert.equal((await post(alice, '/for-you/dismiss', { paper: p3 })).status, 303);
  assert.equal((await post(alice, '/settings/digest', { frequency: 'weekly' })).status, 303);
  assert.equal((await post(alice, '/submit', { paper: '1605.08386' })).status, 200);
  const aliceId = (await store.community.getAccountByName(ALICE.handle))!.id;
  const during = scan(path);
  for (const needle of needles())
    assert.ok(during.text.includes(needle), `the database holds "${needle}" before the deletion`);
  return { store, path, app, outboxDir, alice, bob, aliceId, p1, p2, post, upvotes, comments };
}

/** What must not remain anywhere once Alice's account is gone (her comments only when she removes them). */
function needles(withComments = false): string[] {
  return [
    ALICE.email,
    ALICE.fullname,
    `|${ALICE.handle}|`,
    SECRETS.collection,
    SECRETS.search,
    ...(withComments ? [SECRETS.thread, SECRETS.alone] : []),
  ];
}

/** Every row of every table, as text (to look for what must be gone), and how many rows of each column that
 *  references members refer to `memberId`. */
function scan(path: string, memberId = 0) {
  const db = new DatabaseSync(path, { readOnly: true, allowExtension: true });
  db.loadExtension(getLoadablePath());
  try {
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      .all()
      .map((r) => String(r.name));
    let text = '';
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM "${table}"`).all()) {
        // Cells between bars, so that a handle is found as a whole cell too.
        text += `${table}: |${Object.values(row)
          .map((v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : ''))
          .join('|')}|\n`;
      }
    }
    const references = tables.flatMap((table) =>
      db
        .prepare(`SELECT "from" AS col FROM pragma_foreign_key_list(?) WHERE "table" = 'members'`)
        .all(table)
        .map((fk) => ({
          table,
          column: String(fk.col),
          rows: Number(
            db.prepare(`SELECT count(*) AS n FROM "${table}" WHERE "${String(fk.col)}" = ?`).get(memberId)!.n,
          ),
        })),
    );
    const rateLimitKeys = db
      .prepare('SELECT key FROM rate_limits')
      .all()
      .map((r) => String(r.key));
    return { text, references, rateLimitKeys };
  } finally {
    db.close();
  }
}

test('deleting an account asks first, keeps comments as "deleted member" on request, and leaves nothing personal', async () => {
  const { path, app, outboxDir, alice, aliceId, p1, p2, post, upvotes, comments } = await setUp();
  const counts = { p1: await upvotes(p1), p2: await upvotes(p2), comments: await comments(p1) };

  const settings = await (await app.request('/settings', { headers: { cookie: alice.cookie } })).text();
  assert.match(settings, /href="\/settings\/delete"[^>]*>Delete my account/);
  const confirm = await (await app.request('/settings/delete', { headers: { cookie: alice.cookie } })).text();
  assert.match(confirm, /name="comments" value="keep"/);
  assert.match(confirm, /name="comments" value="remove"/);
  assert.match(confirm, /name="_csrf"/);
  assert.equal((await app.request('/settings/delete')).status, 303, 'signed out: to sign in');

  const forged = await postForm(app, '/settings/delete', { comments: 'keep' }, { cookie: alice.cookie });
  assert.equal(forged.status, 403, 'no CSRF token, no deletion');
  const unsure = await post(alice, '/settings/delete', {});
  assert.equal(unsure.status, 400, 'the choice for the comments is needed');
  assert.match(await unsure.text(), /Choose what happens to your comments/);
  assert.equal((await app.request(`/members/${ALICE.handle}`)).status, 200, 'nothing happened yet');

  const deleted = await post(alice, '/settings/delete', { comments: 'keep' });
  assert.equal(deleted.status, 200);
  assert.match(await deleted.text(), /Your account is deleted/);
  assert.match(deleted.headers.get('set-cookie') ?? '', /pb_session=;/);
  assert.equal(
    (await app.request('/settings', { headers: { cookie: alice.cookie } })).status,
    303,
    'the session is gone',
  );

  assert.equal(await upvotes(p1), counts.p1 - 1, "her vote left the count, Bob's stayed");
  assert.equal(await upvotes(p2), counts.p2 - 1);
  assert.equal(await comments(p1), counts.comments, 'kept comments still count');
  assert.equal((await app.request(`/members/${ALICE.handle}`)).status, 404);
  const page = await (await app.request(`/papers/${p1}`)).text();
  assert.ok(page.includes(SECRETS.thread), 'the kept comment is readable');
  assert.match(page, new RegExp(`comment-author-deleted">.*?${DELETED_MEMBER}`, 's'));
  assert.doesNotMatch(page, /href="\/members\/deleted/, 'no link to a profile that is gone');
  assert.ok(!page.includes(ALICE.fullname));
  const today = new Date().toISOString().slice(0, 10);
  const feed = (await (await app.request(`/api/daily_papers?date=${today}`)).json()) as {
    paper: { id: string };
    submittedBy: unknown;
  }[];
  assert.deepEqual(
    feed.map((item) => [item.paper.id, item.submittedBy]),
    [['1605.08386', null]],
    'the submission stays, without her name',
  );

  const left = scan(path, aliceId);
  for (const needle of needles()) assert.ok(!left.text.includes(needle), `"${needle}" is gone from every table`);
  const references = left.references;
  for (const ref of references) {
    if (ref.table === 'comments') assert.equal(ref.rows, 2, 'her two comments, kept by her choice');
    else assert.equal(ref.rows, 0, `${ref.table}.${ref.column} refers to her no more`);
  }
  assert.ok(
    references.some((r) => r.table === 'votes') && references.some((r) => r.table === 'daily_entries'),
    'the scan found the tables that reference members',
  );
  assert.deepEqual(
    left.rateLimitKeys.filter((key) => key.endsWith(`:who:${aliceId}`) || key.includes(ALICE.email)),
    [],
  );

  // The address starts over: a new, empty account, asked for a handle again; the old handle is free.
  const again = await signIn(app, outboxDir, ALICE.email, { handle: ALICE.handle });
  const profile = await (await app.request(`/members/${ALICE.handle}`, { headers: { cookie: again.cookie } })).text();
  assert.match(profile, /No upvotes yet/);
  assert.match(profile, /No comments yet/);
});

test('deleting an account with its comments: a "[deleted]" placeholder only where others replied', async () => {
  const { path, app, alice, aliceId, p1, p2, post, comments } = await setUp();
  const counts = { p1: await comments(p1), p2: await comments(p2) };
  assert.equal((await post(alice, '/settings/delete', { comments: 'remove' })).status, 200);
  assert.equal(await comments(p1), counts.p1 - 1);
  assert.equal(await comments(p2), counts.p2 - 1);
  const thread = await (await app.request(`/papers/${p1}`)).text();
  assert.match(thread, /\[deleted\]/, "a placeholder holds Bob's reply in place");
  assert.ok(thread.includes('Bob replies to the thread'));
  assert.ok(!thread.includes(SECRETS.thread));
  const alone = await (await app.request(`/papers/${p2}`)).text();
  assert.ok(!alone.includes(SECRETS.alone));
  assert.doesNotMatch(alone, /\[deleted\]/, 'no replies: nothing left at all');
  const left = scan(path, aliceId);
  for (const needle of needles(true)) assert.ok(!left.text.includes(needle), `"${needle}" is gone from every table`);
  for (const ref of left.references) {
    if (ref.table !== 'comments') assert.equal(ref.rows, 0, `${ref.table}.${ref.column}`);
  }
});

test('a moderator who deletes their account stays in the moderation log as a deleted member', async () => {
  const { store, app, outboxDir, post } = await setUp();
  const mod = await signIn(app, outboxDir, 'mod@example.org', { handle: 'mod-m' });
  const admin = await signIn(app, outboxDir, 'root@example.org', { handle: 'root-r' });
  await store.community.setRole((await store.community.getAccountByName('mod-m'))!.id, 'moderator');
  await store.community.setRole((await store.community.getAccountByName('root-r'))!.id, 'admin');
  assert.equal((await post(mod, '/members/bob-b/ban', { reason: 'a test ban' })).status, 303);
  assert.equal((await post(mod, '/members/bob-b/unban', { reason: 'the test is over' })).status, 303);
  assert.equal((await post(mod, '/settings/delete', { comments: 'keep' })).status, 200);
  const log = await (await app.request('/moderation', { headers: { cookie: admin.cookie } })).text();
  assert.match(log, /a test ban/);
  assert.match(log, new RegExp(`<td>${DELETED_MEMBER}</td><td>ban-member</td><td>bob-b</td>`));
  assert.doesNotMatch(log, /mod-m/);
});
