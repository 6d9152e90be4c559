/** The feed in a real browser: day navigation, a paper, its organization; without JavaScript; on a phone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstPage, horizontalOverflow, openBrowser, startServer } from './browser.ts';

const server = await startServer();

test('feed → previous day → paper → organization', async () => {
  const page = await firstPage(await openBrowser(server));
  await page.goto(server.url);
  assert.equal(await page.locator('h1').innerText(), 'Daily Papers');
  const latest = await page.locator('#period-heading').innerText();
  assert.match(latest, /^[A-Z][a-z]{2} \d{1,2}, \d{4}$/);
  assert.ok((await page.locator('.card').count()) > 0);

  await page.locator('.period-bar a[rel="prev"]').click();
  await page.waitForURL(/\/papers\/date\/\d{4}-\d{2}-\d{2}$/);
  const previous = await page.locator('#period-heading').innerText();
  assert.notEqual(previous, latest);
  assert.ok(await page.locator('.card').first().isVisible());

  // A paper that has an organization, so that the last step has somewhere to go.
  const card = page.locator('.card', { has: page.locator('.card-org') }).first();
  const title = (await card.locator('.card-title a').innerText()).trim();
  await card.locator('.card-title a').click();
  await page.waitForURL(/\/papers\/\d{4}\.\d{4,5}$/);
  assert.equal((await page.locator('h1.paper-title').innerText()).trim(), title);
  assert.ok(await page.locator('.abstract').isVisible());
  assert.ok(await page.getByRole('heading', { name: 'Similar papers' }).isVisible());

  const org = page.locator('.paper-org a');
  // The link holds the avatar (initials until the image cache has the picture) and the name.
  const orgName = (await org.locator(':scope > span:not(.avatar)').innerText()).trim();
  await org.click();
  await page.waitForURL(/\/orgs\//);
  assert.equal((await page.locator('h1').innerText()).trim(), orgName);
  assert.match(await page.locator('.profile .eyebrow').innerText(), /^Organization/);
  assert.ok((await page.locator('.card').count()) > 0);
  assert.ok((await page.getByRole('link', { name: title }).count()) > 0, 'the paper is on its organization page');
  assert.deepEqual(server.errors, []);
});

test('without JavaScript the feed reads fine and the date picker works', async () => {
  const page = await firstPage(await openBrowser(server, { javaScriptEnabled: false }));
  await page.goto(server.url);
  assert.equal(await page.locator('h1').innerText(), 'Daily Papers');
  const cards = page.locator('.card');
  assert.ok((await cards.count()) > 0);
  assert.ok(await cards.first().locator('.card-title').isVisible());
  assert.ok((await cards.first().locator('.card-abstract').innerText()).length > 20);

  const day = await page.locator('#date-picker-input').inputValue();
  await page.locator('#date-picker-input').fill(day);
  await page.getByRole('button', { name: 'Go' }).click();
  await page.waitForURL(new RegExp(`/papers/date/${day}$`));
  assert.ok((await page.locator('.card').count()) > 0);
});

test('on a 390×844 phone no page scrolls sideways', async () => {
  const page = await firstPage(
    await openBrowser(server, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }),
  );
  await page.goto(server.url);
  const paper = await page.locator('.card-title a').first().getAttribute('href');
  const org = await page.locator('.card-org').first().getAttribute('href');
  for (const path of [
    '/',
    paper!,
    org!,
    '/search?q=language+models',
    '/search?q=zzyzx+quux',
    '/search',
    '/papers/date/1999-01-01',
  ]) {
    await page.goto(`${server.url}${path}`);
    const { scrollWidth, innerWidth } = await horizontalOverflow(page);
    assert.ok(scrollWidth <= innerWidth, `${path}: ${scrollWidth} > ${innerWidth}`);
  }
});
