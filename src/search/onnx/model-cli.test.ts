/** `paperboy model pull | use | status` as a user runs them: child processes on a real database file. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTinyModel } from '../../../test/tiny-model.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE = join(REPO_ROOT, 'node_modules', '.bin', 'node');
const CLI = join(REPO_ROOT, 'src', 'cli', 'main.ts');
const DAYS = join(REPO_ROOT, 'test', 'fixtures', 'hf-daily-papers');

let root: string;
let env: Record<string, string>;
let server: Server;
let endpoint: string;

/** Runs the CLI without blocking this process (the stand-in hub answers from it). */
function paperboy(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      NODE,
      [CLI, ...args],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => {
        resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'paperboy-model-cli-'));
  const hub = join(root, 'hub', 'tiny-e5');
  await writeTinyModel(hub);
  server = createServer((request, response) => {
    const match = /^\/test\/tiny-e5\/resolve\/main\/(.+)$/.exec(
      new URL(request.url ?? '/', 'http://localhost').pathname,
    );
    if (!match || match[1]!.includes('..')) return void response.writeHead(404).end();
    readFile(join(hub, match[1]!)).then(
      (bytes) => response.writeHead(200).end(bytes),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // EMBEDDER is emptied so that a developer's own choice does not leak into the test.
  env = { DATABASE_URL: join(root, 'paperboy.db'), MODEL_DIR: join(root, 'models'), LOG_LEVEL: 'silent', EMBEDDER: '' };
  const imported = await paperboy(['import', DAYS]);
  assert.equal(imported.status, 0, imported.stderr);
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

test('model pull, then model use embeds every paper, and model status shows it', async () => {
  const pulled = await paperboy(['model', 'pull', 'test/tiny-e5', '--endpoint', endpoint]);
  assert.equal(pulled.status, 0, pulled.stderr);
  const folder = join(root, 'models', 'onnx', 'tiny-e5');
  assert.match(pulled.stdout, new RegExp(`model folder: ${folder}`));
  assert.match(pulled.stderr, /onnx\/model\.onnx: /);

  const used = await paperboy(['model', 'use', 'tiny-e5']);
  assert.equal(used.status, 0, used.stderr);
  assert.match(used.stdout, /model: onnx\/tiny-e5@[0-9a-f]{10}\ndimensions: 32\n/);
  const embedded = Number(/papers embedded: (\d+)/.exec(used.stdout)?.[1]);
  assert.ok(embedded > 0);
  assert.deepEqual(JSON.parse(await readFile(join(root, 'models', 'embedder.json'), 'utf8')), {
    embedder: `onnx:${folder}`,
  });

  const status = await paperboy(['model', 'status']);
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`embedder: onnx:${folder} \\(chosen by .*embedder\\.json\\)`));
  assert.match(status.stdout, /query prefix "query: ", passage prefix "passage: "/);
  assert.match(status.stdout, new RegExp(`vectors: ${embedded} of ${embedded} papers`));

  const back = await paperboy(['model', 'use', 'learned']);
  assert.equal(back.status, 0, back.stderr);
  assert.equal(existsSync(join(root, 'models', 'embedder.json')), false);
});

test('model pull without access to the hub exits 1 with the clear message; model use refuses a non-model', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const offline = await paperboy([
    'model',
    'pull',
    'Xenova/bge-small-en-v1.5',
    '--endpoint',
    `http://127.0.0.1:${port}`,
    '--dir',
    join(root, 'offline'),
  ]);
  assert.equal(offline.status, 1);
  assert.match(offline.stderr, /cannot reach .*ECONNREFUSED/);
  assert.match(offline.stderr, /bring its folder in by hand/);
  assert.equal(existsSync(join(root, 'offline')), false);

  const refused = await paperboy(['model', 'use', join(root, 'hub')]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /no config\.json/);
  assert.deepEqual((await readdir(join(root, 'models'))).includes('embedder.json'), false);
});
