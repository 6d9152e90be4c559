/**
 * A paper page in a real browser, for the paper page's test and its screenshots: the demo server, a paper of
 * its feed, and a member who becomes the instance's administrator (with the one-time code the server logs),
 * which lets them edit any paper's links.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { TestServer } from './browser.ts';
import { signInLink } from '../community-helpers.ts';

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

/** The address of the first paper on the latest day's feed. */
export async function firstPaperPath(page: Page, server: TestServer): Promise<string> {
  await page.goto(server.url);
  const href = await page.locator('.card-title a').first().getAttribute('href');
  assert.ok(href?.startsWith('/papers/'), 'the feed links to its papers');
  return href as string;
}

/** Signs in with the emailed link, keeps the suggested handle, and claims the administrator role. */
export async function signInAsAdministrator(page: Page, server: TestServer, email: string): Promise<void> {
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  const link = await waitFor(() => signInLink(join(server.dir, 'outbox'), email));
  await page.goto(`${server.url}${link.pathname}${link.search}`);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  if (new URL(page.url()).pathname === '/welcome')
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Continue' }).click()]);
  const line = server.log.find((l) => l.includes('no administrator yet'));
  const code = line && (JSON.parse(line) as { code?: string }).code;
  assert.ok(code, 'the server logs a one-time administrator code');
  await page.goto(`${server.url}/admin/claim`);
  await page.getByLabel('One-time code').fill(code);
  await page.getByRole('button', { name: 'Claim' }).click();
  await page.getByRole('heading', { name: 'You are the administrator' }).waitFor();
}
