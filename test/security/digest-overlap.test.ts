/**
 * Digest runs that overlap must not send a period twice to anyone. Real `paperboy digest send` processes on one
 * SQLite file, then on one PostgreSQL database, against a real SMTP server (src/mail/smtp-sink.ts) that holds
 * its answers so that the runs are sending at the same moment, whatever order the processes start in:
 *
 * - three runs started together: every subscriber gets exactly one message; a message held longer than the
 *   lease does not let another run take its delivery (the live run renews its claim);
 * - a run SIGKILLed while its messages are in flight, beside a second run: the second does not touch the
 *   killed run's deliveries while it lives, takes them over once their lease ends, and every subscriber still
 *   gets exactly one message.
 *
 * Leases last a second here (DIGEST_LEASE_SECONDS) instead of the production ten minutes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CLI, DAY_FIXTURES, NODE, REPO_ROOT, tempDir } from '../helpers.ts';
import { freshPostgresDatabase } from '../postgres-database.ts';
import { startSmtpSink, type SmtpReply, type SmtpSink } from '../../src/mail/smtp-sink.ts';
import { importPath } from '../../src/ingest/import-files.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../src/store/store.ts';

const SUBSCRIBERS = 30;
const CONCURRENCY = 4;
const LEASE_SECONDS = 1;

interface Database {
  url: string;
  store: Store;
  close(): Promise<void>;
}

interface Run {
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
  kill(): void;
}

function digestSend(databaseUrl: string, smtpUrl: string, day: string): Run {
  const child = spawn(NODE, [CLI, 'digest', 'send', '--period', 'daily', '--date', day], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SMTP_URL: smtpUrl,
      PUBLIC_URL: 'http://paperboy.test',
      LOG_LEVEL: 'warn',
      DIGEST_CONCURRENCY: String(CONCURRENCY),
      DIGEST_LEASE_SECONDS: String(LEASE_SECONDS),
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
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, output }))),
    kill: () => child.kill('SIGKILL'),
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Recipients of the accepted messages, each with how many it got. */
function copiesByRecipient(sink: SmtpSink): Map<string, number> {
  const copies = new Map<string, number>();
  for (const message of sink.accepted) for (const to of message.to) copies.set(to, (copies.get(to) ?? 0) + 1);
  return copies;
}

function assertEachOnce(sink: SmtpSink): void {
  const copies = copiesByRecipient(sink);
  assert.deepEqual(
    [...copies].filter(([, n]) => n !== 1),
    [],
    'nobody got the digest twice',
  );
  assert.equal(copies.size, SUBSCRIBERS, 'everybody got it');
}

async function prepare(store: Store): Promise<void> {
  await importPath(store, DAY_FIXTURES);
  const now = new Date();
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const { subscription } = await store.subscriptions.requestSubscription(`reader${i}@overlap.test`, 'daily', now);
    await store.subscriptions.activate(subscription.id, 'daily', now);
  }
}

function overlapTests(open: () => Promise<Database>): void {
  let db: Database;
  before(async () => {
    db = await open();
  });
  after(() => db?.close());

  test('three runs started together send each subscriber one message', { timeout: 120_000 }, async (t) => {
    const day = '2025-06-02';
    const runs = 3;
    // Every run's first messages are held until all runs have some in flight: the runs overlap for certain.
    // The very first one is then held three leases longer, while the other runs have nothing else to send.
    let releaseWave: () => void = () => {};
    const wave = new Promise<void>((resolve) => {
      releaseWave = resolve;
    });
    const safety = setTimeout(releaseWave, 60_000);
    const sink = await startSmtpSink({
      onMessage: async (_message, index): Promise<SmtpReply> => {
        if (index === runs * CONCURRENCY - 1) releaseWave();
        if (index < runs * CONCURRENCY) await wave;
        if (index === 0) await new Promise((resolve) => setTimeout(resolve, 3 * LEASE_SECONDS * 1000));
        return 'accept';
      },
    });
    t.after(() => sink.close());
    const results = await Promise.all(Array.from({ length: runs }, () => digestSend(db.url, sink.url, day).exited));
    clearTimeout(safety);
    for (const result of results) assert.equal(result.code, 0, result.output);
    assert.ok(sink.received >= runs * CONCURRENCY, 'the runs had messages in flight at the same time');
    assertEachOnce(sink);
    assert.equal(sink.accepted.length, SUBSCRIBERS);
    assert.deepEqual(await db.store.subscriptions.deliveryCounts(`daily:${day}`), {
      sending: 0,
      deferred: 0,
      sent: SUBSCRIBERS,
      failed: 0,
    });
    const tried = results.map((r) => Number(/this run: (\d+) tried/.exec(r.output)?.[1]));
    assert.equal(
      tried.reduce((a, b) => a + b, 0),
      SUBSCRIBERS,
      `each delivery tried by one run: ${tried.join(' + ')}`,
    );
    t.diagnostic(`runs tried ${tried.join(', ')} of ${SUBSCRIBERS}`);
  });

  test('a run killed mid-send: the run beside it waits for the lease to end, then sends the rest once', {
    timeout: 120_000,
  }, async (t) => {
    const day = '2026-08-21';
    // The first run's first messages stay in flight (no answer) until it has been killed.
    let answerHeld: (reply: SmtpReply) => void = () => {};
    const held = new Promise<SmtpReply>((resolve) => {
      answerHeld = resolve;
    });
    const sink = await startSmtpSink({ onMessage: (_message, index) => (index < CONCURRENCY ? held : 'accept') });
    t.after(() => sink.close());
    const first = digestSend(db.url, sink.url, day);
    await until(() => sink.received >= CONCURRENCY, 'the first run to have its messages in flight');
    const second = digestSend(db.url, sink.url, day);
    await until(() => sink.accepted.length >= SUBSCRIBERS - CONCURRENCY, 'the second run to send everything else');
    // The first run is alive: for several of its leases the second run waits and does not take its deliveries.
    await new Promise((resolve) => setTimeout(resolve, 2.5 * LEASE_SECONDS * 1000));
    assert.equal(sink.accepted.length, SUBSCRIBERS - CONCURRENCY, 'no delivery of the live run was taken');
    assert.equal((await db.store.subscriptions.deliveryCounts(`daily:${day}`)).sending, CONCURRENCY);

    first.kill();
    assert.equal((await first.exited).signal, 'SIGKILL');
    answerHeld({ code: 451, message: 'Connection lost before the end of the message' });
    const finished = await second.exited;
    assert.equal(finished.code, 0, finished.output);
    assertEachOnce(sink);
    assert.equal(sink.accepted.length, SUBSCRIBERS);
    assert.deepEqual(await db.store.subscriptions.deliveryCounts(`daily:${day}`), {
      sending: 0,
      deferred: 0,
      sent: SUBSCRIBERS,
      failed: 0,
    });
    assert.match(
      finished.output,
      new RegExp(`this run: ${SUBSCRIBERS} tried, ${SUBSCRIBERS} sent`),
      "the second run sent the killed run's share too",
    );
  });
}

const dir = tempDir('paperboy-overlap-');

describe('overlapping digest runs on one SQLite file', () => {
  overlapTests(async () => {
    const url = join(dir, 'paperboy.db');
    const store = new SqliteStore(url);
    await prepare(store);
    return { url, store, close: () => store.close() };
  });
});

describe('overlapping digest runs on one PostgreSQL database', () => {
  overlapTests(async () => {
    const database = await freshPostgresDatabase('overlap');
    const store = await PostgresStore.connect(database.url, { poolSize: 4 });
    await prepare(store);
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
