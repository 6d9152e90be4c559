/**
 * The instance's identity in a real browser: an administrator names the instance, picks an accent colour,
 * writes the about text and uploads a logo on /admin/settings (plain forms: no script needed); a visitor then
 * sees the branded home page (title, header, logo, the accent in both colour schemes, no horizontal scrolling on
 * a phone). Screenshots go to SHOTS_DIR (default /tmp/shots-identity) for a person to look at.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { firstPage, horizontalOverflow, openBrowser, startServer } from './browser.ts';
import { signInLink } from '../community-helpers.ts';
import { CLI, NODE, REPO_ROOT } from '../helpers.ts';
import { png } from '../image-fixtures.ts';

const shots = process.env.SHOTS_DIR ?? '/tmp/shots-identity';
mkdirSync(shots, { recursive: true });
const server = await startServer({ PAPERBOY_HARVEST: '0' });
const outbox = join(server.dir, 'outbox');
const ADMIN = 'root@lab.example';
execFileSync(NODE, [CLI, 'admin', 'add', ADMIN], {
  cwd: REPO_ROOT,
  env: { ...process.env, DATABASE_URL: join(server.dir, 'paperboy.db'), LOG_LEVEL: 'error' },
});

async function waitFor<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  const link = await waitFor(() => signInLink(outbox, email));
  await page.goto(`${server.url}${link.pathname}${link.search}`);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
}

const accentOf = (page: Page) =>
  page.evaluate<string>(`getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()`);

test('an administrator brands the instance; visitors see it on the home page, light and dark, desktop and phone', async () => {
  const admin = await firstPage(await openBrowser(server, { javaScriptEnabled: false }));
  await signIn(admin, ADMIN);
  await admin.goto(`${server.url}/admin/settings`);
  assert.equal(await admin.locator('h1').innerText(), 'Instance settings');
  await admin.getByLabel('Name').fill('Tidepool Papers');
  await admin.getByLabel('Short description').fill('the papers the Tidepool lab reads, discussed.');
  await admin.getByLabel('Accent colour').fill('#0f766e');
  await admin.getByLabel('Contact address').fill('papers@tidepool.example');
  await admin
    .getByLabel('About and rules')
    .fill(
      'Tidepool Papers is where the lab shares what it reads.\n\n1. Be kind.\n2. Link the paper, not a press release.',
    );
  await Promise.all([admin.waitForEvent('load'), admin.getByRole('button', { name: 'Save settings' }).click()]);
  assert.equal(await admin.locator('.notice-ok').innerText(), 'Saved.');

  await admin.getByLabel('Upload a logo').setInputFiles({
    name: 'tidepool.png',
    mimeType: 'image/png',
    buffer: png(64, 64, [15, 118, 110]),
  });
  await Promise.all([admin.waitForEvent('load'), admin.getByRole('button', { name: 'Upload logo' }).click()]);
  assert.equal(await admin.locator('.notice-ok').innerText(), 'Saved.');
  assert.equal(await admin.locator('.settings-log li').count(), 6, 'five fields and the logo, each logged');

  await admin.getByLabel('Upload a logo').setInputFiles({
    name: 'evil.svg',
    mimeType: 'image/svg+xml',
    buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
  });
  await Promise.all([admin.waitForEvent('load'), admin.getByRole('button', { name: 'Upload logo' }).click()]);
  assert.match(await admin.locator('.notice-error').innerText(), /SVG logos are not accepted/);

  for (const width of [1280, 390]) {
    await admin.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    for (const colorScheme of ['light', 'dark'] as const) {
      await admin.emulateMedia({ colorScheme });
      await admin.goto(`${server.url}/admin/settings`);
      const overflow = await horizontalOverflow(admin);
      assert.ok(overflow.scrollWidth <= overflow.innerWidth, `settings: no horizontal scrolling at ${width} px`);
      await admin.screenshot({ path: join(shots, `settings-${width}-${colorScheme}.png`), fullPage: true });
    }
  }

  const visitor = await firstPage(await openBrowser(server));
  const accents: Record<string, string> = {};
  for (const width of [1280, 390]) {
    await visitor.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    for (const colorScheme of ['light', 'dark'] as const) {
      await visitor.emulateMedia({ colorScheme });
      await visitor.goto(server.url);
      assert.match(await visitor.title(), / · Tidepool Papers$/);
      assert.equal(await visitor.locator('.brand').innerText(), 'Tidepool Papers');
      assert.equal(
        await visitor.evaluate(
          `(() => { const img = document.querySelector('.brand-logo'); return img.complete && img.naturalWidth; })()`,
        ),
        64,
        'the logo loads',
      );
      assert.equal(await visitor.locator('.brand-mark').count(), 0);
      accents[colorScheme] = await accentOf(visitor);
      const overflow = await horizontalOverflow(visitor);
      assert.ok(overflow.scrollWidth <= overflow.innerWidth, `no horizontal scrolling at ${width} px`);
      await visitor.screenshot({ path: join(shots, `home-${width}-${colorScheme}.png`) });
    }
  }
  assert.equal(accents.light, '#0f766e', 'the accent as picked (it reads on white)');
  assert.notEqual(accents.dark, '#0f766e', 'lightened for the dark scheme');
  assert.match(accents.dark!, /^#[0-9a-f]{6}$/);

  await visitor.setViewportSize({ width: 1280, height: 900 });
  await visitor.emulateMedia({ colorScheme: 'light' });
  await visitor.goto(`${server.url}/about`);
  assert.equal(await visitor.locator('h1').innerText(), 'About Tidepool Papers');
  assert.deepEqual(await visitor.locator('.about-body ol li').allInnerTexts(), [
    'Be kind.',
    'Link the paper, not a press release.',
  ]);
  await visitor.screenshot({ path: join(shots, 'about-1280-light.png'), fullPage: true });
  assert.deepEqual(server.errors, []);
});
