/**
 * Notification emails go out once per notification however many worker processes send at the same moment. Real
 * `paperboy notifications send` processes on one SQLite file, then on one PostgreSQL database, against a real SMTP
 * server (src/mail/smtp-sink.ts) that holds its first answers until both processes have a message in flight:
 *
 * - two runs started together: every notification is mailed exactly once, and each run sent some;
 * - a run SIGKILLed with a message in flight: a run after it takes that notification over once the lease ended,
 *   and every notification is still mailed exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSmtpSink, type SmtpReply } from '../../src/mail/smtp-sink.ts';
import type { Store } from '../../src/store/store.ts';
import { madeUp } from '../contract/fixtures.ts';
import { assertOneCopyEach, held, onSqliteAndPostgres, sendingRun, until } from '../support/cli-runs.ts';
import type { SharedDatabase } from '../support/cli-runs.ts';

const RECIPIENTS = 12;
/** Leases here are seconds, not the production ten minutes: short for the overlap, long enough to outlast a process
 *  start in the takeover test. */
const LEASE_SECONDS = 1;
const KILL_LEASE_SECONDS = 6;

const notifySend = (databaseUrl: string, smtpUrl: string, leaseSeconds = LEASE_SECONDS) =>
  sendingRun(['notifications', 'send'], { databaseUrl, smtpUrl, leaseSeconds });

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

const sent = (output: string) => Number(/: (\d+) emails sent/.exec(output)?.[1]);

function overlapTests(database: () => SharedDatabase): void {
  test('two worker processes started together mail each notification once', { timeout: 120_000 }, async (t) => {
    const db = database();
    await prepare(db.store, 'a');
    // The first two messages are held until both are in flight: the two runs send at the same moment.
    const both = held<void>();
    const safety = setTimeout(both.settle, 30_000);
    const sink = await startSmtpSink({
      onMessage: async (_message, index): Promise<SmtpReply> => {
        if (index === 1) both.settle();
        if (index < 2) await both.promise;
        return 'accept';
      },
    });
    t.after(() => sink.close());
    const results = await Promise.all([notifySend(db.url, sink.url).exited, notifySend(db.url, sink.url).exited]);
    clearTimeout(safety);
    for (const result of results) assert.equal(result.code, 0, result.output);
    assertOneCopyEach(sink, RECIPIENTS, (to) => to.includes('-a@'));
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
    const db = database();
    await prepare(db.store, 'b');
    const answer = held<SmtpReply>();
    const sink = await startSmtpSink({ onMessage: (_message, index) => (index === 0 ? answer.promise : 'accept') });
    t.after(() => sink.close());
    const first = notifySend(db.url, sink.url, KILL_LEASE_SECONDS);
    await until(() => sink.received >= 1, 'the first run to have a message in flight');
    first.kill();
    assert.equal((await first.exited).signal, 'SIGKILL');
    answer.settle({ code: 451, message: 'Connection lost before the end of the message' });
    // Within the lease, a second run leaves the killed run's notification alone.
    const killedAt = Date.now();
    const second = await notifySend(db.url, sink.url, KILL_LEASE_SECONDS).exited;
    assert.ok(Date.now() - killedAt < KILL_LEASE_SECONDS * 1000, 'the second run ended within the lease');
    assert.equal(second.code, 0, second.output);
    assert.equal(sent(second.output), RECIPIENTS - 1);
    await new Promise((resolve) => setTimeout(resolve, KILL_LEASE_SECONDS * 1000 - (Date.now() - killedAt) + 200));
    const third = await notifySend(db.url, sink.url, KILL_LEASE_SECONDS).exited;
    assert.equal(sent(third.output), 1, 'the killed run’s notification, once its lease ended');
    assertOneCopyEach(sink, RECIPIENTS, (to) => to.includes('-b@'));
  });
}

onSqliteAndPostgres('notify', (backend) => `overlapping notification runs on one ${backend}`, null, overlapTests);
