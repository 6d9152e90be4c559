/**
 * Notifications and reports in a real browser, through the pages: a mention and a reply (one member with
 * JavaScript, one without) light the header's bell, the notification list shows them and marks them read; a
 * member reports a comment from its Report control; a moderator finds it in the queue (counted in the header),
 * hides it, and the author hears of the decision while the hidden reply's notification disappears.
 *
 * With SHOTS_DIR set, it also saves screenshots of the notification list and the report queue (1280 and 390 px,
 * light and dark) there, for a person to look at.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { firstPage, horizontalOverflow, openBrowser, startServer } from './browser.ts';
import { signIn } from './sign-in.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const server = await startServer({ PAPERBOY_HARVEST: '0' });
const ada = await firstPage(await openBrowser(server));
const bob = await firstPage(await openBrowser(server, { javaScriptEnabled: false }));

/** The number on the header's bell (0 when it shows none). */
async function bell(page: Page): Promise<number> {
  const label = (await page.locator('a.header-badge[href="/notifications"]').getAttribute('aria-label')) ?? '';
  return Number(/(\d+) unread/.exec(label)?.[1] ?? 0);
}

let paperPath = '';

test('a mention and a reply reach the other member’s bell and notification list; mark read', async () => {
  await signIn(server, ada, 'ada@example.org', { handle: 'ada', fullname: 'Ada' });
  await signIn(server, bob, 'bob@example.org', { handle: 'bob', fullname: 'Bob' });
  await ada.goto(server.url);
  paperPath = (await ada.locator('.card-title a').first().getAttribute('href'))!;
  await ada.goto(`${server.url}${paperPath}`);
  assert.equal(await bell(ada), 0);
  await ada.getByLabel('Add a comment').fill('What do you make of the second table, @bob?');
  await ada.getByRole('button', { name: 'Post comment' }).click();
  await ada.locator('#discussion article.comment').first().waitFor();

  // Bob, without JavaScript, sees the bell, opens the list and replies from the paper.
  await bob.goto(`${server.url}${paperPath}`);
  assert.equal(await bell(bob), 1);
  await Promise.all([bob.waitForEvent('load'), bob.locator('a.header-badge[href="/notifications"]').click()]);
  const mention = bob.locator('.notification-unread');
  assert.equal(await mention.count(), 1);
  assert.match(await mention.innerText(), /@ada mentioned you on/);
  assert.match(await mention.innerText(), /second table/);
  await Promise.all([bob.waitForEvent('load'), mention.locator('.notification-headline a').click()]);
  assert.equal(new URL(bob.url()).pathname, paperPath);
  const thread = bob.locator('#discussion .comment-thread').first();
  await thread.locator('details.comment-action > summary', { hasText: 'Reply' }).first().click();
  await thread.getByLabel(/^Reply to /).fill('The second table compares apples with oranges.');
  await Promise.all([bob.waitForEvent('load'), thread.getByRole('button', { name: 'Post reply' }).click()]);
  await bob.goto(`${server.url}/notifications`);
  await Promise.all([bob.waitForEvent('load'), bob.getByRole('button', { name: 'Mark all read' }).click()]);
  assert.equal(await bob.locator('.notification-unread').count(), 0);
  assert.equal(await bell(bob), 0);

  await ada.goto(`${server.url}/notifications`);
  assert.equal(await bell(ada), 1, 'nothing for her own comment, one for the reply');
  const reply = ada.locator('.notification-unread');
  assert.match(await reply.innerText(), /@bob replied to your comment on/);
  await reply.getByRole('button', { name: 'Mark read' }).click();
  await ada.waitForURL(/done=read/);
  assert.equal(await bell(ada), 0);
});

test('a member reports a comment; a moderator hides it from the queue; the reply’s notification disappears', async () => {
  await ada.goto(`${server.url}${paperPath}`);
  const bobsReply = ada.locator('#discussion .comment-replies article.comment-reply').first();
  await bobsReply.locator('details.report-control > summary').click();
  await bobsReply.getByLabel(/What is wrong with this comment/).fill('Rude about apples');
  await bobsReply.getByRole('button', { name: 'Send report' }).click();
  await ada.getByRole('heading', { name: 'Thank you' }).waitFor();
  // Reporting it again is refused.
  await ada.goBack();
  await ada.reload();
  const again = ada.locator('#discussion .comment-replies article.comment-reply').first();
  await again.locator('details.report-control > summary').click();
  await again.getByLabel(/What is wrong with this comment/).fill('Again');
  await again.getByRole('button', { name: 'Send report' }).click();
  await ada.getByRole('heading', { name: 'Reported already' }).waitFor();

  // Ada becomes a moderator (as an administrator would make her at /admin/roles).
  const store = new SqliteStore(join(server.dir, 'paperboy.db'));
  try {
    const account = await store.community.accountForEmail('ada@example.org', new Date());
    await store.community.setRole(account.id, 'moderator');
  } finally {
    await store.close();
  }
  await ada.goto(server.url);
  const flag = ada.locator('a.header-badge[href="/moderation/reports"]');
  assert.equal(await flag.getAttribute('aria-label'), 'Reports, 1 open');
  await flag.click();
  await ada.waitForURL(/\/moderation\/reports$/);
  const item = ada.locator('.report-case').first();
  assert.match(await item.innerText(), /apples with oranges/);
  assert.match(await item.innerText(), /@ada: Rude about apples/);
  await item.getByLabel(/Reason/).fill('Not kind');
  await item.getByRole('button', { name: 'Hide it' }).click();
  await ada.waitForURL(/done=hide/);
  assert.match(await ada.locator('main').innerText(), /No open reports/);
  assert.equal(await flag.getAttribute('aria-label'), 'Reports');

  await ada.goto(`${server.url}/moderation`);
  assert.match(await ada.locator('.moderation-log').innerText(), /hide-comment.*Not kind/s);
  await ada.goto(`${server.url}/notifications`);
  assert.doesNotMatch(await ada.locator('main').innerText(), /@bob replied/, 'the hidden reply notifies no more');

  await bob.goto(`${server.url}/notifications`);
  assert.equal(await bell(bob), 1);
  assert.match(await bob.locator('.notification-unread').innerText(), /The moderators hid your comment[\s\S]*Not kind/);
  assert.deepEqual(server.errors, []);
});

test('the notification list and the report queue fit a 390 px phone', async () => {
  for (const page of [ada, bob]) await page.setViewportSize({ width: 390, height: 844 });
  await bob.goto(`${server.url}/notifications`);
  const bobFits = await horizontalOverflow(bob);
  assert.ok(bobFits.scrollWidth <= bobFits.innerWidth, `notifications: ${bobFits.scrollWidth}`);
  await ada.goto(`${server.url}/moderation/reports`);
  const adaFits = await horizontalOverflow(ada);
  assert.ok(adaFits.scrollWidth <= adaFits.innerWidth, `reports: ${adaFits.scrollWidth}`);

  const dir = process.env.SHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  // Something in the queue for the pictures: bob reports ada's comment (a moderator's: not hers to decide) and the
  // paper; ada reports a new comment of bob's.
  await bob.goto(`${server.url}${paperPath}`);
  const adas = bob.locator('#discussion .comment-thread article.comment').first();
  await adas.locator('details.report-control > summary').click();
  await adas.getByLabel(/What is wrong with this comment/).fill('Mentions me in every comment, please stop');
  await Promise.all([bob.waitForEvent('load'), adas.getByRole('button', { name: 'Send report' }).click()]);
  await bob.goto(`${server.url}${paperPath}`);
  await bob.locator('details.paper-report > summary').click();
  await bob.getByLabel(/What is wrong with this paper/).fill('Duplicate of an older paper');
  await Promise.all([bob.waitForEvent('load'), bob.getByRole('button', { name: 'Send report' }).click()]);
  await bob.goto(`${server.url}${paperPath}`);
  await bob.getByLabel('Add a comment').fill('Buy **cheap** watches at example.com');
  await Promise.all([bob.waitForEvent('load'), bob.getByRole('button', { name: 'Post comment' }).click()]);
  await ada.goto(`${server.url}${paperPath}`);
  const spam = ada
    .locator('#discussion .comment-thread', { hasText: 'cheap watches' })
    .locator('article.comment')
    .first();
  await spam.locator('details.report-control > summary').click();
  await spam.getByLabel(/What is wrong with this comment/).fill('Spam');
  await spam.getByRole('button', { name: 'Send report' }).click();
  await ada.getByRole('heading', { name: 'Thank you' }).waitFor();
  for (const width of [1280, 390]) {
    for (const page of [ada, bob]) await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const page of [ada, bob]) await page.emulateMedia({ colorScheme });
      await bob.goto(`${server.url}/notifications`);
      await bob.screenshot({ path: join(dir, `notifications-${width}-${colorScheme}.png`), fullPage: true });
      await ada.goto(`${server.url}/moderation/reports`);
      await ada.screenshot({ path: join(dir, `reports-${width}-${colorScheme}.png`), fullPage: true });
      // The Report controls, opened, at the end of a paper's discussion.
      await ada.goto(`${server.url}${paperPath}#discussion`);
      await ada.locator('#discussion article.comment details.report-control > summary').first().click();
      await ada.locator('details.paper-report > summary').click();
      await ada.locator('details.paper-report').scrollIntoViewIfNeeded();
      await ada.screenshot({ path: join(dir, `report-controls-${width}-${colorScheme}.png`) });
    }
  }
});
