/**
 * `npm run bench:import`: times `paperboy import` of the shared archives, each in its own process.
 *
 *   npm run bench:import -- [--tar] [--reimport] [--jsonl] [--data-dir DIR] [--keep]
 *     [--backend sqlite|postgres] [--postgres-url URL]
 *
 * With none of --tar, --reimport, --jsonl all three run. With --backend postgres each part runs on SQLite and then
 * on PostgreSQL (a fresh database each), and papers/s are printed side by side; without --postgres-url (or
 * PAPERBOY_TEST_POSTGRES_URL) the bench starts a throw-away embedded PostgreSQL (bench/postgres.ts) and ends it.
 * Exits non-zero if a picked part could not run.
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
import { benchPostgres, dropDatabase, freshDatabase, postgresDatabaseSize, type BenchPostgres } from './postgres.ts';

const TIME = '/usr/bin/time';

const { values: flags } = parseArgs({
  options: {
    tar: { type: 'boolean', default: false },
    reimport: { type: 'boolean', default: false },
    jsonl: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: SHARED_DATA },
    keep: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'sqlite' },
    'postgres-url': { type: 'string', default: process.env.PAPERBOY_TEST_POSTGRES_URL },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    'usage: npm run bench:import -- [--tar] [--reimport] [--jsonl] [--data-dir DIR] [--keep] [--backend sqlite|postgres] [--postgres-url URL]\n',
  );
  process.exit(0);
}
if (flags.backend !== 'sqlite' && flags.backend !== 'postgres') {
  process.stderr.write(`bench:import: --backend is sqlite or postgres, not ${flags.backend}\n`);
  process.exit(2);
}
type Backend = 'sqlite' | 'postgres';

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
  backend: Backend;
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

/** Where one part's import goes: a SQLite file in the work folder, or a database on the PostgreSQL server. */
interface Target {
  backend: Backend;
  /** What `paperboy import --database-url` takes. */
  url: string;
  size(): Promise<number>;
}

async function runPart(part: Part, target: Target): Promise<PartResult> {
  const base: PartResult = {
    part: part.key,
    backend: target.backend,
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
  const { run, peakRss, source, cpuSeconds } = await timedImport(part.file, target.url);
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
    databaseBytes: await target.size(),
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

/** The database of a part on a backend: the re-import part reuses the one its tar.gz part filled. */
async function targetOf(
  backend: Backend,
  part: Part,
  workDir: string,
  postgres: BenchPostgres | null,
  fresh: boolean,
): Promise<Target> {
  if (backend === 'sqlite') {
    const path = join(workDir, part.database);
    return { backend, url: path, size: async () => databaseSize(path) };
  }
  const name = `bench_import_${part.database.replace('.db', '')}_${process.pid}`;
  const url = fresh ? await freshDatabase(postgres!.url, name) : new URL(`/${name}`, postgres!.url).toString();
  return { backend, url, size: () => postgresDatabaseSize(url) };
}

async function main(): Promise<number> {
  const picked = PARTS.filter((p) => flags[p.key]);
  const parts = picked.length ? picked : PARTS;
  const backends: Backend[] = flags.backend === 'postgres' ? ['sqlite', 'postgres'] : ['sqlite'];
  const workDir = mkdtempSync(join(tmpdir(), 'paperboy-bench-import-'));
  const out = (s = '') => process.stdout.write(`${s}\n`);
  const results: PartResult[] = [];
  let postgres: BenchPostgres | null = null;
  const databases = new Set<string>();
  try {
    out(
      `Paperboy import benchmark: each import is its own process (${existsSync(TIME) ? '/usr/bin/time -v' : 'VmHWM polling'} for peak RSS)`,
    );
    out(loadLine());
    if (backends.includes('postgres')) {
      postgres = await benchPostgres(flags['postgres-url']);
      out(`postgres: ${postgres.label}`);
    }
    const target = async (backend: Backend, part: Part, fresh: boolean) => {
      const made = await targetOf(backend, part, workDir, postgres, fresh);
      if (backend === 'postgres') databases.add(new URL(made.url).pathname.slice(1));
      return made;
    };
    if (parts.some((p) => p.key === 'reimport') && !parts.some((p) => p.key === 'tar')) {
      // A re-import needs the first import; done untimed.
      const tar = PARTS[0]!;
      if (existsSync(tar.file)) {
        for (const backend of backends) {
          out(`preparing the re-import on ${backend}: untimed first import of ${shortPath(tar.file)} ...`);
          const made = await target(backend, tar, true);
          await runChild(NODE, [CLI, 'import', tar.file, '--database-url', made.url]);
        }
      }
    }
    for (const part of parts) {
      for (const backend of backends) {
        const made = await target(backend, part, part.key !== 'reimport');
        out(`${part.name} [${backend}]: ${shortPath(part.file)} -> ${made.url} ...`);
        const result = await runPart(part, made);
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
    }
  } finally {
    if (flags.keep) out(`kept ${workDir}${databases.size ? ` and databases ${[...databases].join(', ')}` : ''}`);
    else {
      rmSync(workDir, { recursive: true, force: true });
      if (postgres) for (const name of databases) await dropDatabase(postgres.url, name).catch(() => undefined);
    }
    await postgres?.stop();
  }

  out();
  out(
    formatTable(
      ['import', 'backend', 'status', 'wall', 'CPU', 'papers', 'papers/s', 'peak RSS', 'DB size', 'target', 'verdict'],
      results.map((r) => [
        r.name,
        r.backend,
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
  const sideBySide = parts.flatMap((part) => {
    const rate = (backend: Backend) =>
      results.find((r) => r.part === part.key && r.backend === backend)?.papersPerSecond ?? null;
    const sqlite = rate('sqlite');
    const pgRate = rate('postgres');
    return backends.length < 2
      ? []
      : [
          {
            part: part.key,
            name: part.name,
            sqlitePapersPerSecond: sqlite,
            postgresPapersPerSecond: pgRate,
            postgresOverSqlite: sqlite && pgRate ? pgRate / sqlite : null,
          },
        ];
  });
  if (sideBySide.length) {
    out();
    out(
      formatTable(
        ['import', 'SQLite papers/s', 'PostgreSQL papers/s', 'PostgreSQL / SQLite', 'PostgreSQL ≥ 5,000/s'],
        sideBySide.map((r) => [
          r.name,
          fmt.int(r.sqlitePapersPerSecond),
          fmt.int(r.postgresPapersPerSecond),
          r.postgresOverSqlite === null ? '-' : r.postgresOverSqlite.toFixed(2),
          r.postgresPapersPerSecond === null ? '-' : verdict(r.postgresPapersPerSecond >= 5_000),
        ]),
      ),
    );
  }
  out(loadLine());
  const path = writeResult('import', { dataDir, postgres: postgres?.label ?? null, results, sideBySide });
  out(`results: ${shortPath(path)}`);
  return results.some((r) => r.status !== 'ok') ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`bench:import: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
