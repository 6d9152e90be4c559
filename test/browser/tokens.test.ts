/**
 * Access tokens in a real browser: made in Settings (without JavaScript too), shown once, working on the API,
 * listed with their last use, revoked. Screenshots of the section for a person to look at go to SHOTS_DIR
 * (default /tmp/shots-agents).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { firstPage, horizontalOverflow, openBrowser, startServer } from './browser.ts';
import { signInLink } from '../community-helpers.ts';

const shots = process.env.SHOTS_DIR ?? '/tmp/shots-agents';
mkdirSync(shots, { recursive: true });
const server = await startServer();
const outbox = join(server.dir, 'outbox');

async function waitFor<T>(attempt: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

test('a member makes a token in Settings, uses it, sees its last use and revokes it', async () => {
  // Without JavaScript: the forms work as plain forms.
  const page = await firstPage(await openBrowser(server, { javaScriptEnabled: false }));
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Email address').fill('ada@example.org');
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  const link = await waitFor(() => signInLink(outbox, 'ada@example.org'));
  await page.goto(`${server.url}${link.pathname}${link.search}`);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  await page.getByLabel('Handle').fill('ada');
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Continue' }).click()]);

  await page.goto(`${server.url}/settings#tokens`);
  await page.getByLabel('Token name').fill('Claude on my laptop');
  await page.getByLabel(/Read and write/).check();
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Make token' }).click()]);
  const secret = await page.getByLabel('Your new token').inputValue();
  assert.match(secret, /^pb_[A-Za-z0-9_-]{43}$/);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: join(shots, `token-made-${width}-light.png`) });
  }

  const me = await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(me.status, 200);
  assert.equal(((await me.json()) as { scope: string }).scope, 'write');

  await page.goto(`${server.url}/settings#tokens`);
  const item = page.locator('.token-list li', { hasText: 'Claude on my laptop' });
  assert.match(await item.innerText(), /read and write · made .* · last used/);
  assert.ok(!(await page.content()).includes(secret), 'never shown again');
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.locator('#tokens').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, `settings-tokens-${width}-${colorScheme}.png`) });
    }
    if (width === 390) {
      const { scrollWidth, innerWidth } = await horizontalOverflow(page);
      assert.ok(scrollWidth <= innerWidth, `no sideways scrolling on a phone (${scrollWidth} > ${innerWidth})`);
    }
  }

  await Promise.all([
    page.waitForEvent('load'),
    item.getByRole('button', { name: 'Revoke Claude on my laptop' }).click(),
  ]);
  assert.match(await page.locator('.notice-ok').innerText(), /Token revoked/);
  const refused = await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(refused.status, 401);
  assert.deepEqual(server.errors, []);
});
