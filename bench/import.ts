/**
 * `npm run bench:import`: times `paperboy import` of the shared archives, each in its own process.
 *
 *   npm run bench:import -- [--tar] [--reimport] [--jsonl] [--data-dir DIR] [--keep]
 *
 * With none of --tar, --reimport, --jsonl all three run. Exits non-zero if a picked part could not run.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CLI,
  NODE,
  SHARED_DATA,
  databaseSize,
  fmt,
  formatTable,
  loadLine,
  runChild,
  shortPath,
  verdict,
  writeResult,
  type ChildRun,
} from './lib.ts';

const TIME = '/usr/bin/time';

const { values: flags } = parseArgs({
  options: {
    tar: { type: 'boolean', default: false },
    reimport: { type: 'boolean', default: false },
    jsonl: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: SHARED_DATA },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write('usage: npm run bench:import -- [--tar] [--reimport] [--jsonl] [--data-dir DIR] [--keep]\n');
  process.exit(0);
}

interface Part {
  key: 'tar' | 'reimport' | 'jsonl';
  name: string;
  file: string;
  /** The database file in the work folder: the re-import reuses the one the tar.gz part filled. */
  database: 'tar.db' | 'jsonl.db';
  targetSeconds: number | null;
}

const dataDir = flags['data-dir'];
const PARTS: Part[] = [
  {
    key: 'tar',
    name: 'tar.gz, fresh DB',
    file: join(dataDir, 'hf-daily-papers.tar.gz'),
    database: 'tar.db',
    targetSeconds: 30,
  },
  {
    key: 'reimport',
    name: 'tar.gz, re-import',
    file: join(dataDir, 'hf-daily-papers.tar.gz'),
    database: 'tar.db',
    targetSeconds: null,
  },
  {
    key: 'jsonl',
    name: '133k JSONL, fresh DB',
    file: join(dataDir, 'arxiv-papers-133k.jsonl.gz'),
    database: 'jsonl.db',
    targetSeconds: 60,
  },
];

interface PartResult {
  part: Part['key'];
  name: string;
  file: string;
  status: 'ok' | 'missing data' | 'failed';
  message: string | null;
  cliExitCode: number | null;
  wallSeconds: number | null;
  /** User + system CPU seconds of the import (from time -v): steadier than wall time on a busy machine. */
  cpuSeconds: number | null;
  /** New + updated + unchanged papers. */
  papers: number | null;
  /** Papers per second of wall-clock time, process start to exit (Node start-up included). */
  papersPerSecond: number | null;
  peakRssBytes: number | null;
  peakRssSource: '/usr/bin/time -v' | 'VmHWM polling' | null;
  databaseBytes: number | null;
  summary: string[];
  failedFiles: number;
  target: string | null;
  verdict: 'PASS' | 'MISS' | null;
}

/** `paperboy import FILE --database-url DB` under /usr/bin/time -v where it exists (else VmHWM polling). */
interface TimedRun {
  run: ChildRun;
  peakRss: number | null;
  source: PartResult['peakRssSource'];
  cpuSeconds: number | null;
}

async function timedImport(file: string, databasePath: string): Promise<TimedRun> {
  const args = [CLI, 'import', file, '--database-url', databasePath];
  if (!existsSync(TIME)) {
    const run = await runChild(NODE, args);
    return { run, peakRss: run.peakRss, source: 'VmHWM polling', cpuSeconds: null };
  }
  const run = await runChild(TIME, ['-v', NODE, ...args]);
  // time -v reports on stderr, after whatever the command wrote there.
  const field = (name: string) => {
    const match = new RegExp(`${name}: ([\\d.]+)`).exec(run.stderr);
    return match ? Number(match[1]) : null;
  };
  const kb = field('Maximum resident set size \\(kbytes\\)');
  const user = field('User time \\(seconds\\)');
  const system = field('System time \\(seconds\\)');
  return {
    run,
    peakRss: kb === null ? run.peakRss : kb * 1024,
    source: kb === null ? 'VmHWM polling' : '/usr/bin/time -v',
    cpuSeconds: user === null || system === null ? null : user + system,
  };
}

async function runPart(part: Part, databasePath: string): Promise<PartResult> {
  const base: PartResult = {
    part: part.key,
    name: part.name,
    file: part.file,
    status: 'ok',
    message: null,
    cliExitCode: null,
    wallSeconds: null,
    cpuSeconds: null,
    papers: null,
    papersPerSecond: null,
    peakRssBytes: null,
    peakRssSource: null,
    databaseBytes: null,
    summary: [],
    failedFiles: 0,
    target: part.targetSeconds === null ? null : `< ${part.targetSeconds} s`,
    verdict: null,
  };
  if (!existsSync(part.file)) {
    return {
      ...base,
      status: 'missing data',
      message: `${part.file} is missing (the shared data set is not on this machine)`,
    };
  }
  const { run, peakRss, source, cpuSeconds } = await timedImport(part.file, databasePath);
  const lines = run.stdout.split('\n').filter(Boolean);
  const summary = lines.filter((l) => !l.startsWith('error:'));
  const counts = /papers: (\d+) new, (\d+) updated, (\d+) unchanged/.exec(run.stdout);
  const result: PartResult = {
    ...base,
    cliExitCode: run.code,
    wallSeconds: run.seconds,
    cpuSeconds,
    peakRssBytes: peakRss,
    peakRssSource: source,
    databaseBytes: databaseSize(databasePath),
    summary,
    failedFiles: lines.length - summary.length,
  };
  if (!counts) {
    const stderr = run.stderr
      .split('\n')
      .filter((l) => !/^\s/.test(l) && !l.startsWith('Command '))
      .join('\n')
      .trim();
    return {
      ...result,
      status: 'failed',
      message: `no summary from the CLI (exit ${run.code ?? run.signal}): ${stderr.slice(0, 2000)}`,
    };
  }
  const papers = Number(counts[1]) + Number(counts[2]) + Number(counts[3]);
  return {
    ...result,
    papers,
    papersPerSecond: papers / run.seconds,
    verdict: part.targetSeconds === null ? null : verdict(run.seconds < part.targetSeconds),
  };
}

async function main(): Promise<number> {
  const picked = PARTS.filter((p) => flags[p.key]);
  const parts = picked.length ? picked : PARTS;
  const workDir = mkdtempSync(join(tmpdir(), 'paperboy-bench-import-'));
  const out = (s = '') => process.stdout.write(`${s}\n`);
  const results: PartResult[] = [];
  try {
    out(
      `Paperboy import benchmark: each import is its own process (${existsSync(TIME) ? '/usr/bin/time -v' : 'VmHWM polling'} for peak RSS)`,
    );
    out(loadLine());
    if (parts.some((p) => p.key === 'reimport') && !parts.some((p) => p.key === 'tar')) {
      // A re-import needs the first import; done untimed.
      const tar = PARTS[0]!;
      if (existsSync(tar.file)) {
        out(`preparing the re-import: untimed first import of ${shortPath(tar.file)} ...`);
        await runChild(NODE, [CLI, 'import', tar.file, '--database-url', join(workDir, tar.database)]);
      }
    }
    for (const part of parts) {
      const databasePath = join(workDir, part.database);
      out(`${part.name}: ${shortPath(part.file)} -> ${databasePath} ...`);
      const result = await runPart(part, databasePath);
      results.push(result);
      if (result.message) out(`  ${result.status.toUpperCase()}: ${result.message}`);
      for (const line of result.summary) out(`  | ${line}`);
      if (result.failedFiles) out(`  | (${result.failedFiles} "error:" lines for refused files not shown)`);
      if (result.cliExitCode !== null && result.cliExitCode !== 0) {
        out(
          `  CLI exit code ${result.cliExitCode}${result.failedFiles ? ' (it exits 1 when any file is refused)' : ''}`,
        );
      }
    }
  } finally {
    if (flags.keep) out(`kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }

  out();
  out(
    formatTable(
      ['import', 'status', 'wall', 'CPU', 'papers', 'papers/s', 'peak RSS', 'DB size', 'target', 'verdict'],
      results.map((r) => [
        r.name,
        r.status,
        r.wallSeconds === null ? '-' : fmt.s(r.wallSeconds),
        r.cpuSeconds === null ? '-' : fmt.s(r.cpuSeconds),
        fmt.int(r.papers),
        fmt.int(r.papersPerSecond),
        fmt.mib(r.peakRssBytes),
        fmt.mib(r.databaseBytes),
        r.target ?? '-',
        r.verdict ?? '-',
      ]),
    ),
  );
  const path = writeResult('import', { dataDir, results });
  out(`results: ${shortPath(path)}`);
  return results.some((r) => r.status !== 'ok') ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`bench:import: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
