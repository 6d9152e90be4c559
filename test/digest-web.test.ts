/** Subscribing to the email digest over HTTP, with the real app, store and outbox: double opt-in, bad input, links. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createApp } from '../src/server/app.ts';
import { importPath } from '../src/ingest/import-files.ts';
import { listOutbox } from '../src/mail/mailer.ts';
import { confirmToken, unsubscribeToken } from '../src/digest/tokens.ts';
import { dailyPeriod } from '../src/digest/digest-period.ts';
import { runDigest } from '../src/digest/send.ts';
import { createMailer } from '../src/mail/mailer.ts';
import { DAY_FIXTURES, memoryStore, tempDir } from './helpers.ts';
import { signIn } from './community-helpers.ts';

const PUBLIC = 'http://paperboy.test';
const store = memoryStore();
await importPath(store, DAY_FIXTURES);
const outbox = tempDir();
const config = loadConfig({ PUBLIC_URL: PUBLIC, OUTBOX_DIR: outbox });
const logger = createLogger('silent');
const app = createApp({ store, config, logger });

function post(path: string, form: Record<string, string>) {
  return app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: PUBLIC },
    body: new URLSearchParams(form).toString(),
  });
}

/** Outbox messages to one address, oldest first, parsed; waits for mail sent in the background. */
async function mailTo(address: string, count: number) {
  for (let i = 0; i < 100; i++) {
    const files = listOutbox(outbox).reverse();
    const parsed = await Promise.all(files.map(async (f) => simpleParser(f.raw())));
    const mine = parsed.filter(
      (m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address?.toLowerCase() === address.toLowerCase(),
    );
    if (mine.length >= count) return mine;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${count} message(s) to ${address}`);
}

function linkIn(text: string, prefix: string): string {
  const m = new RegExp(`${PUBLIC}(${prefix}[^\\s]+)`).exec(text);
  assert.ok(m, `a ${prefix} link in:\n${text}`);
  return m[1]!;
}

test('subscribe, confirm by the signed link, and nothing but the confirmation before it', async () => {
  const response = await post('/digest/subscribe', { email: 'Ada@Example.org', frequency: 'weekly' });
  assert.equal(response.status, 200);
  const page = await response.text();
  assert.match(page, /Check your inbox/);
  const [confirmation] = await mailTo('Ada@Example.org', 1);
  assert.match(confirmation!.subject ?? '', /Confirm your weekly Paperboy digest/);
  const sub = await store.subscriptions.getSubscriptionByEmail('ada@example.org');
  assert.equal(sub?.status, 'pending');

  // A digest run before confirmation sends nothing to the pending address.
  const digestConfig = { ...config.digest, backoffMs: 0 };
  const mailer = createMailer(config.mail);
  const before = await runDigest({
    store,
    mailer,
    logger,
    config: digestConfig,
    publicUrl: PUBLIC,
    mailFrom: config.mail.from,
    period: dailyPeriod('2025-06-02'),
  });
  assert.equal(before.attempted, 0);

  const confirmPath = linkIn(confirmation!.text ?? '', '/digest/confirm/');
  const get = await app.request(confirmPath);
  assert.equal(get.status, 200, 'GET only shows the button: link scanners must not confirm');
  assert.match(await get.text(), /Confirm the weekly digest/);
  assert.equal((await store.subscriptions.getSubscription(sub!.id))?.status, 'pending');
  const confirmed = await post(confirmPath, {});
  assert.equal(confirmed.status, 200);
  assert.match(await confirmed.text(), /You are subscribed/);
  const active = await store.subscriptions.getSubscription(sub!.id);
  assert.equal(active?.status, 'active');
  assert.equal(active?.frequency, 'weekly');
});

test('subscribing twice is harmless and answers the same whether or not the address is subscribed', async () => {
  const first = await (await post('/digest/subscribe', { email: 'twice@example.org', frequency: 'daily' })).text();
  const second = await (await post('/digest/subscribe', { email: 'twice@example.org', frequency: 'daily' })).text();
  assert.equal(second, first);
  await mailTo('twice@example.org', 1);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await mailTo('twice@example.org', 1)).length, 1, 'one confirmation per address per interval');

  // Already active (from the first test), same frequency: the same page, and no mail.
  const filesBefore = readdirSync(outbox).length;
  const active = await (await post('/digest/subscribe', { email: 'ada@example.org', frequency: 'weekly' })).text();
  const fresh = await (await post('/digest/subscribe', { email: 'newcomer@example.org', frequency: 'weekly' })).text();
  assert.equal(active.replace('ada@example.org', 'X'), fresh.replace('newcomer@example.org', 'X'));
  await mailTo('newcomer@example.org', 1);
  assert.equal(readdirSync(outbox).length, filesBefore + 1);
});

test('hostile and invalid addresses are refused with a clear message, and nothing is stored', async () => {
  const cases: [string, RegExp][] = [
    ['victim@example.org\r\nBcc: everyone@example.org', /line breaks/],
    ['victim@example.org%0d%0aBcc:x@example.org', /one @/],
    [`${'a'.repeat(5000)}@example.org`, /too long/],
    ['ad\u0430@example.org', /U\+0430/], // Cyrillic а
    ['admin@ex\u0430mple.org', /plain ASCII/],
    ['no-at-sign.example.org', /one @/],
    ['two@@example.org', /one @/],
    ['dots..here@example.org', /part before the @/],
    ['user@localhost', /not a valid domain/],
    ['', /Enter your email/],
  ];
  for (const [email, message] of cases) {
    const response = await post('/digest/subscribe', { email, frequency: 'daily' });
    assert.equal(response.status, 400, JSON.stringify(email));
    const page = await response.text();
    assert.match(page, message, JSON.stringify(email));
    assert.ok(!page.includes('a'.repeat(300)), 'a 5k address is not echoed back');
    assert.equal(await store.subscriptions.getSubscriptionByEmail(email), null);
  }
  const badFrequency = await post('/digest/subscribe', { email: 'ok@example.org', frequency: 'hourly' });
  assert.equal(badFrequency.status, 400);
  assert.match(await badFrequency.text(), /Choose daily or weekly/);
});

test('tampered, foreign and expired links are refused', async () => {
  await post('/digest/subscribe', { email: 'links@example.org', frequency: 'daily' });
  const [mail] = await mailTo('links@example.org', 1);
  const path = linkIn(mail!.text ?? '', '/digest/confirm/');
  const token = path.slice('/digest/confirm/'.length);
  const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
  const tampered = await post(`/digest/confirm/${flipped}`, {});
  assert.equal(tampered.status, 400);
  assert.match(await tampered.text(), /does not work/);
  // The frequency changed in the payload: the signature no longer matches.
  const otherFrequency = await post(`/digest/confirm/${token.replace('.d.', '.w.')}`, {});
  assert.equal(otherFrequency.status, 400);
  // Another subscription's id with this signature.
  const sub = (await store.subscriptions.getSubscriptionByEmail('links@example.org'))!;
  const otherId = await post(`/digest/confirm/${token.replace(`c.${sub.id}.`, `c.${sub.id === 1 ? 2 : 1}.`)}`, {});
  assert.equal(otherId.status, 400);
  // An unsubscribe token is no confirmation token.
  const secret = await store.subscriptions.signingSecret();
  assert.equal((await post(`/digest/confirm/${unsubscribeToken(secret, sub.id, sub.email)}`, {})).status, 400);
  // Expired: signed eight days ago.
  const old = confirmToken(secret, sub.id, sub.email, 'daily', new Date(Date.now() - 8 * 86_400_000));
  const expired = await post(`/digest/confirm/${old}`, {});
  assert.equal(expired.status, 400);
  assert.match(await expired.text(), /expired/);
  assert.equal((await store.subscriptions.getSubscription(sub.id))?.status, 'pending');
  assert.equal((await app.request('/unsubscribe/u.1.xxxxxxxxxxxxxxxxxxxxxx')).status, 400);
  assert.equal((await app.request('/unsubscribe/garbage')).status, 400);
});

test('unsubscribe in one click (RFC 8058 POST, no session), then resubscribe', async () => {
  const sub = (await store.subscriptions.getSubscriptionByEmail('ada@example.org'))!;
  const token = unsubscribeToken(await store.subscriptions.signingSecret(), sub.id, sub.email);
  const page = await app.request(`/unsubscribe/${token}`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Unsubscribe from the weekly digest\?/);
  assert.equal((await store.subscriptions.getSubscription(sub.id))?.status, 'active', 'GET changes nothing');
  // As a mail provider sends it: no Origin, no cookie, the RFC 8058 body.
  const oneClick = await app.request(`/unsubscribe/${token}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  });
  assert.equal(oneClick.status, 200);
  assert.match(await oneClick.text(), /You are unsubscribed/);
  assert.equal((await store.subscriptions.getSubscription(sub.id))?.status, 'unsubscribed');
  // The same link is the resubscribe page.
  assert.match(await (await app.request(`/unsubscribe/${token}`)).text(), /Resubscribe/);
  const again = await post(`/unsubscribe/${token}/resubscribe`, { frequency: 'daily' });
  assert.equal(again.status, 200);
  const back = await store.subscriptions.getSubscription(sub.id);
  assert.equal(back?.status, 'active');
  assert.equal(back?.frequency, 'daily');
});

test('web previews of daily and weekly digests', async () => {
  const daily = await app.request('/digest/daily/2025-06-02');
  assert.equal(daily.status, 200);
  // The page frames the email, served from an address of its own (test/security/headers.test.ts).
  const email = await app.request('/digest/daily/2025-06-02/email');
  assert.equal(email.status, 200);
  const body = `${await daily.text()}${await email.text()}`;
  const top = await store.listDaily({
    firstDay: '2025-06-02',
    lastDay: '2025-06-02',
    sort: 'trending',
    offset: 0,
    limit: 1,
  });
  assert.ok(body.includes(top[0]!.paper.id), 'links the top trending paper');
  assert.match(body, /Trending papers, Jun 2, 2025/);
  assert.match(body, /Get it in your inbox/);
  const weekly = await app.request('/digest/weekly/2025-W23');
  assert.equal(weekly.status, 200);
  assert.match(await weekly.text(), /week 23/);
  const byDay = await app.request('/digest/weekly/2025-06-04');
  assert.equal(byDay.status, 301);
  assert.equal(byDay.headers.get('location'), '/digest/weekly/2025-W23');
  assert.equal((await app.request('/digest/daily/2025-13-01')).status, 400);
  assert.equal((await app.request('/digest/weekly/2025-W54')).status, 400);
  assert.equal((await app.request('/digest/daily/2025-06-01')).status, 404);
  const latest = await app.request('/digest/daily');
  assert.equal(latest.status, 302);
  assert.equal(latest.headers.get('location'), '/digest/daily/2026-08-21');
  assert.equal((await app.request('/digest')).status, 200);
});

test('/dev/outbox lists the messages and shows one (to an administrator)', async () => {
  await store.community.setRole((await store.community.accountForEmail('admin@example.org', new Date())).id, 'admin');
  const { cookie } = await signIn(app, outbox, 'admin@example.org');
  const asAdmin = (path: string) => app.request(path, { headers: { cookie } });
  const list = await asAdmin('/dev/outbox');
  assert.equal(list.status, 200);
  const text = await list.text();
  assert.match(text, /Confirm your weekly Paperboy digest/);
  const name = listOutbox(outbox).find((file) => file.raw().includes('/digest/confirm/'))!.name;
  const one = await asAdmin(`/dev/outbox/${name}`);
  assert.equal(one.status, 200);
  assert.match(await one.text(), /<a href="http:\/\/paperboy\.test\/digest\/confirm\//);
  assert.equal(
    (await asAdmin(`/dev/outbox/${name}/html`)).headers.get('content-security-policy')?.startsWith('sandbox'),
    true,
  );
  assert.equal((await asAdmin('/dev/outbox/..%2Fpaperboy.db')).status, 404);
  assert.equal((await asAdmin('/dev/outbox/nothing.eml')).status, 404);

  const smtpApp = createApp({
    store,
    config: loadConfig({ PUBLIC_URL: PUBLIC, SMTP_URL: 'smtp://127.0.0.1:9', OUTBOX_DIR: join(outbox, 'x') }),
    logger,
  });
  assert.equal((await smtpApp.request('/dev/outbox')).status, 404, 'only in outbox mode');
});

test('the subscribe form is rate limited per address and per client', async () => {
  let status = 200;
  for (let i = 0; i < 6 && status === 200; i++)
    status = (await post('/digest/subscribe', { email: 'often@example.org', frequency: 'daily' })).status;
  assert.equal(status, 429, 'the sixth request within the hour for one address is refused');
});
