/**
 * Claiming authorship in a real browser: a member claims an author of a paper on its page, the administrator
 * (a moderator too) approves it in the queue reached from the account menu, the badge shows on the paper and on
 * the member's comment, the paper gathers on their profile where the "show on profile" switch hides it; an
 * email domain tied to the paper's organization verifies a second member at once. Every page is checked for
 * sideways scrolling on a 390 px phone. With SHOTS_DIR set, screenshots at 1280 and 390 px, light and dark.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { firstPage, horizontalOverflow, openBrowser, startServer } from './browser.ts';
import { signInLink } from '../community-helpers.ts';

const server = await startServer({ PAPERBOY_HARVEST: '0' });
const outbox = join(server.dir, 'outbox');
const shots = process.env.SHOTS_DIR;
if (shots) mkdirSync(shots, { recursive: true });

async function waitFor<T>(attempt: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
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

/** Signs in through the form and the emailed link, choosing the handle on the welcome page. */
async function signIn(page: Page, email: string, handle: string): Promise<void> {
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  const link = await waitFor(() => signInLink(outbox, email));
  await page.goto(`${server.url}${link.pathname}${link.search}`);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Display name').fill(handle[0]!.toUpperCase() + handle.slice(1));
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Continue' }).click()]);
  await page.locator('.account-menu').waitFor();
}

/** Two papers of one organization on the latest day, with at least three authors each. */
async function papersOfOneOrganization(): Promise<{ organization: string; ids: [string, string] }> {
  const items = (await (await fetch(`${server.url}/api/daily_papers`)).json()) as {
    paper: { id: string; authors: unknown[]; organization?: { name: string } };
  }[];
  const byOrg = new Map<string, string[]>();
  for (const { paper } of items) {
    if (!paper.organization || paper.authors.length < 3) continue;
    byOrg.set(paper.organization.name, [...(byOrg.get(paper.organization.name) ?? []), paper.id]);
  }
  const found = [...byOrg].find(([, ids]) => ids.length >= 2) ?? [...byOrg][0];
  assert.ok(found, 'the demo day has papers of organizations');
  const [organization, ids] = found;
  return { organization, ids: [ids[0]!, ids[1] ?? ids[0]!] };
}

async function noSidewaysScroll(page: Page, what: string): Promise<void> {
  const { scrollWidth, innerWidth } = await horizontalOverflow(page);
  assert.ok(scrollWidth <= innerWidth, `${what} scrolls sideways at ${innerWidth} px: ${scrollWidth}`);
}

/** Screenshots of the page as it is, at both widths and in both colour schemes, when SHOTS_DIR is set. */
async function shoot(page: Page, name: string, locate?: string): Promise<void> {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    if (width === 390) await noSidewaysScroll(page, name);
    if (!shots) continue;
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      if (locate) await page.locator(locate).first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, `${name}-${width}-${colorScheme}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('claim on the paper page, approval in the queue, badge on paper and comment, profile and its switch', async () => {
  const { organization, ids } = await papersOfOneOrganization();
  const [paperId, secondId] = ids;
  const adminPage = await firstPage(await openBrowser(server));
  const memberPage = await firstPage(await openBrowser(server));
  await adminPage.setViewportSize({ width: 1280, height: 900 });
  await memberPage.setViewportSize({ width: 1280, height: 900 });

  // The first administrator, from the one-time code in the log (administrators moderate too).
  const line = server.log.find((l) => l.includes('no administrator yet'));
  const code = line ? (JSON.parse(line) as { code?: string }).code : undefined;
  assert.ok(code, 'the server logs a one-time code');
  await signIn(adminPage, 'root@example.org', 'root');
  await adminPage.goto(`${server.url}/admin/claim`);
  await adminPage.getByLabel('One-time code').fill(code);
  await adminPage.getByRole('button', { name: 'Claim' }).click();
  await adminPage.getByRole('heading', { name: 'You are the administrator' }).waitFor();

  // A member claims the second author of the paper.
  await signIn(memberPage, 'ada@example.org', 'ada');
  await memberPage.goto(`${server.url}/papers/${paperId}`);
  const authorName = (await memberPage.locator('.paper-authors .author-list li').nth(1).innerText()).trim();
  await memberPage.locator('.claim-box summary').click();
  await memberPage.getByLabel('Which author are you?').selectOption({ label: authorName });
  await shoot(memberPage, 'claim-paper-form', '.paper-authors');
  await Promise.all([
    memberPage.waitForEvent('load'),
    memberPage.getByRole('button', { name: 'Claim authorship' }).click(),
  ]);
  assert.equal(new URL(memberPage.url()).hash, '#authors');
  assert.match(
    await memberPage.locator('.claim-hint').innerText(),
    new RegExp(`“${authorName}” is waiting for a moderator`),
  );
  assert.equal(await memberPage.locator('.paper-authors .verified-author').count(), 0);

  // The member's account menu has no queue; the administrator's does.
  await memberPage.locator('.account-menu summary').click();
  assert.equal(await memberPage.getByRole('link', { name: 'Author claims' }).count(), 0);
  await adminPage.goto(server.url);
  await adminPage.locator('.account-menu summary').click();
  await Promise.all([adminPage.waitForEvent('load'), adminPage.getByRole('link', { name: 'Author claims' }).click()]);
  assert.equal(new URL(adminPage.url()).pathname, '/moderation/claims');
  const card = adminPage.locator('.claim-card');
  assert.equal(await card.count(), 1);
  assert.match(await card.innerText(), new RegExp(`claims to be ${authorName} \\(author 2 of \\d+\\)`));
  assert.match(await card.innerText(), /address at @example\.org/);
  await shoot(adminPage, 'claim-queue');
  await card.getByLabel(/Reason/).fill('listed on the lab page');
  await Promise.all([adminPage.waitForEvent('load'), card.getByRole('button', { name: 'Approve' }).click()]);
  await adminPage.getByText('No claims are waiting.').waitFor();

  // Verified: the badge on the paper, then on the member's comment.
  await memberPage.goto(`${server.url}/papers/${paperId}`);
  const verified = memberPage.locator('.paper-authors .author-verified');
  assert.equal(await verified.count(), 1);
  assert.equal((await verified.locator('a').innerText()).trim(), authorName);
  assert.match((await verified.locator('a').getAttribute('href')) ?? '', /\?member=ada$/);
  assert.match(await memberPage.locator('.claim-done').innerText(), /You are the verified author/);
  await memberPage.getByLabel('Add a comment').fill('Author here: happy to answer questions.');
  await Promise.all([
    memberPage.waitForEvent('load'),
    memberPage.getByRole('button', { name: 'Post comment' }).click(),
  ]);
  const comment = memberPage.locator('.comment', { hasText: 'Author here' });
  assert.equal((await comment.locator('.badge-author').textContent())?.trim(), 'Author');
  await shoot(memberPage, 'claim-badges', '.paper-authors');
  await memberPage.locator('#discussion').scrollIntoViewIfNeeded();
  await shoot(memberPage, 'claim-comment', '#discussion');

  // The author page of the name lists the verified member apart.
  await memberPage.goto(`${server.url}/authors/${encodeURIComponent(authorName)}`);
  const people = memberPage.locator('.people-list li');
  assert.match(await people.first().innerText(), /Ada\s+✓\s+\(verified author\)\s+@ada\s+1 paper/);
  await shoot(memberPage, 'claim-author-page');

  // The paper on the member's profile, and the switch that takes it off.
  await memberPage.goto(`${server.url}/members/ada`);
  const authored = memberPage.locator('section', {
    has: memberPage.getByRole('heading', { name: 'Papers as author' }),
  });
  assert.equal(await authored.locator('.card').count(), 1);
  await shoot(memberPage, 'claim-profile');
  const toggle = memberPage.getByRole('switch');
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  await Promise.all([memberPage.waitForEvent('load'), toggle.click()]);
  assert.equal(await memberPage.getByRole('switch').getAttribute('aria-checked'), 'false');
  await adminPage.goto(`${server.url}/members/ada`);
  assert.equal(await adminPage.getByRole('heading', { name: 'Papers as author' }).count(), 0, 'hidden from others');

  // An email domain tied to the organization: the next claim from it is verified at once.
  await adminPage.goto(`${server.url}/admin/claim-domains`);
  await adminPage.getByLabel(/^Organization/).fill(organization);
  await adminPage.getByLabel('Email domain').fill('uni.example');
  await Promise.all([adminPage.waitForEvent('load'), adminPage.getByRole('button', { name: 'Tie domain' }).click()]);
  assert.match(await adminPage.locator('.moderation-list').innerText(), /@uni\.example →/);
  await shoot(adminPage, 'claim-domains');
  await memberPage.locator('.account-menu summary').click();
  await Promise.all([memberPage.waitForEvent('load'), memberPage.getByRole('button', { name: 'Sign out' }).click()]);
  await signIn(memberPage, 'carol@uni.example', 'carol');
  await memberPage.goto(`${server.url}/papers/${secondId}`);
  await memberPage.locator('.claim-box summary').click();
  const options = memberPage.locator('#claim-position option');
  const choice = (await options.nth((await options.count()) - 1).innerText()).trim();
  await memberPage.getByLabel('Which author are you?').selectOption({ label: choice });
  await Promise.all([
    memberPage.waitForEvent('load'),
    memberPage.getByRole('button', { name: 'Claim authorship' }).click(),
  ]);
  assert.match(await memberPage.locator('.claim-done').innerText(), new RegExp(`verified author “${choice}”`));
  await adminPage.goto(`${server.url}/moderation/claims`);
  await adminPage.getByText('No claims are waiting.').waitFor();
  assert.deepEqual(server.errors, []);
});
