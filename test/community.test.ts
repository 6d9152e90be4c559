/** Members through the HTTP app: sign-in by email link, sessions, upvotes, submissions, moderation, CSRF. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_FIXTURES, memoryStore } from './helpers.ts';
import { communityApp, postForm, signIn, signInLink } from './community-helpers.ts';
import { importPath } from '../src/ingest/import-files.ts';
import { startArxivApiStub } from './arxiv-api-stub.ts';
import { listOutbox } from '../src/mail/mailer.ts';

async function seededStore() {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  return store;
}

test('a member signs in with the emailed link; the link works once; sign-out ends the session', async () => {
  const store = await seededStore();
  const { app, outboxDir } = communityApp(store);
  const member = await signIn(app, outboxDir, 'ada@example.org');
  const home = await (await app.request('/', { headers: { cookie: member.cookie } })).text();
  assert.ok(home.includes(`@${member.name}`));
  assert.match(home, /class="vote-form"/);

  const link = await signInLink(outboxDir, 'ada@example.org');
  const reused = await postForm(app, '/signin/verify', { token: link.searchParams.get('token')! });
  assert.equal(reused.status, 400, 'a used token does not sign in again');
  const guessed = await postForm(app, '/signin/verify', { token: 'A'.repeat(43) });
  assert.equal(guessed.status, 400);

  const out = await postForm(app, '/signout', { _csrf: member.csrf }, { cookie: member.cookie });
  assert.equal(out.status, 303);
  const after = await (await app.request('/settings', { headers: { cookie: member.cookie } })).text();
  assert.doesNotMatch(after, /name="fullname"/, 'the old cookie is worth nothing after sign-out');
});

async function firstPaperId(store: Awaited<ReturnType<typeof seededStore>>): Promise<string> {
  const latest = (await store.latestDay())!;
  const [entry] = await store.listDaily({ firstDay: latest, lastDay: latest, sort: 'upvotes', offset: 0, limit: 1 });
  return entry!.paper.id;
}

async function apiUpvotes(app: ReturnType<typeof communityApp>['app'], id: string): Promise<number> {
  return ((await (await app.request(`/api/papers/${id}`)).json()) as { upvotes: number }).upvotes;
}

test('an upvote toggles, counts once per member, and shows in the API; without JavaScript it redirects back', async () => {
  const store = await seededStore();
  const { app, outboxDir } = communityApp(store);
  const id = await firstPaperId(store);
  const before = await apiUpvotes(app, id);
  const ada = await signIn(app, outboxDir, 'ada@example.org');
  const bob = await signIn(app, outboxDir, 'bob@example.org');

  const vote = (m: typeof ada) =>
    app.request(`/papers/${id}/upvote`, {
      method: 'POST',
      headers: { cookie: m.cookie, 'x-csrf-token': m.csrf, accept: 'application/json' },
    });
  assert.deepEqual(await (await vote(ada)).json(), {
    voted: true,
    upvotes: before + 1,
    upvotesText: String(before + 1),
  });
  assert.equal(((await (await vote(bob)).json()) as { upvotes: number }).upvotes, before + 2);
  assert.equal(
    ((await (await vote(ada)).json()) as { voted: boolean }).voted,
    false,
    'a second vote takes the first back',
  );
  assert.equal(await apiUpvotes(app, id), before + 1);

  const plain = await postForm(
    app,
    `/papers/${id}/upvote`,
    { _csrf: ada.csrf, return: '/papers?x=1' },
    { cookie: ada.cookie },
  );
  assert.equal(plain.status, 303);
  assert.equal(plain.headers.get('location'), '/papers?x=1');
  const offsite = await postForm(
    app,
    `/papers/${id}/upvote`,
    { _csrf: ada.csrf, return: '//evil.example/' },
    { cookie: ada.cookie },
  );
  assert.equal(offsite.headers.get('location'), `/papers/${id}`, 'a return address off this site is ignored');
  assert.equal(await apiUpvotes(app, id), before + 1, 'ada voted, bob voted, ada took hers back, voted, took it back');
  await postForm(app, `/papers/${id}/upvote`, { _csrf: ada.csrf }, { cookie: ada.cookie });

  const page = await (await app.request(`/papers/${id}`, { headers: { cookie: ada.cookie } })).text();
  assert.match(page, /aria-pressed="true"/, 'the member sees their own vote');
});

test('state changes need the session token; anonymous posts must come from this site; GET changes nothing', async () => {
  const store = await seededStore();
  const { app, outboxDir } = communityApp(store);
  const id = await firstPaperId(store);
  const ada = await signIn(app, outboxDir, 'ada@example.org');
  const before = await apiUpvotes(app, id);

  const noToken = await postForm(app, `/papers/${id}/upvote`, {}, { cookie: ada.cookie });
  assert.equal(noToken.status, 403);
  const wrongToken = await postForm(
    app,
    `/papers/${id}/upvote`,
    { _csrf: `${ada.csrf.slice(0, -2)}xx` },
    { cookie: ada.cookie },
  );
  assert.equal(wrongToken.status, 403);
  const otherSite = await app.request('/signin', {
    method: 'POST',
    headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
    body: 'email=victim%40example.org',
  });
  assert.equal(otherSite.status, 403);
  const noOrigin = await app.request('/signin', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'email=victim%40example.org',
  });
  assert.equal(noOrigin.status, 403);
  const viaGet = await app.request(`/papers/${id}/upvote`, { headers: { cookie: ada.cookie } });
  assert.notEqual(viaGet.status, 200);
  assert.equal(await apiUpvotes(app, id), before, 'nothing was counted');
});

test('sign-in refuses hostile addresses, does not say who is a member, and is rate limited', async () => {
  const store = await seededStore();
  const { app, outboxDir } = communityApp(store);
  const hostile = [
    'x@example.org\r\nBcc: all@example.org',
    `${'a'.repeat(5000)}@example.org`,
    'аdmin@example.org',
    '"><script>alert(1)</script>@example.org',
  ];
  for (const email of hostile) {
    const response = await postForm(app, '/signin', { email });
    assert.equal(response.status, 400);
    const page = await response.text();
    assert.match(page, /notice-error/);
    assert.doesNotMatch(page, /<script>alert/, 'the hostile text is not echoed as markup');
  }
  const known = await (await postForm(app, '/signin', { email: 'ada@example.org' })).text();
  const unknown = await (await postForm(app, '/signin', { email: 'nobody@example.org' })).text();
  assert.equal(known.replace('ada@example.org', 'X'), unknown.replace('nobody@example.org', 'X'));
  for (let i = 0; i < 6; i++) assert.equal((await postForm(app, '/signin', { email: 'ada@example.org' })).status, 200);
  const toAda = listOutbox(outboxDir).filter((message) => /^To: ada@example\.org\r?$/m.test(message.raw()));
  assert.equal(
    toAda.length,
    5,
    'no sixth email within the hour to one address (test/security/sign-in-lockout.test.ts)',
  );
});

test('a member submits a paper by arXiv link: metadata from the arXiv API, today on the feed, duplicates say where', async () => {
  const stub = await startArxivApiStub();
  const store = await seededStore();
  const { app, outboxDir } = communityApp(store, {
    PAPERBOY_ARXIV_API_URL: stub.url,
    PAPERBOY_ARXIV_INTERVAL_MS: '0',
    PAPERBOY_SUBMIT_WINDOW_DAYS: '100000',
  });
  const ada = await signIn(app, outboxDir, 'ada@example.org');
  const submit = (paper: string) => postForm(app, '/submit', { _csrf: ada.csrf, paper }, { cookie: ada.cookie });

  const added = await submit('https://arxiv.org/abs/1605.08386v2');
  assert.equal(added.status, 200);
  assert.match(await added.text(), /on the feed of/);
  const today = new Date().toISOString().slice(0, 10);
  const feed = (await (await app.request(`/api/daily_papers?date=${today}`)).json()) as {
    paper: { id: string };
    submittedBy: { name: string } | null;
  }[];
  assert.deepEqual(
    feed.map((item) => [item.paper.id, item.submittedBy?.name]),
    [['1605.08386', ada.name]],
  );

  const again = await submit('1605.08386');
  assert.match(await again.text(), /already on Daily Papers/);
  assert.deepEqual(stub.requests, ['1605.08386'], 'a paper the store holds costs no second request');

  const missing = await submit('2601.00001');
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /arXiv has no paper with the identifier 2601\.00001/);
  const garbage = await submit('<script>alert(1)</script>');
  assert.equal(garbage.status, 400);
  assert.doesNotMatch(await garbage.text(), /<script>alert/);
});

test('papers older than the submission window are refused with the date they appeared', async () => {
  const stub = await startArxivApiStub();
  const store = await seededStore();
  const { app, outboxDir } = communityApp(store, { PAPERBOY_ARXIV_API_URL: stub.url, PAPERBOY_ARXIV_INTERVAL_MS: '0' });
  const ada = await signIn(app, outboxDir, 'ada@example.org');
  const response = await postForm(
    app,
    '/submit',
    { _csrf: ada.csrf, paper: 'astro-ph/0601001' },
    { cookie: ada.cookie },
  );
  assert.equal(response.status, 422);
  assert.match(
    await response.text(),
    /within 14 days of their first arXiv version; arXiv:astro-ph\/0601001 appeared on 2006-01-/,
  );
});

test('moderators hide a paper (gone from feed, search and API) and ban a member (who can no longer act)', async () => {
  const store = await seededStore();
  const { app, outboxDir } = communityApp(store);
  const id = await firstPaperId(store);
  const paper = (await store.getPaper(id))!;
  const mod = await signIn(app, outboxDir, 'mod@example.org');
  const eve = await signIn(app, outboxDir, 'eve@example.org');
  const modAccount = (await store.community.getAccountByName(mod.name))!;

  const notYet = await postForm(app, `/papers/${id}/hide`, { _csrf: mod.csrf, reason: 'spam' }, { cookie: mod.cookie });
  assert.equal(notYet.status, 403, 'members cannot moderate');
  await store.community.setRole(modAccount.id, 'moderator');
  const hidden = await postForm(app, `/papers/${id}/hide`, { _csrf: mod.csrf, reason: 'spam' }, { cookie: mod.cookie });
  assert.equal(hidden.status, 303);
  assert.equal((await app.request(`/api/papers/${id}`)).status, 404);
  assert.equal((await app.request(`/papers/${id}`)).status, 404);
  const latest = (await store.latestDay())!;
  const feed = (await (await app.request(`/api/daily_papers?date=${latest}`)).json()) as { paper: { id: string } }[];
  assert.ok(!feed.some((item) => item.paper.id === id));
  const found = (await (await app.request(`/api/papers/search?q=${encodeURIComponent(paper.title)}`)).json()) as {
    paper: { id: string };
  }[];
  assert.ok(!found.some((item) => item.paper.id === id), 'search does not find it');
  const log = await (await app.request('/moderation', { headers: { cookie: mod.cookie } })).text();
  assert.match(log, /hide-paper/);
  assert.match(log, /spam/);

  const banned = await postForm(
    app,
    `/members/${eve.name}/ban`,
    { _csrf: mod.csrf, reason: 'abuse' },
    { cookie: mod.cookie },
  );
  assert.equal(banned.status, 303);
  const other = (await store.listDaily({ firstDay: latest, lastDay: latest, sort: 'upvotes', offset: 0, limit: 2 }))[0]!
    .paper.id;
  const votesBefore = await apiUpvotes(app, other);
  const vote = await postForm(app, `/papers/${other}/upvote`, { _csrf: eve.csrf }, { cookie: eve.cookie });
  assert.equal(vote.status, 303, "the banned member's session is gone: sent to sign in");
  assert.match(vote.headers.get('location') ?? '', /^\/signin/);
  assert.equal(await apiUpvotes(app, other), votesBefore);
  const again = await signIn(app, outboxDir, 'eve@example.org').catch((error: Error) => error);
  assert.ok(again instanceof Error, 'a banned member cannot sign in again');
});

test('names and titles with markup are shown as text; SQL metacharacters are harmless', async () => {
  const store = await seededStore();
  const { app, outboxDir } = communityApp(store);
  const ada = await signIn(app, outboxDir, "o'brien@example.org");
  const saved = await postForm(
    app,
    '/settings',
    { _csrf: ada.csrf, fullname: `<img src=x onerror=alert(1)>'); DROP TABLE papers;--` },
    { cookie: ada.cookie },
  );
  assert.equal(saved.status, 303);
  const profile = await (await app.request(`/members/${ada.name}`)).text();
  assert.match(profile, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.doesNotMatch(profile, /<img src=x/);
  assert.ok((await store.stats()).papers > 0, 'the papers table is still there');
});

test('every page shows the signed-in member in the header, also pages whose handlers know nothing of members', async () => {
  const store = await seededStore();
  const { app, outboxDir } = communityApp(store);
  const ada = await signIn(app, outboxDir, 'ada@example.org');
  for (const path of ['/', '/search?q=diffusion', '/about/trending', '/papers/trending']) {
    const page = await (await app.request(path, { headers: { cookie: ada.cookie } })).text();
    assert.match(page, /action="\/signout"/, path);
    assert.doesNotMatch(page, /class="button header-signin"/, path);
  }
  const anonymous = await (await app.request('/search?q=diffusion')).text();
  assert.match(anonymous, /class="button header-signin"/);
});

test('a huge request body is refused before it is read', async () => {
  const store = await seededStore();
  const { app, outboxDir } = communityApp(store);
  const ada = await signIn(app, outboxDir, 'ada@example.org');
  const id = await firstPaperId(store);
  const response = await postForm(
    app,
    `/papers/${id}/comments`,
    { _csrf: ada.csrf, body: 'x'.repeat(2_000_000) },
    { cookie: ada.cookie },
  );
  assert.equal(response.status, 413);
  assert.equal((await store.community.commentsOn(id)).length, 0);
});

test('a signed-in member turns the digest on and off in settings, without a confirmation email', async () => {
  const store = await seededStore();
  const { app, outboxDir } = communityApp(store);
  const ada = await signIn(app, outboxDir, 'ada@example.org');
  const mailsBefore = listOutbox(outboxDir).length;
  const weekly = await postForm(
    app,
    '/settings/digest',
    { _csrf: ada.csrf, frequency: 'weekly' },
    { cookie: ada.cookie },
  );
  assert.equal(weekly.status, 303);
  assert.deepEqual(pick(await store.subscriptions.getSubscriptionByEmail('ada@example.org')), {
    status: 'active',
    frequency: 'weekly',
  });
  assert.equal(listOutbox(outboxDir).length, mailsBefore, 'signing in proved the address: no confirmation email');
  const settings = await (await app.request('/settings', { headers: { cookie: ada.cookie } })).text();
  assert.match(settings, /value="weekly" checked/);
  await postForm(app, '/settings/digest', { _csrf: ada.csrf, frequency: 'off' }, { cookie: ada.cookie });
  assert.equal((await store.subscriptions.getSubscriptionByEmail('ada@example.org'))?.status, 'unsubscribed');
  const bad = await postForm(app, '/settings/digest', { _csrf: ada.csrf, frequency: 'hourly' }, { cookie: ada.cookie });
  assert.equal(bad.status, 400);
});

function pick(subscription: { status: string; frequency: string } | null) {
  return subscription && { status: subscription.status, frequency: subscription.frequency };
}

test('a member profile shows their comments rendered safely, and /admin/claim says when there is an admin', async () => {
  const store = await seededStore();
  const { app, outboxDir } = communityApp(store);
  const ada = await signIn(app, outboxDir, 'ada@example.org');
  const id = await firstPaperId(store);
  await postForm(
    app,
    `/papers/${id}/comments`,
    { _csrf: ada.csrf, body: 'I *liked* it <script>alert(1)</script>' },
    { cookie: ada.cookie },
  );
  const profile = await (await app.request(`/members/${ada.name}`)).text();
  assert.match(profile, /I <em>liked<\/em> it &lt;script&gt;/);
  assert.match(await (await app.request('/admin/claim', { headers: { cookie: ada.cookie } })).text(), /name="code"/);
  await store.community.setRole((await store.community.getAccountByName(ada.name))!.id, 'admin');
  assert.match(
    await (await app.request('/admin/claim', { headers: { cookie: ada.cookie } })).text(),
    /has an administrator already/,
  );
});

test('the shared trending page shows a vote at once (its cache is keyed by the data version)', async () => {
  const store = await seededStore();
  const { app, outboxDir } = communityApp(store);
  const ada = await signIn(app, outboxDir, 'ada@example.org');
  const first = await (await app.request('/papers/trending')).text();
  const top = /href="\/papers\/([^"]+)"/.exec(first.slice(first.indexOf('card-grid')))![1]!;
  const before = await apiUpvotes(app, top);
  assert.match(first, new RegExp(`class="vote-count">${before}<`));
  await app.request(`/papers/${top}/upvote`, {
    method: 'POST',
    headers: { cookie: ada.cookie, 'x-csrf-token': ada.csrf },
  });
  const second = await (await app.request('/papers/trending')).text();
  assert.match(second, new RegExp(`class="vote-count">${before + 1}<`));
});
