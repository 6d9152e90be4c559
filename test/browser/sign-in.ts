/** Signing in through the real flow in a browser, for the browser tests of what members do. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { TestServer } from './browser.ts';
import { signInLink } from '../community-helpers.ts';

/** What a member chooses on the welcome page; `refused`: a handle typed first, which the page refuses. */
export interface Profile {
  handle: string;
  fullname: string;
  refused?: string;
}

/**
 * Signs in through the real flow: the form, the email in the outbox, the link, the button on its page. A first
 * sign-in goes on to the welcome page: the member chooses `profile` there, or keeps the suggested handle.
 */
export async function signIn(server: TestServer, page: Page, email: string, profile?: Profile): Promise<void> {
  const outbox = join(server.dir, 'outbox');
  await page.goto(server.url);
  await page.locator('.header-signin').click();
  await page.waitForURL(/\/signin/);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  const link = await waitFor(() => signInLink(outbox, email));
  // The link carries the configured public address; the test server listens on a port of its own.
  await page.goto(`${server.url}${link.pathname}${link.search}`);
  assert.equal(await page.locator('h1').innerText(), 'Sign in to Paperboy');
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  if (new URL(page.url()).pathname === '/welcome') {
    const suggested = await page.getByLabel('Handle').inputValue();
    assert.match(suggested, /^reader-[a-z0-9]+$/, 'the suggested handle is not made from the address');
    if (profile?.refused) {
      await page.getByLabel('Handle').fill(profile.refused);
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Continue' }).click()]);
      assert.match(await page.locator('.notice-error').innerText(), /letters a–z/);
      assert.equal(await page.getByLabel('Handle').getAttribute('aria-invalid'), 'true');
    }
    if (profile) {
      await page.getByLabel('Handle').fill(profile.handle);
      await page.getByLabel('Display name').fill(profile.fullname);
    }
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Continue' }).click()]);
  }
  await page.locator('.account-menu').waitFor();
}

export async function waitFor<T>(attempt: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
