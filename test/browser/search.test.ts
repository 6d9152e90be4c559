/** Search in a real browser: the header box, highlighted results, filters, a hostile query, no JavaScript. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstPage, openBrowser, startServer } from './browser.ts';

const server = await startServer();
const headerBox = '.site-header form[role="search"] input[name="q"]';

test('type a query in the header box, see highlighted results, open one', async () => {
  const page = await firstPage(await openBrowser(server));
  await page.goto(server.url);
  await page.locator(headerBox).fill('diffusion');
  await page.locator(headerBox).press('Enter');
  await page.waitForURL(/\/search\?q=diffusion$/);

  assert.match(await page.locator('h1').innerText(), /^Results for/);
  assert.equal(await page.locator('h1 .search-query').innerText(), 'diffusion');
  assert.match(
    await page.locator('.search-summary').innerText(),
    /^\d[\d,]* papers contain these words( · \d+ more close in meaning)? · showing 1–20 · most relevant first$/,
  );
  assert.equal(await page.locator(headerBox).inputValue(), 'diffusion', 'the box keeps the query');
  const cards = page.locator('.search-results .card');
  assert.ok((await cards.count()) > 1);
  const marks = page.locator('.search-results mark');
  assert.ok(await marks.first().isVisible());
  for (const text of await marks.allInnerTexts()) assert.match(text, /diffus/i);
  // The highlight is drawn: a background unlike the text around it.
  const background = await page.evaluate(
    'getComputedStyle(document.querySelector(".search-results mark")).backgroundColor',
  );
  assert.notEqual(background, 'rgba(0, 0, 0, 0)');

  const link = cards.first().locator('.card-title a');
  const title = (await link.innerText()).trim();
  await link.click();
  await page.waitForURL(/\/papers\/\d{4}\.\d{4,5}$/);
  assert.equal((await page.locator('h1.paper-title').innerText()).trim(), title);
});

test('filters and sorting work from the form, and paging goes forward and back', async () => {
  const page = await firstPage(await openBrowser(server));
  await page.goto(`${server.url}/search?q=language+models`);
  await page.getByLabel('Sort by').selectOption('date');
  await page.getByLabel('Has code').check();
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/sort=date/);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('q'), 'language models');
  assert.equal(url.searchParams.get('has_code'), '1');
  assert.match(await page.locator('.search-summary').innerText(), /newest first/);
  const dates: string[] = [];
  for (const time of await page.locator('.search-results .card time').all())
    dates.push((await time.getAttribute('datetime'))!);
  assert.ok(dates.length > 1);
  assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');
  assert.ok(await page.getByLabel('Has code').isChecked());

  // A new query from the header keeps the filters.
  await page.locator(headerBox).fill('reasoning');
  await page.locator(headerBox).press('Enter');
  await page.waitForURL(/q=reasoning/);
  assert.equal(new URL(page.url()).searchParams.get('has_code'), '1');

  await page.getByRole('link', { name: 'Clear filters' }).click();
  await page.waitForURL(/\/search\?q=reasoning$/);
  // The demo has far more than one page of papers about reasoning.
  await page.locator('a[rel="next"]').click();
  await page.waitForURL(/p=2/);
  assert.match(await page.locator('.pagination-status').innerText(), /^Page 2 of/);
  assert.match(await page.locator('.search-summary').innerText(), /showing 21–40/);
  await page.locator('a[rel="prev"]').click();
  await page.waitForURL(/\/search\?q=reasoning$/);
});

test('a hostile query shows as text and runs nothing', async () => {
  const page = await firstPage(await openBrowser(server));
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(server.url);
  const hostile = '<script>alert(1)</script>';
  await page.locator(headerBox).fill(hostile);
  await page.locator(headerBox).press('Enter');
  await page.waitForURL(/\/search\?q=/);
  assert.equal(await page.locator('h1 .search-query').innerText(), hostile);
  assert.equal(await page.locator(headerBox).inputValue(), hostile);
  assert.equal(await page.locator('script').count(), 0);
  // An image whose error handler would run, in the query: still text.
  await page.goto(`${server.url}/search?q=${encodeURIComponent('"><img src=x onerror=alert(2)> diffusion')}`);
  assert.equal(await page.locator('main img[src="x"]').count(), 0);
  await page.waitForTimeout(300);
  assert.deepEqual(dialogs, []);
});

test('without JavaScript: search from the header box, get results, filter', async () => {
  const page = await firstPage(await openBrowser(server, { javaScriptEnabled: false }));
  await page.goto(server.url);
  await page.locator(headerBox).fill('video generation');
  await page.locator('.site-search-button').click();
  await page.waitForURL(/\/search\?q=video\+generation$/);
  assert.ok((await page.locator('.search-results mark').count()) > 0);
  await page.getByLabel('Sort by').selectOption('upvotes');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/sort=upvotes/);
  assert.ok((await page.locator('.search-results .card').count()) > 0);
  assert.deepEqual(server.errors, []);
});

test('nonsense shows the empty page; an arXiv id typed in the box opens its paper', async () => {
  const page = await firstPage(await openBrowser(server));
  await page.goto(`${server.url}/search?q=qwxzv`);
  assert.match(await page.locator('.search-results').innerText(), /No papers match/);
  assert.equal(await page.locator('.search-results .card').count(), 0);
  await page.goto(`${server.url}/search?q=diffusion`);
  const href = await page.locator('.search-results .card .card-title a').first().getAttribute('href');
  const id = href!.split('/').pop()!;
  await page.locator(headerBox).fill(`https://arxiv.org/abs/${id}`);
  await page.locator(headerBox).press('Enter');
  await page.waitForURL(new RegExp(`/papers/${id.replace('.', '\\.')}$`));
});

test('a misspelling offers the right spelling; a range that ends before it starts keeps the form with the message', async () => {
  const page = await firstPage(await openBrowser(server));
  await page.goto(`${server.url}/search?q=difusion`);
  await page.locator('.did-you-mean a').click();
  await page.waitForURL(/\/search\?q=diffusion$/);
  assert.ok((await page.locator('.search-results .card').count()) > 0);
  await page.locator('#filter-from').fill('2025-06-01');
  await page.locator('#filter-to').fill('2024-01-01');
  await page.locator('.search-filters button[type="submit"]').click();
  await page.waitForURL(/from=2025-06-01/);
  assert.match(await page.locator('[role="alert"]').innerText(), /after the “to” date/);
  assert.equal(await page.locator('#filter-from').inputValue(), '2025-06-01');
});

test('a prefix past the stem finds the words as written, highlighted as typed', async () => {
  const page = await firstPage(await openBrowser(server));
  await page.goto(`${server.url}/search?q=${encodeURIComponent('optimiz*')}`);
  assert.match(await page.locator('.search-summary').innerText(), /^\d[\d,]* papers? contains? these words/);
  assert.ok((await page.locator('.search-results .card').count()) > 0);
  const marks = await page.locator('.search-results mark').allInnerTexts();
  assert.ok(marks.length > 0);
  for (const text of marks) assert.match(text, /^optimiz/i);
});
