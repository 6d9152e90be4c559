/**
 * `paperboy stats | head -2`: when the reader of a pipe has gone, the CLI stops writing and ends quietly,
 * as any command-line tool does, instead of dying on an unhandled EPIPE with a stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, DAY_FIXTURES, NODE, REPO_ROOT, tempDir } from '../helpers.ts';

const db = join(tempDir(), 'pipe.db');
const imported = spawnSync(NODE, [CLI, 'import', DAY_FIXTURES], {
  cwd: REPO_ROOT,
  encoding: 'utf8',
  env: { ...process.env, DATABASE_URL: db },
});
assert.equal(imported.status, 0, imported.stderr);

/** Runs a command whose stdout is a pipe nobody reads any more: its read end is closed before the child writes. */
function intoClosedPipe(
  args: string[],
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(NODE, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: db },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stderr })));
}

test('stats into a closed pipe ends quietly: no stack trace, success', async () => {
  for (const args of [['stats'], ['stats', '--json']]) {
    const result = await intoClosedPipe(args);
    assert.equal(result.stderr, '', `nothing on stderr for ${args.join(' ')}`);
    assert.equal(result.signal, null);
    assert.equal(result.code, 0);
  }
});

test('stats | head -2 through a shell prints two lines and nothing else', () => {
  const result = spawnSync('sh', ['-c', `"$NODE" "$CLI" stats | head -2`], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: db, NODE, CLI },
  });
  assert.equal(result.status, 0);
  assert.equal(result.stderr, '');
  assert.deepEqual(
    result.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(':')[0]),
    ['papers', 'dailyEntries'],
  );
});
