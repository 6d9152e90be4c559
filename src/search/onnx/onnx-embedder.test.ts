/** The ONNX embedder on a tiny BERT-shaped model that the test writes itself (no download anywhere). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxEmbedder } from './onnx-embedder.ts';
import { OnnxModel } from './onnx-model.ts';
import { writeTinyModel } from '../../../test/tiny-model.ts';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const norm = (a: Float32Array) => Math.sqrt(dot(a, a));

function assertClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance, `component ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

const TEXTS = [
  'Graph neural networks for molecules',
  'Neural networks on graph molecules and protein folding',
  'Cooking pasta with tomato sauce',
  'Large language models for dense retrieval',
  'Quantum physics',
  'a',
];

describe('OnnxEmbedder on a tiny model', () => {
  let root: string;
  let e5: OnnxEmbedder; // worker thread, e5 prefixes
  let plain: OnnxEmbedder; // same weights, no prefixes, model.onnx at the folder's root, this thread

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'paperboy-onnx-'));
    await writeTinyModel(join(root, 'tiny-e5'));
    await writeTinyModel(join(root, 'tiny-plain'), { layout: 'root' });
    e5 = await OnnxEmbedder.load(join(root, 'tiny-e5'));
    plain = await OnnxEmbedder.load(join(root, 'tiny-plain'), { thread: 'main' });
  });

  after(async () => {
    await e5?.close();
    await plain?.close();
    await rm(root, { recursive: true, force: true });
  });

  test("id names the folder and a hash; dimensions are the model's", () => {
    assert.match(e5.id, /^onnx\/tiny-e5@[0-9a-f]{10}$/);
    assert.match(plain.id, /^onnx\/tiny-plain@[0-9a-f]{10}$/);
    assert.equal(e5.dimensions, 32);
    assert.equal(plain.settings.model, 'model.onnx');
  });

  test('vectors are unit length, of the right dimension, and deterministic', async () => {
    const first = await e5.embedDocuments(TEXTS);
    const again = await e5.embedDocuments(TEXTS);
    assert.equal(first.length, TEXTS.length);
    for (const [i, v] of first.entries()) {
      assert.ok(v instanceof Float32Array);
      assert.equal(v.length, 32);
      assert.ok(Math.abs(norm(v) - 1) < 1e-5, `norm ${norm(v)}`);
      assert.deepEqual(v, again[i]);
    }
    const reloaded = await OnnxEmbedder.load(join(root, 'tiny-e5'), { thread: 'main' });
    try {
      assert.equal(reloaded.id, e5.id);
      assert.deepEqual(await reloaded.embedDocuments(TEXTS), first);
    } finally {
      await reloaded.close();
    }
  });

  test('texts that share words are closer than unrelated ones', async () => {
    const [graphs, molecules, pasta] = await plain.embedDocuments(TEXTS.slice(0, 3));
    assert.ok(
      dot(graphs!, molecules!) > dot(graphs!, pasta!) + 0.2,
      `${dot(graphs!, molecules!)} vs ${dot(graphs!, pasta!)}`,
    );
    const query = await e5.embedQuery('graph networks');
    const docs = await e5.embedDocuments(TEXTS.slice(0, 3));
    assert.ok(dot(query, docs[0]!) > dot(query, docs[2]!));
  });

  test('a batch gives the same vectors as one text at a time (padding is masked out)', async () => {
    for (const embedder of [e5, plain]) {
      const batched = await embedder.embedDocuments(TEXTS);
      for (const [i, text] of TEXTS.entries()) {
        const [alone] = await embedder.embedDocuments([text]);
        assertClose(batched[i]!, alone!);
      }
    }
  });

  test('batch size does not change vectors, and concurrent calls each get their own', async () => {
    const small = await OnnxEmbedder.load(join(root, 'tiny-e5'), { batchSize: 2 });
    try {
      const reference = await e5.embedDocuments(TEXTS);
      const [docs, query, more] = await Promise.all([
        small.embedDocuments(TEXTS),
        small.embedQuery('graph'),
        small.embedDocuments(TEXTS.slice(2)),
      ]);
      docs.forEach((v, i) => {
        assertClose(v, reference[i]!);
      });
      more.forEach((v, i) => {
        assertClose(v, reference[i + 2]!);
      });
      assertClose(query, await e5.embedQuery('graph'));
    } finally {
      await small.close();
    }
  });

  test('e5 folders get "query: " and "passage: " prefixes', async () => {
    assert.equal(e5.settings.queryPrefix, 'query: ');
    assert.equal(e5.settings.documentPrefix, 'passage: ');
    assert.equal(plain.settings.queryPrefix, '');
    // Same weights: the e5 folder's query is the plain folder's document with the prefix written out.
    assertClose(await e5.embedQuery('graph networks'), (await plain.embedDocuments(['query: graph networks']))[0]!);
    assertClose(
      (await e5.embedDocuments(['graph networks']))[0]!,
      (await plain.embedDocuments(['passage: graph networks']))[0]!,
    );
    assertClose(await plain.embedQuery('graph networks'), (await plain.embedDocuments(['graph networks']))[0]!);
  });

  test('bge folders pool the first token and prefix queries with the instruction; paperboy.json overrides', async () => {
    await writeTinyModel(join(root, 'tiny-bge-small-en'));
    await writeTinyModel(join(root, 'tiny-bge-custom'), {
      paperboyJson: { pooling: 'mean', queryPrefix: 'search: ', maxTokens: 16 },
    });
    const bge = await OnnxEmbedder.load(join(root, 'tiny-bge-small-en'), { thread: 'main' });
    const custom = await OnnxEmbedder.load(join(root, 'tiny-bge-custom'), { thread: 'main' });
    try {
      assert.equal(bge.settings.pooling, 'cls');
      assert.equal(bge.settings.queryPrefix, 'Represent this sentence for searching relevant passages: ');
      assert.equal(bge.settings.documentPrefix, '');
      assert.equal(custom.settings.pooling, 'mean');
      assert.equal(custom.settings.queryPrefix, 'search: ');
      assert.equal(custom.settings.maxTokens, 16);
      assert.match(custom.settings.source, /paperboy\.json/);
      // Different settings are a different vector space, even over identical weights.
      assert.notEqual(bge.id.split('@')[1], custom.id.split('@')[1]);
      const [graphs, molecules, pasta] = await bge.embedDocuments(TEXTS.slice(0, 3));
      assert.ok(dot(graphs!, molecules!) > dot(graphs!, pasta!));
      // Same weights again: the bge query is the first token's state of the instruction-prefixed text.
      await writeTinyModel(join(root, 'tiny-cls'), { paperboyJson: { pooling: 'cls' } });
      const cls = await OnnxEmbedder.load(join(root, 'tiny-cls'), { thread: 'main' });
      try {
        assertClose(
          await bge.embedQuery('graph'),
          (await cls.embedDocuments(['Represent this sentence for searching relevant passages: graph']))[0]!,
        );
      } finally {
        await cls.close();
      }
    } finally {
      await bge.close();
      await custom.close();
    }
  });

  test('a model that outputs sentence_embedding is used as it is', async () => {
    await writeTinyModel(join(root, 'tiny-pooled'), { sentenceOutput: true });
    const pooled = await OnnxEmbedder.load(join(root, 'tiny-pooled'), { thread: 'main' });
    try {
      const vectors = await pooled.embedDocuments(TEXTS);
      (await plain.embedDocuments(TEXTS)).forEach((v, i) => {
        assertClose(vectors[i]!, v);
      });
    } finally {
      await pooled.close();
    }
  });

  test('through a small transformer (self-attention over the mask), batches still equal one text at a time', async () => {
    const dir = join(root, 'tiny-transformer');
    await writeTinyModel(dir, { dimensions: 32, transformer: { layers: 2, heads: 4, intermediate: 64 } });
    const transformer = await OnnxEmbedder.load(dir, { thread: 'main', batchSize: 4 });
    try {
      const batched = await transformer.embedDocuments(TEXTS);
      for (const [i, text] of TEXTS.entries())
        assertClose(batched[i]!, (await transformer.embedDocuments([text]))[0]!, 1e-4);
      assert.ok(batched.every((v) => Math.abs(norm(v) - 1) < 1e-5));
    } finally {
      await transformer.close();
    }
  });

  test('empty text, emoji, unknown scripts and 10k characters do not break it', async () => {
    const long = 'graph neural networks '.repeat(500).slice(0, 10_000);
    const odd = ['', '   ', '🙂🚀🧬', '量子物理学', 'x'.repeat(300), '\u0000\uD83D', long];
    const vectors = await e5.embedDocuments(odd);
    for (const v of vectors) {
      assert.equal(v.length, 32);
      assert.ok(Math.abs(norm(v) - 1) < 1e-5);
      assert.ok(v.every(Number.isFinite));
    }
    assert.ok(Math.abs(norm(await e5.embedQuery('')) - 1) < 1e-5);
    assert.deepEqual(await e5.embedDocuments([]), []);
  });

  test('long texts are cut to maxTokens, keeping the closing special token', async () => {
    const model = await OnnxModel.load(join(root, 'tiny-e5'), { maxTokens: 32 });
    try {
      const ids = model.tokenize('graph '.repeat(2_000), 'document');
      assert.equal(ids.length, 32);
      assert.equal(ids[0], 2); // [CLS]
      assert.equal(ids.at(-1), 3); // [SEP]
      assert.deepEqual(model.tokenize('graph', 'query').slice(1, 3), [5, 7]); // "query", ":"
    } finally {
      await model.close();
    }
  });

  test('a folder that is not a model fails with a message naming what is missing', async () => {
    const broken = join(root, 'broken');
    await writeTinyModel(broken);
    await unlink(join(broken, 'tokenizer.json'));
    await assert.rejects(OnnxEmbedder.load(broken), /no tokenizer\.json/);
    await assert.rejects(OnnxEmbedder.load(join(root, 'nowhere')), /no config\.json/);
    const typo = join(root, 'typo');
    await writeTinyModel(typo, { paperboyJson: { queryPrefx: 'q: ' } });
    await assert.rejects(OnnxEmbedder.load(typo, { thread: 'main' }), /paperboy\.json/);
    const garbage = join(root, 'garbage');
    await writeTinyModel(garbage);
    await writeFile(join(garbage, 'onnx', 'model.onnx'), 'not a model');
    await assert.rejects(OnnxEmbedder.load(garbage), /onnxruntime cannot load it/);
  });

  test('a closed embedder refuses work', async () => {
    const closing = await OnnxEmbedder.load(join(root, 'tiny-e5'));
    await closing.close();
    await assert.rejects(closing.embedQuery('graph'), /closed/);
  });
});
