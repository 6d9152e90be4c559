/**
 * The HTTP test files, run again with their store on PostgreSQL: each file runs in a child process whose
 * test/helpers.ts is replaced by test/postgres-helpers.ts (see test/postgres-hooks.ts), so the tests are
 * written once. Like the store contract, this needs PAPERBOY_TEST_POSTGRES_URL (.ci/run starts a server)
 * and fails, not skips, without it. Files whose features need vectors (recommendations) are not listed:
 * the server in CI has no pgvector; the vector contract runs on PGlite instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { NODE, REPO_ROOT } from './helpers.ts';

const FILES: { file: string; skip?: { pattern: string; why: string } }[] = [
  { file: 'test/api.test.ts', skip: { pattern: 'health and metrics', why: 'it expects backend "sqlite" in /healthz' } },
  { file: 'test/community.test.ts' },
  { file: 'test/comments.test.ts' },
  { file: 'test/feeds.test.ts' },
  { file: 'test/digest-web.test.ts' },
  { file: 'test/ingest-daily-papers.test.ts' },
  { file: 'test/ingest-bad-input.test.ts' },
];

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // Without the parent's NODE_TEST_CONTEXT, the child runs its file as a test run of its own.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const child = spawn(NODE, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

for (const { file, skip } of FILES) {
  const name = `${file} [postgres]${skip ? ` (all but "${skip.pattern}": ${skip.why})` : ''}`;
  test(name, { timeout: 300_000 }, async () => {
    assert.ok(process.env.PAPERBOY_TEST_POSTGRES_URL, 'PAPERBOY_TEST_POSTGRES_URL is not set: see test/contract/backends.ts for how to start a server');
    const { code, output } = await run([
      '--import', join(REPO_ROOT, 'test', 'postgres-hooks.ts'), '--test', '--test-reporter=tap', '--test-concurrency=1',
      ...(skip ? ['--test-skip-pattern', skip.pattern] : []), file,
    ]);
    const passed = Number(/^# pass (\d+)/m.exec(output)?.[1] ?? 0);
    assert.equal(code, 0, `${file} on PostgreSQL failed:\n${output.slice(-8000)}`);
    assert.ok(passed > 0, `${file} ran no test on PostgreSQL:\n${output.slice(-2000)}`);
  });
}
