/**
 * `model pull` against a local stand-in for the hub (node:http on 127.0.0.1) serving a tiny model the test
 * writes, and against a closed port: the clear message, and no partial folder left behind.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, copyFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelPullError, pullModel } from './model-pull.ts';
import { OnnxEmbedder } from './onnx-embedder.ts';
import { writeTinyModel } from '../../../test/tiny-model.ts';

let root: string;
let source: string;
let server: Server;
let endpoint: string;
const requests: string[] = [];
/** Per-path misbehaviour for one test at a time. */
const faults = new Map<string, 'error' | 'truncate' | 'gated'>();

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'paperboy-pull-'));
  source = join(root, 'hub', 'tiny-e5');
  await writeTinyModel(source);
  await copyFile(join(source, 'onnx', 'model.onnx'), join(source, 'onnx', 'model_quantized.onnx'));
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push(url.pathname);
    // Like the hub, large files answer with a redirect to a content server.
    const cdn = /^\/cdn\/(.+)$/.exec(url.pathname);
    const match = /^\/(test|gated)\/tiny-e5\/resolve\/main\/(.+)$/.exec(url.pathname);
    const file = cdn ? cdn[1]! : match?.[2];
    if (match?.[1] === 'gated' || faults.get(file ?? '') === 'gated')
      return void response.writeHead(401).end('unauthorized');
    if (!file || file.includes('..')) return void response.writeHead(404).end('not found');
    if (faults.get(file) === 'error') return void response.writeHead(500).end('boom');
    if (match && file.endsWith('.onnx')) return void response.writeHead(302, { location: `/cdn/${file}` }).end();
    readFile(join(source, file)).then(
      (bytes) => {
        if (faults.get(file) === 'truncate') {
          response.writeHead(200, { 'content-length': String(bytes.length) });
          response.write(bytes.subarray(0, 100));
          setTimeout(() => response.destroy(), 20);
          return;
        }
        response.writeHead(200, { 'content-length': String(bytes.length) }).end(bytes);
      },
      () => response.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

test('pulls the files of a repository into DIR/<name>, following redirects, and the folder loads', async () => {
  const dir = join(root, 'models-1');
  const seen: string[] = [];
  const result = await pullModel({
    repo: 'test/tiny-e5',
    dir,
    endpoint,
    onProgress: (e) => e.type === 'done' && seen.push(e.file),
  });
  assert.equal(result.dir, join(dir, 'tiny-e5'));
  assert.deepEqual(result.files.map((f) => f.path).sort(), [
    'config.json',
    'onnx/model.onnx',
    'tokenizer.json',
    'tokenizer_config.json',
  ]);
  assert.deepEqual(seen.sort(), result.files.map((f) => f.path).sort());
  assert.ok(requests.includes('/cdn/onnx/model.onnx'));
  assert.deepEqual(
    await readFile(join(result.dir, 'onnx', 'model.onnx')),
    await readFile(join(source, 'onnx', 'model.onnx')),
  );
  assert.deepEqual(await readdir(dir), ['tiny-e5']);
  const pulled = await OnnxEmbedder.load(result.dir, { thread: 'main' });
  const original = await OnnxEmbedder.load(source, { thread: 'main' });
  try {
    assert.equal(pulled.id, original.id);
    assert.deepEqual(await pulled.embedQuery('graph'), await original.embedQuery('graph'));
  } finally {
    await pulled.close();
    await original.close();
  }
  await assert.rejects(
    pullModel({ repo: 'test/tiny-e5', dir, endpoint }),
    /already exists: remove it, or pass --force/,
  );
  const again = await pullModel({ repo: 'test/tiny-e5', dir, endpoint, force: true });
  assert.equal(again.dir, result.dir);
  assert.deepEqual(await readdir(dir), ['tiny-e5']);
});

test('--quantized fetches the int8 export and records it in paperboy.json', async () => {
  const result = await pullModel({ repo: 'test/tiny-e5', dir: join(root, 'models-q'), endpoint, quantized: true });
  assert.ok(existsSync(join(result.dir, 'onnx', 'model_quantized.onnx')));
  assert.equal(existsSync(join(result.dir, 'onnx', 'model.onnx')), false);
  assert.deepEqual(JSON.parse(await readFile(join(result.dir, 'paperboy.json'), 'utf8')), {
    model: 'onnx/model_quantized.onnx',
  });
  const embedder = await OnnxEmbedder.load(result.dir, { thread: 'main' });
  assert.equal(embedder.settings.model, 'onnx/model_quantized.onnx');
  await embedder.close();
});

test('an unreachable hub fails with what was tried and how to bring a model in by hand, and writes nothing', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const dir = join(root, 'models-offline');
  const error = await pullModel({ repo: 'Xenova/bge-small-en-v1.5', dir, endpoint: `http://127.0.0.1:${port}` }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ModelPullError);
  const message = error.message;
  assert.match(
    message,
    new RegExp(
      `cannot reach http://127\\.0\\.0\\.1:${port}: GET http://127\\.0\\.0\\.1:${port}/Xenova/bge-small-en-v1\\.5/resolve/main/config\\.json failed \\(.*ECONNREFUSED`,
    ),
  );
  assert.match(message, /no access to the model hub; nothing was written/);
  assert.match(message, /copy the folder to .*models-offline\/bge-small-en-v1\.5/);
  assert.match(message, /paperboy model use /);
  assert.equal(existsSync(dir), false);
});

test('a failure half-way leaves no partial folder', async () => {
  const dir = join(root, 'models-broken');
  for (const [file, fault, expected] of [
    ['onnx/model.onnx', 'truncate', /broke off|got 100 of|terminated/],
    ['tokenizer.json', 'error', /HTTP 500/],
  ] as const) {
    faults.set(file, fault);
    try {
      await assert.rejects(pullModel({ repo: 'test/tiny-e5', dir, endpoint }), expected);
    } finally {
      faults.delete(file);
    }
    assert.deepEqual(await readdir(dir), []);
  }
});

test('gated repositories, unknown repositories and bad names say so', async () => {
  const dir = join(root, 'models-other');
  await assert.rejects(
    pullModel({ repo: 'gated/tiny-e5', dir, endpoint, token: '' }),
    /HTTP 401: the repository is gated or private: set HF_TOKEN/,
  );
  await assert.rejects(
    pullModel({ repo: 'nobody/nothing', dir, endpoint }),
    /not found \(HTTP 404\): check the repository name/,
  );
  await assert.rejects(pullModel({ repo: '../etc', dir, endpoint }), /not a repository name/);
  assert.equal(existsSync(dir), false);
});
