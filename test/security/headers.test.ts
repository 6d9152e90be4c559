/**
 * What every response says about itself: a Content-Security-Policy of this origin only (email HTML framed,
 * sandboxed, from an address of its own), no sniffing, no Referer to other sites; pages with a CSRF token are
 * never stored; /metrics only for its token; anonymous forms only from PUBLIC_URL's origin, whatever the Host.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importPath } from '../../src/ingest/import-files.ts';
import { SITE_CSP } from '../../src/web/security-headers.ts';
import { communityApp, postForm, signIn } from '../community-helpers.ts';
import { DAY_FIXTURES, memoryStore } from '../helpers.ts';

const store = memoryStore();
await importPath(store, DAY_FIXTURES);
const TOKEN = 'a-long-enough-metrics-token';
const { app, outboxDir } = communityApp(store, { METRICS_TOKEN: TOKEN });
const member = await signIn(app, outboxDir, 'ada@example.org');

test('every kind of response carries the CSP, nosniff and the referrer policy', async () => {
  for (const path of [
    '/',
    '/papers/trending',
    '/search?q=diffusion',
    '/api/daily_papers',
    '/feeds/daily.rss',
    '/static/style.css',
    '/no/such/page',
    '/healthz',
  ]) {
    const response = await app.request(path);
    assert.equal(response.headers.get('content-security-policy'), SITE_CSP, path);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(response.headers.get('referrer-policy'), 'same-origin', path);
  }
  assert.match(SITE_CSP, /script-src 'self';/);
  assert.match(SITE_CSP, /frame-ancestors 'none'/);
  assert.doesNotMatch(SITE_CSP, /unsafe-inline|https:|\*/);
});

test('pages have no inline script or style for the CSP to refuse', async () => {
  for (const path of ['/', '/papers/trending', '/search?q=diffusion', '/digest', '/signin', '/about/trending']) {
    for (const cookie of [undefined, member.cookie]) {
      const page = await (await app.request(path, { headers: cookie ? { cookie } : {} })).text();
      assert.doesNotMatch(page, /<script(?![^>]*\bsrc=)[^>]*>/, `${path}: inline script`);
      assert.doesNotMatch(page, /\sstyle="|<style/, `${path}: inline style`);
      assert.doesNotMatch(page, /\son[a-z]+="/, `${path}: event handler attribute`);
    }
  }
});

test('the digest preview frames the email from its own address, sandboxed, without a link to itself', async () => {
  const page = await app.request('/digest/daily/2025-06-02');
  assert.equal(page.status, 200);
  const body = await page.text();
  assert.match(body, /<iframe class="email-frame" src="\/digest\/daily\/2025-06-02\/email"[^>]* sandbox="/);
  assert.match(body, /class="site-header|<header/, "the site's header");
  const email = await app.request('/digest/daily/2025-06-02/email');
  assert.equal(email.status, 200);
  const csp = email.headers.get('content-security-policy') ?? '';
  assert.match(csp, /^sandbox /);
  assert.match(csp, /frame-ancestors 'self'/);
  assert.match(csp, /default-src 'none'/);
  const html = await email.text();
  assert.match(html, /<base target="_top">/);
  assert.doesNotMatch(html, /View in your browser|Web version/, 'no link to itself');
});

test('pages of a signed-in member are never stored; /metrics needs its token', async () => {
  for (const path of ['/', '/papers/trending', '/search?q=diffusion', '/digest', '/for-you']) {
    const response = await app.request(path, { headers: { cookie: member.cookie } });
    assert.equal(response.headers.get('cache-control'), 'no-store', path);
  }
  assert.equal((await app.request('/metrics')).status, 404);
  assert.equal(
    (await app.request('/metrics', { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status,
    404,
  );
  const metrics = await app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(metrics.status, 200);
  assert.match(await metrics.text(), /paperboy_http_requests_total/);
});

test("an anonymous form is accepted from PUBLIC_URL's origin only, not from whatever the Host header says", async () => {
  const rebound = await app.request('http://attacker.example/signin', {
    method: 'POST',
    body: 'email=victim%40example.org',
    headers: {
      host: 'attacker.example',
      origin: 'http://attacker.example',
      'content-type': 'application/x-www-form-urlencoded',
    },
  });
  assert.equal(rebound.status, 403);
  assert.equal((await postForm(app, '/signin', { email: 'victim@example.org' })).status, 200, 'from our own origin');
});
