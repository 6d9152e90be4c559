/** Helpers shared by the benchmarks: paths, percentiles, /proc readings, the server child, tables, JSON results. */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..');
/** The project's Node 24 (the devDependency), not whatever `node` is first on PATH. */
export const NODE = existsSync(join(REPO, 'node_modules/.bin/node'))
  ? join(REPO, 'node_modules/.bin/node')
  : process.execPath;
export const CLI = join(REPO, 'src/cli/main.ts');
export const SHARED_DATA = resolve(REPO, '../shared/data');
export const RESULTS_DIR = join(REPO, 'bench/results');

// ---- statistics ----

/** Nearest-rank percentile (p in 0..100) of values sorted ascending; NaN for no values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarizeLatencies(values: number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

// ---- /proc ----

function procStatus(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
}

/** A `VmXXX:  N kB` field of /proc/<pid>/status in bytes, or null once the process is gone. */
export function procMemory(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(procStatus(pid) ?? '');
  return match ? Number(match[1]) * 1024 : null;
}

/** User + system CPU seconds used so far by a process (fields 14 and 15 of /proc/<pid>/stat, in clock ticks). */
export function procCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Polls VmHWM while a process runs; `stop()` gives the highest value seen. */
export function watchPeakRss(pid: number, everyMs = 100): { stop(): number | null } {
  let peak: number | null = null;
  const sample = () => {
    const hwm = procMemory(pid, 'VmHWM');
    if (hwm !== null) peak = Math.max(peak ?? 0, hwm);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

/** Bytes of a SQLite database with its -wal and -shm files. */
export function databaseSize(path: string): number {
  return ['', '-wal', '-shm'].reduce(
    (sum, suffix) => sum + (existsSync(path + suffix) ? statSync(path + suffix).size : 0),
    0,
  );
}

// ---- child processes ----

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** Peak resident set size in bytes (VmHWM polling), null if never read. */
  peakRss: number | null;
}

/** Runs a command to its end, capturing its output and polling its peak RSS. */
export function runChild(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ChildRun> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const peak = child.pid ? watchPeakRss(child.pid) : null;
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code, signal) =>
      done({
        code,
        signal,
        stdout,
        stderr,
        seconds: (performance.now() - started) / 1000,
        peakRss: peak?.stop() ?? null,
      }),
    );
  });
}

export interface ServerChild {
  url: string;
  pid: number;
  /** Milliseconds from spawn: first 200 from /healthz, and the end of start-up work (see settle()). */
  readyMs: number;
  settledMs: number;
  /** The slowest /healthz answer while settling: how long start-up work blocked requests. */
  longestStallMs: number;
  /** The last lines the server wrote to stderr (its warn/error log). */
  logTail(): string[];
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `paperboy serve` in its own process on a free loopback port, waits until /healthz answers 200, then
 * until it has answered quickly for `quietMs` in a row (work the server does after listening would skew a run).
 */
export async function startServer(
  databasePath: string,
  nodeFlags: string[] = [],
  quietMs = 5_000,
): Promise<ServerChild> {
  const started = performance.now();
  const port = await freePort();
  // PAPERBOY_IMAGES=0: no image fetching in the background of a measurement.
  const child = spawn(
    NODE,
    [
      ...nodeFlags,
      CLI,
      'serve',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--no-demo',
      '--database-url',
      databasePath,
    ],
    {
      cwd: REPO,
      env: { ...process.env, LOG_LEVEL: 'warn', PAPERBOY_IMAGES: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const tail: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    tail.push(...s.split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 20));
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  // Generous: start-up may build indexes or train models before listening, slower still on a busy machine.
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail.join('\n')}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer /healthz within 180 s:\n${tail.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const readyMs = performance.now() - started;
  const { longestStallMs } = await settle(`${url}/healthz`, quietMs, 180_000);
  return {
    url,
    pid: child.pid!,
    readyMs,
    settledMs: performance.now() - started,
    longestStallMs,
    logTail: () => [...tail],
    stop: async () => stopChild(child, exited),
  };
}

/** Probes a URL every 100 ms until it has answered within 50 ms for `quietMs` in a row (or `maxMs` passed). */
async function settle(url: string, quietMs: number, maxMs: number): Promise<{ longestStallMs: number }> {
  const deadline = performance.now() + maxMs;
  let quietSince = performance.now();
  let longestStallMs = 0;
  while (performance.now() - quietSince < quietMs && performance.now() < deadline) {
    const sent = performance.now();
    const ok = await fetch(url, { signal: AbortSignal.timeout(60_000) }).then(
      (r) => r.ok,
      () => false,
    );
    const ms = performance.now() - sent;
    longestStallMs = Math.max(longestStallMs, ms);
    if (!ok || ms > 50) quietSince = performance.now();
    await new Promise((r) => setTimeout(r, 100));
  }
  return { longestStallMs };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// ---- output ----

/** A path as short as it reads well: relative to the working folder when close to it, else absolute. */
export function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('../../') || isAbsolute(rel) ? path : rel;
}

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const fmt = {
  int: (n: number | null) => (n === null || Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US')),
  ms: (n: number) => (Number.isNaN(n) ? '-' : n < 10 ? n.toFixed(2) : n.toFixed(1)),
  mib: (bytes: number | null) => (bytes === null ? '-' : `${(bytes / 1024 / 1024).toFixed(0)} MiB`),
  s: (n: number) => `${n.toFixed(1)} s`,
};

export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  platform: string;
  kernel: string;
  /** 1, 5 and 15 minute load averages when the result was written: other work on the machine skews the figures. */
  loadAverage: number[];
  gitCommit: string | null;
  gitDirty: boolean | null;
}

export function machineFacts(): MachineFacts {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const status = git('status', '--porcelain', '--untracked-files=no');
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    platform: process.platform,
    kernel: release(),
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
    gitCommit: git('rev-parse', 'HEAD'),
    gitDirty: status === null ? null : status !== '',
  };
}

/** Writes bench/results/<name>-<timestamp>.json and returns its path. */
export function writeResult(name: string, data: object): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const date = new Date();
  const path = join(RESULTS_DIR, `${name}-${date.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    path,
    `${JSON.stringify({ benchmark: name, date: date.toISOString(), machine: machineFacts(), ...data }, null, 2)}\n`,
  );
  return path;
}

/** A line on what else keeps the CPUs busy: a benchmark on a shared 2-core machine is only as quiet as the machine. */
export function loadLine(): string {
  const [one = 0, five = 0] = loadavg();
  const busy = one > 0.5 ? ' (other processes are busy: figures will be low and noisy)' : '';
  return `machine: ${cpus().length} CPUs, load average ${one.toFixed(2)} (1 min) ${five.toFixed(2)} (5 min)${busy}`;
}

export function verdict(pass: boolean): 'PASS' | 'MISS' {
  return pass ? 'PASS' : 'MISS';
}
