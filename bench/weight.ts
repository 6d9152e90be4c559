/**
 * `npm run bench:weight`: the bytes the busiest addresses send, plain and compressed (br, gzip), on the demo
 * data, and what compressing costs. The app runs in this process over an in-memory SQLite store with the demo
 * imported; requests go through the whole app (middleware included), as a browser's would.
 *
 *   npm run bench:weight -- [--repeat 7]
 *
 * "plain" is what every client got before compression; "br"/"gzip" what a client sending that Accept-Encoding
 * gets now. Compress ms: one compression of the plain bytes at the quick setting used for a single response
 * ("once") and at the setting used for bytes kept in a cache ("kept"), median of --repeat runs.
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createApp } from '../src/server/app.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { importDaysAtOnce } from '../src/ingest/import-files.ts';
import { DEMO_ARCHIVE } from '../src/ingest/demo.ts';
import { stylesheet } from '../src/web/assets.ts';
import { compress, type ContentCoding } from '../src/http/compression.ts';
import { fmt, formatTable, loadLine, percentile, writeResult } from './lib.ts';

const { values: flags } = parseArgs({ options: { repeat: { type: 'string', default: '7' } } });
const repeat = Math.max(1, Number(flags.repeat));

const outbox = mkdtempSync(join(tmpdir(), 'paperboy-bench-weight-'));
const store = new SqliteStore(':memory:');
await importDaysAtOnce(store, DEMO_ARCHIVE);
const app = createApp({
  store,
  config: loadConfig({ PUBLIC_URL: 'http://localhost:3000', OUTBOX_DIR: outbox }),
  logger: createLogger('silent'),
});
const latest = (await store.latestDay())!;
const [paper] = await store.listDaily({ firstDay: latest, lastDay: latest, sort: 'upvotes', offset: 0, limit: 1 });

const TARGETS: { name: string; path: string }[] = [
  { name: 'home page', path: '/' },
  { name: 'month page', path: `/papers/month/${latest.slice(0, 7)}` },
  { name: 'paper page', path: `/papers/${paper!.paper.id}` },
  { name: 'trending page', path: '/papers/trending' },
  { name: 'API daily_papers', path: '/api/daily_papers' },
  { name: 'API daily_papers limit=100', path: '/api/daily_papers?limit=100' },
  { name: 'API search', path: '/api/search?q=diffusion&limit=50' },
  { name: 'daily feed (RSS)', path: '/feeds/daily.rss' },
  { name: 'stylesheet', path: stylesheet.url },
];

async function fetchBytes(path: string, coding: ContentCoding | null) {
  const response = await app.request(path, { headers: coding ? { 'Accept-Encoding': coding } : {} });
  if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
  const sent = response.headers.get('content-encoding');
  if (sent !== coding) throw new Error(`${path}: asked for ${coding}, got ${sent}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function medianMs(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

const rows: string[][] = [];
const results = [];
for (const target of TARGETS) {
  const plain = await fetchBytes(target.path, null);
  const br = await fetchBytes(target.path, 'br');
  const gzip = await fetchBytes(target.path, 'gzip');
  const brOnceMs = await medianMs(() => compress(plain, 'br', 'once'));
  const brKeptMs = await medianMs(() => compress(plain, 'br', 'kept'));
  const gzipOnceMs = await medianMs(() => compress(plain, 'gzip', 'once'));
  const result = {
    ...target,
    plainBytes: plain.byteLength,
    brBytes: br.byteLength,
    gzipBytes: gzip.byteLength,
    brRatio: br.byteLength / plain.byteLength,
    gzipRatio: gzip.byteLength / plain.byteLength,
    compressMs: { brOnce: brOnceMs, brKept: brKeptMs, gzipOnce: gzipOnceMs },
  };
  results.push(result);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  rows.push([
    `${target.name} (${target.path.length > 40 ? `${target.path.slice(0, 39)}…` : target.path})`,
    kb(plain.byteLength),
    kb(gzip.byteLength),
    kb(br.byteLength),
    `${(result.brRatio * 100).toFixed(0)}%`,
    fmt.ms(brOnceMs),
    fmt.ms(brKeptMs),
    fmt.ms(gzipOnceMs),
  ]);
}

process.stdout.write(`${loadLine()}\ndemo data, ${repeat} runs per compression timing\n\n`);
process.stdout.write(
  `${formatTable(['address', 'plain', 'gzip', 'br', 'br/plain', 'br once ms', 'br kept ms', 'gzip once ms'], rows)}\n`,
);
const path = writeResult('weight', { repeat, results });
process.stdout.write(`\nwritten to ${path}\n`);
store.close();
rmSync(outbox, { recursive: true, force: true });
