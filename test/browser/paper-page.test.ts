/**
 * The paper page in a real browser: the Cite box opens without JavaScript and copies with it; the links form
 * refuses a bad address, saves a good one, and the page shows it; everything fits a 390 px phone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstPage, horizontalOverflow, openBrowser, startServer } from './browser.ts';
import { firstPaperPath, signInAsAdministrator } from './paper-session.ts';

const server = await startServer({ PAPERBOY_HARVEST: '0' });

test('the Cite box opens without JavaScript; with it, Copy puts the BibTeX on the clipboard', async () => {
  const plain = await firstPage(await openBrowser(server, { javaScriptEnabled: false }));
  const path = await firstPaperPath(plain, server);
  await plain.goto(`${server.url}${path}`);
  const box = plain.locator('details.cite-box');
  assert.equal(await box.locator('#cite-bibtex').isVisible(), false, 'closed at first');
  await box.locator('summary').click();
  const bibtex = await box.locator('#cite-bibtex').innerText();
  assert.match(bibtex, /^@misc\{arxiv:[\w./-]+,\n {2}title = \{\{/);
  assert.match(bibtex, /archivePrefix = \{arXiv\}/);
  assert.equal(await box.locator('button[data-copy]').count(), 2);
  assert.equal(await box.locator('button[data-copy]').first().isVisible(), false, 'no copy button without a script');

  const context = await openBrowser(server, { permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await firstPage(context);
  await page.goto(`${server.url}${path}`);
  await page.locator('details.cite-box summary').click();
  const copy = page.locator('button[data-copy="cite-bibtex"]');
  await copy.waitFor({ state: 'visible' });
  await copy.click();
  await page.locator('button[data-copy="cite-bibtex"]', { hasText: 'Copied' }).waitFor();
  const copied = await page.evaluate<string>('navigator.clipboard.readText()');
  assert.equal(copied, bibtex.trim());
  const download = await page.request.get(`${server.url}${path}.bib`);
  assert.equal((await download.text()).trim(), bibtex.trim(), 'the file is the same entry');
});

test('an administrator edits the links: a bad address is refused by field, a good one shows on the page', async () => {
  const page = await firstPage(await openBrowser(server));
  await signInAsAdministrator(page, server, 'root@example.org');
  const path = await firstPaperPath(page, server);
  await page.goto(`${server.url}${path}`);
  await page.getByRole('link', { name: 'Edit project page and repository' }).click();
  await page.getByRole('heading', { name: 'Project page and repository' }).waitFor();

  await page.getByLabel('GitHub repository').fill('https://gitlab.com/someone/else');
  await page.getByLabel('Project page').fill('https://paperboy-demo.example/project');
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save links' }).click()]);
  assert.match(await page.locator('#github_repo-error').innerText(), /GitHub repository address/);
  assert.equal(await page.getByLabel('GitHub repository').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('Project page').inputValue(), 'https://paperboy-demo.example/project', 'kept');

  await page.getByLabel('GitHub repository').fill('github.com/paperboy/demo-code');
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save links' }).click()]);
  assert.equal(new URL(page.url()).pathname, path);
  assert.equal(
    await page.locator('.link-list a[href="https://github.com/paperboy/demo-code"]').innerText(),
    'paperboy/demo-code',
  );
  assert.equal(await page.locator('.link-list a[href="https://paperboy-demo.example/project"]').count(), 1);
  assert.match(await page.locator('.links-edited').innerText(), /^Links edited by @reader-[a-z0-9]+ on /);

  await page.setViewportSize({ width: 390, height: 844 });
  for (const address of [path, `${path}/links`, '/papers/2401.00001']) {
    await page.goto(`${server.url}${address}`);
    const { scrollWidth, innerWidth } = await horizontalOverflow(page);
    assert.ok(scrollWidth <= innerWidth, `${address} fits a phone (${scrollWidth} > ${innerWidth})`);
  }
  assert.deepEqual(server.errors, []);
});
