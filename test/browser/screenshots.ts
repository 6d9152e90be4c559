/**
 * Screenshots of the search pages for a person to look at (not part of `npm test`):
 *   node --test test/browser/screenshots.ts   (SHOTS_DIR, default /tmp/shots-search)
 */
import { test } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { firstPage, openBrowser, startServer } from './browser.ts';

const dir = process.env.SHOTS_DIR ?? '/tmp/shots-search';
mkdirSync(dir, { recursive: true });
const server = await startServer();

const PAGES = [
  ['search', '/search?q=diffusion+video+generation'],
  ['search-prefix', `/search?q=${encodeURIComponent('optimiz*')}`],
  ['search-filtered', '/search?q=reasoning&sort=upvotes&has_code=1&from=2026-01-01'],
  ['search-empty', '/search?q=zzyzx+quantum+spaghetti&org=nvidia'],
  ['search-start', '/search'],
  ['search-hostile', `/search?q=${encodeURIComponent('<script>alert(1)</script>')}`],
  ['feed', '/'],
] as const;

test('screenshots', async () => {
  const page = await firstPage(await openBrowser(server));
  const paper = await (async () => {
    await page.goto(`${server.url}/search?q=diffusion+video+generation`);
    return page.locator('.card-title a').first().getAttribute('href');
  })();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const [name, path] of [...PAGES, ['paper', paper!] as const]) {
        await page.goto(`${server.url}${path}`);
        await page.screenshot({ path: join(dir, `${name}-${width}-${colorScheme}.png`) });
        if (name === 'search' || name === 'paper')
          await page.screenshot({ path: join(dir, `${name}-${width}-${colorScheme}-full.png`), fullPage: true });
      }
    }
  }
});
