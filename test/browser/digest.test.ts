/**
 * The email digest in a real browser against `paperboy serve` in outbox mode: subscribe from the feed's banner,
 * an administrator opens the confirmation from /dev/outbox (the outbox is theirs only), the reader confirms,
 * the administrator runs a digest, the reader opens it and unsubscribes in one click.
 * SHOTS_DIR=folder also saves screenshots of the subscribe box and the digest preview (desktop and 390 px).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CLI, NODE, REPO_ROOT } from '../helpers.ts';
import { signInLink } from '../community-helpers.ts';
import { firstPage, horizontalOverflow, openBrowser, startServer } from './browser.ts';

const server = await startServer();
const ADMIN = 'operator@example.org';
const made = spawnSync(NODE, [CLI, 'admin', 'add', ADMIN], {
  cwd: REPO_ROOT,
  encoding: 'utf8',
  env: { ...process.env, DATABASE_URL: join(server.dir, 'paperboy.db') },
});
assert.equal(made.status, 0, made.stderr);
const shots = process.env.SHOTS_DIR;

/** Links in mail are absolute, on PUBLIC_URL (http://localhost:0 for a server on --port 0): the same path here. */
function local(href: string | null): string {
  assert.ok(href);
  const url = new URL(href);
  return `${server.url}${url.pathname}${url.search}`;
}
if (shots) mkdirSync(shots, { recursive: true });

/** The administrator, signed in through the link in the outbox folder (as `paperboy outbox show` prints it). */
async function adminPage(): Promise<Page> {
  const page = await firstPage(await openBrowser(server));
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Email address').fill(ADMIN);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  let link: URL | undefined;
  for (let i = 0; i < 50 && !link; i++) {
    link = await signInLink(join(server.dir, 'outbox'), ADMIN).catch(() => undefined);
    if (!link) await page.waitForTimeout(100);
  }
  assert.ok(link, 'the sign-in email is in the outbox folder');
  await page.goto(local(link.href));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.locator('.account-menu').waitFor();
  return page;
}

test('subscribe → confirm from the outbox → digest → unsubscribe in one click', async () => {
  const page = await firstPage(await openBrowser(server, { javaScriptEnabled: false }));
  await page.goto(server.url);
  const banner = page.locator('.subscribe-banner');
  assert.match(await banner.innerText(), /Get trending papers in your email inbox!/);
  await banner.getByLabel('Email address').fill('reader@example.org');
  await banner.getByLabel('How often').selectOption('daily');
  await banner.getByRole('button', { name: 'Subscribe' }).click();
  await page.waitForURL(/\/digest\/subscribe$/);
  assert.equal(await page.locator('h1').innerText(), 'Check your inbox');

  // The confirmation, from the outbox (mail goes out just after the answer), which only an administrator reads.
  await page.goto(`${server.url}/dev/outbox`);
  assert.equal(await page.locator('h1').innerText(), 'Page not found');
  const admin = await adminPage();
  let opened = false;
  for (let i = 0; i < 50 && !opened; i++) {
    await admin.goto(`${server.url}/dev/outbox`);
    const link = admin.getByRole('link', { name: 'Confirm your daily Paperboy digest' });
    if ((await link.count()) > 0) {
      await link.first().click();
      opened = true;
    } else {
      await admin.waitForTimeout(100);
    }
  }
  assert.ok(opened, 'the confirmation is in the outbox');
  await page.goto(local(await admin.locator('.outbox-text a[href*="/digest/confirm/"]').getAttribute('href')));
  assert.equal(await page.locator('h1').innerText(), 'Confirm the daily digest');
  await page.getByRole('button', { name: 'Confirm subscription' }).click();
  assert.equal(await page.locator('h1').innerText(), 'You are subscribed');

  // Run the digest (the outbox page's button does what `paperboy digest send` does) and open it.
  await admin.goto(`${server.url}/dev/outbox`);
  await admin.getByLabel('Send the latest digest now').selectOption('daily');
  await admin.getByRole('button', { name: 'Send' }).click();
  await admin.waitForURL(/\/dev\/outbox$/);
  await admin
    .getByRole('link', { name: /^\[Paperboy\] Trending papers, / })
    .first()
    .click();
  const headers = await admin.locator('.outbox-headers').innerText();
  assert.match(headers, /List-Unsubscribe-Post\s+List-Unsubscribe=One-Click/);
  assert.match(headers, /To\s+reader@example\.org/);
  // Opened by its address: a click into a sandboxed document sometimes loses playwright's handle on the page.
  await admin.goto(
    local(
      new URL((await admin.getByRole('link', { name: 'HTML version' }).getAttribute('href')) ?? '', server.url).href,
    ),
  );
  assert.match(await admin.locator('h1').innerText(), /^Trending papers, /);
  assert.ok((await admin.locator('a[href*="/papers/"]').count()) >= 3, 'links to the papers');
  if (shots) await admin.screenshot({ path: join(shots, 'digest-email-1280.png'), fullPage: true });

  await page.goto(local(await admin.getByRole('link', { name: 'Unsubscribe' }).getAttribute('href')));
  assert.equal(await page.locator('h1').innerText(), 'Unsubscribe from the daily digest?');
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  assert.equal(await page.locator('h1').innerText(), 'You are unsubscribed');
  assert.ok(await page.getByRole('button', { name: 'Resubscribe' }).isVisible());
  assert.deepEqual(server.errors, []);
});

test('the subscribe box and the digest preview fit a 390 px phone', async () => {
  const context = await openBrowser(server, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await firstPage(context);
  for (const path of ['/', '/digest', '/digest/daily', '/digest/weekly']) {
    await page.goto(`${server.url}${path}`);
    const { scrollWidth, innerWidth } = await horizontalOverflow(page);
    assert.ok(scrollWidth <= innerWidth, `${path} scrolls sideways: ${scrollWidth} > ${innerWidth}`);
    if (shots)
      await page.screenshot({
        path: join(shots, `digest${path.replaceAll('/', '-')}-390.png`),
        fullPage: path !== '/',
      });
  }
  // On a phone the banner is one line, and the first paper is above the fold; the line opens the form.
  await page.goto(server.url);
  const banner = page.locator('.subscribe-banner');
  assert.equal(await banner.getByLabel('Email address').isVisible(), false, 'folded on a phone');
  const bannerHeight = (await banner.boundingBox())!.height;
  assert.ok(bannerHeight <= 56, `the folded banner is one line: ${bannerHeight} px`);
  const firstCard = (await page.locator('.card').first().boundingBox())!;
  assert.ok(
    firstCard.y + firstCard.height <= 844,
    `the first paper ends above the fold: ${firstCard.y + firstCard.height}`,
  );
  await banner.locator('summary').click();
  // A refused address says why, in the page.
  await banner.getByLabel('Email address').fill('ad\u0430m@example.org');
  await page.locator('.subscribe-banner').getByRole('button', { name: 'Subscribe' }).click();
  assert.match(await page.locator('.subscribe-error').innerText(), /plain ASCII/);
  if (shots) {
    await page.screenshot({ path: join(shots, 'digest-error-390.png'), fullPage: true });
    const desktop = await firstPage(await openBrowser(server));
    for (const scheme of ['light', 'dark'] as const) {
      await desktop.emulateMedia({ colorScheme: scheme });
      await desktop.goto(server.url);
      await desktop.screenshot({ path: join(shots, `digest-banner-1280-${scheme}.png`) });
      await desktop.goto(`${server.url}/digest/daily`);
      await desktop.screenshot({ path: join(shots, `digest-preview-1280-${scheme}.png`), fullPage: true });
    }
  }
});
