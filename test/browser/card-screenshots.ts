/**
 * Screenshots of the paper cards with and without thumbnails, for a person to look at (not part of `npm test`):
 *   node --test test/browser/card-screenshots.ts   (SHOTS_DIR, default /tmp/shots-thumbs)
 * Thumbnails are rendered by pdftoppm from PDFs printed here and put into the running server's cache; the
 * server picks them up at its next image-index refresh (once a minute).
 */
import { test } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { ImageCache } from '../../src/images/image-cache.ts';
import { DiskBlobs } from '../../src/images/blob-storage.ts';
import { renderFirstPage } from '../../src/images/pdf-thumbnail.ts';
import { IMAGE_INDEX_REFRESH_MS } from '../../src/server/background.ts';
import { createLogger } from '../../src/log.ts';
import { thumbnailSource } from '../../src/domain/urls.ts';
import { paperPdf } from '../pdf-fixture.ts';
import { firstPage, horizontalOverflow, openBrowser, startServer } from './browser.ts';

const dir = process.env.SHOTS_DIR ?? '/tmp/shots-thumbs';
mkdirSync(dir, { recursive: true });
const server = await startServer();
const BANDS = ['#2e86de', '#27ae60', '#8e44ad', '#e67e22'];

test('card screenshots', { timeout: 300_000 }, async () => {
  const page = await firstPage(await openBrowser(server));
  await page.goto(`${server.url}/`);
  const ids = (await page.locator('.card-title a').evaluateAll((links) => links.map((a) => a.getAttribute('href'))))
    .map((href) => href!.replace('/papers/', ''))
    .slice(0, 6);

  // Every other card of the first six gets a thumbnail: side by side with the placeholder.
  const store = new SqliteStore(join(server.dir, 'paperboy.db'));
  const images = new ImageCache({
    store,
    blobs: new DiskBlobs(join(server.dir, 'images')),
    fetcher: null,
    logger: createLogger('silent'),
  });
  for (const [i, id] of ids.entries()) {
    if (i % 2 === 1) continue;
    const paper = (await store.getPaper(id))!;
    const pdf = await paperPdf(paper.title, {
      band: BANDS[i % BANDS.length],
      authors: paper.authors.slice(0, 6).map((a) => a.name),
      abstract: paper.summary.slice(0, 900),
    });
    await images.put(thumbnailSource(id), await renderFirstPage(pdf));
  }
  // A paper without an imported summary gets one "generated" here: its page says so.
  const now = new Date();
  const unsummarized = await store.summaries.claimNext(now, new Date(now.getTime() + 60_000));
  if (unsummarized)
    await store.summaries.save(unsummarized.id, {
      text: 'A learned controller that plans in a compressed latent space matches larger models on long tasks at a tenth of the cost.',
      keywords: ['latent planning', 'world models', 'efficiency'],
      model: 'llama-3.1-8b-instruct',
      at: now.toISOString(),
    });
  await store.close();
  await new Promise((resolve) => setTimeout(resolve, IMAGE_INDEX_REFRESH_MS + 2_000));

  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.goto(`${server.url}/`);
      await page.screenshot({ path: join(dir, `feed-${width}-${colorScheme}.png`), fullPage: width === 1280 });
      await page
        .locator('.card')
        .nth(0)
        .screenshot({ path: join(dir, `card-thumb-${width}-${colorScheme}.png`) });
      await page
        .locator('.card')
        .nth(1)
        .screenshot({ path: join(dir, `card-none-${width}-${colorScheme}.png`) });
      const overflow = await horizontalOverflow(page);
      if (overflow.scrollWidth > overflow.innerWidth) throw new Error(`wider than the window at ${width} px`);
      if (unsummarized) {
        await page.goto(`${server.url}/papers/${unsummarized.id}`);
        await page.locator('.ai-summary').scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(dir, `paper-generated-summary-${width}-${colorScheme}.png`) });
      }
    }
  }
});
