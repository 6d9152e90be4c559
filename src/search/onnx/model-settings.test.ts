import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { familyOf, resolveModelSettings } from './model-settings.ts';
import { writeTinyModel } from '../../../test/tiny-model.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'paperboy-settings-'));
});
after(() => rm(root, { recursive: true, force: true }));

test('model families are recognised by name', () => {
  const family = (name: string) => familyOf(name)?.name ?? null;
  assert.equal(family('bge-small-en-v1.5'), 'bge');
  assert.equal(family('Xenova/bge-base-en-v1.5'), 'bge');
  assert.equal(family('bge-m3'), 'bge-m3');
  assert.equal(family('bge-large-zh-v1.5'), 'bge-zh');
  assert.equal(family('multilingual-e5-small'), 'e5');
  assert.equal(family('intfloat/e5-base-v2'), 'e5');
  assert.equal(family('nomic-embed-text-v1.5'), 'nomic-embed-text');
  assert.equal(family('mxbai-embed-large-v1'), 'mxbai-embed');
  assert.equal(family('specter2_base'), 'specter2');
  assert.equal(family('all-MiniLM-L6-v2'), null);
  assert.equal(family('paraphrase-v1.5'), null); // "1.5" is not "e5"
});

test('the name in config.json counts when the folder name says nothing', async () => {
  const dir = join(root, 'my-model');
  await writeTinyModel(dir);
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({ model_type: 'bert', _name_or_path: 'intfloat/e5-small-v2' }),
  );
  const settings = resolveModelSettings(dir);
  assert.equal(settings.queryPrefix, 'query: ');
  assert.equal(settings.source, 'family e5');
});

test('sentence-transformers files beat the family table, paperboy.json beats both', async () => {
  const dir = join(root, 'bge-like');
  await writeTinyModel(dir);
  await mkdir(join(dir, '1_Pooling'));
  await writeFile(
    join(dir, '1_Pooling', 'config.json'),
    JSON.stringify({ pooling_mode_cls_token: false, pooling_mode_mean_tokens: true }),
  );
  await writeFile(
    join(dir, 'config_sentence_transformers.json'),
    JSON.stringify({ prompts: { query: 'Q: ', document: 'D: ' } }),
  );
  let settings = resolveModelSettings(dir);
  assert.deepEqual([settings.pooling, settings.queryPrefix, settings.documentPrefix], ['mean', 'Q: ', 'D: ']);
  await writeFile(join(dir, 'paperboy.json'), JSON.stringify({ documentPrefix: '', batchSize: 4, threads: 1 }));
  settings = resolveModelSettings(dir);
  assert.deepEqual(
    [settings.queryPrefix, settings.documentPrefix, settings.batchSize, settings.threads],
    ['Q: ', '', 4, 1],
  );
  assert.equal(
    settings.source,
    'family bge + 1_Pooling/config.json + config_sentence_transformers.json + paperboy.json',
  );
});

test('max tokens: tokenizer limit, else position embeddings (less two for RoBERTa), capped at 512', async () => {
  const dir = join(root, 'lengths');
  await writeTinyModel(dir);
  const write = (tokenizerConfig: object, config: object) =>
    Promise.all([
      writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig)),
      writeFile(join(dir, 'config.json'), JSON.stringify(config)),
    ]);
  await write({ model_max_length: 256 }, { max_position_embeddings: 512 });
  assert.equal(resolveModelSettings(dir).maxTokens, 256);
  await write({ model_max_length: 1e30 }, { model_type: 'xlm-roberta', max_position_embeddings: 514 });
  assert.equal(resolveModelSettings(dir).maxTokens, 512);
  await write({ model_max_length: 1e30 }, { model_type: 'roberta', max_position_embeddings: 130 });
  assert.equal(resolveModelSettings(dir).maxTokens, 128);
  await write({ model_max_length: 8192 }, { max_position_embeddings: 8192 });
  assert.equal(resolveModelSettings(dir).maxTokens, 512);
});
