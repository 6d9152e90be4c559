/**
 * The one-time code that makes the first administrator, with two `paperboy serve` processes on one database
 * (an SQLite file, then a PostgreSQL database), as a scale-out deployment starts them: the code the first start
 * prints keeps working after the second start, which prints none of its own; guessing at /admin/claim is
 * limited; two members entering the code at once, through different processes, make one administrator; and
 * `paperboy admin claim-code` replaces a pending code (the old one stops working) and prints the new one.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, NODE, REPO_ROOT, tempDir } from '../helpers.ts';
import { startServer, type TestServer } from '../browser/browser.ts';
import { signInMembers, type HttpMember } from '../vote-load.ts';
import { freshPostgresDatabase } from '../postgres-database.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { hashToken } from '../../src/community/secrets.ts';

function logEntries(server: TestServer): Record<string, unknown>[] {
  return server.log.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

async function waitForLog(
  server: TestServer,
  find: (entry: Record<string, unknown>) => boolean,
  what: string,
): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const found = logEntries(server).find(find);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}:\n${server.log.join('\n')}`);
}

function claim(server: TestServer, member: HttpMember, code: string): Promise<Response> {
  return fetch(`${server.url}/admin/claim`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: server.url, cookie: member.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ code, _csrf: member.csrf }).toString(),
  });
}

function claimCode(databaseUrl: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(NODE, [CLI, 'admin', 'claim-code'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
}

async function twoStartsOnOneDatabase(t: TestContext, databaseUrl: string, dir: string): Promise<void> {
  const env = { DATABASE_URL: databaseUrl, OUTBOX_DIR: join(dir, 'outbox'), PAPERBOY_DEMO: '0' };
  const first = await startServer(env);
  const code = (await waitForLog(first, (e) => typeof e.code === 'string', "the first start's claim code"))
    .code as string;
  const second = await startServer(env);
  const notice = await waitForLog(
    second,
    (e) => typeof e.claimUrl === 'string',
    "the second start's word on the claim",
  );
  assert.equal(notice.code, undefined, 'the second start makes no code of its own');
  assert.ok(!second.log.join('\n').includes(code), "and does not show the first one's");
  assert.equal(notice.claimUrl, `${second.url}/admin/claim`);
  assert.match(
    String(notice.msg),
    /claim code is pending .*`paperboy admin claim-code`/,
    'it says a code is pending and how to get a new one',
  );

  const [ada, bob, eve] = (await signInMembers(first.url, env.OUTBOX_DIR, 3)) as [HttpMember, HttpMember, HttpMember];
  // Guessing is limited per member (and per address): after five wrong codes even the right one is refused.
  for (let i = 0; i < 5; i++) assert.equal((await claim(i % 2 ? first : second, eve, `guess-${i}`)).status, 400);
  const limited = await claim(second, eve, code);
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);

  // The first start's code works after the second start, through either process, for exactly one member.
  const answers = await Promise.all([claim(first, ada, code), claim(second, bob, code)]);
  assert.deepEqual(
    answers.map((r) => r.status).sort(),
    [200, 400],
    'one of two members claiming at once becomes admin',
  );
  const admins = await Promise.all(
    [ada, bob].map(async (m) => (await fetch(`${first.url}/dev/outbox`, { headers: { cookie: m.cookie } })).status),
  );
  assert.deepEqual(admins.sort(), [200, 404], 'exactly one administrator');
  assert.equal((await claim(first, bob, code)).status, 400, 'the code is spent');

  assert.deepEqual([...first.errors, ...second.errors], [], 'no errors logged');
  const refused = claimCode(databaseUrl);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /has an administrator already/);
  t.diagnostic(
    `${databaseUrl.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'}: code from the first of two starts claimed once`,
  );
}

test("two starts on one SQLite file: the first one's code works, once", { timeout: 120_000 }, async (t) => {
  const dir = tempDir('paperboy-claim-');
  await twoStartsOnOneDatabase(t, join(dir, 'paperboy.db'), dir);
});

test("two starts on one PostgreSQL database: the first one's code works, once", { timeout: 120_000 }, async (t) => {
  const database = await freshPostgresDatabase('claim');
  try {
    await twoStartsOnOneDatabase(t, database.url, tempDir('paperboy-claim-pg-'));
  } finally {
    t.after(() => database.drop()); // after the servers' own stop hooks, registered before it
  }
});

test('`paperboy admin claim-code` replaces the pending code and prints the new one', async () => {
  const path = join(tempDir('paperboy-claim-cli-'), 'paperboy.db');
  const store = new SqliteStore(path);
  try {
    await store.community.offerAdminClaim(hashToken('old-code'), new Date());
    const printed = claimCode(path);
    assert.equal(printed.status, 0, printed.stderr);
    const code = printed.stdout.split('\n')[0]!;
    assert.match(code, /^[A-Za-z0-9_-]{16}$/);
    assert.match(printed.stdout, /\/admin\/claim/);
    const member = await store.community.accountForEmail('ada@example.org', new Date());
    assert.equal(
      await store.community.spendAdminClaim(hashToken('old-code'), member.id),
      false,
      'the old code no longer works',
    );
    assert.equal(await store.community.spendAdminClaim(hashToken(code), member.id), true, 'the printed one does');
  } finally {
    await store.close();
  }
});
