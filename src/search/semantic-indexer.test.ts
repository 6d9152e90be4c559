import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PaperInput } from '../domain/types.ts';
import { createLogger } from '../log.ts';
import { memoryStore, tempDir } from '../../test/helpers.ts';
import type { Embedder } from './embedder.ts';
import { Rng } from './learned/prng.ts';
import { StaticEmbedder, trainStaticModel } from './learned/index.ts';
import {
  ACTIVE_MODEL_STATE,
  SemanticIndexer,
  type ActiveModel,
  type SemanticIndexerOptions,
} from './semantic-indexer.ts';

const TOPICS = [
  ['galaxy', 'stellar', 'redshift', 'telescope', 'supernova', 'halo', 'luminosity', 'cosmic'],
  ['protein', 'enzyme', 'mutation', 'folding', 'receptor', 'tissue', 'genome', 'cell'],
  ['transformer', 'attention', 'gradient', 'benchmark', 'layer', 'dataset', 'optimizer', 'token'],
];

function papers(count: number): PaperInput[] {
  const rng = new Rng(5);
  const pick = (words: string[]) => words[rng.int(words.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const words = TOPICS[i % TOPICS.length]!;
    const sentence = () => `${Array.from({ length: 8 }, () => pick(words)).join(' ')}.`;
    return {
      id: `2401.${String(10000 + i)}`,
      title: `${pick(words)} ${pick(words)} ${pick(words)}`,
      summary: `${sentence()} ${sentence()} ${sentence()}`,
      publishedAt: '2024-01-02T00:00:00.000Z',
      authors: [],
    };
  });
}

const N = 60;
const TRAINING = { dimensions: 32, batchSize: 16, minCount: 2, minSteps: 0, validationPapers: 0, lsaSampleSize: 1000 };

async function setUp() {
  const store = memoryStore();
  const list = papers(N);
  await store.importBatch({ papers: list, entries: [], replaceDays: [] });
  const options: SemanticIndexerOptions = {
    modelDir: tempDir(),
    minPapers: 10,
    epochs: 2,
    seed: 1,
    batchSize: 32,
    training: TRAINING,
  };
  const handed: Embedder[] = [];
  const indexer = new SemanticIndexer(store, options, createLogger('silent'), (e) => handed.push(e));
  return { store, list, options, handed, indexer };
}

test('an active model of the old float32 format serves at once, then an int8 successor takes over once its vectors are in', async () => {
  const { store, list, options, handed, indexer } = await setUp();
  const old = await trainStaticModel(
    list.map((p) => ({ title: p.title, abstract: p.summary })),
    { ...TRAINING, epochs: 1, precision: 'float32' },
  );
  const path = join(options.modelDir, 'old.bin');
  await old.save(path);
  const oldEmbedder = new StaticEmbedder(old);
  const vectors = await oldEmbedder.embedDocuments(list.map((p) => `${p.title}. ${p.summary}`));
  await store.putVectors(
    old.id,
    old.dimensions,
    list.map((p, i) => ({ id: p.id, vector: vectors[i]! })),
  );
  await store.setJobState(ACTIVE_MODEL_STATE, {
    id: old.id,
    path,
    trainedOnPapers: N,
    trainedAt: new Date().toISOString(),
  });

  await indexer.run();
  assert.equal(handed[0]!.id, old.id, 'the old model loads and serves first');
  const active = await store.getJobState<ActiveModel>(ACTIVE_MODEL_STATE);
  assert.ok(active);
  assert.notEqual(active.id, old.id, 'retrained');
  assert.equal(handed.at(-1)!.id, active.id, 'the successor serves last');
  const successor = handed.at(-1) as StaticEmbedder;
  assert.equal(successor.model.precision, 'int8');
  assert.equal(await store.countVectors(active.id), N, 'every paper embedded before it serves');

  // A second pass keeps the int8 model: nothing to retrain.
  await indexer.run();
  assert.equal((await store.getJobState<ActiveModel>(ACTIVE_MODEL_STATE))!.id, active.id);
});

test('an active model file that cannot be read (unknown version, garbage) is retrained, not a crash', async () => {
  const header = Buffer.from(JSON.stringify({ format: 'paperboy-static', version: 9 }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const futureVersion = Buffer.concat([Buffer.from('PBSTATIC'), length, header]);
  for (const content of [Buffer.from('hello'), futureVersion]) {
    const { store, options, handed, indexer } = await setUp();
    const path = join(options.modelDir, 'broken.bin');
    await writeFile(path, content);
    await store.setJobState(ACTIVE_MODEL_STATE, {
      id: 'paperboy-static/000000000000',
      path,
      trainedOnPapers: N,
      trainedAt: new Date().toISOString(),
    });
    assert.equal(await indexer.loadActive(), null);
    await indexer.run();
    const active = await store.getJobState<ActiveModel>(ACTIVE_MODEL_STATE);
    assert.ok(active && active.id !== 'paperboy-static/000000000000');
    assert.deepEqual(
      handed.map((e) => e.id),
      [active.id],
    );
    assert.equal(await store.countVectors(active.id), N);
  }
});
