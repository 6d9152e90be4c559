import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config.ts';
import {
  loadConfiguredEmbedder,
  parseEmbedderChoice,
  readEmbedderChoice,
  saveEmbedderChoice,
  EMBEDDER_CHOICE_FILE,
} from './configured-embedder.ts';
import { writeTinyModel } from '../../../test/tiny-model.ts';

let modelDir: string;
let modelFolder: string;
before(async () => {
  modelDir = await mkdtemp(join(tmpdir(), 'paperboy-choice-'));
  modelFolder = join(modelDir, 'onnx', 'tiny-e5');
  await writeTinyModel(modelFolder);
});
after(() => rm(modelDir, { recursive: true, force: true }));

test('EMBEDDER values: learned, onnx:absolute path, onnx:name of a pulled folder; anything else is refused', () => {
  assert.deepEqual(parseEmbedderChoice('learned', modelDir), { kind: 'learned' });
  assert.deepEqual(parseEmbedderChoice('onnx:/models/bge', modelDir), { kind: 'onnx', path: '/models/bge' });
  assert.deepEqual(parseEmbedderChoice('onnx:tiny-e5', modelDir), { kind: 'onnx', path: modelFolder });
  assert.throws(() => parseEmbedderChoice('bge-small', modelDir), /neither "learned" nor "onnx:PATH"/);
});

test('the environment wins over `model use`, which wins over the default', async () => {
  assert.deepEqual(await readEmbedderChoice({ modelDir, embedder: null }), {
    choice: { kind: 'learned' },
    source: 'default',
  });
  await saveEmbedderChoice(modelDir, { kind: 'onnx', path: modelFolder });
  const file = join(modelDir, EMBEDDER_CHOICE_FILE);
  assert.deepEqual(await readEmbedderChoice({ modelDir, embedder: null }), {
    choice: { kind: 'onnx', path: modelFolder },
    source: file,
  });
  assert.deepEqual((await readEmbedderChoice(loadConfig({ MODEL_DIR: modelDir, EMBEDDER: 'learned' }))).choice, {
    kind: 'learned',
  });
  assert.deepEqual((await readEmbedderChoice({ modelDir, embedder: 'learned' })).choice, { kind: 'learned' });
  await saveEmbedderChoice(modelDir, { kind: 'learned' });
  assert.equal(existsSync(file), false);
  await writeFile(file, '{"model": "x"}');
  await assert.rejects(readEmbedderChoice({ modelDir, embedder: null }), /embedder\.json: not/);
  await rm(file);
});

test('loadConfiguredEmbedder: null for the learned model, the ONNX embedder when chosen, a clear error when it cannot load', async () => {
  assert.equal(await loadConfiguredEmbedder({ modelDir, embedder: null }), null);
  const embedder = await loadConfiguredEmbedder({ modelDir, embedder: `onnx:${modelFolder}` });
  assert.ok(embedder);
  try {
    assert.match(embedder.id, /^onnx\/tiny-e5@/);
    assert.equal((await embedder.embedQuery('graph')).length, 32);
  } finally {
    await embedder.close();
  }
  await assert.rejects(
    loadConfiguredEmbedder({ modelDir, embedder: 'onnx:/no/such/model' }),
    /chosen by EMBEDDER \(\/no\/such\/model\) cannot be loaded: .*no config\.json/,
  );
});
