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
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_FIXTURES } from '../helpers.ts';
import { startSmtpSink, type SmtpReply } from '../../src/mail/smtp-sink.ts';
import { importPath } from '../../src/ingest/import-files.ts';
import type { Store } from '../../src/store/store.ts';
import { assertOneCopyEach, held, onSqliteAndPostgres, sendingRun, until } from '../support/cli-runs.ts';
import type { SharedDatabase } from '../support/cli-runs.ts';

const SUBSCRIBERS = 30;
const CONCURRENCY = 4;
const LEASE_SECONDS = 1;

const digestSend = (databaseUrl: string, smtpUrl: string, day: string) =>
  sendingRun(['digest', 'send', '--period', 'daily', '--date', day], {
    databaseUrl,
    smtpUrl,
    leaseSeconds: LEASE_SECONDS,
    env: { DIGEST_CONCURRENCY: String(CONCURRENCY) },
  });

async function prepare(store: Store): Promise<void> {
  await importPath(store, DAY_FIXTURES);
  const now = new Date();
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const { subscription } = await store.subscriptions.requestSubscription(`reader${i}@overlap.test`, 'daily', now);
    await store.subscriptions.activate(subscription.id, 'daily', now);
  }
}

function overlapTests(database: () => SharedDatabase): void {
  test('three runs started together send each subscriber one message', { timeout: 120_000 }, async (t) => {
    const day = '2025-06-02';
    const runs = 3;
    // Every run's first messages are held until all runs have some in flight: the runs overlap for certain.
    // The very first one is then held three leases longer, while the other runs have nothing else to send.
    const db = database();
    const wave = held<void>();
    const safety = setTimeout(wave.settle, 60_000);
    const sink = await startSmtpSink({
      onMessage: async (_message, index): Promise<SmtpReply> => {
        if (index === runs * CONCURRENCY - 1) wave.settle();
        if (index < runs * CONCURRENCY) await wave.promise;
        if (index === 0) await new Promise((resolve) => setTimeout(resolve, 3 * LEASE_SECONDS * 1000));
        return 'accept';
      },
    });
    t.after(() => sink.close());
    const results = await Promise.all(Array.from({ length: runs }, () => digestSend(db.url, sink.url, day).exited));
    clearTimeout(safety);
    for (const result of results) assert.equal(result.code, 0, result.output);
    assert.ok(sink.received >= runs * CONCURRENCY, 'the runs had messages in flight at the same time');
    assertOneCopyEach(sink, SUBSCRIBERS);
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
    const db = database();
    const answer = held<SmtpReply>();
    const sink = await startSmtpSink({
      onMessage: (_message, index) => (index < CONCURRENCY ? answer.promise : 'accept'),
    });
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
    answer.settle({ code: 451, message: 'Connection lost before the end of the message' });
    const finished = await second.exited;
    assert.equal(finished.code, 0, finished.output);
    assertOneCopyEach(sink, SUBSCRIBERS);
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

onSqliteAndPostgres('overlap', (backend) => `overlapping digest runs on one ${backend}`, prepare, overlapTests);
