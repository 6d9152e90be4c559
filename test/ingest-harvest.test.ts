/**
 * End to end: `paperboy ingest arxiv` as a real child process against a local server that replays recorded
 * ListRecords pages with resumption tokens and misbehaves (503 + Retry-After, a truncated body, a dropped
 * connection). The harvester is SIGKILLed mid-run, started again, and the SQLite file must end with exactly the
 * records of the replayed pages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CLI, NODE, REPO_ROOT, tempDir } from './helpers.ts';
import { paginate, recordTrees, startReplayServer, treeId } from './arxiv-replay.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { harvestStateKey } from '../src/ingest/arxiv/harvest-state.ts';
import { lexicalSearch } from '../src/search/lexical/lexical-search.ts';

const CONTACT = 'harvest-test@example.org';

function runHarvester(databasePath: string, oaiUrl: string) {
  const child = spawn(NODE, [CLI, 'ingest', 'arxiv', '--from', '2024-01-25', '--until', '2024-01-26', '--set', 'cs'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databasePath,
      PAPERBOY_OAI_URL: oaiUrl,
      PAPERBOY_CONTACT: CONTACT,
      PAPERBOY_ARXIV_INTERVAL_MS: '60',
      PAPERBOY_ARXIV_BACKOFF_MS: '20',
      PAPERBOY_AUTO_FEATURE: '',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function allPaperIds(store: Store): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listPapers(cursor, 100);
    ids.push(...page.papers.map((p) => p.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids.sort();
}

test('a harvest killed mid-run resumes from its last page and ends with exactly the replayed records', {
  timeout: 60_000,
}, async () => {
  const trees = recordTrees();
  const pages = paginate(trees, 5);
  assert.equal(pages.length, 7);
  const expected = trees.map(treeId).sort();
  const server = await startReplayServer(pages, {
    1: [{ kind: '503', retryAfter: '1' }],
    2: [{ kind: 'truncated' }],
    3: [{ kind: 'drop' }],
    5: [{ kind: 'hang' }],
  });
  const db = join(tempDir(), 'harvest.db');

  // First run: through the faults, then stuck on page 5, where it is killed.
  const first = runHarvester(db, server.url);
  await Promise.race([
    server.hung,
    first.exited.then(() => assert.fail(`harvester exited early:\n${first.output().stderr}`)),
  ]);
  first.child.kill('SIGKILL');
  assert.equal((await first.exited).signal, 'SIGKILL');

  const midway = new SqliteStore(db);
  try {
    const state = await midway.getJobState<{ run: { token: string; pages: number } }>(harvestStateKey('arXiv', 'cs'));
    assert.equal(state?.run.token, 'page-5', 'the state points at the page that was being fetched');
    assert.deepEqual(await allPaperIds(midway), trees.slice(0, 25).map(treeId).sort());
  } finally {
    await midway.close();
  }

  // Second run: the same command picks up at page 5.
  const requestsBefore = server.requests.length;
  const second = runHarvester(db, server.url);
  const { code } = await second.exited;
  assert.equal(code, 0, second.output().stderr);
  assert.match(second.output().stdout, /resumed an interrupted run/);
  assert.match(second.output().stdout, /records: 8\b/);
  const resumedRequests = server.requests.slice(requestsBefore);
  assert.deepEqual(
    resumedRequests.map((r) => r.page),
    [5, 6],
    'nothing before page 5 is fetched again',
  );

  const store = new SqliteStore(db);
  try {
    assert.deepEqual(await allPaperIds(store), expected);
    assert.equal((await store.stats()).papers, trees.length);
    const state = await store.getJobState<{ run: unknown }>(harvestStateKey('arXiv', 'cs'));
    assert.equal(state?.run, null, 'a finished run leaves no resumption point');
    // Harvested papers are searchable at once. (warmUp first: a search on a cold store starts building the
    // in-memory index in the background, which would outlive close().)
    const search = lexicalSearch(store);
    await search.warmUp();
    const hits = await search.search(
      { terms: ['proton'], phrases: [], prefixes: [] },
      {},
      { title: 1, authors: 1, abstract: 1 },
      50,
    );
    assert.ok(hits.length > 0);
    const paper = await store.getPaper('1605.08386');
    assert.equal(paper?.title, 'Heat-bath random walks with Markov bases');
    assert.deepEqual(paper?.categories, ['math.CO', 'math.ST']);
  } finally {
    await store.close();
  }

  // Politeness, as the server saw it.
  const served = server.requests;
  assert.ok(
    served.every((r) => r.userAgent?.includes(`mailto:${CONTACT}`)),
    'every request names the contact',
  );
  const page1 = served.filter((r) => r.page === 1);
  assert.equal(page1.length, 2);
  assert.ok(page1[1]!.at - page1[0]!.at >= 950, `Retry-After: 1 was honoured (${page1[1]!.at - page1[0]!.at} ms)`);
  assert.deepEqual(
    served.filter((r) => r.page === 2).map((r) => r.fault),
    ['truncated', null],
    'a truncated page is fetched again',
  );
  assert.deepEqual(
    served.filter((r) => r.page === 3).map((r) => r.fault),
    ['drop', null],
    'a dropped connection is retried',
  );
  // The client spaces request starts 60 ms apart; arrival times at the server jitter by tens of ms on a
  // loaded machine, while an impolite client's requests arrive back to back (~1 ms apart).
  const gaps = served.slice(1).map((r, i) => r.at - served[i]!.at);
  assert.ok(
    gaps.every((gap) => gap >= 20),
    `requests keep the configured interval (gaps: ${gaps.join(', ')} ms)`,
  );
  const sorted = [...gaps].sort((a, b) => a - b);
  assert.ok(
    sorted[Math.floor(sorted.length / 2)]! >= 55,
    `the median gap is the configured 60 ms (gaps: ${gaps.join(', ')} ms)`,
  );
});
