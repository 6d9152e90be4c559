/**
 * `npm run bench:http`: requests/s and latency of the busiest routes, with a real archive loaded.
 * The server runs in its own process (`paperboy serve`); autocannon loads it over loopback from this one.
 *
 *   npm run bench:http -- [--duration 10] [--connections 10] [--warmup 1] [--data PATH] [--only KEYS] [--cpu-prof] [--keep]
 *     [--backend sqlite|postgres|both] [--postgres-url URL (default $PAPERBOY_TEST_POSTGRES_URL)]
 *
 * --backend both measures SQLite and then PostgreSQL (a fresh database on the server, dropped afterwards) in one
 * run and prints them side by side. A PostgreSQL server without pgvector serves lexical search only (no model is
 * trained for it); the output says so.
 *
 * --only takes target keys, comma-separated (day-html, day-api, week-api, paper-html): handy with --cpu-prof.
 * --cpu-prof writes the server's V8 CPU profile into bench/results/ (open it in Chrome DevTools).
 */
import autocannon from 'autocannon';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openStore } from '../src/store/open-store.ts';
import { addDays, weekOf } from '../src/domain/periods.ts';
import {
  CLI,
  NODE,
  REPO,
  RESULTS_DIR,
  SHARED_DATA,
  fmt,
  formatTable,
  loadLine,
  procCpuSeconds,
  procMemory,
  runChild,
  shortPath,
  startServer,
  summarizeLatencies,
  verdict,
  writeResult,
  type LatencySummary,
} from './lib.ts';

/** The goals from the issue. */
const GOALS = { api: 1500, html: 800, p99Ms: 50 };

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1' },
    data: { type: 'string' },
    only: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'sqlite' },
    'postgres-url': { type: 'string', default: process.env.PAPERBOY_TEST_POSTGRES_URL },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    'usage: npm run bench:http -- [--duration S] [--connections N] [--warmup S] [--data PATH] [--only KEYS] [--cpu-prof] [--keep] [--backend sqlite|postgres|both] [--postgres-url URL]\n',
  );
  process.exit(0);
}
const duration = Number(flags.duration);
const connections = Number(flags.connections);
const warmup = Number(flags.warmup);
const TARGET_KEYS = [
  'day-html',
  'days-html',
  'day-api',
  'week-api',
  'paper-html',
  'trending-html',
  'trending-api',
] as const;
type TargetKey = (typeof TARGET_KEYS)[number];
const BACKENDS = { sqlite: ['sqlite'], postgres: ['postgres'], both: ['sqlite', 'postgres'] } as const;
type Backend = 'sqlite' | 'postgres';
const backends: readonly Backend[] | undefined = BACKENDS[flags.backend as keyof typeof BACKENDS];
if (!backends) {
  process.stderr.write('bench:http: --backend takes sqlite, postgres or both\n');
  process.exit(2);
}
const only = flags.only === undefined ? null : flags.only.split(',').map((k) => k.trim());
const unknownKeys = only?.filter((k) => !TARGET_KEYS.some((known) => known === k)) ?? [];
if (!(duration > 0) || !Number.isInteger(connections) || connections < 1 || !(warmup >= 0) || unknownKeys.length) {
  process.stderr.write(
    `bench:http: --duration and --warmup take seconds, --connections a whole number >= 1, --only some of ${TARGET_KEYS.join(',')}\n`,
  );
  process.exit(2);
}

/** The data to load: --data, else the shared archive, else the bundled demo cut (said so). */
function pickData(): { path: string; note: string | null } {
  if (flags.data !== undefined) {
    if (!existsSync(flags.data)) throw new Error(`--data ${flags.data}: no such file`);
    return { path: flags.data, note: null };
  }
  const shared = join(SHARED_DATA, 'hf-daily-papers.tar.gz');
  if (existsSync(shared)) return { path: shared, note: null };
  return {
    path: join(REPO, 'demo/daily-papers-demo.tar.gz'),
    note: `${relative(REPO, shared)} is missing: using the bundled demo cut (~1k papers), not ~10k; figures are not comparable`,
  };
}

interface Target {
  key: TargetKey;
  name: string;
  kind: 'api' | 'html';
  /** The first path; with `rotate`, the connections share a walk through all of them, one path per request. */
  path: string;
  rotate?: string[];
}

interface Preflight {
  status: number;
  bytes: number;
  contentType: string | null;
}

interface TargetResult extends Omit<Target, 'rotate'> {
  /** How many different paths were asked for. */
  distinctPaths: number;
  preflight: Preflight;
  seconds: number;
  responses: number;
  requestsPerSecond: number;
  latencyMs: LatencySummary;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  bytesPerResponse: number;
  /** Share of one core that the server process used while measured (1 = one core busy). */
  serverCpu: number | null;
  verdicts: { requestsPerSecond: 'PASS' | 'MISS' | 'N/A'; p99: 'PASS' | 'MISS' | 'N/A' };
}

interface Routes {
  day: string;
  entries: number;
  week: string;
  paperId: string;
  papers: number;
  /** Every day with papers, oldest first. */
  days: string[];
}

/** Through the Store interface: the day with the most daily entries, its ISO week, its most upvoted paper, all days. */
async function pickRoutes(databasePath: string): Promise<Routes> {
  const store = await openStore(databasePath);
  try {
    const stats = await store.stats();
    if (!stats.firstDay || !stats.lastDay) throw new Error('the imported database has no daily entries');
    let best = { day: stats.lastDay, entries: 0 };
    const days: string[] = [];
    for (let day = stats.firstDay; day <= stats.lastDay; day = addDays(day, 1)) {
      const entries = await store.countDaily({ firstDay: day, lastDay: day });
      if (entries > 0) days.push(day);
      if (entries > best.entries) best = { day, entries };
    }
    const [top] = await store.listDaily({
      firstDay: best.day,
      lastDay: best.day,
      sort: 'upvotes',
      offset: 0,
      limit: 1,
    });
    if (!top) throw new Error(`no paper on ${best.day}`);
    return { ...best, week: weekOf(best.day).label, paperId: top.paper.id, papers: stats.papers, days };
  } finally {
    await store.close();
  }
}

async function preflight(url: string): Promise<Preflight> {
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  return { status: response.status, bytes: body.byteLength, contentType: response.headers.get('content-type') };
}

async function measure(baseUrl: string, target: Target, serverPid: number): Promise<TargetResult> {
  const url = baseUrl + target.path;
  const pre = await preflight(url);
  const paths = target.rotate;
  let next = 0;
  const options: autocannon.Options = {
    url,
    connections,
    duration,
    title: target.name,
    requests: paths
      ? [{ setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length]! }) }]
      : undefined,
  };
  if (warmup > 0) await autocannon({ ...options, duration: warmup });

  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let bytes = 0;
  const cpuBefore = procCpuSeconds(serverPid);
  const run = autocannon(options);
  run.on('response', (_client: unknown, status: number, resBytes: number, ms: number) => {
    latencies.push(ms);
    statusCodes[status] = (statusCodes[status] ?? 0) + 1;
    bytes += resBytes;
  });
  const result = await run;
  const cpuAfter = procCpuSeconds(serverPid);

  const twoXx = Object.entries(statusCodes)
    .filter(([code]) => code.startsWith('2'))
    .reduce((n, [, c]) => n + c, 0);
  const latencyMs = summarizeLatencies(latencies);
  const requestsPerSecond = latencies.length / result.duration;
  const floor = target.kind === 'api' ? GOALS.api : GOALS.html;
  const { rotate, ...described } = target;
  return {
    ...described,
    distinctPaths: rotate?.length ?? 1,
    preflight: pre,
    seconds: result.duration,
    responses: latencies.length,
    requestsPerSecond,
    latencyMs,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    bytesPerResponse: latencies.length ? bytes / latencies.length : 0,
    serverCpu: cpuBefore !== null && cpuAfter !== null ? (cpuAfter - cpuBefore) / result.duration : null,
    // A route that answers no 2xx has not been measured as the page it should be.
    verdicts:
      twoXx === 0
        ? { requestsPerSecond: 'N/A', p99: 'N/A' }
        : { requestsPerSecond: verdict(requestsPerSecond >= floor), p99: verdict(latencyMs.p99 < GOALS.p99Ms) },
  };
}

interface BackendRun {
  backend: Backend;
  note: string | null;
  routes: Routes;
  importSummary: string[];
  importFailedFiles: number;
  results: TargetResult[];
  server: {
    peakRssBytes: number | null;
    rssAtEndBytes: number | null;
    readyMs: number;
    settledMs: number;
    longestStartupStallMs: number;
  };
}

const out = (s = '') => process.stdout.write(`${s}\n`);

/** A fresh database for one run: a SQLite file in the work folder, or a new database on the PostgreSQL server. */
async function freshDatabase(backend: Backend, workDir: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (backend === 'sqlite') return { url: join(workDir, 'bench.db'), drop: async () => {} };
  const serverUrl = flags['postgres-url'];
  if (!serverUrl) throw new Error('--backend postgres needs --postgres-url (or PAPERBOY_TEST_POSTGRES_URL)');
  const name = `paperboy_bench_http_${process.pid}`;
  const admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function runBackend(backend: Backend, data: { path: string }, workDir: string): Promise<BackendRun> {
  const database = await freshDatabase(backend, workDir);
  try {
    const databasePath = database.url;
    out(`[${backend}] importing ${shortPath(data.path)} ...`);
    const imported = await runChild(NODE, [CLI, 'import', data.path, '--database-url', databasePath]);
    const summary = imported.stdout.split('\n').filter((l) => l && !l.startsWith('error:'));
    const failedFiles = imported.stdout.split('\n').filter((l) => l.startsWith('error:')).length;
    if (!summary.some((l) => l.startsWith('papers:'))) {
      throw new Error(`import failed (exit ${imported.code}):\n${imported.stdout}${imported.stderr}`);
    }
    out(`  ${summary.join(' | ')}${failedFiles ? ` (${failedFiles} files refused, see the import's own output)` : ''}`);

    // The steady state of a running instance: its embedding model trained and every paper embedded. Done here,
    // before the server starts, so that first-start training does not run under the measurement.
    let note: string | null = null;
    const trained = await runChild(NODE, [CLI, 'model', 'train', '--epochs', '2', '--database-url', databasePath]);
    if (trained.code === 0) {
      out(
        `  embedding model trained and papers embedded in ${trained.seconds.toFixed(1)} s (as a running instance has them)`,
      );
    } else if (backend === 'postgres' && /pgvector/i.test(trained.stdout + trained.stderr)) {
      note = 'the PostgreSQL server has no pgvector: lexical search only, no model';
      out(`  NOTE: ${note}`);
    } else {
      throw new Error(`model train failed (exit ${trained.code}):\n${trained.stdout}${trained.stderr}`);
    }

    const routes = await pickRoutes(databasePath);
    out(
      `  ${routes.papers.toLocaleString('en-US')} papers; busiest day ${routes.day} (${routes.entries} papers), week ${routes.week}, paper ${routes.paperId}`,
    );
    const targets = allTargets(routes).filter((t) => only === null || only.includes(t.key));

    const nodeFlags = flags['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', RESULTS_DIR] : [];
    const semantic = process.env.SEMANTIC_SEARCH;
    if (note) process.env.SEMANTIC_SEARCH = '0';
    const server = await startServer(databasePath, nodeFlags).finally(() => {
      if (semantic === undefined) delete process.env.SEMANTIC_SEARCH;
      else process.env.SEMANTIC_SEARCH = semantic;
    });
    out(
      `  server pid ${server.pid} at ${server.url}${flags['cpu-prof'] ? ` (CPU profile into ${relative(REPO, RESULTS_DIR)}/)` : ''}`,
    );
    out(
      `  answered /healthz after ${fmt.s(server.readyMs / 1000)}, settled after ${fmt.s(server.settledMs / 1000)}; ` +
        `slowest /healthz while settling: ${fmt.ms(server.longestStallMs)} ms${server.longestStallMs > 1000 ? ' (start-up work blocks requests)' : ''}`,
    );
    const results: TargetResult[] = [];
    let peakRss: number | null = null;
    let rssAtEnd: number | null = null;
    try {
      for (const target of targets) {
        process.stderr.write(
          `  measuring ${target.path}${target.rotate ? ` and ${target.rotate.length - 1} more` : ''} ...\n`,
        );
        results.push(await measure(server.url, target, server.pid));
      }
      peakRss = procMemory(server.pid, 'VmHWM');
      rssAtEnd = procMemory(server.pid, 'VmRSS');
    } finally {
      await server.stop();
    }
    printResults(backend, results, peakRss, rssAtEnd, server.logTail());
    return {
      backend,
      note,
      routes,
      importSummary: summary,
      importFailedFiles: failedFiles,
      results,
      server: {
        peakRssBytes: peakRss,
        rssAtEndBytes: rssAtEnd,
        readyMs: server.readyMs,
        settledMs: server.settledMs,
        longestStartupStallMs: server.longestStallMs,
      },
    };
  } finally {
    await database.drop();
  }
}

function allTargets(routes: Routes): Target[] {
  return [
    { key: 'day-html', name: 'day page (HTML)', kind: 'html', path: `/papers/date/${routes.day}` },
    {
      key: 'days-html',
      name: `day pages, ${routes.days.length} days`,
      kind: 'html',
      path: `/papers/date/${routes.days[0]}`,
      rotate: routes.days.map((d) => `/papers/date/${d}`),
    },
    { key: 'day-api', name: 'daily_papers?date', kind: 'api', path: `/api/daily_papers?date=${routes.day}` },
    { key: 'week-api', name: 'daily_papers?week', kind: 'api', path: `/api/daily_papers?week=${routes.week}` },
    { key: 'paper-html', name: 'paper page (HTML)', kind: 'html', path: `/papers/${routes.paperId}` },
    { key: 'trending-html', name: 'trending page (HTML)', kind: 'html', path: '/papers/trending' },
    {
      key: 'trending-api',
      name: 'daily_papers?week&sort=trending',
      kind: 'api',
      path: `/api/daily_papers?week=${routes.week}&sort=trending`,
    },
  ];
}

function printResults(
  backend: Backend,
  results: TargetResult[],
  peakRss: number | null,
  rssAtEnd: number | null,
  tail: string[],
): void {
  out();
  out(`[${backend}]`);
  out(
    formatTable(
      [
        'target',
        'req/s',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'errors',
        'non-2xx',
        'KiB/resp',
        'server CPU',
        'status',
      ],
      results.map((r) => [
        r.name,
        fmt.int(r.requestsPerSecond),
        fmt.ms(r.latencyMs.p50),
        fmt.ms(r.latencyMs.p90),
        fmt.ms(r.latencyMs.p99),
        fmt.ms(r.latencyMs.max),
        fmt.int(r.errors),
        fmt.int(r.non2xx),
        (r.bytesPerResponse / 1024).toFixed(1),
        r.serverCpu === null ? '-' : `${Math.round(r.serverCpu * 100)}%`,
        String(r.preflight.status),
      ]),
    ),
  );
  out();
  out(`targets (from the issue): API >= ${GOALS.api} req/s, HTML page >= ${GOALS.html} req/s, p99 < ${GOALS.p99Ms} ms`);
  out(
    formatTable(
      ['target', 'req/s', 'target', 'verdict', 'p99 ms', 'target', 'verdict'],
      results.map((r) => [
        r.name,
        fmt.int(r.requestsPerSecond),
        `>= ${r.kind === 'api' ? GOALS.api : GOALS.html}`,
        r.verdicts.requestsPerSecond,
        fmt.ms(r.latencyMs.p99),
        `< ${GOALS.p99Ms}`,
        r.verdicts.p99,
      ]),
    ),
  );
  for (const r of results.filter((x) => x.distinctPaths > 1)) {
    out(
      `${r.name}: each request asks for the next of ${r.distinctPaths} days, so a server-side page cache smaller than that rarely hits`,
    );
  }
  for (const r of results.filter((x) => x.verdicts.p99 === 'N/A')) {
    out(
      `N/A: ${r.name} got no 2xx response while measured (first answer ${r.preflight.status}, ${r.errors} errors, ` +
        `${r.timeouts} timeouts): the route is missing, broken or the server stalled`,
    );
  }
  out();
  out(`server peak RSS (VmHWM): ${fmt.mib(peakRss)}, RSS at end: ${fmt.mib(rssAtEnd)}`);
  if (tail.length) out(`server log (warn and above), last ${tail.length} lines:\n  ${tail.join('\n  ')}`);
}

/** Both backends in one table: same data, same machine, same minutes. */
function printSideBySide(runs: BackendRun[]): void {
  if (runs.length < 2) return;
  out();
  out('side by side');
  const names = runs[0]!.results.map((r) => r.name);
  out(
    formatTable(
      ['target', ...runs.flatMap((r) => [`${r.backend} req/s`, `${r.backend} p99 ms`])],
      names.map((name) => [
        name,
        ...runs.flatMap((run) => {
          const r = run.results.find((x) => x.name === name);
          return r ? [fmt.int(r.requestsPerSecond), fmt.ms(r.latencyMs.p99)] : ['-', '-'];
        }),
      ]),
    ),
  );
}

async function main(): Promise<void> {
  const data = pickData();
  const workDir = mkdtempSync(join(tmpdir(), 'paperboy-bench-http-'));
  try {
    out(
      `Paperboy HTTP benchmark: ${duration} s per target after ${warmup} s warm-up, ${connections} connections, loopback`,
    );
    out(loadLine());
    if (data.note) out(`NOTE: ${data.note}`);
    const runs: BackendRun[] = [];
    for (const backend of backends!) runs.push(await runBackend(backend, data, workDir));
    printSideBySide(runs);
    const path = writeResult('http', {
      settings: {
        duration,
        warmup,
        connections,
        data: data.path,
        dataNote: data.note,
        cpuProfile: flags['cpu-prof'],
        backends,
      },
      goals: GOALS,
      runs: runs.map((run) => ({ ...run, routes: { ...run.routes, days: run.routes.days.length } })),
    });
    out(`results: ${shortPath(path)}`);
  } finally {
    if (flags.keep) out(`kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench:http: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
