/** Signing in through the real flow (email link from the outbox), for tests of what members do. */
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import { simpleParser } from 'mailparser';
import { TEST_ORIGIN, tempDir, testApp } from './helpers.ts';
import type { Store } from '../src/store/store.ts';
import { listOutbox } from '../src/mail/mailer.ts';

export interface Member {
  cookie: string;
  csrf: string;
  /** The member's handle: the random suggestion, or the one chosen on the welcome page. */
  name: string;
}

/** POSTs a form the way a browser on our site does (Origin header, urlencoded body). */
export function postForm(
  app: Hono,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return app.request(path, {
    method: 'POST',
    headers: { origin: TEST_ORIGIN, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The sign-in link of the newest message to `email` in the outbox. */
export async function signInLink(outboxDir: string, email: string): Promise<URL> {
  for (const message of listOutbox(outboxDir)) {
    const parsed = await simpleParser(message.raw());
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    if (to?.value[0]?.address !== email) continue;
    const link = /https?:\/\/\S+\/signin\/verify\?\S+/.exec(parsed.text ?? '');
    assert.ok(link, 'the sign-in email holds a link');
    return new URL(link[0]);
  }
  throw new Error(`no sign-in email to ${email} in ${outboxDir}`);
}

/**
 * Signs in through the real flow. A first sign-in lands on the welcome page: with `handle`, the member chooses it
 * there (display name the same); without, they keep the random suggestion and are asked again next time.
 */
export async function signIn(
  app: Hono,
  outboxDir: string,
  email: string,
  options: { handle?: string } = {},
): Promise<Member> {
  const asked = await postForm(app, '/signin', { email, next: '/' });
  assert.equal(asked.status, 200);
  const link = await signInLink(outboxDir, email);
  const verified = await postForm(app, '/signin/verify', { token: link.searchParams.get('token')!, next: '/' });
  assert.equal(verified.status, 303, await verified.clone().text());
  const cookie = /pb_session=[^;]+/.exec(verified.headers.get('set-cookie') ?? '')?.[0];
  assert.ok(cookie, 'signing in sets the session cookie');
  const settings = await (await app.request('/settings', { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(settings)?.[1];
  assert.ok(csrf, 'signed-in forms carry a CSRF token');
  const welcome = verified.headers.get('location')?.startsWith('/welcome');
  if (options.handle !== undefined) {
    assert.ok(welcome, 'a member chooses their handle at their first sign-in');
    const chosen = await postForm(
      app,
      '/welcome',
      { _csrf: csrf, handle: options.handle, fullname: options.handle, next: '/' },
      { cookie },
    );
    assert.equal(chosen.status, 303, await chosen.clone().text());
    return { cookie, csrf, name: options.handle };
  }
  const name = /class="account-menu-name"><strong>[^<]*<\/strong><span>@([^<]+)<\/span>/.exec(settings)?.[1];
  assert.ok(name, 'the account menu shows the handle');
  return { cookie, csrf, name };
}

/** The member deletes their account from Settings (keeping their comments unless told otherwise). */
export async function deleteOwnAccount(app: Hono, member: Member, comments: 'keep' | 'remove' = 'keep'): Promise<void> {
  const deleted = await postForm(app, '/settings/delete', { _csrf: member.csrf, comments }, { cookie: member.cookie });
  assert.equal(deleted.status, 200, await deleted.clone().text());
}

/** The app over a store with its outbox folder, for tests that sign in. */
export function communityApp(store: Store, env: Record<string, string> = {}): { app: Hono; outboxDir: string } {
  const outboxDir = tempDir('paperboy-outbox-');
  return { app: testApp(store, { OUTBOX_DIR: outboxDir, ...env }), outboxDir };
}
