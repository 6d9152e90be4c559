/**
 * Notification emails go out once per notification however many worker processes send at the same moment. Real
 * `paperboy notifications send` processes on one SQLite file, then on one PostgreSQL database, against a real SMTP
 * server (src/mail/smtp-sink.ts) that holds its first answers until both processes have a message in flight:
 *
 * - two runs started together: every notification is mailed exactly once, and each run sent some;
 * - a run SIGKILLed with a message in flight: a run after it takes that notification over once the lease ended,
 *   and every notification is still mailed exactly once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CLI, NODE, REPO_ROOT, tempDir } from '../helpers.ts';
import { freshPostgresDatabase } from '../postgres-database.ts';
import { startSmtpSink, type SmtpReply, type SmtpSink } from '../../src/mail/smtp-sink.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../src/store/store.ts';
import { madeUp } from '../contract/fixtures.ts';

const RECIPIENTS = 12;
/** Leases here are seconds, not the production ten minutes: short for the overlap, long enough to outlast a process
 *  start in the takeover test. */
const LEASE_SECONDS = 1;
const KILL_LEASE_SECONDS = 6;

interface Database {
  url: string;
  store: Store;
  close(): Promise<void>;
}

function notifySend(databaseUrl: string, smtpUrl: string, leaseSeconds = LEASE_SECONDS) {
  const child = spawn(NODE, [CLI, 'notifications', 'send'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SMTP_URL: smtpUrl,
      PUBLIC_URL: 'http://paperboy.test',
      LOG_LEVEL: 'warn',
      DIGEST_LEASE_SECONDS: String(leaseSeconds),
      DIGEST_BACKOFF_MS: '50',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    output += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    output += s;
  });
  return {
    exited: new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, output })),
    ),
    kill: () => child.kill('SIGKILL'),
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** RECIPIENTS members who want replies mailed at once, each with one new reply notification. */
async function prepare(store: Store, round: string): Promise<void> {
  await store.importBatch({ papers: [madeUp(1)], entries: [], replaceDays: [] });
  const author = await store.community.accountForEmail(`author-${round}@overlap.test`, new Date());
  for (let i = 0; i < RECIPIENTS; i++) {
    const member = await store.community.accountForEmail(`reader${i}-${round}@overlap.test`, new Date());
    await store.notifications.setEmailMode(member.id, 'reply', 'immediate', new Date(Date.now() - 1000));
    const theirs = await store.community.addComment('2101.00001', member.id, null, `Question ${i}`, new Date());
    const reply = await store.community.addComment('2101.00001', author.id, theirs.id, `Answer ${i}`, new Date());
    await store.notifications.add(
      [
        {
          memberId: member.id,
          kind: 'reply',
          actorId: author.id,
          commentId: reply.id,
          paperId: '2101.00001',
          action: null,
          reason: null,
          source: `comment:${reply.id}`,
        },
      ],
      new Date(),
    );
  }
}

function assertEachOnce(sink: SmtpSink, round: string): void {
  const copies = new Map<string, number>();
  for (const message of sink.accepted)
    for (const to of message.to) if (to.includes(`-${round}@`)) copies.set(to, (copies.get(to) ?? 0) + 1);
  assert.deepEqual(
    [...copies].filter(([, n]) => n !== 1),
    [],
    'nobody got a notification twice',
  );
  assert.equal(copies.size, RECIPIENTS, 'everybody got theirs');
}

const sent = (output: string) => Number(/: (\d+) emails sent/.exec(output)?.[1]);

function overlapTests(open: () => Promise<Database>): void {
  let db: Database;
  before(async () => {
    db = await open();
  });
  after(() => db?.close());

  test('two worker processes started together mail each notification once', { timeout: 120_000 }, async (t) => {
    await prepare(db.store, 'a');
    // The first two messages are held until both are in flight: the two runs send at the same moment.
    let release: () => void = () => {};
    const both = new Promise<void>((resolve) => {
      release = resolve;
    });
    const safety = setTimeout(release, 30_000);
    const sink = await startSmtpSink({
      onMessage: async (_message, index): Promise<SmtpReply> => {
        if (index === 1) release();
        if (index < 2) await both;
        return 'accept';
      },
    });
    t.after(() => sink.close());
    const results = await Promise.all([notifySend(db.url, sink.url).exited, notifySend(db.url, sink.url).exited]);
    clearTimeout(safety);
    for (const result of results) assert.equal(result.code, 0, result.output);
    assertEachOnce(sink, 'a');
    assert.equal(sink.accepted.length, RECIPIENTS);
    const counts = results.map((r) => sent(r.output));
    assert.equal(counts[0]! + counts[1]!, RECIPIENTS, `each email sent by one run: ${counts.join(' + ')}`);
    assert.ok(
      counts.every((n) => n > 0),
      `both runs sent some: ${counts.join(', ')}`,
    );
  });

  test('a run killed with a message in flight: the next takes it over after the lease, once', {
    timeout: 120_000,
  }, async (t) => {
    await prepare(db.store, 'b');
    let answerHeld: (reply: SmtpReply) => void = () => {};
    const held = new Promise<SmtpReply>((resolve) => {
      answerHeld = resolve;
    });
    const sink = await startSmtpSink({ onMessage: (_message, index) => (index === 0 ? held : 'accept') });
    t.after(() => sink.close());
    const first = notifySend(db.url, sink.url, KILL_LEASE_SECONDS);
    await until(() => sink.received >= 1, 'the first run to have a message in flight');
    first.kill();
    assert.equal((await first.exited).signal, 'SIGKILL');
    answerHeld({ code: 451, message: 'Connection lost before the end of the message' });
    // Within the lease, a second run leaves the killed run's notification alone.
    const killedAt = Date.now();
    const second = await notifySend(db.url, sink.url, KILL_LEASE_SECONDS).exited;
    assert.ok(Date.now() - killedAt < KILL_LEASE_SECONDS * 1000, 'the second run ended within the lease');
    assert.equal(second.code, 0, second.output);
    assert.equal(sent(second.output), RECIPIENTS - 1);
    await new Promise((resolve) => setTimeout(resolve, KILL_LEASE_SECONDS * 1000 - (Date.now() - killedAt) + 200));
    const third = await notifySend(db.url, sink.url, KILL_LEASE_SECONDS).exited;
    assert.equal(sent(third.output), 1, 'the killed run’s notification, once its lease ended');
    assertEachOnce(sink, 'b');
  });
}

const dir = tempDir('paperboy-notify-overlap-');

describe('overlapping notification runs on one SQLite file', () => {
  overlapTests(async () => {
    const url = join(dir, 'paperboy.db');
    const store = new SqliteStore(url);
    return { url, store, close: () => store.close() };
  });
});

describe('overlapping notification runs on one PostgreSQL database', () => {
  overlapTests(async () => {
    const database = await freshPostgresDatabase('notify');
    const store = await PostgresStore.connect(database.url, { poolSize: 4 });
    return {
      url: database.url,
      store,
      async close() {
        await store.close();
        await database.drop();
      },
    };
  });
});
