/**
 * `npm run bench:votes`: upvotes per second against a real server process over loopback, with many members
 * voting concurrently (a) on one paper, the hottest row there is, and (b) across the papers of a week.
 * Every vote toggles; at the end the API's counts must equal what the answers imply, exactly.
 *
 *   npm run bench:votes -- [--members 200] [--connections 50] [--seconds 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CLI,
  NODE,
  REPO,
  fmt,
  formatTable,
  loadLine,
  procMemory,
  runChild,
  startServer,
  summarizeLatencies,
  watchPeakRss,
  writeResult,
} from './lib.ts';
import {
  apiUpvotes,
  castVote,
  expectedGains,
  signInMembers,
  type HttpMember,
  type VoteResultRow,
} from '../test/vote-load.ts';

const { values: flags } = parseArgs({
  options: {
    members: { type: 'string', default: '200' },
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
  },
});
const memberCount = Number(flags.members);
const connections = Number(flags.connections);
const seconds = Number(flags.seconds);

interface ScenarioResult {
  scenario: string;
  votes: number;
  votesPerSecond: number;
  latencyMs: ReturnType<typeof summarizeLatencies>;
  errors: number;
  papers: number;
  exact: boolean;
  mismatches: { paperId: string; expected: number; actual: number }[];
}

/**
 * `connections` loops voting until the time is up. Each loop has its own members and cycles through them, so a
 * member never has two votes in flight: the order of a member's answers is the order the server applied them,
 * which is what makes the expected final counts exact.
 */
async function runScenario(
  name: string,
  url: string,
  members: HttpMember[],
  pick: (i: number) => string,
): Promise<ScenarioResult> {
  const papers = [...new Set(Array.from({ length: 10_000 }, (_, i) => pick(i)))];
  const before = new Map(await Promise.all(papers.map(async (id) => [id, await apiUpvotes(url, id)] as const)));
  const rows: VoteResultRow[] = [];
  const deadline = performance.now() + seconds * 1000;
  let turn = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(connections, members.length) }, async (_, loop) => {
      for (let round = 0; performance.now() < deadline; round++) {
        const memberIndex = loop + connections * (round % Math.ceil((members.length - loop) / connections));
        rows.push(await castVote(url, members[memberIndex]!, memberIndex, pick(turn++)));
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const gains = expectedGains(rows);
  const mismatches: ScenarioResult['mismatches'] = [];
  for (const id of papers) {
    const expected = before.get(id)! + (gains.get(id) ?? 0);
    const actual = await apiUpvotes(url, id);
    if (actual !== expected) mismatches.push({ paperId: id, expected, actual });
  }
  const ok = rows.filter((r) => r.status === 200);
  return {
    scenario: name,
    votes: ok.length,
    votesPerSecond: ok.length / elapsed,
    latencyMs: summarizeLatencies(ok.map((r) => r.ms)),
    errors: rows.length - ok.length,
    papers: papers.length,
    exact: mismatches.length === 0,
    mismatches,
  };
}

async function main(): Promise<void> {
  const out = (s = '') => process.stdout.write(`${s}\n`);
  const workDir = mkdtempSync(join(tmpdir(), 'paperboy-bench-votes-'));
  const databasePath = join(workDir, 'bench.db');
  const outboxDir = join(workDir, 'outbox');
  // Rate limits are for people; the benchmark measures the store and the server, so they are raised.
  Object.assign(process.env, { OUTBOX_DIR: outboxDir, PAPERBOY_RATE_LIMIT_FACTOR: '100000', SEMANTIC_SEARCH: '0' });
  try {
    out(
      `Paperboy vote benchmark: ${memberCount} members, ${connections} concurrent clients, ${seconds} s per scenario, loopback`,
    );
    out(loadLine());
    const imported = await runChild(NODE, [
      CLI,
      'import',
      join(REPO, 'demo/daily-papers-demo.tar.gz'),
      '--database-url',
      databasePath,
    ]);
    if (imported.code !== 0) throw new Error(`import failed:\n${imported.stdout}${imported.stderr}`);
    const server = await startServer(databasePath, [], 2_000);
    const peak = watchPeakRss(server.pid);
    let results: ScenarioResult[];
    try {
      const signInStarted = performance.now();
      const members = await signInMembers(server.url, outboxDir, memberCount);
      out(
        `signed in ${members.length} members through the email-link flow in ${fmt.s((performance.now() - signInStarted) / 1000)}`,
      );
      const week = (await (await fetch(`${server.url}/api/daily_papers?limit=100`)).json()) as {
        paper: { id: string };
      }[];
      const ids = week.map((item) => item.paper.id);
      // The expected counts assume nobody voted before the scenario, so the two scenarios use different papers.
      const [hot, ...others] = ids;
      results = [
        await runScenario('one paper', server.url, members, () => hot!),
        await runScenario(
          `across ${others.length} papers`,
          server.url,
          members,
          (i) => others[(i * 7919) % others.length]!,
        ),
      ];
    } finally {
      await server.stop();
    }
    const peakRss = peak.stop() ?? procMemory(server.pid, 'VmHWM');
    out();
    out(
      formatTable(
        ['scenario', 'votes', 'votes/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'counts exact'],
        results.map((r) => [
          r.scenario,
          fmt.int(r.votes),
          fmt.int(r.votesPerSecond),
          fmt.ms(r.latencyMs.p50),
          fmt.ms(r.latencyMs.p90),
          fmt.ms(r.latencyMs.p99),
          fmt.ms(r.latencyMs.max),
          String(r.errors),
          r.exact ? 'yes' : `NO (${r.mismatches.length} papers)`,
        ]),
      ),
    );
    out(`server peak RSS ${fmt.mib(peakRss)}`);
    const path = writeResult('votes', {
      members: memberCount,
      connections,
      seconds,
      results,
      serverPeakRssBytes: peakRss,
    });
    out(`results: ${path}`);
    if (results.some((r) => !r.exact || r.errors > 0)) process.exitCode = 1;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
