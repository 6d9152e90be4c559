/**
 * `npm run bench:digest`: compose and send one daily digest to N subscribers (default 10,000) through a real
 * SMTP server on loopback (smtp-server, in a child process so that its memory is not counted), with the
 * configured concurrency over pooled connections. Prints the time per message (median, p95 of the SMTP send;
 * composing is in the total), throughput and the sender's peak RSS, and writes bench/results/digest-*.json.
 *
 *   npm run bench:digest -- [--subscribers N] [--concurrency C]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { NODE, REPO, fmt, formatTable, loadLine, percentile, shortPath, writeResult } from './lib.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { importPath } from '../src/ingest/import-files.ts';
import { createMailer, type Mailer } from '../src/mail/mailer.ts';
import { createLogger } from '../src/log.ts';
import { loadConfig } from '../src/config.ts';
import { dailyPeriod } from '../src/digest/digest-period.ts';
import { runDigest } from '../src/digest/send.ts';

const { values: flags } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '8' },
  },
});
const N = Number(flags.subscribers);
const CONCURRENCY = Number(flags.concurrency);
const DAY = '2026-08-21';

const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-digest-'));
const store = new SqliteStore(join(dir, 'paperboy.db'));
await importPath(store, join(REPO, 'test/fixtures/hf-daily-papers'));
const now = new Date();
const setupStarted = performance.now();
for (let i = 0; i < N; i++) {
  const { subscription } = await store.subscriptions.requestSubscription(`reader${i}@example.org`, 'daily', now);
  await store.subscriptions.activate(subscription.id, 'daily', now);
}
const setupSeconds = (performance.now() - setupStarted) / 1000;

// The SMTP server in its own process: it only counts messages.
const sinkScript = `import { startSmtpSink } from ${JSON.stringify(join(REPO, 'src/mail/smtp-sink.ts'))};
const sink = await startSmtpSink({ keepBodies: false });
console.log(sink.port);
process.stdin.on('data', () => { console.log('accepted', sink.accepted.length); });
process.stdin.on('end', () => process.exit(0));`;
const sinkChild = spawn(NODE, ['--input-type=module', '-e', sinkScript], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: sinkChild.stdout! })[Symbol.asyncIterator]();
const port = Number((await lines.next()).value);

const timings: number[] = [];
const inner = createMailer(
  {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    from: 'Paperboy <digest@example.org>',
    replyTo: null,
    outboxDir: join(dir, 'outbox'),
  },
  { pool: CONCURRENCY },
);
const timed: Mailer = {
  mode: inner.mode,
  send: async (message) => {
    const started = performance.now();
    const result = await inner.send(message);
    timings.push(performance.now() - started);
    return result;
  },
  close: () => inner.close(),
};

const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
const config = { ...loadConfig({}).digest, concurrency: CONCURRENCY, rate: 0 };
const started = performance.now();
const summary = await runDigest({
  store,
  mailer: timed,
  logger: createLogger('warn'),
  config,
  publicUrl: 'https://papers.example.org',
  mailFrom: 'digest@example.org',
  period: dailyPeriod(DAY),
});
const seconds = (performance.now() - started) / 1000;
clearInterval(rssTimer);
peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
inner.close();
sinkChild.stdin!.write('count\n');
const accepted = Number(String((await lines.next()).value).split(' ')[1]);
sinkChild.stdin!.end();
await store.close();
rmSync(dir, { recursive: true, force: true });

const sorted = Float64Array.from(timings).sort();
const result = {
  subscribers: N,
  concurrency: CONCURRENCY,
  papersPerDigest: summary.papers,
  sent: summary.sent,
  acceptedBySmtpServer: accepted,
  deferred: summary.deferred,
  failed: summary.failed,
  seconds,
  messagesPerSecond: summary.sent / seconds,
  perMessageMs: {
    median: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  },
  peakRssBytes: peakRss,
  setupSeconds,
};
process.stdout.write(`${loadLine()}\n`);
process.stdout.write(
  `${formatTable(
    ['digest to N subscribers', 'value'],
    [
      ['subscribers', fmt.int(N)],
      ['concurrency (pooled SMTP connections)', String(CONCURRENCY)],
      ['sent / accepted by the SMTP server', `${fmt.int(summary.sent)} / ${fmt.int(accepted)}`],
      ['total time', fmt.s(seconds)],
      ['throughput', `${result.messagesPerSecond.toFixed(0)} msg/s`],
      ['per message, median (SMTP send)', `${fmt.ms(result.perMessageMs.median)} ms`],
      ['per message, p95', `${fmt.ms(result.perMessageMs.p95)} ms`],
      ['peak RSS of the sender', fmt.mib(peakRss)],
    ],
  )}\n`,
);
process.stdout.write(`result: ${shortPath(writeResult('digest', result))}\n`);
if (summary.sent !== N || accepted !== N) process.exitCode = 1;
