import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Embedder } from '../embedder.ts';
import type { TrainingDoc } from './corpus.ts';
import { StaticModel } from './model.ts';
import { Rng } from './prng.ts';
import { StaticEmbedder } from './static-embedder.ts';
import { trainStaticModel, type TrainOptions } from './train.ts';

/**
 * Four topics with their own words, plus words shared by all. Titles draw on the topic's words; abstracts
 * are sentences mixing topic words and shared ones. Written here, deterministic.
 */
function syntheticCorpus(
  seed: number,
  perTopic = 60,
): { docs: TrainingDoc[]; topicOf: number[]; topicWords: string[][] } {
  const rng = new Rng(seed);
  const stems = ['quark', 'graph', 'tumor', 'market'];
  const topicWords = stems.map((s) =>
    Array.from({ length: 30 }, (_, i) => `${s}${String.fromCharCode(97 + (i % 26))}${Math.floor(i / 26) || ''}`),
  );
  const shared = Array.from(
    { length: 40 },
    (_, i) => `common${String.fromCharCode(97 + (i % 26))}${Math.floor(i / 26) || ''}`,
  );
  const pick = (list: string[]) => list[rng.int(list.length)]!;
  const docs: TrainingDoc[] = [];
  const topicOf: number[] = [];
  for (let n = 0; n < perTopic; n++) {
    for (let t = 0; t < stems.length; t++) {
      const own = topicWords[t]!;
      const title = Array.from({ length: 3 + rng.int(4) }, () => pick(own)).join(' ');
      const sentences = Array.from({ length: 3 + rng.int(3) }, () => {
        const words = Array.from({ length: 6 + rng.int(6) }, () => (rng.next() < 0.6 ? pick(own) : pick(shared)));
        return `${words[0]!.toUpperCase()} ${words.slice(1).join(' ')}.`;
      });
      docs.push({ title, abstract: sentences.join(' ') });
      topicOf.push(t);
    }
  }
  return { docs, topicOf, topicWords };
}

const FAST: TrainOptions = {
  dimensions: 32,
  epochs: 4,
  batchSize: 32,
  minCount: 2,
  lsaSampleSize: 1000,
  learningRate: 0.02,
  seed: 7,
};

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

const sameBytes = (a: Float32Array, b: Float32Array) =>
  Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;

test("after training, a query of a topic's words is closest to that topic's papers", async () => {
  const { docs, topicOf, topicWords } = syntheticCorpus(1);
  const phases: string[] = [];
  const model = await trainStaticModel(docs, {
    ...FAST,
    onProgress: (p) => {
      if (!phases.includes(p.phase)) phases.push(p.phase);
    },
  });
  assert.deepEqual(phases, ['read', 'vocabulary', 'lsa', 'train']);
  const embedder: Embedder = new StaticEmbedder(model);
  assert.equal(embedder.dimensions, 32);
  assert.match(embedder.id, /^paperboy-static\/[0-9a-f]{12}$/);
  const vectors = await embedder.embedDocuments(docs.map((d) => `${d.title}. ${d.abstract}`));
  for (let t = 0; t < 4; t++) {
    const query = await embedder.embedQuery(topicWords[t]!.slice(0, 3).join(' '));
    const scores = vectors
      .map((v, i) => ({ topic: topicOf[i]!, score: cosine(query, v) }))
      .sort((a, b) => b.score - a.score);
    const top20 = scores.slice(0, 20).filter((s) => s.topic === t).length;
    assert.equal(top20, 20, `topic ${t}: ${top20}/20 of the nearest papers are on topic`);
    const mean = (own: boolean) => {
      const xs = scores.filter((s) => (s.topic === t) === own).map((s) => s.score);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    assert.ok(mean(true) > mean(false) + 0.2, `topic ${t}: ${mean(true)} vs ${mean(false)}`);
  }
});

test('training is deterministic: same seed → same weights and id (in any paper order); another seed → different', async () => {
  const { docs } = syntheticCorpus(2, 25);
  const a = await trainStaticModel(docs, FAST);
  const b = await trainStaticModel([...docs].reverse(), FAST);
  const c = await trainStaticModel(docs, { ...FAST, seed: 8 });
  assert.ok(sameBytes(a.vectors, b.vectors));
  assert.ok(sameBytes(a.weights, b.weights));
  assert.equal(a.id, b.id);
  assert.ok(!sameBytes(a.vectors, c.vectors));
  assert.notEqual(a.id, c.id);
  assert.equal(a.meta.corpus.fingerprint, b.meta.corpus.fingerprint);
  if (a.meta.config.kernels === 'wasm-simd') {
    const threaded = await trainStaticModel(docs, { ...FAST, threads: 2 });
    assert.equal(threaded.id, a.id, 'helper threads change nothing');
  }
});

test('epochs: 0 gives the LSA initialisation, which training changes', async () => {
  const { docs } = syntheticCorpus(2, 25);
  const lsa = await trainStaticModel(docs, { ...FAST, epochs: 0 });
  const trained = await trainStaticModel(docs, { ...FAST, epochs: 1 });
  assert.equal(lsa.meta.config.epochs, 0);
  assert.notEqual(lsa.id, trained.id);
  const v = lsa.embed(docs[0]!.title);
  assert.ok(Math.abs(cosine(v, v) - 1) < 1e-5);
});

test('the TypeScript kernels train too', async () => {
  const { docs } = syntheticCorpus(2, 25);
  const model = await trainStaticModel(docs, { ...FAST, epochs: 1, kernels: 'js' });
  assert.equal(model.meta.config.kernels, 'js');
  assert.ok(model.vectors.every(Number.isFinite));
});

test('save/load round trip keeps vectors, weights and id; a damaged file is refused', async () => {
  const { docs } = syntheticCorpus(3, 25);
  const model = await trainStaticModel(docs, { ...FAST, epochs: 1 });
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-learned-'));
  try {
    const path = join(dir, 'model.pbs');
    await model.save(path);
    const loaded = await StaticModel.load(path);
    assert.equal(loaded.id, model.id);
    assert.deepEqual(loaded.vocab, model.vocab);
    assert.ok(sameBytes(loaded.vectors, model.vectors));
    assert.ok(sameBytes(loaded.weights, model.weights));
    assert.deepEqual(loaded.meta.config, model.meta.config);
    const text = `${docs[5]!.title}. ${docs[5]!.abstract}`;
    assert.ok(sameBytes(loaded.embed(text), model.embed(text)));
    const fromFile = await StaticEmbedder.load(path);
    assert.equal(fromFile.id, model.id);

    const bytes = await readFile(path);
    bytes[bytes.length - 3]! ^= 0xff;
    await writeFile(join(dir, 'bad.pbs'), bytes);
    await assert.rejects(StaticModel.load(join(dir, 'bad.pbs')), /does not match its id/);
    await writeFile(join(dir, 'short.pbs'), bytes.subarray(0, bytes.length - 4));
    await assert.rejects(StaticModel.load(join(dir, 'short.pbs')), /bytes, expected/);
    await writeFile(join(dir, 'other.pbs'), 'hello');
    await assert.rejects(StaticModel.load(join(dir, 'other.pbs')), /not a Paperboy static model/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('vectors are unit length; unknown words, empty, huge and emoji texts give a zero vector or a unit one, never NaN', async () => {
  const { docs, topicWords } = syntheticCorpus(4, 25);
  const embedder = new StaticEmbedder(await trainStaticModel(docs, { ...FAST, epochs: 1 }));
  const known = topicWords[0]!.slice(0, 20).join(' ');
  const texts = [
    '',
    '   ',
    'zzzunknown qqqnothing',
    '🚀🔥🧪',
    '\u0000',
    'the of and',
    known,
    `${known} ${'x'.repeat(10_000)}`,
    `${known} `.repeat(2000).slice(0, 10_000),
    `${topicWords[1]![0]}-${topicWords[2]![0]}`,
  ];
  const vectors = await embedder.embedDocuments(texts);
  vectors.forEach((v, i) => {
    assert.equal(v.length, 32);
    assert.ok(v.every(Number.isFinite), `NaN for text ${i}`);
    const norm = cosine(v, v);
    assert.ok(norm === 0 || Math.abs(norm - 1) < 1e-5, `text ${i}: |v|² = ${norm}`);
  });
  for (const i of [0, 1, 2, 3, 4, 5])
    assert.ok(
      vectors[i]!.every((x) => x === 0),
      `text ${i} should embed as zero`,
    );
  for (const i of [6, 7, 8, 9])
    assert.ok(Math.abs(cosine(vectors[i]!, vectors[i]!) - 1) < 1e-5, `text ${i} should be unit`);
  // an unknown compound falls back to its known parts
  assert.ok(embedder.model.explain(texts[9]!).length === 2);
  assert.ok((await embedder.embedQuery('')).every((x) => x === 0));
});

test('bad options are refused', async () => {
  await assert.rejects(trainStaticModel([], { dimensions: 30 }), /multiple of 16/);
  await assert.rejects(trainStaticModel([], { epochs: -1 }), /epochs/);
});

test('an empty or tiny corpus trains without crashing', async () => {
  const empty = await trainStaticModel([], { ...FAST });
  assert.ok(empty.embed('anything').every((x) => x === 0));
  const tiny = await trainStaticModel(
    [{ title: 'one paper', abstract: 'About one paper only. It has two sentences.' }],
    { ...FAST, minCount: 1 },
  );
  assert.ok(tiny.embed('paper').every(Number.isFinite));
});
