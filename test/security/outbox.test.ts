/**
 * The outbox of an instance without a mail server holds every sign-in link and every subscriber's address.
 * Tried as a stranger would against `paperboy serve` on its defaults (outbox mode, demo data, from loopback,
 * which proves nothing): none of it can be read and no digest can be started. The person running the instance
 * still gets in: the sign-in link and the claim code are in the server's log; after the claim, the outbox is
 * theirs on the web and on the command line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, NODE, REPO_ROOT } from '../helpers.ts';
import { startServer } from '../browser/browser.ts';

const server = await startServer();
const outbox = join(server.dir, 'outbox');
const ADMIN = 'admin@lab.example';

function logEntries(): Record<string, unknown>[] {
  return server.log.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

async function waitFor<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}:\n${server.log.join('\n')}`);
}

function form(path: string, fields: Record<string, string>, cookie = ''): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields).toString(),
  });
}

function get(path: string, cookie = ''): Promise<Response> {
  return fetch(`${server.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

function outboxFiles(): string[] {
  try {
    return readdirSync(outbox).filter((name) => name.endsWith('.eml'));
  } catch {
    return [];
  }
}

async function csrfOf(path: string, cookie: string): Promise<string> {
  const token = /name="_csrf" value="([^"]+)"/.exec(await (await get(path, cookie)).text())?.[1];
  assert.ok(token, `${path} carries a CSRF token`);
  return token;
}

test('at start the log warns that mail is not delivered and says where it goes', () => {
  const warning = logEntries().find(
    (entry) => typeof entry.msg === 'string' && entry.msg.startsWith('mail is not delivered'),
  );
  assert.ok(warning, 'a start-up warning about mail');
  assert.equal(warning.level, 40);
  assert.equal(warning.outbox, outbox);
});

test('the sign-in page says that this instance does not send mail yet, before and after asking', async () => {
  assert.match(await (await get('/signin')).text(), /does not send email yet/);
  const sent = await form('/signin', { email: ADMIN, next: '/' });
  assert.equal(sent.status, 200);
  const page = await sent.text();
  assert.match(page, /does not send email yet/);
  assert.doesNotMatch(page, /\/dev\/outbox/, 'no link to the outbox');
});

test('a stranger reads nothing of the outbox and cannot start a digest, not even from loopback', async () => {
  const files = await waitFor(() => (outboxFiles().length > 0 ? outboxFiles() : undefined), 'the sign-in email');
  for (const path of [
    '/dev/outbox',
    ...files.flatMap((name) => [`/dev/outbox/${name}`, `/dev/outbox/${name}/raw`, `/dev/outbox/${name}/html`]),
  ]) {
    const response = await get(path);
    assert.equal(response.status, 404, path);
    const body = await response.text();
    assert.doesNotMatch(body, /signin\/verify|lab\.example/, `${path} shows nothing of the messages`);
  }
  const before = outboxFiles().length;
  const send = await form('/dev/outbox/send-digest', { frequency: 'daily' });
  assert.equal(send.status, 404);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(outboxFiles().length, before, 'no digest was sent');
});

test('the operator signs in with the link from the log, claims the instance, then reads the outbox', async () => {
  const linkEntry = await waitFor(
    () => logEntries().find((entry) => entry.to === ADMIN && typeof entry.link === 'string'),
    'the sign-in link in the log',
  );
  const link = new URL(linkEntry.link as string);
  assert.equal(link.pathname, '/signin/verify');
  const verified = await form('/signin/verify', { token: link.searchParams.get('token')!, next: '/' });
  assert.equal(verified.status, 303);
  const cookie = /pb_session=[^;]+/.exec(verified.headers.get('set-cookie') ?? '')?.[0];
  assert.ok(cookie, 'signed in');

  // A member who is not an administrator sees no outbox either.
  assert.equal((await get('/dev/outbox', cookie)).status, 404);
  const code = logEntries().find((entry) => typeof entry.code === 'string' && typeof entry.claimUrl === 'string')
    ?.code as string | undefined;
  assert.ok(code, 'the claim code is in the log');
  const claimed = await form('/admin/claim', { code, _csrf: await csrfOf('/admin/claim', cookie) }, cookie);
  assert.equal(claimed.status, 200);

  const list = await get('/dev/outbox', cookie);
  assert.equal(list.status, 200);
  assert.equal(list.headers.get('cache-control'), 'no-store');
  assert.match(await list.text(), /Your Paperboy sign-in link/);
  const name = outboxFiles()[0]!;
  const raw = await get(`/dev/outbox/${name}/raw`, cookie);
  assert.equal(raw.status, 200);
  assert.match(await raw.text(), /signin\/verify/);
});

test('`paperboy outbox` lists the messages and `show latest` prints one with its link', () => {
  const env = { ...process.env, DATABASE_URL: join(server.dir, 'paperboy.db') };
  const list = spawnSync(NODE, [CLI, 'outbox'], { cwd: REPO_ROOT, encoding: 'utf8', env });
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /\.eml {2}\d{4}-\d\d-\d\d .* admin@lab\.example {2}Your Paperboy sign-in link/);
  const show = spawnSync(NODE, [CLI, 'outbox', 'show', 'latest'], { cwd: REPO_ROOT, encoding: 'utf8', env });
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, /^To: admin@lab\.example$/m);
  assert.match(show.stdout, /\/signin\/verify\?token=/);
  const missing = spawnSync(NODE, [CLI, 'outbox', 'show', 'nothing-here.eml'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env,
  });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no message nothing-here\.eml/);
});
