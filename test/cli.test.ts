/** The CLI as a user runs it: a real child process on a real database file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, DAY_FIXTURES, BROKEN_DAY_FIXTURES, NODE, REPO_ROOT, tempDir } from './helpers.ts';

function paperboy(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(NODE, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('--help lists the commands, and each command has its own help', () => {
  const help = paperboy(['--help']);
  assert.equal(help.status, 0);
  for (const command of ['serve', 'import', 'stats']) {
    assert.match(help.stdout, new RegExp(`\\b${command}\\b`));
    const own = paperboy([command, '--help']);
    assert.equal(own.status, 0);
    assert.match(own.stdout, new RegExp(`Usage: paperboy ${command}`));
  }
});

test('import prints a summary, stats reads the same DATABASE_URL; failures exit non-zero', () => {
  const db = join(tempDir(), 'cli.db');
  const ok = paperboy(['import', DAY_FIXTURES], { DATABASE_URL: db });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /files: 3 \(0 failed\)/);
  assert.match(ok.stdout, /papers: \d+ new, 0 updated, 0 unchanged/);
  const stats = JSON.parse(paperboy(['stats', '--json'], { DATABASE_URL: db }).stdout) as {
    days: number;
    papers: number;
  };
  assert.equal(stats.days, 3);
  assert.ok(stats.papers > 0);
  const flag = JSON.parse(paperboy(['stats', '--json', '--database-url', db]).stdout) as { papers: number };
  assert.equal(flag.papers, stats.papers);
  const broken = paperboy(['import', BROKEN_DAY_FIXTURES], { DATABASE_URL: db });
  assert.equal(broken.status, 1);
  assert.match(broken.stdout, /error: 2024-12-11\.json: items are strings/);
  const missing = paperboy(['import', '/no/such/path'], { DATABASE_URL: db });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no such file or folder/);
});

test('a postgres:// DATABASE_URL is refused clearly while only SQLite is built in', () => {
  const result = paperboy(['stats'], { DATABASE_URL: 'postgres://localhost/paperboy' });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /PostgreSQL/);
});

test('serve loads the demo into an empty database and serves it', async () => {
  const db = join(tempDir(), 'serve.db');
  const child = spawn(NODE, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: db, LOG_LEVEL: 'info', PAPERBOY_IMAGES: '0' },
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let log = '';
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const match = /"url":"(http:[^"]+)"/.exec(log);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${log}`)));
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const items = (await (await fetch(`${url}/api/daily_papers?limit=5`)).json()) as unknown[];
    assert.equal(items.length, 5);
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
  } finally {
    child.kill('SIGTERM');
  }
  const stats = JSON.parse(paperboy(['stats', '--json'], { DATABASE_URL: db }).stdout) as { days: number };
  assert.equal(stats.days, 63);
});
