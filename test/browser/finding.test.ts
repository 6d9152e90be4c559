/**
 * Finding things in a real browser: signed out, Submit goes through sign-in and back to the form; the account
 * menu lists Collections and Following; the footer's links; a comment with math renders as MathML under the
 * site's Content-Security-Policy (no violation reported); on a 390 px phone the first paper is above the fold.
 * SHOTS_DIR=folder saves screenshots (desktop and 390 px, light and dark).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { firstPage, horizontalOverflow, openBrowser, startServer } from './browser.ts';
import { signInLink } from '../community-helpers.ts';

const server = await startServer({ PAPERBOY_HARVEST: '0' });
const outbox = join(server.dir, 'outbox');
const shots = process.env.SHOTS_DIR;
if (shots) mkdirSync(shots, { recursive: true });

async function waitFor<T>(attempt: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Console messages about the Content-Security-Policy (a blocked inline style or script would show here). */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to (apply|execute|load)/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}

async function shoot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  if (!shots) return;
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(shots, `${name}-${colorScheme}.png`), ...options });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

let paperPath = '';

test('signed out, Submit leads to sign-in and, signed in, back to the submit form; the menu lists Collections and Following', async () => {
  const page = await firstPage(await openBrowser(server));
  await page.goto(server.url);
  paperPath = (await page.locator('.card-title a').first().getAttribute('href'))!;
  await page.locator('.header-submit').click();
  await page.waitForURL(/\/signin\?next=%2Fsubmit$/);
  await page.getByLabel('Email address').fill('finder@example.org');
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  const link = await waitFor(() => signInLink(outbox, 'finder@example.org'));
  await page.goto(`${server.url}${link.pathname}${link.search}`);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  // A first sign-in chooses a handle, then goes on.
  if (new URL(page.url()).pathname === '/welcome') {
    await page.getByLabel('Handle').fill('finder');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Continue' }).click()]);
  }
  assert.equal(new URL(page.url()).pathname, '/submit');
  assert.equal(await page.locator('h1').innerText(), 'Submit a paper');

  await page.locator('.account-menu > summary').click();
  const panel = page.locator('.account-menu-panel');
  for (const [name, path] of [
    ['Collections', '/collections'],
    ['Following', '/following'],
  ]) {
    const item = panel.getByRole('link', { name, exact: true });
    assert.ok(await item.isVisible(), `${name} in the menu`);
    assert.equal(await item.getAttribute('href'), path);
  }
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.goto(server.url);
    await page.locator('.account-menu > summary').click();
    await shoot(page, `account-menu-${width}`);
  }

  // Math in a comment: MathML, laid out by the browser, nothing refused by the CSP.
  await page.setViewportSize({ width: 1280, height: 900 });
  const violations = cspViolations(page);
  await page.goto(`${server.url}${paperPath}`);
  await page
    .getByLabel('Add a comment')
    .fill(
      '> Is $e^{i\\pi} + 1 = 0$ really used here?\n\nYes: the loss is\n\n$$\n\\mathcal{L} = -\\sum_{i=1}^{n} \\log \\frac{e^{s_i}}{\\sum_j e^{s_j}}\n$$\n\nand $\\href{javascript:alert(1)}{click}$ stays text. It costs $5 and $10.',
    );
  await page.getByRole('button', { name: 'Post comment' }).click();
  const body = page.locator('#discussion article.comment .comment-body').first();
  await body.waitFor();
  assert.equal(await body.locator('blockquote math').count(), 1, 'inline math in the quote');
  const display = body.locator('.math-display math[display="block"]');
  assert.equal(await display.count(), 1);
  const box = (await display.boundingBox())!;
  assert.ok(box.width > 60 && box.height > 20, `the formula is laid out: ${box.width}×${box.height}`);
  assert.equal(await body.locator('a').count(), 0, 'no link from \\href');
  assert.match(await body.innerText(), /It costs \$5 and \$10\./);
  assert.deepEqual(violations, []);
  await body.scrollIntoViewIfNeeded();
  await shoot(page, 'math-comment-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await page.locator('#discussion article.comment').first().scrollIntoViewIfNeeded();
  const { scrollWidth, innerWidth } = await horizontalOverflow(page);
  assert.ok(scrollWidth <= innerWidth, `the paper page with math scrolls sideways: ${scrollWidth} > ${innerWidth}`);
  await shoot(page, 'math-comment-390');
});

test('the footer links are there and lead somewhere; a listing shows its feed', async () => {
  const page = await firstPage(await openBrowser(server));
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.goto(`${server.url}/papers/trending`);
    const feeds = page.locator('.feed-links');
    assert.ok(await feeds.isVisible(), 'the trending page shows its feed');
    assert.equal(await feeds.getByRole('link', { name: 'RSS' }).getAttribute('href'), '/feeds/trending.rss');
    const footer = page.locator('.site-footer');
    await footer.scrollIntoViewIfNeeded();
    for (const name of ['Email digest', 'Feeds', 'API (OpenAPI)', 'About', 'How trending works'])
      assert.ok(await footer.getByRole('link', { name, exact: true }).isVisible(), `${name} at ${width}`);
    await shoot(page, `footer-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator('.site-footer').getByRole('link', { name: 'Feeds', exact: true }).click();
  assert.equal(await page.locator('h1').innerText(), 'Feeds');
  await shoot(page, 'feeds-page-1280');
});

test('on a 390 px phone the digest banner is one line and the first paper is above the fold', async () => {
  const context = await openBrowser(server, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await firstPage(context);
  await page.goto(server.url);
  const banner = page.locator('.subscribe-banner');
  assert.ok((await banner.boundingBox())!.height <= 56);
  const card = (await page.locator('.card').first().boundingBox())!;
  assert.ok(card.y + card.height <= 844, `first card ends at ${card.y + card.height}`);
  await shoot(page, 'home-390');
  await banner.locator('summary').click();
  assert.ok(await banner.getByLabel('Email address').isVisible(), 'the line opens the form');
  await shoot(page, 'home-390-banner-open');
  // On a wide screen the banner is open without a click.
  const desktop = await firstPage(await openBrowser(server));
  await desktop.goto(server.url);
  assert.ok(await desktop.locator('.subscribe-banner').getByLabel('Email address').isVisible());
  await shoot(desktop, 'home-1280');
});
