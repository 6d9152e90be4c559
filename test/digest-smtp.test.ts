/**
 * Digests through a real SMTP server (smtp-server, started here): a sender process SIGKILLed mid-run and run
 * again delivers exactly the missing messages; messages parsed with mailparser (headers, both parts, links);
 * the List-Unsubscribe link works against the real HTTP server; retries, hard bounces, suspension, rate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { startServer } from '../src/server/serve.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { importPath } from '../src/ingest/import-files.ts';
import { createMailer } from '../src/mail/mailer.ts';
import { startSmtpSink, type SmtpReply } from '../src/mail/smtp-sink.ts';
import { dailyPeriod } from '../src/digest/digest-period.ts';
import { runDigest } from '../src/digest/send.ts';
import { runNotificationEmails } from '../src/notify/send.ts';
import { CLI, DAY_FIXTURES, NODE, REPO_ROOT, tempDir } from './helpers.ts';

const dir = tempDir();
const dbPath = join(dir, 'paperboy.db');
const store = new SqliteStore(dbPath);
await importPath(store, DAY_FIXTURES);
const logger = createLogger('silent');
const server = await startServer({
  store,
  config: loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: dbPath, OUTBOX_DIR: join(dir, 'outbox') }),
  logger,
});
const PUBLIC = server.url;

const N = 60;
for (let i = 0; i < N; i++) {
  const { subscription } = await store.subscriptions.requestSubscription(`reader${i}@example.org`, 'daily', new Date());
  await store.subscriptions.activate(subscription.id, 'daily', new Date());
}

test.after(async () => {
  await server.close();
  await store.close();
});

function sendInChild(
  smtpUrl: string,
  day: string,
): { exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>; kill(): void } {
  const child = spawn(NODE, [CLI, 'digest', 'send', '--period', 'daily', '--date', day], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: dbPath,
      SMTP_URL: smtpUrl,
      PUBLIC_URL: PUBLIC,
      DIGEST_CONCURRENCY: '4',
      LOG_LEVEL: 'warn',
      DIGEST_BACKOFF_MS: '50',
      // The killed run's claims end a second after its last renewal; the re-run then sends those messages.
      DIGEST_LEASE_SECONDS: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  return {
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr }))),
    kill: () => child.kill('SIGKILL'),
  };
}

test('a sender killed after k of n messages sends exactly the other n − k when run again', async () => {
  const K = 23;
  let releaseHeld: (reply: SmtpReply) => void = () => {};
  const held = new Promise<SmtpReply>((resolve) => {
    releaseHeld = resolve;
  });
  let killAfterK: () => void = () => {};
  const reachedK = new Promise<void>((resolve) => {
    killAfterK = resolve;
  });
  // From message K on, the server holds its answer: those messages are in flight, not delivered.
  const sink = await startSmtpSink({
    onMessage: (_m, index) => {
      if (index < K) return 'accept';
      killAfterK();
      return held;
    },
  });
  const first = sendInChild(sink.url, '2025-06-02');
  await reachedK;
  // Let the sender record every 250 it has had, with messages still in flight on the other connections.
  await new Promise((r) => setTimeout(r, 300));
  first.kill();
  const killed = await first.exited;
  assert.equal(killed.signal, 'SIGKILL');
  releaseHeld({ code: 451, message: 'Connection lost before the end of the message' });
  assert.equal(sink.accepted.length, K, 'k messages delivered before the crash');
  const afterCrash = await store.subscriptions.deliveryCounts('daily:2025-06-02');
  assert.equal(afterCrash.sent, K);
  assert.ok(afterCrash.sending >= 1 && afterCrash.sending <= 4, `in flight at the crash: ${afterCrash.sending}`);
  await sink.close();

  const sink2 = await startSmtpSink();
  test.after(() => sink2.close());
  const second = await sendInChild(sink2.url, '2025-06-02').exited;
  assert.equal(second.code, 0, second.stderr);
  assert.equal(sink2.accepted.length, N - K, 'the re-run sends the remaining n − k');
  const everyone = [...sink.accepted, ...sink2.accepted].map((m) => m.to[0]);
  assert.equal(new Set(everyone).size, N, 'every subscriber got it exactly once');
  assert.deepEqual(await store.subscriptions.deliveryCounts('daily:2025-06-02'), {
    sending: 0,
    deferred: 0,
    sent: N,
    failed: 0,
  });

  const third = await sendInChild(sink2.url, '2025-06-02').exited;
  assert.equal(third.code, 0);
  assert.equal(sink2.accepted.length, N - K, 'a third run sends nothing');

  // The messages as a mail client reads them.
  const mail: ParsedMail = await simpleParser(sink2.accepted[0]!.raw);
  const top = await store.listDaily({
    firstDay: '2025-06-02',
    lastDay: '2025-06-02',
    sort: 'trending',
    offset: 0,
    limit: 10,
  });
  assert.match(mail.subject ?? '', /^\[Paperboy\] Trending papers, Jun 2, 2025: /);
  assert.match(String(mail.messageId), /^<digest\.daily\.2025-06-02\.s\d+\.[0-9a-f]{12}@127\.0\.0\.1>$/);
  const header = (key: string) => mail.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n[ \t]+/g, ' ');
  assert.equal(header('list-unsubscribe-post'), 'List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  assert.match(header('list-id') ?? '', /Paperboy daily digest <daily\.digest\.127\.0\.0\.1:\d+>/);
  const rawHeader = header('list-unsubscribe')!;
  const httpLink = /<(http:\/\/127\.0\.0\.1:\d+\/unsubscribe\/u\.\d+\.[A-Za-z0-9_-]{22})>/.exec(rawHeader)?.[1];
  assert.ok(httpLink, rawHeader);
  assert.match(rawHeader, /<mailto:paperboy@localhost\?subject=unsubscribe%20u\.\d+\./);
  assert.ok(mail.text && mail.html, 'a text part and an HTML part');
  for (const entry of top) {
    assert.ok(mail.text.includes(`${PUBLIC}/papers/${entry.paper.id}`), `text links ${entry.paper.id}`);
    assert.ok(mail.html.includes(`href="${PUBLIC}/papers/${entry.paper.id}"`), `html links ${entry.paper.id}`);
  }
  assert.ok(mail.text.includes(top[0]!.paper.title.replace(/\s+/g, ' ').trim()));
  assert.match(mail.html, /<table role="presentation"/);
  assert.match(mail.html, /prefers-color-scheme: dark/);
  assert.ok(mail.html.includes(`href="${httpLink}"`), 'the footer links the same unsubscribe URL');

  // One click, as a mail provider does it (RFC 8058): a POST with no cookie and no Origin.
  const recipient = sink2.accepted[0]!.to[0]!;
  const oneClick = await fetch(httpLink, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  });
  assert.equal(oneClick.status, 200);
  assert.equal((await store.subscriptions.getSubscriptionByEmail(recipient))?.status, 'unsubscribed');
  const sink3 = await startSmtpSink();
  test.after(() => sink3.close());
  const next = await sendInChild(sink3.url, '2026-08-21').exited;
  assert.equal(next.code, 0, next.stderr);
  assert.equal(sink3.accepted.length, N - 1);
  assert.ok(!sink3.accepted.some((m) => m.to[0] === recipient), 'no digest after unsubscribing');
});

test('transient failures are retried with back-off, hard bounces recorded, and repeated ones suspend', async () => {
  const local = new SqliteStore(':memory:');
  test.after(() => local.close());
  await importPath(local, DAY_FIXTURES);
  for (const email of ['flaky@example.org', 'gone@example.org', 'fine@example.org']) {
    const { subscription } = await local.subscriptions.requestSubscription(email, 'daily', new Date());
    await local.subscriptions.activate(subscription.id, 'daily', new Date());
  }
  let flakyRefusals = 0;
  const sink = await startSmtpSink({
    onRecipient: (address) => {
      if (address === 'gone@example.org') return { code: 550, message: 'No such user' };
      if (address === 'flaky@example.org' && flakyRefusals < 2) {
        flakyRefusals++;
        return { code: 451, message: 'Try again later' };
      }
      return 'accept';
    },
  });
  const config = { ...loadConfig({}).digest, attempts: 4, backoffMs: 20, maxHardBounces: 2 };
  const waits: number[] = [];
  const run = (day: string, smtpUrl = sink.url, overrides: Partial<typeof config> = {}) => {
    const mailer = createMailer({
      smtpUrl,
      from: 'Paperboy <digest@example.org>',
      replyTo: null,
      outboxDir: join(dir, 'unused'),
    });
    return runDigest({
      store: local,
      mailer,
      logger,
      config: { ...config, ...overrides },
      publicUrl: 'https://papers.example.org',
      mailFrom: 'digest@example.org',
      period: dailyPeriod(day),
      sleep: async (ms) => {
        waits.push(ms);
        await new Promise((r) => setTimeout(r, ms));
      },
    }).finally(() => mailer.close());
  };

  const first = await run('2024-06-03');
  assert.deepEqual(
    { sent: first.sent, failed: first.failed, suspended: first.suspended, deferred: first.deferred },
    { sent: 2, failed: 1, suspended: 0, deferred: 0 },
  );
  assert.equal(flakyRefusals, 2);
  assert.deepEqual(waits, [20, 40], 'exponential back-off between attempts');
  const gone = (await local.subscriptions.getSubscriptionByEmail('gone@example.org'))!;
  const failed = await local.subscriptions.getDelivery(gone.id, 'daily:2024-06-03');
  assert.equal(failed?.status, 'failed');
  assert.match(failed?.lastError ?? '', /550/);
  assert.equal((await local.subscriptions.getSubscription(gone.id))?.hardBounces, 1);
  // A re-run does not try a permanent failure again.
  assert.equal((await run('2024-06-03')).attempted, 0);

  const second = await run('2025-06-02');
  assert.equal(second.suspended, 1);
  assert.equal((await local.subscriptions.getSubscription(gone.id))?.status, 'suspended');
  const third = await run('2026-08-21');
  assert.equal(third.attempted, 2, 'a suspended subscription gets nothing');
  await sink.close();

  // Connection refused: retried, then left deferred for the next run, which delivers it.
  const { subscription } = await local.subscriptions.requestSubscription('late@example.org', 'daily', new Date());
  await local.subscriptions.activate(subscription.id, 'daily', new Date());
  const refused = await run('2026-08-21', `smtp://127.0.0.1:${sink.port}`, { attempts: 2, backoffMs: 5 });
  assert.equal(refused.deferred, 1);
  assert.equal((await local.subscriptions.getDelivery(subscription.id, 'daily:2026-08-21'))?.status, 'deferred');
  assert.match(
    (await local.subscriptions.getDelivery(subscription.id, 'daily:2026-08-21'))?.lastError ?? '',
    /ECONNREFUSED|ECONNECTION|ESOCKET/,
  );
  const sink2 = await startSmtpSink();
  const retried = await run('2026-08-21', sink2.url);
  assert.equal(retried.sent, 1);
  assert.deepEqual(
    sink2.accepted.map((m) => m.to[0]),
    ['late@example.org'],
  );
  await sink2.close();
});

test('the rate limit spaces messages out', async () => {
  const local = new SqliteStore(':memory:');
  test.after(() => local.close());
  await importPath(local, DAY_FIXTURES);
  for (let i = 0; i < 8; i++) {
    const { subscription } = await local.subscriptions.requestSubscription(`r${i}@example.org`, 'weekly', new Date());
    await local.subscriptions.activate(subscription.id, 'weekly', new Date());
  }
  const sink = await startSmtpSink({ keepBodies: false });
  const mailer = createMailer(
    { smtpUrl: sink.url, from: 'digest@example.org', replyTo: null, outboxDir: join(dir, 'unused') },
    { pool: 4 },
  );
  const started = performance.now();
  const summary = await runDigest({
    store: local,
    mailer,
    logger,
    config: { ...loadConfig({}).digest, rate: 20, concurrency: 4 },
    publicUrl: 'https://papers.example.org',
    mailFrom: 'digest@example.org',
    period: {
      frequency: 'weekly',
      label: '2025-W23',
      key: 'weekly:2025-W23',
      firstDay: '2025-06-02',
      lastDay: '2025-06-08',
    },
  });
  const seconds = (performance.now() - started) / 1000;
  mailer.close();
  await sink.close();
  assert.equal(summary.sent, 8);
  assert.equal(sink.accepted.length, 8);
  assert.ok(seconds >= 0.33, `8 messages at 20/s take at least 7 intervals of 50 ms (took ${seconds.toFixed(2)} s)`);
});

test('digest and notification subjects lead with the instance’s name, and List-Id carries it safely', async () => {
  const local = new SqliteStore(':memory:');
  test.after(() => local.close());
  await importPath(local, DAY_FIXTURES);
  const admin = await local.community.accountForEmail('admin@example.org', new Date());
  // Brackets, quotes and angle brackets are allowed in a name: the subject keeps them, the List-Id phrase not.
  const name = 'Lab "Papers" <club>';
  assert.equal((await local.instance.updateSettings({ name }, 0, admin.id, new Date())).status, 'saved');
  const { subscription } = await local.subscriptions.requestSubscription('reader@example.org', 'daily', new Date());
  await local.subscriptions.activate(subscription.id, 'daily', new Date());

  // A member who wants replies mailed at once, with one reply and, for the daily email, two mentions.
  const paper = (
    await local.listDaily({ firstDay: '2025-06-02', lastDay: '2025-06-02', sort: 'trending', offset: 0, limit: 1 })
  )[0]!.paper;
  const ada = await local.community.accountForEmail('ada@example.org', new Date());
  const bob = await local.community.accountForEmail('bob@example.org', new Date());
  await local.notifications.setEmailMode(ada.id, 'reply', 'immediate', new Date(Date.now() - 1000));
  await local.notifications.setEmailMode(ada.id, 'mention', 'daily', new Date(Date.now() - 1000));
  const question = await local.community.addComment(paper.id, ada.id, null, 'A question', new Date());
  const notify = async (kind: 'reply' | 'mention', parent: number | null, body: string) => {
    const made = await local.community.addComment(paper.id, bob.id, parent, body, new Date());
    await local.notifications.add(
      [
        {
          memberId: ada.id,
          kind,
          actorId: bob.id,
          commentId: made.id,
          paperId: paper.id,
          action: null,
          reason: null,
          source: `comment:${made.id}`,
        },
      ],
      new Date(),
    );
  };
  await notify('reply', question.id, 'An answer');
  await notify('mention', null, 'Hello ada');
  await notify('mention', null, 'Hello again ada');

  const sink = await startSmtpSink();
  test.after(() => sink.close());
  const mailer = createMailer({ smtpUrl: sink.url, from: 'Lab <mail@lab.example>', replyTo: null, outboxDir: dir });
  const config = loadConfig({ PUBLIC_URL: 'https://papers.lab.example', SMTP_URL: sink.url });
  try {
    const digest = await runDigest({
      store: local,
      mailer,
      logger,
      config: config.digest,
      publicUrl: config.publicUrl,
      mailFrom: 'mail@lab.example',
      period: dailyPeriod('2025-06-02'),
    });
    assert.equal(digest.sent, 1);
    for (const mode of ['immediate', 'daily'] as const)
      assert.equal((await runNotificationEmails({ store: local, mailer, logger, config, mode })).sent, 1, mode);
  } finally {
    mailer.close();
  }

  assert.equal(sink.accepted.length, 3);
  const [digestMail, replyMail, dailyMail] = await Promise.all(sink.accepted.map((m) => simpleParser(m.raw)));
  assert.match(digestMail!.subject ?? '', /^\[Lab "Papers" <club>\] Trending papers, Jun 2, 2025: \S/);
  assert.match(replyMail!.subject ?? '', /^\[Lab "Papers" <club>\] @\S+ replied to your comment on “/);
  assert.equal(dailyMail!.subject, '[Lab "Papers" <club>] 2 new notifications');
  for (const mail of [digestMail, replyMail, dailyMail]) assert.doesNotMatch(mail!.subject ?? '', /Paperboy/);
  const raw = sink.accepted.map((m) => m.raw.toString());
  assert.match(raw[0]!, /^List-ID: Lab Papers club daily digest <daily\.digest\.papers\.lab\.example>/im);
  assert.match(raw[1]!, /^List-ID: Lab Papers club notifications <notifications\.papers\.lab\.example>/im);
  assert.match(raw[2]!, /^List-ID: Lab Papers club notifications </im);
});
