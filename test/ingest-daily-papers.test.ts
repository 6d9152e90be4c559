/**
 * The Daily Papers mirror, the `paperboy ingest` commands as a user runs them, and the daily schedule's run
 * (OAI-PMH failing, the arXiv API as fallback, the mirror after it), all against local servers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { BROKEN_DAY_FIXTURES, CLI, DAY_FIXTURES, NODE, REPO_ROOT, memoryStore, tempDir } from './helpers.ts';
import { ARXIV_FIXTURES, captureLogger } from './arxiv-replay.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { importPath } from '../src/ingest/import-files.ts';
import { loadConfig } from '../src/config.ts';
import { runDailyIngest } from '../src/ingest/schedule.ts';

/** Answers GET paths with a function of the URL; remembers what was asked. */
async function localServer(answer: (url: URL) => { status: number; body: string }) {
  const seen: URL[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://local');
    seen.push(url);
    const { status, body } = answer(url);
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, seen };
}

const dayFile = (day: string) => readFileSync(join(DAY_FIXTURES, `${day}.json`), 'utf8');

function dailyPapersUpstream() {
  return localServer((url) => {
    if (url.pathname !== '/api/daily_papers') return { status: 404, body: '{"error":"not found"}' };
    const date = url.searchParams.get('date');
    if (date === '2024-06-02') return { status: 500, body: 'upstream trouble' };
    if (date === '2024-06-03') return { status: 200, body: dayFile('2024-06-03') };
    return { status: 200, body: readFileSync(join(BROKEN_DAY_FIXTURES, '2024-12-11.json'), 'utf8') };
  });
}

/** Asynchronous on purpose: a blocking spawn would stop the local servers of this process from answering. */
function paperboy(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(NODE, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      PAPERBOY_ARXIV_MAX_ATTEMPTS: '2',
      PAPERBOY_ARXIV_BACKOFF_MS: '10',
      PAPERBOY_MIRROR_INTERVAL_MS: '0',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

test('ingest daily-papers mirrors a range like importing the day files; bad days are reported, the rest goes on', async () => {
  const upstream = await dailyPapersUpstream();
  const db = join(tempDir(), 'mirror.db');
  const result = await paperboy([
    'ingest',
    'daily-papers',
    '--from',
    '2024-06-02',
    '--until',
    '2024-06-04',
    '--upstream',
    upstream.url,
    '--database-url',
    db,
  ]);
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stdout, /days: 3 \(2 failed\)/);
  assert.match(result.stdout, /error: 2024-06-02: .*gave up after 2 attempts \(HTTP 500\)/);
  assert.match(result.stdout, /error: 2024-06-04: items are strings \(Python repr\?\)/);
  assert.deepEqual(
    upstream.seen.map((u) => u.searchParams.get('date')),
    ['2024-06-02', '2024-06-02', '2024-06-03', '2024-06-04'],
  );
  assert.equal(upstream.seen[0]!.searchParams.get('limit'), '100');
  const mirrored = new SqliteStore(db);
  const imported = memoryStore();
  try {
    const dir = tempDir();
    writeFileSync(join(dir, '2024-06-03.json'), dayFile('2024-06-03'));
    await importPath(imported, dir);
    assert.deepEqual(await mirrored.stats(), await imported.stats());
    const day = { firstDay: '2024-06-03', lastDay: '2024-06-03', sort: 'upvotes' as const, offset: 0, limit: 100 };
    assert.deepEqual(await mirrored.listDaily(day), await imported.listDaily(day));
  } finally {
    await mirrored.close();
  }
});

test('ingest has its own help; arxiv refuses to run without a contact address', async () => {
  const help = await paperboy(['ingest', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /arxiv/);
  assert.match(help.stdout, /daily-papers/);
  const arxiv = await paperboy(['ingest', 'arxiv', '--help']);
  assert.match(arxiv.stdout, /Usage: paperboy ingest arxiv/);
  for (const flag of ['--from', '--until', '--set', '--oai-url', '--contact'])
    assert.match(arxiv.stdout, new RegExp(flag));
  assert.match((await paperboy(['ingest', 'daily-papers', '--help'])).stdout, /--upstream/);
  const db = join(tempDir(), 'x.db');
  const noContact = await paperboy(
    ['ingest', 'arxiv', '--from', '2024-01-01', '--until', '2024-01-02', '--database-url', db],
    { PAPERBOY_CONTACT: '' },
  );
  assert.equal(noContact.status, 1);
  assert.match(noContact.stderr, /PAPERBOY_CONTACT/);
  const badDay = await paperboy(['ingest', 'arxiv', '--from', '2024-13-01', '--database-url', db]);
  assert.equal(badDay.status, 1);
  assert.match(badDay.stderr, /--from must be a day/);
});

test('the daily run: OAI-PMH down, the arXiv API brings the newest papers; then the mirror', async () => {
  const oai = await localServer(() => ({ status: 500, body: 'down' }));
  const api = await localServer(() => ({
    status: 200,
    body: readFileSync(join(ARXIV_FIXTURES, 'arxiv-api', 'query_testing_s0_m10.xml'), 'utf8'),
  }));
  const upstream = await dailyPapersUpstream();
  const { ingest: config } = loadConfig({
    PAPERBOY_CONTACT: 'ops@example.org',
    PAPERBOY_OAI_URL: `${oai.url}/oai`,
    PAPERBOY_ARXIV_API_URL: `${api.url}/api/query`,
    PAPERBOY_ARXIV_INTERVAL_MS: '0',
    PAPERBOY_ARXIV_MAX_ATTEMPTS: '2',
    PAPERBOY_ARXIV_BACKOFF_MS: '10',
    PAPERBOY_HARVEST_SETS: 'cs',
    PAPERBOY_MIRROR_UPSTREAM: upstream.url,
    PAPERBOY_MIRROR_INTERVAL_MS: '0',
  });
  const store = memoryStore();
  const { logger } = captureLogger();
  const result = await runDailyIngest({ store, logger, config, now: () => new Date('2024-06-05T04:30:00Z') });
  assert.equal(result.harvests.length, 0);
  assert.match(result.errors[0]!, /OAI-PMH harvest of cs failed: .*gave up after 2 attempts \(HTTP 500\)/);
  assert.equal(result.fallbacks.length, 1);
  // Papers older than the day before are left out, and (on this clock) the recorded 2025 papers are in the future.
  assert.equal(api.seen[0]!.searchParams.get('search_query'), 'cat:cs.*');
  assert.equal(result.fallbacks[0]!.papersNew, 0);
  assert.equal(result.fallbacks[0]!.skipped, 2);
  assert.deepEqual(
    result.mirror?.failures.map((f) => f.day),
    ['2024-06-04', '2024-06-05'],
    'the mirror took the last three days',
  );
  assert.ok((await store.stats()).days === 1);

  const later = await runDailyIngest({
    store,
    logger,
    config: { ...config, mirror: { ...config.mirror, upstream: null } },
    now: () => new Date('2022-02-25T04:30:00Z'),
  });
  assert.equal(later.fallbacks[0]!.papersNew, 1, 'the one paper submitted since the day before');
});
