/**
 * The instance's identity, set by an administrator on /admin/settings: it reaches page titles, the header,
 * OpenGraph tags, the accent stylesheet, /about, feeds and emails (sign-in mail and the digest through a real
 * SMTP server); cached pages and another process on the same database show it at once. Nobody else may change
 * it, bad input is refused with a sentence saying why, and a bad logo (not an image, an SVG with a script, too
 * large in bytes or in pixels) is never kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Hono } from 'hono';
import { importPath } from '../src/ingest/import-files.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { startSmtpSink } from '../src/mail/smtp-sink.ts';
import { createMailer } from '../src/mail/mailer.ts';
import { runDigest } from '../src/digest/send.ts';
import { dailyPeriod } from '../src/digest/digest-period.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { communityApp, postForm, signIn, type Member } from './community-helpers.ts';
import { DAY_FIXTURES, TEST_ORIGIN, tempDir, testApp } from './helpers.ts';
import { png } from './image-fixtures.ts';

const dir = tempDir('paperboy-identity-');
const dbPath = join(dir, 'paperboy.db');
const store = new SqliteStore(dbPath);
test.after(() => store.close());
await importPath(store, DAY_FIXTURES);
const { app, outboxDir } = communityApp(store, { IMAGE_DIR: join(dir, 'images') });
/** A second web process on the same database: its own caches, its own identity in memory. */
const otherStore = new SqliteStore(dbPath);
test.after(() => otherStore.close());
const otherApp = testApp(otherStore, { IMAGE_DIR: join(dir, 'images') });

async function member(email: string, role: 'member' | 'moderator' | 'admin'): Promise<Member> {
  const account = await store.community.accountForEmail(email, new Date());
  await store.community.setRole(account.id, role);
  return signIn(app, outboxDir, email);
}
const admin = await member('root@example.org', 'admin');
const moderator = await member('mod@example.org', 'moderator');
const eve = await member('eve@example.org', 'member');

const page = async (target: Hono, path: string, who?: Member) =>
  (await target.request(path, who ? { headers: { cookie: who.cookie } } : {})).text();
const version = async () => (await store.instance.settings()).version;

function saveSettings(fields: Record<string, string>, who: Member = admin) {
  return postForm(app, '/admin/settings', { _csrf: who.csrf, ...fields }, { cookie: who.cookie });
}

function uploadLogo(bytes: Uint8Array, name: string, type: string, at: number, who: Member = admin) {
  const form = new FormData();
  form.set('_csrf', who.csrf);
  form.set('version', String(at));
  form.set('logo', new File([bytes], name, { type }));
  return app.request('/admin/settings/logo', {
    method: 'POST',
    headers: { origin: TEST_ORIGIN, cookie: who.cookie },
    body: form,
  });
}

const BRANDED = {
  name: 'Lab Papers',
  description: 'What the Lab reads this week.',
  accent: '#0F766E',
  contact: 'papers@lab.example',
  about: 'Welcome to the lab.\n\n- Be kind.\n- No spam.\n\n<script>alert(1)</script>',
};

test('an unconfigured instance is "Paperboy" with today\'s texts, no theme and no logo', async () => {
  const body = await page(app, '/papers');
  assert.match(body, /<title>[^<]* · Paperboy<\/title>/);
  assert.match(body, /<meta property="og:site_name" content="Paperboy">/);
  assert.match(body, /<a class="brand" href="\/"><span class="brand-mark" aria-hidden="true"><\/span>Paperboy<\/a>/);
  assert.match(body, /<strong>Paperboy<\/strong> — the research papers a community reads, on your own server\./);
  assert.doesNotMatch(body, /\/theme\/|brand-logo|mailto:/);
  const about = await page(app, '/about');
  assert.match(about, /<h1>About Paperboy<\/h1>/);
});

test('only administrators see or change the settings; the CSRF token is required', async () => {
  assert.equal((await app.request('/admin/settings')).status, 403, 'signed out');
  for (const who of [eve, moderator]) {
    assert.equal((await app.request('/admin/settings', { headers: { cookie: who.cookie } })).status, 403);
    const saved = await saveSettings({ ...BRANDED, version: '0' }, who);
    assert.equal(saved.status, 403);
    assert.equal((await uploadLogo(png(32, 32), 'logo.png', 'image/png', 0, who)).status, 403);
  }
  const forged = await postForm(app, '/admin/settings', { ...BRANDED, version: '0' }, { cookie: admin.cookie });
  assert.equal(forged.status, 403, 'no CSRF token: refused');
  const settings = await page(app, '/admin/settings', admin);
  assert.match(settings, /<h1 class="page-title">Instance settings<\/h1>/);
  assert.equal(await version(), 0, 'nothing was saved');
  assert.deepEqual(await store.instance.settingChanges(10), []);
});

test('bad values are refused with a sentence per field, and nothing is saved', async () => {
  const response = await saveSettings({
    ...BRANDED,
    name: 'Lab\r\nBcc: victim@example.org',
    accent: 'red; } body { display: none',
    contact: 'not an address',
    version: '0',
  });
  assert.equal(response.status, 400);
  const body = await response.text();
  assert.match(body, /The name must be one line of text/);
  assert.match(body, /The accent colour is written as six hexadecimal digits/);
  assert.match(body, /Contact address: /);
  assert.match(body, /value="red; \} body \{ display: none"/, 'the form keeps what was typed (escaped)');
  assert.equal(await version(), 0);
});

test('saved settings reach titles, header, OpenGraph, theme, /about and feeds, cached pages and another process at once', async () => {
  // Cached before the change, in both processes: the response caches must not serve the old name.
  for (const target of [app, otherApp]) {
    assert.match(await page(target, '/papers'), /· Paperboy<\/title>/);
    assert.match(await page(target, '/feeds/daily.rss'), /<title>Daily Papers — Paperboy<\/title>/);
  }
  const saved = await saveSettings({ ...BRANDED, version: String(await version()) });
  assert.equal(saved.status, 303);
  assert.equal(saved.headers.get('location'), '/admin/settings?saved=1');

  for (const target of [app, otherApp]) {
    const body = await page(target, '/papers');
    assert.match(body, /<title>[^<]* · Lab Papers<\/title>/);
    assert.doesNotMatch(body, /· Paperboy<\/title>/);
    assert.match(body, /<meta property="og:site_name" content="Lab Papers">/);
    assert.match(
      body,
      /<a class="brand" href="\/"><span class="brand-mark" aria-hidden="true"><\/span>Lab Papers<\/a>/,
    );
    assert.match(body, /<link rel="stylesheet" href="\/theme\/0f766e\.css">/);
    assert.match(body, /<strong>Lab Papers<\/strong> — What the Lab reads this week\./);
    assert.match(body, /<a href="mailto:papers@lab\.example">Contact<\/a>/);
    assert.match(await page(target, '/feeds/daily.rss'), /<title>Daily Papers — Lab Papers<\/title>/);
  }
  const atom = await page(app, '/feeds/trending.atom');
  assert.match(atom, /<title>Trending papers — Lab Papers<\/title>/);
  assert.match(atom, /<author>\s*<name>Lab Papers<\/name>/);
  const json = JSON.parse(await page(app, '/feeds/daily.json')) as { title: string };
  assert.equal(json.title, 'Daily Papers — Lab Papers');

  const theme = await app.request('/theme/0f766e.css');
  assert.equal(theme.status, 200);
  assert.equal(theme.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.match(await theme.text(), /:root \{ --accent: #0f766e;/);
  assert.equal((await app.request('/theme/0f766e.css;x')).status, 404);
  assert.equal((await app.request('/theme/red.css')).status, 404);

  const about = await page(otherApp, '/about');
  assert.match(about, /<h1>About Lab Papers<\/h1>/);
  assert.match(about, /<li>Be kind\.<\/li>\s*<li>No spam\.<\/li>/, 'Markdown lists');
  assert.doesNotMatch(about, /<script>alert/, 'HTML written in the about text is never HTML');
  assert.match(about, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(about, /<a href="mailto:papers@lab\.example">papers@lab\.example<\/a>/);

  const log = await page(app, '/admin/settings', admin);
  assert.ok(
    log.includes(`@${admin.name}</a> changed the name from <em>the default</em> to “Lab Papers”`),
    'logged by name',
  );
  assert.match(log, /changed the accent colour from <em>the default<\/em> to “#0f766e”/);
  assert.match(log, /changed the about text/);
  assert.equal((await store.instance.settingChanges(10)).length, 5);
});

test('a form loaded before another save is refused whole, and says so', async () => {
  const response = await saveSettings({ ...BRANDED, name: 'Stale', version: '0' });
  assert.equal(response.status, 409);
  assert.match(await response.text(), /Another administrator saved the settings after you opened this page/);
  assert.equal((await store.instance.settings()).settings.name, 'Lab Papers');
});

test('the sign-in email and the digest (through a real SMTP server) carry the name', async () => {
  const sink = await startSmtpSink();
  test.after(() => sink.close());
  const smtpApp = testApp(store, { SMTP_URL: sink.url, IMAGE_DIR: join(dir, 'images') });
  assert.equal((await postForm(smtpApp, '/signin', { email: 'new@example.org', next: '/' })).status, 200);
  const signInMail = await simpleParser(sink.accepted.at(-1)!.raw);
  assert.equal(signInMail.subject, 'Your Lab Papers sign-in link');
  assert.match(signInMail.text ?? '', /Open this link to sign in to Lab Papers:/);
  assert.doesNotMatch(signInMail.text ?? '', /Paperboy/);

  const { subscription } = await store.subscriptions.requestSubscription('reader@example.org', 'daily', new Date());
  await store.subscriptions.activate(subscription.id, 'daily', new Date());
  const mailer = createMailer({ smtpUrl: sink.url, from: 'Lab <digest@lab.example>', replyTo: null, outboxDir: dir });
  const run = await runDigest({
    store,
    mailer,
    logger: createLogger('silent'),
    config: loadConfig({}).digest,
    publicUrl: 'https://papers.lab.example',
    mailFrom: 'digest@lab.example',
    period: dailyPeriod('2025-06-02'),
  }).finally(() => mailer.close());
  assert.equal(run.sent, 1);
  const digest = await simpleParser(sink.accepted.at(-1)!.raw);
  assert.match(digest.text ?? '', /^Lab Papers — Trending papers, Jun 2, 2025/);
  assert.match(digest.subject ?? '', /^\[Lab Papers\] Trending papers, Jun 2, 2025: /);
  assert.match(String(digest.html), />Lab Papers<\/a>/);
  assert.match(String(digest.html), /color:#0f766e;/, 'links in the accent colour');
  assert.doesNotMatch(String(digest.html), />Paperboy</);
  assert.doesNotMatch(String(digest.html), /#a5b4fc/, 'dark-scheme links in the accent too');
  assert.match(sink.accepted.at(-1)!.raw.toString(), /^List-ID: Lab Papers daily digest </im);
});

test('a logo is checked by its bytes and size: not an image, SVG with a script, too many bytes or pixels are refused', async () => {
  const at = await version();
  const cases: [string, Uint8Array, string, string, number, RegExp][] = [
    [
      'text named .png',
      Buffer.from('just text, not a picture'),
      'logo.png',
      'image/png',
      400,
      /not a PNG, JPEG, GIF or WebP image/,
    ],
    [
      'SVG with a script',
      Buffer.from(
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
      ),
      'logo.png',
      'image/png',
      400,
      /SVG logos are not accepted: an SVG is a document that can carry scripts/,
    ],
    ['2,000 pixels wide', png(2000, 8), 'wide.png', 'image/png', 400, /2000 × 8 pixels; at most 1024 pixels a side/],
    ['a PNG cut short', png(64, 64).subarray(0, 20), 'cut.png', 'image/png', 400, /damaged|not a PNG/],
    [
      '540 KB',
      Buffer.concat([png(8, 8), Buffer.alloc(540 * 1024)]),
      'big.png',
      'image/png',
      400,
      /at most 512 KB is accepted/,
    ],
    [
      '2 MB',
      Buffer.alloc(2 * 1024 * 1024, 0x89),
      'huge.png',
      'image/png',
      413,
      /larger than the 512 KB a logo may have/,
    ],
  ];
  for (const [what, bytes, name, type, status, message] of cases) {
    const response = await uploadLogo(bytes, name, type, at);
    assert.equal(response.status, status, what);
    assert.match(await response.text(), message, what);
  }
  assert.equal(await version(), at, 'nothing was saved');
  assert.equal((await store.images.counts()).cached, 0, 'nothing was kept');
});

test('an uploaded logo is kept in the image cache and shown in the header of every process', async () => {
  const uploaded = await uploadLogo(png(96, 48, [15, 118, 110]), 'logo.png', 'image/png', await version());
  assert.equal(uploaded.status, 303);
  const logo = (await store.instance.settings()).settings.logo;
  assert.match(logo ?? '', /^\/images\/[0-9a-f]{64}\.png$/);
  for (const target of [app, otherApp]) {
    const body = await page(target, '/papers');
    assert.match(
      body,
      new RegExp(`<a class="brand" href="/"><img class="brand-logo" src="${logo}" alt="" height="28">Lab Papers</a>`),
    );
    assert.doesNotMatch(body, /brand-mark/);
    assert.ok(body.includes(`<link rel="icon" href="${logo}">`), 'the logo is the icon too');
    const image = await target.request(logo!);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/png');
    assert.equal(image.headers.get('x-content-type-options'), 'nosniff');
  }
  const removed = await postForm(
    app,
    '/admin/settings/logo/remove',
    { _csrf: admin.csrf, version: String(await version()) },
    { cookie: admin.cookie },
  );
  assert.equal(removed.status, 303);
  assert.match(await page(otherApp, '/papers'), /<span class="brand-mark" aria-hidden="true"><\/span>Lab Papers/);
  assert.match(await page(app, '/admin/settings', admin), /removed the logo/);
});

test('on a members-only instance a stranger still gets the theme and the logo of the sign-in page, nothing else', async () => {
  assert.equal((await uploadLogo(png(40, 40), 'logo.png', 'image/png', await version())).status, 303);
  const logo = (await store.instance.settings()).settings.logo!;
  const closed = testApp(store, { PAPERBOY_READ: 'members', IMAGE_DIR: join(dir, 'images') });
  const signin = await page(closed, '/signin');
  assert.match(signin, /· Lab Papers<\/title>/);
  assert.ok(signin.includes(`<img class="brand-logo" src="${logo}"`));
  assert.equal((await closed.request(logo)).status, 200, 'the logo');
  assert.equal(
    (await closed.request('/images/0000000000000000000000000000000000000000000000000000000000000000.png')).status,
    303,
    'other images',
  );
  assert.equal((await closed.request('/theme/0f766e.css')).status, 200);
  assert.equal((await closed.request('/about')).status, 303, 'the about page is for members');
  assert.equal((await closed.request('/admin/settings')).status, 303);
});

test('a name written like markup is shown as written: escaped in pages, attributes and feeds, never run', async () => {
  const hostile = '<script>alert(1)</script> & "Co"';
  const saved = await saveSettings({ ...BRANDED, name: hostile, version: String(await version()) });
  assert.equal(saved.status, 303);
  const body = await page(app, '/papers');
  assert.doesNotMatch(body, /<script>alert/);
  assert.match(body, /· &lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;Co&quot;<\/title>/);
  assert.match(
    body,
    /<meta property="og:site_name" content="&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;Co&quot;">/,
  );
  for (const format of ['rss', 'atom']) {
    const feed = await page(app, `/feeds/daily.${format}`);
    assert.doesNotMatch(feed, /<script>alert/, format);
  }
  const json = JSON.parse(await page(app, '/feeds/daily.json')) as { title: string };
  assert.equal(json.title, `Daily Papers — ${hostile}`, 'JSON Feed titles are plain text');
});
