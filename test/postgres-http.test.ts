/**
 * The HTTP test files, run again with their store on PostgreSQL: each file runs in a child process whose
 * test/helpers.ts is replaced by test/postgres-helpers.ts (see test/postgres-hooks.ts), so the tests are
 * written once. Like the store contract, this needs PAPERBOY_TEST_POSTGRES_URL (`npm test` starts a server)
 * and fails, not skips, without it. Files whose features need vectors (recommendations) run on PGlite,
 * since the test server has no pgvector.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { NODE, REPO_ROOT } from './helpers.ts';
import { HOW_TO_START_POSTGRES, POSTGRES_URL_VARIABLE } from './postgres-server.ts';

const FILES: { file: string; pglite?: boolean }[] = [
  { file: 'test/api.test.ts' },
  { file: 'test/community.test.ts' },
  { file: 'test/comments.test.ts' },
  { file: 'test/feeds.test.ts' },
  { file: 'test/digest-web.test.ts' },
  { file: 'test/ingest-daily-papers.test.ts' },
  { file: 'test/ingest-bad-input.test.ts' },
  // Recommendations need vectors: pgvector, which the test server lacks, so this file runs on PGlite.
  { file: 'test/recs.test.ts', pglite: true },
];

function run(args: string[], pglite: boolean): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // Without the parent's NODE_TEST_CONTEXT, the child runs its file as a test run of its own.
    const { NODE_TEST_CONTEXT: _, ...rest } = process.env;
    const env = pglite ? { ...rest, PAPERBOY_TEST_PGLITE: '1' } : rest;
    const child = spawn(NODE, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

for (const { file, pglite = false } of FILES) {
  const name = `${file} [${pglite ? 'pglite' : 'postgres'}]`;
  test(name, { timeout: 300_000 }, async () => {
    if (!pglite)
      assert.ok(process.env[POSTGRES_URL_VARIABLE], `${POSTGRES_URL_VARIABLE} is not set.\n${HOW_TO_START_POSTGRES}`);
    const { code, output } = await run(
      [
        '--import',
        join(REPO_ROOT, 'test', 'postgres-hooks.ts'),
        '--test',
        '--test-reporter=tap',
        '--test-concurrency=1',
        file,
      ],
      pglite,
    );
    const passed = Number(/^# pass (\d+)/m.exec(output)?.[1] ?? 0);
    assert.equal(code, 0, `${file} on PostgreSQL failed:\n${output.slice(-8000)}`);
    assert.ok(passed > 0, `${file} ran no test on PostgreSQL:\n${output.slice(-2000)}`);
  });
}
