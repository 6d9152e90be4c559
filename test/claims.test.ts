/**
 * Claiming authorship through the HTTP app: claim, moderator approval and rejection, approval at once by an email
 * domain tied to the paper's organization, the rules (once per member and paper, one verified member per author,
 * moderators only, nobody decides their own claim), claims at the same moment, the rate limit, and what a verified
 * author changes: badges, `isAuthorParticipating`, their profile, author pages that tell people apart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import { DAY_FIXTURES, memoryStore } from './helpers.ts';
import { communityApp, postForm, signIn, type Member } from './community-helpers.ts';
import { importPath } from '../src/ingest/import-files.ts';
import type { Store } from '../src/store/store.ts';
import { approvedClaimants } from '../src/community/author-claims.ts';

/** A Google paper of 2026-08-21; its authors begin Chengsong Huang, Zifeng Wang, Rujun Han, Jun Yan. */
const PAPER = '2608.19880';
/** A USTC paper of the same day. */
const USTC_PAPER = '2608.18580';
/** Zifeng Wang is also an author (9th) of this 2025 paper, with no organization. */
const OTHER_ZIFENG = '2505.23844';

async function setup(env: Record<string, string> = {}) {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  const { app, outboxDir } = communityApp(store, env);
  const ada = await signIn(app, outboxDir, 'ada@example.org', { handle: 'ada' });
  const bob = await signIn(app, outboxDir, 'bob@example.org', { handle: 'bob' });
  const mod = await signIn(app, outboxDir, 'mod@example.org', { handle: 'mod' });
  await store.community.setRole((await store.community.getAccountByName('mod'))!.id, 'moderator');
  return { store, app, outboxDir, ada, bob, mod };
}

function claim(app: Hono, member: Member, position: number, paper = PAPER) {
  return postForm(
    app,
    `/papers/${paper}/claims`,
    { _csrf: member.csrf, position: String(position) },
    { cookie: member.cookie },
  );
}

function decide(app: Hono, member: Member, id: number, decision: string, reason = '') {
  return postForm(app, `/moderation/claims/${id}`, { _csrf: member.csrf, decision, reason }, { cookie: member.cookie });
}

async function page(app: Hono, path: string, member?: Member): Promise<string> {
  const response = await app.request(path, { headers: member ? { cookie: member.cookie } : {} });
  assert.equal(response.status, 200, path);
  return response.text();
}

async function claimId(store: Store, handle: string, paper = PAPER): Promise<number> {
  const account = (await store.community.getAccountByName(handle))!;
  const found = (await store.claims.claimsOf(account.id)).find((k) => k.paperId === paper);
  assert.ok(found, `@${handle} has a claim on ${paper}`);
  return found.id;
}

/** The author list of a paper page (up to the claim box). */
function authorList(html: string): string {
  const start = html.indexOf('<div class="paper-authors"');
  assert.ok(start >= 0, 'the page lists authors');
  return html.slice(start, html.indexOf('</div>', start));
}

test('a claim waits for a moderator, who approves it; the badge shows on the paper and links to that person', async () => {
  const { store, app, ada, bob, mod } = await setup();
  const anonymousBefore = await page(app, `/papers/${PAPER}`);
  assert.match(anonymousBefore, /Sign in to claim this paper/);
  assert.doesNotMatch(authorList(anonymousBefore), /verified-author/);
  const form = await page(app, `/papers/${PAPER}`, ada);
  assert.match(form, /<form method="post" action="\/papers\/2608\.19880\/claims"/);
  assert.match(form, /<option value="1">Zifeng Wang<\/option>/);

  const filed = await claim(app, ada, 1);
  assert.equal(filed.status, 303, await filed.clone().text());
  assert.equal(filed.headers.get('location'), `/papers/${PAPER}#authors`);
  assert.match(await page(app, `/papers/${PAPER}`, ada), /Your claim to be “Zifeng Wang” is waiting for a moderator/);
  assert.doesNotMatch(authorList(await page(app, `/papers/${PAPER}`)), /verified-author/, 'not verified yet');
  assert.equal((await claim(app, ada, 1)).status, 409, 'a member cannot claim twice');
  assert.equal((await claim(app, ada, 2)).status, 409, 'nor claim a second author of the same paper');

  // Members are no moderators: neither the queue nor a decision is theirs.
  const id = await claimId(store, 'ada');
  assert.equal((await app.request('/moderation/claims', { headers: { cookie: bob.cookie } })).status, 403);
  assert.equal((await app.request('/moderation/claims')).status, 403);
  assert.equal((await decide(app, bob, id, 'approve', 'I say so')).status, 403);
  assert.equal((await decide(app, ada, id, 'approve', 'it is me')).status, 403);
  assert.equal((await store.claims.getClaim(id))?.status, 'pending');

  const queue = await page(app, '/moderation/claims', mod);
  assert.match(
    queue,
    /claims to be <a href="\/authors\/Zifeng%20Wang"><strong>Zifeng Wang<\/strong><\/a> \(author 2 of 17\)/,
  );
  assert.match(queue, /address at @example\.org/, 'moderators see the domain of the address');
  assert.doesNotMatch(queue, /ada@example\.org/, 'not the address itself');
  const approved = await decide(app, mod, id, 'approve', 'listed on the project page');
  assert.equal(approved.status, 303);
  assert.equal((await decide(app, mod, id, 'reject', 'changed my mind')).status, 409, 'decided once');
  assert.doesNotMatch(await page(app, '/moderation/claims', mod), /Zifeng Wang/, 'the queue is empty');

  const anonymous = authorList(await page(app, `/papers/${PAPER}`));
  assert.match(
    anonymous,
    /<li class="author-verified"><a href="\/authors\/Zifeng%20Wang\?member=ada">Zifeng Wang<\/a><span class="verified-author" title="Verified author: @ada">/,
  );
  assert.equal(anonymous.match(/verified-author"/g)?.length, 1, 'one author is verified, not the others');
  assert.match(await page(app, `/papers/${PAPER}`, ada), /You are the verified author “Zifeng Wang” of this paper/);
  assert.equal((await claim(app, bob, 1)).status, 409, 'the author has a verified member already');
  const bobsView = await page(app, `/papers/${PAPER}`, bob);
  assert.doesNotMatch(bobsView, /<option value="1">/, 'a verified author is not offered to others');
  assert.match(bobsView, /<option value="0">Chengsong Huang<\/option>/);

  const log = await page(app, '/moderation', mod);
  assert.match(log, /approve-claim<\/td><td>2608\.19880 author 2 \(Zifeng Wang\)<\/td><td>listed on the project page/);
});

test('a moderator rejects with a reason; the member sees it on their own profile only', async () => {
  const { store, app, ada, bob, mod } = await setup();
  assert.equal((await claim(app, bob, 0)).status, 303);
  const id = await claimId(store, 'bob');
  assert.equal((await decide(app, mod, id, 'reject')).status, 409, 'a rejection needs a reason');
  assert.equal((await decide(app, mod, id, 'maybe', 'x')).status, 409);
  assert.equal((await store.claims.getClaim(id))?.status, 'pending');
  assert.equal((await decide(app, mod, id, 'reject', 'not an author of this paper')).status, 303);
  assert.equal((await store.claims.getClaim(id))?.status, 'rejected');
  assert.equal((await claim(app, bob, 0)).status, 409, 'a rejected author is not claimed again');
  const own = await page(app, '/members/bob', bob);
  assert.match(own, /Your author claims/);
  assert.match(own, /as Chengsong Huang · rejected [^<]*· not an author of this paper/);
  const others = await page(app, '/members/bob', ada);
  assert.doesNotMatch(others, /Your author claims|not an author of this paper/);
  assert.doesNotMatch(authorList(await page(app, `/papers/${PAPER}`)), /verified-author/);
});

test('an address at a domain tied to the paper’s organization is verified at once; other organizations still wait', async () => {
  const { store, app, outboxDir, ada, mod } = await setup();
  const admin = await signIn(app, outboxDir, 'root@example.org', { handle: 'root' });
  await store.community.setRole((await store.community.getAccountByName('root'))!.id, 'admin');
  const tie = (who: Member, fields: Record<string, string>) =>
    postForm(app, '/admin/claim-domains', { _csrf: who.csrf, ...fields }, { cookie: who.cookie });
  assert.equal((await tie(mod, { organization: 'google', domain: 'google.com' })).status, 403, 'administrators only');
  assert.equal((await app.request('/admin/claim-domains', { headers: { cookie: mod.cookie } })).status, 403);
  assert.equal((await tie(admin, { organization: 'google', domain: 'not a domain' })).status, 400);
  assert.equal((await tie(admin, { organization: 'nobody-inc', domain: 'nobody.example' })).status, 404);
  assert.equal((await tie(admin, { organization: 'google', domain: '@Google.com' })).status, 303);
  assert.equal((await tie(admin, { organization: 'google', domain: 'google.com' })).status, 409, 'tied already');
  assert.match(
    await page(app, '/admin/claim-domains', admin),
    /<strong>@google\.com<\/strong> → <a href="\/orgs\/google">/,
  );

  const carol = await signIn(app, outboxDir, 'carol@google.com', { handle: 'carol' });
  assert.equal((await claim(app, carol, 2)).status, 303);
  assert.equal((await store.claims.getClaim(await claimId(store, 'carol')))?.status, 'approved');
  assert.match(authorList(await page(app, `/papers/${PAPER}`)), /title="Verified author: @carol"/);
  assert.doesNotMatch(await page(app, '/moderation/claims', mod), /carol/, 'nothing for the moderators to do');
  assert.match(
    await page(app, '/moderation', mod),
    /<td>@carol<\/td><td>auto-approve-claim<\/td><td>2608\.19880 author 3 \(Rujun Han\)<\/td><td>address at @google\.com, tied to organization google/,
  );

  // The domain is Google's: a Google address claiming on a USTC paper waits, as does an outside address on Google's.
  assert.equal((await claim(app, carol, 0, USTC_PAPER)).status, 303);
  assert.equal((await store.claims.getClaim(await claimId(store, 'carol', USTC_PAPER)))?.status, 'pending');
  assert.equal((await claim(app, ada, 0)).status, 303);
  assert.equal((await store.claims.getClaim(await claimId(store, 'ada')))?.status, 'pending');

  const untie = await postForm(
    app,
    '/admin/claim-domains/remove',
    { _csrf: admin.csrf, organization: 'google', domain: 'google.com' },
    { cookie: admin.cookie },
  );
  assert.equal(untie.status, 303);
  const dave = await signIn(app, outboxDir, 'dave@google.com', { handle: 'dave' });
  assert.equal((await claim(app, dave, 3)).status, 303);
  assert.equal(
    (await store.claims.getClaim(await claimId(store, 'dave')))?.status,
    'pending',
    'untied: back to moderators',
  );
});

test('members claiming one author at the same moment: one is verified, the others are told it is taken', async () => {
  const { store, app, outboxDir } = await setup();
  await store.claims.tieDomain('google', 'google.com', (await store.community.getAccountByName('mod'))!.id, new Date());
  const members = [];
  for (let i = 0; i < 6; i++)
    members.push(await signIn(app, outboxDir, `m${i}@google.com`, { handle: `googler-${i}` }));
  const statuses = (await Promise.all(members.map((m) => claim(app, m, 3)))).map((r) => r.status);
  assert.deepEqual(statuses.toSorted(), [303, 409, 409, 409, 409, 409]);
  const claims = await store.claims.claimsOnPaper(PAPER);
  assert.equal(claims.length, 1);
  assert.equal(claims[0]!.status, 'approved');
});

test('claims are rate-limited per member', async () => {
  const { app, ada, bob } = await setup();
  assert.equal((await claim(app, ada, 0)).status, 303);
  // Refused claims count too: 50 an hour.
  for (let i = 1; i < 50; i++) assert.equal((await claim(app, ada, 0)).status, 409);
  const limited = await claim(app, ada, 0, USTC_PAPER);
  assert.equal(limited.status, 429);
  assert.match(await limited.text(), /You have claimed many papers lately/);
  assert.equal((await claim(app, bob, 0, USTC_PAPER)).status, 303, 'per member: others still claim');
});

test('bad claims: signed out, no such paper or author, no CSRF token', async () => {
  const { app, ada } = await setup();
  const signedOut = await postForm(app, `/papers/${PAPER}/claims`, { position: '0' });
  assert.equal(signedOut.status, 303);
  assert.match(signedOut.headers.get('location') ?? '', /^\/signin/);
  assert.equal((await claim(app, ada, 0, '2401.99999')).status, 404);
  assert.equal((await claim(app, ada, 400)).status, 400);
  const garbage = await postForm(
    app,
    `/papers/${PAPER}/claims`,
    { _csrf: ada.csrf, position: '-1' },
    { cookie: ada.cookie },
  );
  assert.equal(garbage.status, 400);
  const forged = await postForm(app, `/papers/${PAPER}/claims`, { position: '0' }, { cookie: ada.cookie });
  assert.equal(forged.status, 403);
});

test('a verified author’s comment: an Author badge, and isAuthorParticipating in the API', async () => {
  const { store, app, ada, bob, mod } = await setup();
  const participating = async (paper: string) => {
    const items = (await (await app.request('/api/daily_papers?date=2026-08-21')).json()) as {
      paper: { id: string };
      isAuthorParticipating: boolean;
    }[];
    const item = items.find((i) => i.paper.id === paper);
    assert.ok(item, `${paper} is on the day`);
    return item.isAuthorParticipating;
  };
  assert.equal(await participating(PAPER), false);
  assert.equal(await participating(USTC_PAPER), true, 'what the source said stays');

  assert.equal((await claim(app, ada, 1)).status, 303);
  const comment = (who: Member, body: string) =>
    postForm(app, `/papers/${PAPER}/comments`, { _csrf: who.csrf, body }, { cookie: who.cookie });
  assert.equal((await comment(ada, 'Happy to answer questions.')).status, 303);
  assert.equal((await comment(bob, 'Nice work.')).status, 303);
  assert.equal(await participating(PAPER), false, 'a pending claimant is no verified author');
  assert.doesNotMatch(await page(app, `/papers/${PAPER}`), /badge-author/);

  const title = (await store.getPaper(PAPER))!.title;
  const searched = async () => {
    const items = (await (await app.request(`/api/papers/search?q=${encodeURIComponent(title)}`)).json()) as {
      paper: { id: string };
      isAuthorParticipating: boolean;
    }[];
    return items.find((i) => i.paper.id === PAPER)?.isAuthorParticipating;
  };
  assert.equal(await searched(), false);
  assert.equal((await decide(app, mod, await claimId(store, 'ada'), 'approve', 'ok')).status, 303);
  assert.equal(await participating(PAPER), true);
  assert.equal(await searched(), true, 'search answers in the same shape');
  const discussion = await page(app, `/papers/${PAPER}`);
  const ofAda = discussion.slice(discussion.indexOf('Happy to answer') - 1500, discussion.indexOf('Happy to answer'));
  assert.match(ofAda.slice(ofAda.lastIndexOf('<article')), /class="badge badge-author"/);
  const ofBob = discussion.slice(discussion.indexOf('Nice work.') - 1500, discussion.indexOf('Nice work.'));
  assert.doesNotMatch(ofBob.slice(ofBob.lastIndexOf('<article')), /badge-author/);
  assert.equal(discussion.match(/badge badge-author/g)?.length, 1);

  // A verified author hears of comments on their paper, and may edit its links; a pending claimant neither.
  const adaId = (await store.community.getAccountByName(ada.name))!.id;
  const before = (await store.notifications.list(adaId, 50)).length;
  assert.equal((await comment(bob, 'A question for the authors.')).status, 303);
  const heard = await store.notifications.list(adaId, 50);
  assert.equal(heard.length, before + 1);
  assert.equal(heard[0]!.kind, 'paper-comment');
  assert.equal((await app.request(`/papers/${PAPER}/links`, { headers: { cookie: ada.cookie } })).status, 200);
  assert.notEqual((await app.request(`/papers/${PAPER}/links`, { headers: { cookie: bob.cookie } })).status, 200);
});

test('verified papers gather on the profile, with a switch only its member can turn', async () => {
  const { store, app, ada, bob, mod } = await setup();
  assert.equal((await claim(app, ada, 1)).status, 303);
  assert.doesNotMatch(await page(app, '/members/ada', bob), /Papers as author/, 'pending: nothing to show');
  const id = await claimId(store, 'ada');
  await decide(app, mod, id, 'approve', 'ok');
  const title = (await store.getPaper(PAPER))!.title;
  const seen = await page(app, '/members/ada', bob);
  assert.match(seen, /Papers as author/);
  assert.ok(seen.includes(title.slice(0, 30)));
  assert.match(await page(app, '/members/ada', ada), /role="switch" aria-checked="true"/);

  const hide = (who: Member, show: string) =>
    postForm(app, `/claims/${id}/profile`, { _csrf: who.csrf, show }, { cookie: who.cookie });
  assert.equal((await hide(bob, '0')).status, 404, 'not bob’s claim');
  assert.equal((await store.claims.getClaim(id))?.showOnProfile, true);
  assert.equal((await hide(ada, '0')).status, 303);
  assert.doesNotMatch(await page(app, '/members/ada', bob), /Papers as author/);
  assert.match(await page(app, '/members/ada', ada), /role="switch" aria-checked="false"/);
  assert.match(authorList(await page(app, `/papers/${PAPER}`)), /verified-author/, 'still verified on the paper');
  assert.equal((await hide(ada, '1')).status, 303);
  assert.match(await page(app, '/members/ada', bob), /Papers as author/);

  // The member's data download lists the claim, without the moderator who decided it.
  const exported = await (await app.request('/settings/export', { headers: { cookie: ada.cookie } })).text();
  const { authorClaims } = JSON.parse(exported) as { authorClaims: { paperId: string; status: string }[] };
  assert.deepEqual(
    authorClaims.map((k) => [k.paperId, k.status]),
    [[PAPER, 'approved']],
  );
  assert.ok(!exported.includes('"mod"'), 'no other member in it');
});

test('author pages tell apart a verified member from the unclaimed papers of the same name', async () => {
  const { store, app, ada, bob, mod } = await setup();
  const merged = await page(app, '/authors/Zifeng%20Wang');
  assert.doesNotMatch(merged, /People named/);
  assert.ok(merged.includes(`/papers/${PAPER}"`) && merged.includes(`/papers/${OTHER_ZIFENG}"`), 'both papers, merged');

  assert.equal((await claim(app, ada, 1)).status, 303);
  await decide(app, mod, await claimId(store, 'ada'), 'approve', 'ok');
  const grouped = await page(app, '/authors/Zifeng%20Wang');
  assert.match(grouped, /People named Zifeng Wang/);
  assert.match(grouped, /href="\/authors\/Zifeng%20Wang\?member=ada"/);
  assert.match(grouped, /Papers nobody has claimed yet/);
  assert.ok(grouped.includes(`/papers/${OTHER_ZIFENG}"`));
  assert.ok(!grouped.includes(`/papers/${PAPER}"`), 'the verified paper is not among the unclaimed');

  const hers = await page(app, '/authors/Zifeng%20Wang?member=ada');
  assert.match(hers, /verified as <a href="\/members\/ada">@ada<\/a>/);
  assert.ok(hers.includes(`/papers/${PAPER}"`));
  assert.ok(!hers.includes(`/papers/${OTHER_ZIFENG}"`), 'another Zifeng Wang’s paper is not hers');
  assert.equal((await app.request('/authors/Zifeng%20Wang?member=bob')).status, 404);

  // From the author page, bob claims the unclaimed paper of the name.
  const offered = await page(app, '/authors/Zifeng%20Wang', bob);
  assert.match(offered, new RegExp(`<input type="checkbox" name="paper" value="${OTHER_ZIFENG.replace('.', '\\.')}">`));
  assert.doesNotMatch(offered, new RegExp(`name="paper" value="${PAPER.replace('.', '\\.')}"`));
  const many = await postForm(
    app,
    '/authors/Zifeng%20Wang/claims',
    { _csrf: bob.csrf, paper: OTHER_ZIFENG },
    { cookie: bob.cookie },
  );
  assert.equal(many.status, 200);
  assert.match(await many.text(), /waiting for a moderator/);
  const filed = (await store.claims.claimsOf((await store.community.getAccountByName('bob'))!.id))[0];
  assert.equal(filed?.paperId, OTHER_ZIFENG);
  assert.equal(filed?.position, 8);
  assert.equal(filed?.authorName, 'Zifeng Wang');
});

test('a moderator revokes a verified author from the paper page; a member withdraws a claim and may claim again', async () => {
  const { store, app, ada, bob, mod } = await setup();
  assert.equal((await claim(app, ada, 1)).status, 303);
  await decide(app, mod, await claimId(store, 'ada'), 'approve', 'ok');
  const box = await page(app, `/papers/${PAPER}`, mod);
  assert.match(box, /Zifeng Wang is @ada: reason to revoke/);
  assert.doesNotMatch(await page(app, `/papers/${PAPER}`, bob), /reason to revoke/, 'moderators only');
  const revoke = (who: Member, reason: string) =>
    postForm(
      app,
      '/moderation/claims/revoke',
      { _csrf: who.csrf, paper: PAPER, position: '1', reason },
      { cookie: who.cookie },
    );
  assert.equal((await revoke(bob, 'mine now')).status, 403);
  assert.equal((await revoke(mod, '')).status, 400);
  assert.match(authorList(await page(app, `/papers/${PAPER}`)), /verified-author/);
  assert.equal((await revoke(mod, 'the lab says otherwise')).status, 303);
  assert.doesNotMatch(authorList(await page(app, `/papers/${PAPER}`)), /verified-author/);
  assert.equal((await revoke(mod, 'again')).status, 404);
  assert.match(
    await page(app, '/moderation', mod),
    /revoke-claim<\/td><td>2608\.19880 author 2 \(Zifeng Wang\)<\/td><td>the lab says otherwise/,
  );
  assert.match(await page(app, '/members/ada', ada), /as Zifeng Wang · rejected [^<]*· the lab says otherwise/);

  assert.equal((await claim(app, bob, 1)).status, 303);
  const id = await claimId(store, 'bob');
  const withdraw = (who: Member) =>
    postForm(app, `/claims/${id}/withdraw`, { _csrf: who.csrf }, { cookie: who.cookie });
  assert.equal((await withdraw(ada)).status, 404, 'not ada’s');
  assert.match(await page(app, '/members/bob', bob), new RegExp(`action="/claims/${id}/withdraw"`));
  assert.equal((await withdraw(bob)).status, 303);
  assert.equal(await store.claims.getClaim(id), null);
  assert.doesNotMatch(await page(app, '/moderation/claims', mod), /claims to be/, 'gone from the queue');
  assert.equal((await claim(app, bob, 1)).status, 303, 'claimed again');
});

test('a re-import that changes the author list moves no badge onto another name', async () => {
  const { store, app, ada, mod } = await setup();
  assert.equal((await claim(app, ada, 1)).status, 303);
  await decide(app, mod, await claimId(store, 'ada'), 'approve', 'ok');
  assert.deepEqual(
    (await approvedClaimants(store, PAPER)).map((c) => [c.position, c.authorName, c.member.name]),
    [[1, 'Zifeng Wang', 'ada']],
  );
  const paper = (await store.getPaper(PAPER))!;
  const [first, second, ...rest] = paper.authors;
  await store.importBatch({
    papers: [{ ...paper, authors: [second!, first!, ...rest] }],
    entries: [],
    replaceDays: [],
  });
  assert.doesNotMatch(authorList(await page(app, `/papers/${PAPER}`)), /verified-author/);
  assert.deepEqual(await approvedClaimants(store, PAPER), []);
  assert.doesNotMatch(await page(app, '/authors/Chengsong%20Huang'), /People named/);
});

test('author pages also tell apart the Hugging Face accounts the imported records tie to a name', async () => {
  const { app } = await setup();
  // "Lei Li" is tied to the account tobiaslee on 2405.21075 (assigned by Hugging Face), to nobody on 2505.24098.
  const all = await page(app, '/authors/Lei%20Li');
  assert.match(all, /People named Lei Li/);
  assert.match(all, /href="\/authors\/Lei%20Li\?hf=tobiaslee"><span class="people-name"><strong>tobiaslee<\/strong>/);
  assert.ok(all.includes('/papers/2505.24098"') && !all.includes('/papers/2405.21075"'), 'the unclaimed one only');
  const tied = await page(app, '/authors/Lei%20Li?hf=tobiaslee');
  assert.match(tied, /tied to tobiaslee on Hugging Face/);
  assert.ok(tied.includes('/papers/2405.21075"') && !tied.includes('/papers/2505.24098"'));
  assert.equal((await app.request('/authors/Lei%20Li?hf=someone-else')).status, 404);
  assert.match(
    authorList(await page(app, '/papers/2405.21075')),
    /<a href="\/authors\/Lei%20Li\?hf=tobiaslee">Lei Li<\/a>/,
  );
  // A guess of the source ('extracted_pending') ties nobody: Tri Dao's entry links to the plain name.
  assert.match(authorList(await page(app, '/papers/2405.21060')), /<a href="\/authors\/Tri%20Dao">Tri Dao<\/a>/);
  assert.match(authorList(await page(app, '/papers/2405.21060')), /<a href="\/authors\/Albert%20Gu\?hf=albertgu">/);
});
