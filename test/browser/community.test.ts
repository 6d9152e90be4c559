/**
 * The community in a real browser: sign-in through the emailed link (read from the server's outbox), upvotes
 * with and without JavaScript, submitting a paper (arXiv stubbed by the recorded responses), comments and a
 * reply, sign-out; the first administrator's one-time code from the log; a moderator hiding a paper; and the
 * signed-in pages on a 390 px phone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { firstPage, horizontalOverflow, openBrowser, startServer } from './browser.ts';
import { signIn, type Profile } from './sign-in.ts';
import { startArxivApiStub } from '../arxiv-api-stub.ts';

const arxiv = await startArxivApiStub();
const server = await startServer({
  PAPERBOY_ARXIV_API_URL: arxiv.url,
  PAPERBOY_ARXIV_INTERVAL_MS: '0',
  // The recorded paper (1605.08386) appeared in 2016: far outside the usual 14-day window.
  PAPERBOY_SUBMIT_WINDOW_DAYS: '100000',
  PAPERBOY_HARVEST: '0',
});

const ADA: Profile = { handle: 'ada-lovelace', fullname: 'ada', refused: 'Ada Lovelace' };

/** The recorded arXiv API response of 1605.08386 (test/fixtures/arxiv/arxiv-api/id_1605.08386.xml). */
const SUBMITTED = { id: '1605.08386', title: 'Heat-bath random walks with Markov bases' };

function voteOf(card: Locator): Locator {
  return card.locator('.vote-form button.vote');
}

async function count(vote: Locator): Promise<number> {
  return Number((await vote.locator('.vote-count').innerText()).replace(/,/g, ''));
}

/** The feed's first card with an exact count (formatCount abbreviates from 10,000). */
async function cardWithSmallCount(page: Page, skip: readonly string[] = []): Promise<{ card: Locator; title: string }> {
  const cards = page.locator('.card');
  for (let i = 0; i < (await cards.count()); i++) {
    const card = cards.nth(i);
    const title = (await card.locator('.card-title a').innerText()).trim();
    if (skip.includes(title)) continue;
    if (/^\d[\d,]*$/.test(await card.locator('.vote-count').innerText())) return { card, title };
  }
  throw new Error('no card with an exact vote count');
}

async function openAccountMenu(page: Page): Promise<void> {
  const menu = page.locator('details.account-menu');
  if ((await menu.getAttribute('open')) === null) await menu.locator('summary').click();
  await menu.locator('.account-menu-panel').waitFor();
}

async function assertNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const { scrollWidth, innerWidth } = await horizontalOverflow(page);
  assert.ok(scrollWidth <= innerWidth, `${what}: ${scrollWidth} > ${innerWidth}`);
}

// The member's browser lives for the whole file (opened here, its after() hook is the file's): the tests below
// go on from where the one before stopped.
const member = { page: await firstPage(await openBrowser(server)) };
/** A second member, whose browser has JavaScript off. */
const other = { page: await firstPage(await openBrowser(server, { javaScriptEnabled: false })) };

test('a member signs in with the emailed link and upvotes without a page reload', async () => {
  const { page } = member;
  await signIn(server, page, 'ada@example.org', ADA);
  assert.equal(new URL(page.url()).pathname, '/');
  await openAccountMenu(page);
  assert.match(await page.locator('.account-menu-name').innerText(), /@ada/);
  await page.locator('details.account-menu summary').click(); // closes it again

  const { card, title } = await cardWithSmallCount(page);
  const vote = voteOf(card);
  assert.equal(await vote.getAttribute('aria-pressed'), 'false');
  const before = await count(vote);
  // A mark on the window: a reload would wipe it.
  await page.evaluate('window.__noReload = true');
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/upvote'));
  await vote.click();
  assert.equal((await answered).status(), 200);
  await page.waitForFunction((el) => el?.getAttribute('aria-pressed') === 'true', await vote.elementHandle());
  assert.equal(await count(vote), before + 1);
  assert.match((await vote.getAttribute('class')) ?? '', /\bvote-on\b/);
  assert.equal(await page.evaluate('window.__noReload'), true, 'the page was not reloaded');

  // The vote is stored: after a reload the card still shows it.
  await page.reload();
  const again = voteOf(page.locator('.card', { has: page.getByRole('link', { name: title, exact: true }) }));
  assert.equal(await again.getAttribute('aria-pressed'), 'true');
  assert.equal(await count(again), before + 1);

  // And toggles off.
  await again.click();
  await page.waitForFunction((el) => el?.getAttribute('aria-pressed') === 'false', await again.elementHandle());
  assert.equal(await count(again), before);
});

test('without JavaScript the upvote is a form post that comes back to the feed with the new count', async () => {
  const { page } = other;
  await signIn(server, page, 'bob@example.org', { handle: 'bob-the-reader', fullname: 'Bob' });
  const { card, title } = await cardWithSmallCount(page);
  const before = await count(voteOf(card));
  // The form post answers with a redirect back to the feed: a new page load.
  await Promise.all([page.waitForEvent('load'), voteOf(card).click()]);
  assert.equal(new URL(page.url()).pathname, '/');
  const after = voteOf(page.locator('.card', { has: page.getByRole('link', { name: title, exact: true }) }));
  assert.equal(await after.getAttribute('aria-pressed'), 'true');
  assert.equal(await count(after), before + 1);
});

test('a member submits a paper by its arXiv link and finds it on today’s feed', async () => {
  const { page } = member;
  await page.goto(server.url);
  await page.locator('.header-submit').click();
  await page.waitForURL(/\/submit$/);
  await page.getByLabel('arXiv identifier or link').fill(`https://arxiv.org/abs/${SUBMITTED.id}v1`);
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await page.getByRole('heading', { name: 'Thank you: the paper is on today’s feed' }).waitFor();
  assert.ok(arxiv.requests.includes(SUBMITTED.id), 'the metadata came from the (stubbed) arXiv API');

  await page.goto(server.url);
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(await page.locator('#date-picker-input').inputValue(), today, 'the front page shows today');
  const card = page.locator('.card', { has: page.getByRole('link', { name: SUBMITTED.title, exact: true }) });
  assert.equal(await card.count(), 1, 'the submitted paper is on today’s feed');

  await card.locator('.card-title a').click();
  await page.waitForURL(new RegExp(`/papers/${SUBMITTED.id.replace('.', '\\.')}$`));
  assert.match(await page.locator('.paper-side').innerText(), /Submitted by/);

  // The same address again says where the paper is.
  await page.goto(`${server.url}/submit`);
  await page.getByLabel('arXiv identifier or link').fill(SUBMITTED.id);
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await page.getByRole('heading', { name: 'This paper is already on Daily Papers' }).waitFor();
});

test('members comment on the submitted paper and reply; Markdown renders, HTML shows as text', async () => {
  const { page } = member;
  await page.goto(`${server.url}/papers/${SUBMITTED.id}`);
  assert.match(await page.locator('#discussion').innerText(), /No comments yet/);
  await page.getByLabel('Add a comment').fill('A *neat* bound on the **diameter**. <script>window.__xss = 1</script>');
  await page.getByRole('button', { name: 'Post comment' }).click();
  const comment = page.locator('#discussion .comment-thread').first().locator('article.comment').first();
  await comment.waitFor();
  assert.equal(await comment.locator('.comment-body em').innerText(), 'neat');
  assert.equal(await comment.locator('.comment-body strong').innerText(), 'diameter');
  assert.match(
    await comment.locator('.comment-body').innerText(),
    /<script>window.__xss = 1<\/script>/,
    'HTML is shown as text',
  );
  assert.equal(await page.evaluate('window.__xss'), undefined);
  assert.match(await comment.locator('.comment-author').innerText(), /ada/);

  // A second member replies (without JavaScript: the reply form sits in a <details>).
  const bob = other.page;
  await bob.goto(`${server.url}/papers/${SUBMITTED.id}`);
  const thread = bob.locator('#discussion .comment-thread').first();
  await thread.locator('details.comment-action > summary', { hasText: 'Reply' }).first().click();
  await thread.getByLabel(/^Reply to /).fill('Agreed — see `Theorem 2`.');
  await Promise.all([bob.waitForEvent('load'), thread.getByRole('button', { name: 'Post reply' }).click()]);
  const reply = bob.locator('#discussion .comment-thread').first().locator('.comment-replies article.comment-reply');
  assert.equal(await reply.count(), 1);
  assert.equal(await reply.locator('.comment-body code').innerText(), 'Theorem 2');
  assert.match(await bob.locator('#discussion-heading').innerText(), /2 comments/);

  // The count reaches the feed's card.
  await page.goto(server.url);
  const card = page.locator('.card', { has: page.getByRole('link', { name: SUBMITTED.title, exact: true }) });
  assert.match(await card.locator('.stat[title$="comments"]').innerText(), /^2\b/);
});

test('on a 390 px phone the signed-in pages do not scroll sideways and the account menu fits', async () => {
  const { page } = member;
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    for (const path of [
      '/',
      '/submit',
      `/papers/${SUBMITTED.id}`,
      '/papers/trending',
      `/members/${ADA.handle}`,
      '/settings',
      '/settings/delete',
    ]) {
      await page.goto(`${server.url}${path}`);
      await assertNoSidewaysScroll(page, path);
    }
    await page.goto(server.url);
    const header = await page.locator('.site-header').boundingBox();
    assert.ok(header && header.height < 200, `the header stays compact (${header?.height} px)`);
    await openAccountMenu(page);
    const panel = await page.locator('.account-menu-panel').boundingBox();
    assert.ok(
      panel && panel.x >= 0 && panel.x + panel.width <= 390,
      `the menu fits the screen: ${JSON.stringify(panel)}`,
    );
    await assertNoSidewaysScroll(page, 'the open account menu');
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});

test('a member signs out from the account menu', async () => {
  const { page } = member;
  // Every page knows who is signed in, pages without votes or forms of their own too.
  await page.goto(`${server.url}/about/trending`);
  assert.equal(await page.locator('.account-menu').count(), 1);
  await page.goto(server.url);
  await openAccountMenu(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('.header-signin').waitFor();
  assert.equal(await page.locator('.account-menu').count(), 0);
  assert.ok((await page.locator('.card .vote-link').count()) > 0, 'signed out, votes link to sign-in');
  await page.goto(`${server.url}/settings`);
  await page.waitForURL(/\/signin\?next=%2Fsettings$/);
});

test('the first administrator claims the instance with the code from the log, then hides a paper', async () => {
  const line = server.log.find((l) => l.includes('no administrator yet'));
  assert.ok(line, 'the server logs a one-time code while it has no administrator');
  const code = (JSON.parse(line) as { code?: string }).code;
  assert.ok(code && new RegExp(code).test(line));

  // The member's browser, signed out by the test before: another account signs in there.
  const { page } = member;
  await signIn(server, page, 'root@example.org');
  await page.goto(`${server.url}/admin/claim`);
  await page.getByLabel('One-time code').fill('not-the-code');
  await page.getByRole('button', { name: 'Claim' }).click();
  assert.match(await page.locator('.notice-error').innerText(), /not right/);
  await page.getByLabel('One-time code').fill(code);
  await page.getByRole('button', { name: 'Claim' }).click();
  await page.getByRole('heading', { name: 'You are the administrator' }).waitFor();

  // A paper of the day before today's (today's feed holds the submitted paper only).
  await page.goto(server.url);
  await page.locator('.period-bar a[rel="prev"]').click();
  await page.waitForURL(/\/papers\/date\/\d{4}-\d{2}-\d{2}$/);
  const day = page.url();
  const card = page.locator('.card').first();
  const title = (await card.locator('.card-title a').innerText()).trim();
  assert.ok(
    (await (await fetch(day)).text()).includes(`>${escapeHtml(title)}<`),
    'signed out, the paper is on the day page',
  );
  await card.locator('.card-title a').click();
  await page.waitForURL(/\/papers\//);
  await page.getByLabel('Reason for hiding').fill('Spam, as a test');
  await page.getByRole('button', { name: 'Hide this paper' }).click();
  await page.waitForURL(/\/moderation$/);
  assert.match(await page.locator('.moderation-list').innerText(), new RegExp(escapeRegExp(title)));
  assert.match(await page.locator('.moderation-log').innerText(), /Spam, as a test/);

  await page.goto(day);
  assert.ok((await page.locator('.card').count()) > 0);
  assert.equal(await page.getByRole('link', { name: title, exact: true }).count(), 0, 'the hidden paper left the feed');
  const anonymous = await (await fetch(day)).text();
  assert.ok(!anonymous.includes(`>${escapeHtml(title)}<`), 'for everyone');

  // A second claim does nothing: the page says there is an administrator, and the spent code is refused.
  await page.goto(`${server.url}/admin/claim`);
  assert.match(await page.locator('main').innerText(), /has an administrator already/);
  const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
  const again = await page.request.post(`${server.url}/admin/claim`, { form: { code, _csrf: csrf } });
  assert.equal(again.status(), 400);
  assert.deepEqual(server.errors, []);
});

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
