/**
 * Screenshots of the paper page for a person to look at (not part of `npm test`):
 *   node --test test/browser/paper-screenshots.ts   (SHOTS_DIR, default /tmp/shots-paperpage)
 * The paper page signed in (with who upvoted), its Cite box open, the links form with an error, and the page
 * of an arXiv id that is not here; 1280 and 390 px wide, light and dark.
 */
import { test } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { firstPage, openBrowser, startServer } from './browser.ts';
import { firstPaperPath, signInAsAdministrator } from './paper-session.ts';

const dir = process.env.SHOTS_DIR ?? '/tmp/shots-paperpage';
mkdirSync(dir, { recursive: true });
const server = await startServer({ PAPERBOY_HARVEST: '0' });

test('screenshots', async () => {
  const page = await firstPage(await openBrowser(server));
  await signInAsAdministrator(page, server, 'root@example.org');
  const path = await firstPaperPath(page, server);
  // An upvote, so that "Upvoted by" names someone.
  await page.goto(`${server.url}${path}`);
  await page.locator('.paper-stats .vote-form button').click();
  await page.locator('.paper-stats .vote-form button[aria-pressed="true"]').waitFor();
  // An edit, so that the page says who edited the links and the form shows the log.
  await page.goto(`${server.url}${path}/links`);
  await page.getByLabel('GitHub repository').fill('https://github.com/paperboy/demo-code');
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save links' }).click()]);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const shot = (name: string, fullPage = false) =>
        page.screenshot({ path: join(dir, `${name}-${width}-${colorScheme}.png`), fullPage });
      await page.goto(`${server.url}${path}`);
      await shot('paper', true);
      await page.locator('.paper-side').evaluate((side) => side.scrollIntoView());
      await shot('paper-side');
      await page.locator('details.cite-box summary').click();
      await page.locator('details.cite-box').scrollIntoViewIfNeeded();
      await shot('cite-open');
      await page.goto(`${server.url}${path}/links`);
      await page.getByLabel('GitHub repository').fill('https://gitlab.com/not/github');
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save links' }).click()]);
      await shot('links-form', true);
      await page.goto(`${server.url}/papers/2401.00001`);
      await shot('missing');
    }
  }
});
