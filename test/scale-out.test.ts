/**
 * Scale-out on one PostgreSQL (the server of PAPERBOY_TEST_POSTGRES_URL, a fresh database dropped at the end):
 * 2 `serve --role web` and 3 `serve --role worker` child processes.
 *
 * (a) 200 members signed in through the real flow vote at once, spread over both web processes: the counts are
 *     exact in the API of both.
 * (b) A daily digest to 1,000 confirmed subscribers through a real local SMTP server; the worker that runs it
 *     is SIGKILLed mid-run, another worker takes the job over (heartbeat lost, retried) and finishes it from the
 *     ledger: every subscriber gets the digest, each under one Message-ID.
 * (c) A harvest asked for by three processes at once (against the arXiv replay server) runs once: one worker,
 *     each page fetched once, and asking again for the day's window queues nothing.
 *
 * Without a server the test fails with the how-to message: it never skips.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { CLI, DAY_FIXTURES, NODE, REPO_ROOT, tempDir } from './helpers.ts';
import { HOW_TO_START_POSTGRES, POSTGRES_URL_VARIABLE } from './contract/backends.ts';
import { apiUpvotes, castVote, expectedGains, inParallel, signInMembers } from './vote-load.ts';
import { paginate, recordTrees, startReplayServer, treeId } from './arxiv-replay.ts';
import { startSmtpSink } from '../src/mail/smtp-sink.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { importPath } from '../src/ingest/import-files.ts';
import { createLogger } from '../src/log.ts';
import { loadConfig } from '../src/config.ts';
import { PgBossJobQueue, queueName, windowJobId } from '../src/jobs/pg-boss-queue.ts';
import { digestRequest, harvestRequest } from '../src/jobs/paperboy-jobs.ts';
import { harvestStateKey } from '../src/ingest/arxiv/harvest-state.ts';

const MEMBERS = 200;
const SUBSCRIBERS = 1_000;
const DIGEST_CONCURRENCY = 4;

const serverUrl = process.env[POSTGRES_URL_VARIABLE];
if (!serverUrl)
  throw new Error(
    `test/scale-out.test.ts needs PostgreSQL: ${POSTGRES_URL_VARIABLE} is not set.\n${HOW_TO_START_POSTGRES}`,
  );

/** A child process whose output lines are kept and can be waited for. */
class Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: (() => void)[] = [];

  constructor(name: string, args: string[], env: Record<string, string>) {
    this.name = name;
    this.child = spawn(NODE, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    const onData = (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      this.lines.push(...parts.filter(Boolean));
      for (const wake of this.#waiters.splice(0)) wake();
    };
    this.child.stdout!.setEncoding('utf8').on('data', onData);
    this.child.stderr!.setEncoding('utf8').on('data', onData);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        resolve({ code, signal });
        for (const wake of this.#waiters.splice(0)) wake();
      }),
    );
  }

  /** JSON log lines (pino) of this process. */
  logs(): Record<string, unknown>[] {
    return this.lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  async waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`${this.name} exited before ${what}:\n${this.lines.slice(-20).join('\n')}`);
      }
      if (Date.now() > deadline)
        throw new Error(`${this.name}: no ${what} within ${timeoutMs} ms:\n${this.lines.slice(-20).join('\n')}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  jobStarts(job: string): Record<string, unknown>[] {
    return this.logs().filter((l) => l.msg === 'job started' && l.job === job);
  }
}

async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// One fresh database for the whole file: the store's tables and pg-boss's schema, as in a deployment.
const admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
const database = `scaleout_${process.pid}_${randomBytes(3).toString('hex')}`;
try {
  await admin.query(`CREATE DATABASE ${database}`);
} catch (error) {
  throw new Error(
    `cannot create a database on PostgreSQL at ${POSTGRES_URL_VARIABLE}=${serverUrl}: ${(error as Error).message}\n${HOW_TO_START_POSTGRES}`,
  );
}
const databaseUrl = (() => {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
})();
const processes: Proc[] = [];
after(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
  await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [database],
  );
  await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.end();
});

const dir = tempDir('paperboy-scale-out-');
const outbox = join(dir, 'outbox');
const store = await PostgresStore.connect(databaseUrl, { poolSize: 8 });
after(() => store.close());
await importPath(store, DAY_FIXTURES);
const smtp = await startSmtpSink({ keepBodies: true });
after(() => smtp.close());
const trees = recordTrees();
const replay = await startReplayServer(paginate(trees, 5));

const common = {
  DATABASE_URL: databaseUrl,
  OUTBOX_DIR: outbox,
  PAPERBOY_DEMO: '0',
  PAPERBOY_RATE_LIMIT_FACTOR: '1000',
  SEMANTIC_SEARCH: '0',
  // The fixtures' avatars are on other sites: the image cache fetches none of them (tests stay off the network).
  PAPERBOY_IMAGES: '0',
  LOG_LEVEL: 'info',
  HOST: '127.0.0.1',
};
const workerEnv = {
  ...common,
  SMTP_URL: smtp.url,
  PUBLIC_URL: 'http://paperboy.test',
  DIGEST_CONCURRENCY: String(DIGEST_CONCURRENCY),
  DIGEST_BACKOFF_MS: '50',
  // The killed worker's claims on deliveries end within seconds, so that the worker taking over sends them.
  DIGEST_LEASE_SECONDS: '2',
  PAPERBOY_CONTACT: 'scale-out-test@example.org',
  PAPERBOY_OAI_URL: replay.url,
  PAPERBOY_HARVEST_SETS: 'cs',
  PAPERBOY_ARXIV_INTERVAL_MS: '20',
  PAPERBOY_AUTO_FEATURE: '',
  // A dead worker's job is handed on within seconds rather than the production half-minute.
  PAPERBOY_JOBS_HEARTBEAT_SECONDS: '10',
  PAPERBOY_JOBS_SUPERVISE_SECONDS: '1',
  PAPERBOY_JOBS_RETRY_DELAY_SECONDS: '1',
  PAPERBOY_JOBS_POLL_SECONDS: '0.5',
};

const webs = [0, 1].map((i) => new Proc(`web-${i}`, ['serve', '--role', 'web', '--port', '0'], common));
const workers = [0, 1, 2].map((i) => new Proc(`worker-${i}`, ['serve', '--role', 'worker'], workerEnv));
processes.push(...webs, ...workers);
const webUrls = await Promise.all(
  webs.map((w) =>
    w.waitFor(() => w.logs().find((l) => l.msg === 'Paperboy is serving')?.url as string | undefined, 'serving line'),
  ),
);
await Promise.all(
  workers.map((w) =>
    w.waitFor(
      () => (w.logs().some((l) => l.msg === 'job scheduled' && l.job === 'harvest') ? true : undefined),
      'schedules',
    ),
  ),
);

test('(a) 200 members vote at once over two web processes: counts exact in the API of both', {
  timeout: 90_000,
}, async (t) => {
  const t0 = Date.now();
  const [a, b] = webUrls as [string, string];
  // Half sign in on each web process; every session then works on both (sessions live in PostgreSQL).
  const members = [
    ...(await signInMembers(a, outbox, MEMBERS / 2, 16)),
    ...(await signInMembers(b, outbox, MEMBERS, 16)).slice(MEMBERS / 2),
  ];
  assert.equal(members.length, MEMBERS);
  t.diagnostic(`sign-in ${(Date.now() - t0) / 1000}s`);
  const api = (await (await fetch(`${a}/api/daily_papers?limit=5`)).json()) as { paper: { id: string } }[];
  const papers = api.map((item) => item.paper.id);
  assert.equal(papers.length, 5);
  const via = (i: number) => (i % 2 === 0 ? a : b);

  const target = papers[0]!;
  const before = await apiUpvotes(a, target);
  const first = await Promise.all(members.map((m, i) => castVote(via(i), m, i, target)));
  assert.deepEqual(
    first.filter((r) => r.status !== 200),
    [],
    'every vote answered 200',
  );
  assert.equal(first.filter((r) => r.voted).length, MEMBERS);
  for (const url of webUrls)
    assert.equal(await apiUpvotes(url, target), before + MEMBERS, `upvotes in the API of ${url}`);

  // Every member on every paper, each vote through the other process than the last one: all in flight together.
  const befores = await Promise.all(papers.map((id) => apiUpvotes(b, id)));
  const storm = await Promise.all(members.flatMap((m, i) => papers.map((id, k) => castVote(via(i + k + 1), m, i, id))));
  assert.ok(storm.every((r) => r.status === 200));
  const gains = expectedGains(storm);
  for (const [index, id] of papers.entries()) {
    const expected = befores[index]! + (gains.get(id) ?? 0) - (id === target ? MEMBERS : 0);
    for (const url of webUrls) assert.equal(await apiUpvotes(url, id), expected, `paper ${id} in the API of ${url}`);
  }
  t.diagnostic(
    `${members.length} members signed in over 2 web processes; ${first.length + storm.length} votes; counts exact on both`,
  );
});

test('(b) a daily digest to 1,000 subscribers is delivered to each once although its worker is SIGKILLed mid-run', {
  timeout: 120_000,
}, async (t) => {
  const t0 = Date.now();
  const now = new Date();
  await inParallel(
    Array.from({ length: SUBSCRIBERS }, (_, i) => i),
    16,
    async (i) => {
      const { subscription } = await store.subscriptions.requestSubscription(`reader-${i}@scale.test`, 'daily', now);
      await store.subscriptions.activate(subscription.id, 'daily', now);
    },
  );
  assert.equal(await store.subscriptions.countActive('daily'), SUBSCRIBERS);

  const sender = await PgBossJobQueue.connect(databaseUrl, createLogger('silent'), {
    worker: false,
    config: loadConfig({}).jobs,
  });
  after(() => sender.stop());
  const request = await digestRequest(store, loadConfig({}).digest, 'daily', now);
  const periodKey = String(request.window).replace(/^digest:/, '');
  assert.equal(await sender.enqueue(request), true);

  // The worker that took the job is killed once a quarter of the messages are out.
  const startedAt = Date.now();
  const runner = await until(
    async () => workers.find((w) => w.jobStarts('digest').length > 0),
    'a worker to start the digest',
    30_000,
  );
  await until(
    async () => (smtp.accepted.length >= SUBSCRIBERS / 4 ? true : undefined),
    'a quarter of the digest',
    60_000,
  );
  const killedAt = Date.now();
  runner.child.kill('SIGKILL');
  assert.equal((await runner.exited).signal, 'SIGKILL');
  const atKill = smtp.accepted.length;
  assert.ok(atKill < SUBSCRIBERS, `killed mid-run (${atKill} of ${SUBSCRIBERS} delivered)`);

  const counts = await until(
    async () => {
      const c = await store.subscriptions.deliveryCounts(periodKey);
      return c.sent === SUBSCRIBERS ? c : undefined;
    },
    'every delivery to be recorded as sent',
    90_000,
  );
  const doneAt = Date.now();
  assert.deepEqual(counts, { sending: 0, deferred: 0, sent: SUBSCRIBERS, failed: 0 });
  const taker = workers.find((w) => w !== runner && w.jobStarts('digest').length > 0);
  assert.ok(taker, 'another worker took the digest over');
  assert.equal(
    workers.filter((w) => w !== runner && w.jobStarts('digest').length > 0).length,
    1,
    'exactly one other worker resumed it',
  );
  await new Promise((resolve) => setTimeout(resolve, 500)); // nothing else arrives

  const byRecipient = new Map<string, Set<string>>();
  for (const message of smtp.accepted) {
    const messageId = /^Message-ID:\s*(\S+)/im.exec(message.raw.toString('utf8'))?.[1] ?? '';
    for (const to of message.to) {
      const ids = byRecipient.get(to) ?? new Set<string>();
      ids.add(messageId);
      byRecipient.set(to, ids);
    }
  }
  assert.equal(byRecipient.size, SUBSCRIBERS, 'every subscriber got the digest');
  assert.deepEqual(
    [...byRecipient.entries()].filter(([, ids]) => ids.size !== 1),
    [],
    'each subscriber got one message (one Message-ID)',
  );
  // A kill between the SMTP server's 250 and the ledger's "sent" can repeat that one message, under the same
  // Message-ID (receivers drop it): at most one per connection that was in flight.
  const copies = smtp.accepted.length - SUBSCRIBERS;
  assert.ok(copies <= DIGEST_CONCURRENCY, `at most ${DIGEST_CONCURRENCY} repeated deliveries, got ${copies}`);
  const job = await sender.boss.findJobs(queueName('digest'), { id: windowJobId('digest', String(request.window)) });
  assert.equal(job[0]?.state, 'completed');
  assert.equal(await sender.enqueue(request), false, 'the period is not queued again');
  const resumedAt = Number(taker.jobStarts('digest')[0]!.time);
  t.diagnostic(
    `timeline: subscribers+enqueue ${(startedAt - t0) / 1000}s, kill after ${(killedAt - startedAt) / 1000}s, taken over after ${(resumedAt - killedAt) / 1000}s, done ${(doneAt - resumedAt) / 1000}s later`,
  );
  t.diagnostic(
    `${SUBSCRIBERS} subscribers: ${atKill} delivered when ${runner.name} was killed, ${taker.name} finished the run ` +
      `(attempt ${job[0]!.retryCount + 1}); ${copies} repeated deliveries (same Message-ID) of messages in flight at the kill`,
  );
});

test('(c) a harvest asked for by three processes at once runs once', { timeout: 90_000 }, async (t) => {
  const alive = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  assert.ok(alive.length >= 2);
  // Three `paperboy jobs run harvest` at once, as three schedulers (or impatient admins) would.
  const askers = [0, 1, 2].map((i) => new Proc(`jobs-run-${i}`, ['jobs', 'run', 'harvest'], common));
  processes.push(...askers);
  const results = await Promise.all(askers.map(async (p) => ({ exit: await p.exited, out: p.lines.join('\n') })));
  assert.deepEqual(
    results.map((r) => r.exit.code),
    [0, 0, 0],
    results.map((r) => r.out).join('\n'),
  );
  const window = String(harvestRequest(new Date()).window);
  assert.equal(
    results.filter((r) => r.out.includes(`queued: ${window}`) && !r.out.includes('not queued')).length,
    1,
    `exactly one of them queued it:\n${results.map((r) => r.out).join('\n')}`,
  );

  const state = await until(
    async () => {
      const s = await store.getJobState<{ harvestedThrough: string | null; run: unknown }>(
        harvestStateKey('arXiv', 'cs'),
      );
      return s && s.run === null && s.harvestedThrough ? s : undefined;
    },
    'the harvest to finish',
    60_000,
  );
  assert.ok(state.harvestedThrough);
  const ran = workers.filter((w) => w.jobStarts('harvest').length > 0);
  assert.equal(ran.length, 1, 'one worker ran the harvest');
  assert.equal(ran[0]!.jobStarts('harvest').length, 1, 'once');
  const pages = replay.requests.map((r) => r.page);
  assert.deepEqual(pages, [0, 1, 2, 3, 4, 5, 6], 'each page fetched once, in order');
  const stored = await store.getPapers(trees.map(treeId));
  assert.equal(stored.length, trees.length);

  // Another scheduler waking up late for the same day queues nothing.
  const sender = await PgBossJobQueue.connect(databaseUrl, createLogger('silent'), {
    worker: false,
    config: loadConfig({}).jobs,
  });
  after(() => sender.stop());
  assert.equal(await sender.enqueue(harvestRequest(new Date())), false);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.equal(replay.requests.length, pages.length, 'no second harvest');
  t.diagnostic(
    `harvest ${window}: asked for 4 times, run once by ${ran[0]!.name}; ${pages.length} pages, ${trees.length} records`,
  );
});
