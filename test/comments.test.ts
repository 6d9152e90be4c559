/** Discussion through the HTTP app: comments, replies, edit, delete, moderation, and the abuse cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { DAY_FIXTURES, memoryStore, tempDir } from './helpers.ts';
import { communityApp, deleteOwnAccount, postForm, signIn, type Member } from './community-helpers.ts';
import { importPath } from '../src/ingest/import-files.ts';
import type { Store } from '../src/store/store.ts';

const PAPER = '2608.19880';

async function setup(env: Record<string, string> = {}) {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  const { app, outboxDir } = communityApp(store, env);
  const ada = await signIn(app, outboxDir, 'ada@example.org');
  const bob = await signIn(app, outboxDir, 'bob@example.org');
  return { store, app, outboxDir, ada, bob };
}

async function numComments(app: Hono, id = PAPER): Promise<number> {
  const response = await app.request(`/api/papers/${id}`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { numComments: number }).numComments;
}

/** Posts a comment (or reply) and returns its id from the redirect. */
async function comment(app: Hono, member: Member, body: string, parent?: number, paper = PAPER): Promise<number> {
  const fields: Record<string, string> = { _csrf: member.csrf, body };
  if (parent !== undefined) fields.parent = String(parent);
  const response = await postForm(app, `/papers/${paper}/comments`, fields, { cookie: member.cookie });
  assert.equal(response.status, 303, await response.clone().text());
  const location = response.headers.get('location') ?? '';
  const match = new RegExp(`^/papers/${PAPER.replace('.', '\\.')}#comment-(\\d+)$`).exec(location);
  assert.ok(match, `redirects to the comment: ${location}`);
  return Number(match[1]);
}

async function paperPage(app: Hono, member?: Member): Promise<string> {
  const response = await app.request(`/papers/${PAPER}`, { headers: member ? { cookie: member.cookie } : {} });
  assert.equal(response.status, 200);
  return response.text();
}

async function accountId(store: Store, email: string): Promise<number> {
  return (await store.community.accountForEmail(email, new Date())).id;
}

test('comment and reply; a reply to a reply attaches to the top-level comment; numComments follows', async () => {
  const { store, app, ada, bob } = await setup();
  const before = await numComments(app);

  const top = await comment(app, ada, 'A *fine* paper with `code`.');
  const reply = await comment(app, bob, 'I **agree**.', top);
  const replyToReply = await comment(app, ada, 'Thanks!', reply);
  assert.equal(await numComments(app), before + 3);

  const stored = await store.community.commentsOn(PAPER);
  assert.deepEqual(
    stored.map((k) => [k.id, k.parentId]),
    [
      [top, null],
      [reply, top],
      [replyToReply, top],
    ],
  );

  const anonymous = await paperPage(app);
  assert.match(anonymous, /<p>A <em>fine<\/em> paper with <code>code<\/code>\.<\/p>/);
  assert.match(anonymous, /<strong>agree<\/strong>/);
  // One level: both replies sit in the replies list of the top-level comment, none nested deeper.
  const replies = /<ol class="comment-replies">([\s\S]*?)<\/ol>/.exec(anonymous)?.[1] ?? '';
  assert.match(replies, new RegExp(`id="comment-${reply}"[\\s\\S]*id="comment-${replyToReply}"`));
  assert.doesNotMatch(replies, new RegExp(`id="comment-${top}"`));
  assert.equal((anonymous.match(/class="comment-replies"/g) ?? []).length, 1);
  assert.match(anonymous, /3 comments/);
  assert.match(anonymous, /href="\/signin\?next=%2Fpapers%2F2608\.19880">Sign in<\/a> to join the discussion/);
  assert.doesNotMatch(anonymous, /name="body"/, 'signed out: no forms');

  const signedIn = await paperPage(app, bob);
  assert.match(signedIn, /action="\/papers\/2608\.19880\/comments"/);
  assert.match(signedIn, new RegExp(`name="parent" value="${top}"`));
  // Bob may edit his reply, not Ada's comment.
  assert.match(signedIn, new RegExp(`href="/comments/${reply}/edit"`));
  assert.doesNotMatch(signedIn, new RegExp(`href="/comments/${top}/edit"`));

  // A reply to a comment on another paper is refused.
  const other = (
    await store.listDaily({ firstDay: '2026-08-21', lastDay: '2026-08-21', sort: 'publishedAt', offset: 0, limit: 5 })
  )
    .map((e) => e.paper.id)
    .find((id) => id !== PAPER)!;
  const cross = await postForm(
    app,
    `/papers/${other}/comments`,
    { _csrf: ada.csrf, body: 'x', parent: String(top) },
    { cookie: ada.cookie },
  );
  assert.equal(cross.status, 404);
  const unknownPaper = await postForm(
    app,
    '/papers/2699.99999/comments',
    { _csrf: ada.csrf, body: 'x' },
    { cookie: ada.cookie },
  );
  assert.equal(unknownPaper.status, 404);
});

/** The card of PAPER on the daily page of its day. */
async function card(app: Hono): Promise<string> {
  const page = await (await app.request('/papers/date/2026-08-21')).text();
  const cards = page.split('<article class="card">').slice(1);
  const found = cards.find((c) => c.includes(`href="/papers/${PAPER}"`));
  assert.ok(found, 'the paper has a card on its day');
  return found.slice(0, found.indexOf('</article>'));
}

/** The "Votes and links" box of the paper page. */
const sidebar = (page: string) => /<div class="paper-stats">([\s\S]*?)<\/div>/.exec(page)?.[1] ?? '';
const heading = (page: string) => /<h2 id="discussion-heading">([\s\S]*?)<\/h2>/.exec(page)?.[1] ?? '';
const HF_LINK = `href="https://huggingface.co/papers/${PAPER}"`;

test("imported comment counts stay apart: shown as Hugging Face's, never as the local discussion", async () => {
  const { store, app, ada } = await setup();
  const imported = (await store.getPaper(PAPER))!;
  assert.equal(imported.hfComments, 1, 'the recorded day says 1 comment on Hugging Face');
  assert.equal(imported.numComments, 0, 'no local discussion yet');

  // No local comment: no local count anywhere, the imported one said as such and linked.
  let page = await paperPage(app);
  assert.match(page, /No comments yet\./);
  assert.equal(heading(page), 'Discussion');
  assert.doesNotMatch(sidebar(page), /class="stat-line"/);
  assert.match(
    sidebar(page),
    new RegExp(`<a class="stat stat-hf" ${HF_LINK} title="1 comment on Hugging Face">1 comment on Hugging Face</a>`),
  );
  let shown = await card(app);
  assert.doesNotMatch(shown, /title="1 comment"/);
  assert.match(shown, new RegExp(`<a class="stat stat-hf" ${HF_LINK} title="1 comment on Hugging Face">`));
  assert.match(shown, /1 on Hugging Face/);

  // One local comment: "1 comment" on the card, the sidebar and the heading alike; Hugging Face's stays apart.
  await comment(app, ada, 'The first word here.');
  page = await paperPage(app);
  assert.match(heading(page), /<span class="discussion-count">1 comment<\/span>/);
  assert.match(sidebar(page), /<a href="#discussion">1 comment<\/a>/);
  assert.match(sidebar(page), /1 comment on Hugging Face/);
  assert.doesNotMatch(page, /2 comments/);
  shown = await card(app);
  assert.match(shown, /<span class="stat" title="1 comment">/);
  assert.match(shown, /1 on Hugging Face/);
  assert.equal((await store.getPaper(PAPER))!.numComments, 1);
  // The Hugging Face-compatible API carries both together (docs/community.md).
  assert.equal(await numComments(app), 2);
});

test('edit and delete only your own; deleted comments with replies leave a placeholder, without them disappear', async () => {
  const { store, app, ada, bob } = await setup();
  const before = await numComments(app);
  const top = await comment(app, ada, 'First version');
  const reply = await comment(app, bob, 'A reply', top);
  const lone = await comment(app, ada, 'Alone here');
  assert.equal(await numComments(app), before + 3);

  // Editing: the form for the author, 403 for others, 404 for nothing.
  const form = await app.request(`/comments/${top}/edit`, { headers: { cookie: ada.cookie } });
  assert.equal(form.status, 200);
  assert.match(await form.text(), /<textarea[^>]*>First version<\/textarea>/);
  assert.equal((await app.request(`/comments/${top}/edit`, { headers: { cookie: bob.cookie } })).status, 403);
  assert.equal(
    (await postForm(app, `/comments/${top}/edit`, { _csrf: bob.csrf, body: 'hijacked' }, { cookie: bob.cookie }))
      .status,
    403,
  );
  assert.equal(
    (await postForm(app, '/comments/999999/edit', { _csrf: ada.csrf, body: 'x' }, { cookie: ada.cookie })).status,
    404,
  );
  const edited = await postForm(
    app,
    `/comments/${top}/edit`,
    { _csrf: ada.csrf, body: 'Second _version_' },
    { cookie: ada.cookie },
  );
  assert.equal(edited.status, 303);
  assert.equal(edited.headers.get('location'), `/papers/${PAPER}#comment-${top}`);
  assert.equal((await store.community.getComment(top))!.body, 'Second _version_');
  const page = await paperPage(app);
  assert.match(page, /Second <em>version<\/em>/);
  assert.match(page, /class="comment-edited"/);
  assert.doesNotMatch(page, /hijacked/);

  // Deleting: not someone else's.
  assert.equal(
    (await postForm(app, `/comments/${top}/delete`, { _csrf: bob.csrf }, { cookie: bob.cookie })).status,
    403,
  );
  assert.equal(await numComments(app), before + 3);

  const deleted = await postForm(app, `/comments/${top}/delete`, { _csrf: ada.csrf }, { cookie: ada.cookie });
  assert.equal(deleted.status, 303);
  assert.equal(deleted.headers.get('location'), `/papers/${PAPER}#comment-${top}`, 'the placeholder stays: back to it');
  const deletedLone = await postForm(app, `/comments/${lone}/delete`, { _csrf: ada.csrf }, { cookie: ada.cookie });
  assert.equal(deletedLone.status, 303);
  assert.equal(deletedLone.headers.get('location'), `/papers/${PAPER}#discussion`);
  assert.equal(await numComments(app), before + 1);
  assert.equal(
    (await postForm(app, `/comments/${lone}/delete`, { _csrf: ada.csrf }, { cookie: ada.cookie })).status,
    404,
    'twice: gone',
  );

  const after = await paperPage(app, bob);
  assert.match(after, new RegExp(`id="comment-${top}"[^>]*>\\s*<p class="comment-placeholder">\\[deleted\\]`));
  assert.doesNotMatch(after, /Second <em>version/);
  assert.match(after, new RegExp(`id="comment-${reply}"`), 'the reply keeps its context');
  assert.doesNotMatch(after, new RegExp(`id="comment-${lone}"`), 'without replies a deleted comment disappears');
  assert.doesNotMatch(after, /Alone here/);
  // The thread of a deleted comment takes no more replies.
  assert.doesNotMatch(after, new RegExp(`name="parent" value="${reply}"`));
  const closed = await postForm(
    app,
    `/papers/${PAPER}/comments`,
    { _csrf: bob.csrf, body: 'more', parent: String(reply) },
    { cookie: bob.cookie },
  );
  assert.equal(closed.status, 409);

  // When the reply goes too, the placeholder has nothing left to hold.
  assert.equal(
    (await postForm(app, `/comments/${reply}/delete`, { _csrf: bob.csrf }, { cookie: bob.cookie })).status,
    303,
  );
  assert.doesNotMatch(await paperPage(app), new RegExp(`id="comment-${top}"|\\[deleted\\]`));
  assert.equal(await numComments(app), before);
});

test('moderators hide a comment with a reason: logged, placeholder shown, counts go down; members cannot', async () => {
  const { store, app, ada, bob } = await setup();
  await store.community.setRole(await accountId(store, 'ada@example.org'), 'moderator');
  const before = await numComments(app);
  const target = await comment(app, bob, 'Buy cheap pills at https://spam.example');
  assert.equal(await numComments(app), before + 1);

  const modPage = await paperPage(app, ada);
  assert.match(modPage, new RegExp(`action="/comments/${target}/hide"`));
  assert.doesNotMatch(await paperPage(app, bob), /\/hide"/, 'members see no hide form');

  assert.equal(
    (await postForm(app, `/comments/${target}/hide`, { _csrf: bob.csrf, reason: 'mine' }, { cookie: bob.cookie }))
      .status,
    403,
  );
  assert.equal(
    (await postForm(app, `/comments/${target}/hide`, { _csrf: ada.csrf, reason: '  ' }, { cookie: ada.cookie })).status,
    400,
  );
  const hidden = await postForm(
    app,
    `/comments/${target}/hide`,
    { _csrf: ada.csrf, reason: 'Spam <b>link</b>' },
    { cookie: ada.cookie },
  );
  assert.equal(hidden.status, 303);
  assert.equal(hidden.headers.get('location'), `/papers/${PAPER}#comment-${target}`);
  assert.equal(await numComments(app), before);
  assert.equal(
    (await postForm(app, `/comments/${target}/hide`, { _csrf: ada.csrf, reason: 'again' }, { cookie: ada.cookie }))
      .status,
    404,
  );

  const log = await store.community.moderationLog(10);
  assert.ok(
    log.some((e) => e.action === 'hide-comment' && e.target === String(target) && e.reason === 'Spam <b>link</b>'),
  );
  const logPage = await (await app.request('/moderation', { headers: { cookie: ada.cookie } })).text();
  assert.match(logPage, /Spam &lt;b&gt;link&lt;\/b&gt;/);

  const anonymous = await paperPage(app);
  assert.match(anonymous, /\[hidden by moderators\]/);
  assert.doesNotMatch(anonymous, /cheap pills|spam\.example/);
  assert.doesNotMatch(anonymous, /Spam &lt;b&gt;/, 'the reason is for moderators');
  assert.match(await paperPage(app, ada), /Reason: Spam &lt;b&gt;link&lt;\/b&gt;/);
  // The author can no longer edit it.
  assert.equal(
    (await postForm(app, `/comments/${target}/edit`, { _csrf: bob.csrf, body: 'sneaky' }, { cookie: bob.cookie }))
      .status,
    403,
  );
});

test('CSRF: a signed-in POST without the token is refused; signed out, posting leads to sign-in', async () => {
  const { store, app, ada } = await setup();
  const missing = await postForm(app, `/papers/${PAPER}/comments`, { body: 'no token' }, { cookie: ada.cookie });
  assert.equal(missing.status, 403);
  const wrong = await postForm(
    app,
    `/papers/${PAPER}/comments`,
    { body: 'bad token', _csrf: 'x'.repeat(43) },
    { cookie: ada.cookie },
  );
  assert.equal(wrong.status, 403);
  const id = await comment(app, ada, 'mine');
  assert.equal((await postForm(app, `/comments/${id}/delete`, {}, { cookie: ada.cookie })).status, 403);
  assert.equal((await postForm(app, `/comments/${id}/edit`, { body: 'changed' }, { cookie: ada.cookie })).status, 403);

  const anonymous = await postForm(app, `/papers/${PAPER}/comments`, { body: 'who am I' });
  assert.equal(anonymous.status, 303);
  assert.equal(anonymous.headers.get('location'), '/signin?next=%2Fpapers%2F2608.19880');
  assert.equal((await postForm(app, `/comments/${id}/delete`, {})).status, 303);
  // From another site, without a session: refused outright.
  const foreign = await app.request(`/papers/${PAPER}/comments`, {
    method: 'POST',
    headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
    body: 'body=x',
  });
  assert.equal(foreign.status, 403);
  // A GET changes nothing.
  assert.equal((await app.request(`/comments/${id}/delete`, { headers: { cookie: ada.cookie } })).status, 404);

  const stored = await store.community.commentsOn(PAPER);
  assert.deepEqual(
    stored.map((k) => [k.body, k.deleted]),
    [['mine', false]],
  );
});

test('a banned member cannot comment, edit or delete', async () => {
  const { store, app, ada, bob } = await setup();
  await store.community.setRole(await accountId(store, 'ada@example.org'), 'moderator');
  const id = await comment(app, bob, 'before the ban');
  const banned = await postForm(
    app,
    `/members/${bob.name}/ban`,
    { _csrf: ada.csrf, reason: 'abuse' },
    { cookie: ada.cookie },
  );
  assert.equal(banned.status, 303);

  const tried = await postForm(
    app,
    `/papers/${PAPER}/comments`,
    { _csrf: bob.csrf, body: 'after the ban' },
    { cookie: bob.cookie },
  );
  assert.equal(tried.status, 303);
  assert.match(tried.headers.get('location') ?? '', /^\/signin/);
  assert.equal(
    (await postForm(app, `/comments/${id}/edit`, { _csrf: bob.csrf, body: 'edited' }, { cookie: bob.cookie })).headers
      .get('location')
      ?.startsWith('/signin'),
    true,
  );
  assert.equal(
    (await postForm(app, `/comments/${id}/delete`, { _csrf: bob.csrf }, { cookie: bob.cookie })).headers
      .get('location')
      ?.startsWith('/signin'),
    true,
  );
  const stored = await store.community.commentsOn(PAPER);
  assert.deepEqual(
    stored.map((k) => [k.body, k.deleted, k.editedAt]),
    [['before the ban', false, null]],
  );
  assert.doesNotMatch(await paperPage(app, bob), /name="body"/, 'no comment form for a banned member');
});

test('hostile bodies and names are shown as text; SQL metacharacters are stored verbatim', async () => {
  const { store, app, ada } = await setup();
  const name = '<script>alert("name")</script>';
  await store.community.updateProfile(await accountId(store, 'ada@example.org'), name);
  const payloads = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(2)>',
    '[click](javascript:alert(3))',
    '[data](data:text/html,<script>alert(4)</script>)',
    '"><svg onload=alert(5)>',
  ];
  const body = payloads.join('\n\n');
  const id = await comment(app, ada, body);
  const sql = `Robert'); DROP TABLE comments;-- "quoted" \\ %_ ; SELECT * FROM members WHERE '1'='1`;
  const sqlId = await comment(app, ada, sql);
  assert.equal((await store.community.getComment(id))!.body, body);
  assert.equal((await store.community.getComment(sqlId))!.body, sql);

  for (const page of [await paperPage(app), await paperPage(app, ada)]) {
    assert.doesNotMatch(page, /<script>alert|<img src=x|<svg onload|href="javascript:|href="data:/i);
    assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(page, /&lt;img src=x onerror=alert\(2\)&gt;/);
    assert.match(page, /\[click\]\(javascript:alert\(3\)\)/);
    assert.match(
      page,
      /&lt;script&gt;alert\(&quot;name&quot;\)&lt;\/script&gt;|&lt;script&gt;alert\("name"\)&lt;\/script&gt;/,
    );
    assert.match(page, /Robert&#39;\); DROP TABLE comments;--|Robert'\); DROP TABLE comments;--/);
  }
  assert.equal((await store.community.commentsOn(PAPER)).length, 2, 'the table is still there');
  // The edit form gives the source back escaped inside the textarea.
  const form = await (await app.request(`/comments/${id}/edit`, { headers: { cookie: ada.cookie } })).text();
  assert.match(form, /<textarea[^>]*>&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(form, /<\/textarea><svg|<script>alert/);
});

test('empty and over-long bodies are refused with a message, the text kept', async () => {
  const { store, app, ada } = await setup();
  const before = await numComments(app);
  const empty = await postForm(
    app,
    `/papers/${PAPER}/comments`,
    { _csrf: ada.csrf, body: ' \n ' },
    { cookie: ada.cookie },
  );
  assert.equal(empty.status, 422);
  assert.match(await empty.text(), /The comment is empty/);

  const long = `${'word '.repeat(2000)}and more`;
  const tooLong = await postForm(
    app,
    `/papers/${PAPER}/comments`,
    { _csrf: ada.csrf, body: long },
    { cookie: ada.cookie },
  );
  assert.equal(tooLong.status, 422);
  const text = await tooLong.text();
  assert.match(text, /too long: 10,008 characters, and the limit is 10,000/);
  assert.match(text, /<textarea[^>]*>word word/, 'the text comes back to shorten');
  assert.equal(await numComments(app), before);

  const id = await comment(app, ada, 'short');
  const longEdit = await postForm(app, `/comments/${id}/edit`, { _csrf: ada.csrf, body: long }, { cookie: ada.cookie });
  assert.equal(longEdit.status, 422);
  assert.match(await longEdit.text(), /too long/);
  assert.equal((await store.community.getComment(id))!.body, 'short');
});

test('the rate limit stops a flood of comments with 429 and Retry-After', async () => {
  // Factor 0.1: two comments per member per window.
  const { store, app, ada } = await setup({ PAPERBOY_RATE_LIMIT_FACTOR: '0.1' });
  await comment(app, ada, 'one');
  await comment(app, ada, 'two');
  const third = await postForm(
    app,
    `/papers/${PAPER}/comments`,
    { _csrf: ada.csrf, body: 'three' },
    { cookie: ada.cookie },
  );
  assert.equal(third.status, 429);
  assert.ok(Number(third.headers.get('retry-after')) > 0);
  const text = await third.text();
  assert.match(text, /commenting very fast/);
  assert.match(text, /<textarea[^>]*>three<\/textarea>/);
  assert.deepEqual(
    (await store.community.commentsOn(PAPER)).map((k) => k.body),
    ['one', 'two'],
  );
});

test('no comments on a hidden paper; a hidden comment its author deletes goes like a deleted one', async () => {
  const { store, app, ada, bob } = await setup();
  const adaId = await accountId(store, 'ada@example.org');
  await store.community.setRole(adaId, 'moderator');
  const before = await numComments(app);
  const id = await comment(app, bob, 'soon hidden');
  assert.equal(
    (await postForm(app, `/comments/${id}/hide`, { _csrf: ada.csrf, reason: 'rude' }, { cookie: ada.cookie })).status,
    303,
  );
  assert.equal(
    (await postForm(app, `/comments/${id}/delete`, { _csrf: bob.csrf }, { cookie: bob.cookie })).status,
    303,
  );
  assert.equal(await numComments(app), before, 'counted down once, not twice');
  assert.doesNotMatch(await paperPage(app), new RegExp(`id="comment-${id}"|\\[hidden by moderators\\]`));

  await store.community.hidePaper(PAPER, adaId, 'off topic', new Date());
  const refused = await postForm(
    app,
    `/papers/${PAPER}/comments`,
    { _csrf: bob.csrf, body: 'still here?' },
    { cookie: bob.cookie },
  );
  assert.equal(refused.status, 404);
  assert.equal((await store.community.commentsOn(PAPER)).length, 1);
});

test('old-style arXiv ids (with a slash) take comments too', async () => {
  const { store, app, ada } = await setup();
  const entries = JSON.parse(readFileSync(join(DAY_FIXTURES, '2026-08-21.json'), 'utf8')) as {
    paper: { id: string };
  }[];
  const old = { ...entries[0]!, paper: { ...entries[0]!.paper, id: 'hep-th/9901001' } };
  const dir = tempDir('paperboy-old-ids-');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '2026-08-22.json'), JSON.stringify([old]));
  await importPath(store, dir);
  assert.ok(await store.getPaper('hep-th/9901001'), 'the old-style paper is in the store');

  const posted = await postForm(
    app,
    '/papers/hep-th/9901001/comments',
    { _csrf: ada.csrf, body: 'An *old* one' },
    { cookie: ada.cookie },
  );
  assert.equal(posted.status, 303);
  assert.match(posted.headers.get('location') ?? '', /^\/papers\/hep-th\/9901001#comment-\d+$/);
  const page = await (await app.request('/papers/hep-th/9901001')).text();
  assert.match(page, /An <em>old<\/em> one/);
  assert.match(page, /action="\/papers\/hep-th\/9901001\/comments"|Sign in<\/a> to join/);
});

test('@mentions of existing members link to their page; others, code, links and hostile text stay text', async () => {
  const { app, outboxDir, ada } = await setup();
  const grace = await signIn(app, outboxDir, 'grace@example.org', { handle: 'grace-h' });
  const body = [
    'Thanks @Grace-H and @nobody-here, cc @grace-h.',
    '`@grace-h` in code, and a [link about @grace-h](https://example.org/@grace-h).',
    '```',
    '@grace-h in a block',
    '```',
    'grace-h@example.org is an address; @grace-h"><script>alert(1)</script> <img src=x onerror=alert(2)>@grace-h',
  ].join('\n');
  const id = await comment(app, ada, body);
  const page = await paperPage(app);
  const start = page.indexOf(`id="comment-${id}"`);
  const item = page.slice(start, page.indexOf('</article>', start));
  const mentionLinks = [...item.matchAll(/<a class="mention" href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(mentionLinks, [
    ['/members/grace-h', '@Grace-H'],
    ['/members/grace-h', '@grace-h'],
    ['/members/grace-h', '@grace-h'],
    ['/members/grace-h', '@grace-h'],
  ]);
  assert.match(item, /and @nobody-here, cc/, 'a handle nobody has stays text');
  assert.match(item, /<code>@grace-h<\/code>/, 'no link inside a code span');
  assert.match(item, /<pre><code>@grace-h in a block\n<\/code><\/pre>/, 'nor in a code block');
  assert.match(item, /<a href="https:\/\/example\.org\/@grace-h" rel="nofollow ugc">link about @grace-h<\/a>/);
  assert.match(item, /grace-h@example\.org is an address/);
  assert.doesNotMatch(item, /<script>|<img /, 'the hostile text is escaped');
  assert.match(item, /<\/a>&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt; &lt;img src=x onerror=alert\(2\)&gt;/);

  // Once grace deletes her account, the mentions of her are text again.
  await deleteOwnAccount(app, grace);
  const after = await paperPage(app);
  const again = after.slice(after.indexOf(`id="comment-${id}"`));
  assert.doesNotMatch(again.slice(0, again.indexOf('</article>')), /class="mention"/);
});
