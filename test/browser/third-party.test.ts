/**
 * No page asks another site for anything. The browser records every request the main pages make (the feed, a
 * paper, an organization, an author, search, trending, a member, sign-in) before browser.ts refuses those that
 * leave the server, and each of them goes to the instance's own origin. Avatars come from the instance's
 * image cache: two are put there beforehand, as the images job would have; the others show initials.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { firstPage, openBrowser, startServer } from './browser.ts';
import { tempDir } from '../helpers.ts';
import { jpeg, png } from '../image-fixtures.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { loadDemoIfEmpty } from '../../src/ingest/demo.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createImageCache } from '../../src/images/image-cache.ts';
import { authorUrl, memberUrl, organizationUrl, paperUrl } from '../../src/domain/urls.ts';

const isRemote = (url: string | null | undefined): url is string => /^https?:\/\//.test(url ?? '');

// The demo data and two cached avatars, as a first start and a round of the images job would leave them; the
// server itself fetches nothing (PAPERBOY_IMAGES=0), so that the test never depends on the network.
const env = { DATABASE_URL: join(tempDir('paperboy-third-party-'), 'paperboy.db'), PAPERBOY_IMAGES: '0' };
const store = new SqliteStore(env.DATABASE_URL);
await loadDemoIfEmpty(store, createLogger('silent'));
const day = (await store.latestDay())!;
const top = await store.listDaily({ firstDay: day, lastDay: day, sort: 'upvotes', offset: 0, limit: 10 });
const withOrg = top.find((e) => isRemote(e.paper.organization?.avatar))!;
const submitter = top.find((e) => isRemote(e.submittedBy?.avatarUrl))!.submittedBy!;
const images = createImageCache({ store, config: loadConfig(env), logger: createLogger('silent') });
const orgAvatar = await images.put(withOrg.paper.organization!.avatar!, png(72, 72));
const memberAvatar = await images.put(submitter.avatarUrl!, jpeg());
await store.close();

const server = await startServer(env);
const origin = new URL(server.url).origin;

/** Every request of the context, as the browser made it: recorded before any route refuses it. */
function recordRequests(context: BrowserContext): Request[] {
  const seen: Request[] = [];
  context.on('request', (request) => seen.push(request));
  return seen;
}

/** Opens a page, scrolls to its end (lazy images load) and waits until the network is quiet. */
async function visit(page: Page, path: string): Promise<void> {
  const response = await page.goto(`${server.url}${path}`);
  assert.equal(response?.status(), 200, path);
  await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
  await page.waitForLoadState('networkidle');
}

/** The natural width of the first image at this address on the page (0: it did not load). */
const loadedWidth = async (page: Page, src: string) =>
  Number(await page.evaluate(`document.querySelector('img[src="${src}"]')?.naturalWidth`));

test('the main pages make no request to any other site; avatars come from the instance', async () => {
  const context = await openBrowser(server);
  const requests = recordRequests(context);
  const page = await firstPage(context);
  const pages = [
    '/',
    paperUrl(withOrg.paper.id),
    organizationUrl(withOrg.paper.organization!.name),
    authorUrl(withOrg.paper.authors[0]!.name),
    '/search?q=language%20models',
    '/papers/trending',
    memberUrl(submitter.name),
    '/signin',
    '/about/trending',
  ];
  for (const path of pages) await visit(page, path);

  // Data URLs (the icons in the style sheet) are no request to anyone; everything else is counted.
  const network = requests.filter((r) => !r.url().startsWith('data:'));
  const elsewhere = network
    .filter((r) => new URL(r.url()).origin !== origin)
    .map((r) => `${r.url()} (from ${r.frame().url()})`);
  assert.deepEqual(elsewhere, [], 'requests to other origins');
  assert.ok(
    network.length >= pages.length * 2,
    `the pages and their assets were recorded (${network.length} requests)`,
  );
  for (const path of [orgAvatar, memberAvatar])
    assert.ok(
      network.some((r) => r.url() === `${server.url}${path}`),
      `${path} was requested`,
    );

  // The cached avatars show: on the feed, the paper and the organization's page, and the member's page.
  await visit(page, '/');
  assert.equal(await loadedWidth(page, orgAvatar), 72);
  assert.ok((await page.locator('.avatar-initials').count()) > 0, 'avatars not cached show initials');
  assert.equal(await page.locator('img[src^="http"]').count(), 0, 'no image points elsewhere');
  await visit(page, organizationUrl(withOrg.paper.organization!.name));
  assert.equal(await loadedWidth(page, orgAvatar), 72);
  await visit(page, memberUrl(submitter.name));
  assert.equal(await loadedWidth(page, memberAvatar), 8);
  assert.deepEqual(server.errors, []);
});

test('the recorder sees requests the browser is refused', async () => {
  const context = await openBrowser(server);
  const requests = recordRequests(context);
  const page = await firstPage(context);
  await visit(page, '/signin');
  const refused = page.waitForEvent('requestfailed');
  await page.evaluate('new Image().src = "https://third-party.example/pixel.png"');
  assert.equal((await refused).url(), 'https://third-party.example/pixel.png');
  assert.ok(
    requests.some((r) => r.url() === 'https://third-party.example/pixel.png'),
    'recorded although refused',
  );
});
