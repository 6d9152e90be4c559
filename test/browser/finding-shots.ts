/**
 * Screenshots of the footer, account menu, feed links, math in comments and the phone home page, for a
 * person to look at (not part of `npm test`):
 *   node --test test/browser/finding-shots.ts   (SHOTS_DIR, default /tmp/shots-finding)
 */
import { test } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { firstPage, openBrowser, startServer } from './browser.ts';

const dir = process.env.SHOTS_DIR ?? '/tmp/shots-finding';
mkdirSync(dir, { recursive: true });
const server = await startServer();

test('screenshots', async () => {
  const page = await firstPage(await openBrowser(server));
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.goto(`${server.url}/`);
      await page.screenshot({ path: join(dir, `home-${width}-${colorScheme}.png`) });
      await page.locator('.site-footer').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(dir, `footer-${width}-${colorScheme}.png`) });
      await page.goto(`${server.url}/papers/trending`);
      await page.screenshot({ path: join(dir, `trending-${width}-${colorScheme}.png`) });
    }
  }
});
