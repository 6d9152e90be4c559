import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Embedder } from '../embedder.ts';
import type { TrainingDoc } from './corpus.ts';
import { MODEL_VERSION, quantizeInt8, StaticModel } from './model.ts';
import { Rng } from './prng.ts';
import { StaticEmbedder } from './static-embedder.ts';
import { buildCorpus, Trainer, trainStaticModel, type TrainOptions } from './train.ts';

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

/** Small and quick: a fixed number of epochs (no step budget, no validation papers) unless a test asks. */
const FAST: TrainOptions = {
  dimensions: 32,
  epochs: 4,
  minSteps: 0,
  validationPapers: 0,
  hardNegatives: false,
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

test('a step budget: a small corpus gets minSteps, a large epoch count is cut at maxSteps, steps overrides both', async () => {
  const { docs } = syntheticCorpus(5, 25); // 100 papers: 200 pairs, 7 batches of 32 per epoch
  const noChecks = { ...FAST, validationPapers: 0 };
  const raised = await trainStaticModel(docs, { ...noChecks, epochs: 1, minSteps: 20, maxSteps: 100 });
  assert.equal(raised.meta.config.steps, 20);
  assert.ok(Number(raised.meta.config.epochs) >= 3, 'more than one pass to reach the budget');
  const capped = await trainStaticModel(docs, { ...noChecks, epochs: 50, minSteps: 0, maxSteps: 12 });
  assert.equal(capped.meta.config.steps, 12);
  const exact = await trainStaticModel(docs, { ...noChecks, steps: 9 });
  assert.equal(exact.meta.config.steps, 9);
  const lsa = await trainStaticModel(docs, { ...noChecks, epochs: 0, minSteps: 20 });
  assert.equal(lsa.meta.config.steps, 0, 'epochs: 0 is the LSA initialisation alone, whatever minSteps says');
});

test('early stopping: validation papers are never trained on, and the best checkpoint is the one kept', async () => {
  const { docs } = syntheticCorpus(6, 40);
  const corpus = await buildCorpus(docs, { minCount: 2 });
  // A step size this large wrecks the LSA start: the checks get worse, training stops early, and the
  // weights kept are those of the best check, not the last step's.
  const trainer = new Trainer(corpus, {
    ...FAST,
    learningRate: 2,
    tokenWeightLearningRate: 2,
    steps: 200,
    validationPapers: 30,
    checkEvery: 5,
    patience: 3,
    tolerance: 0,
  });
  try {
    trainer.initLsa();
    const summary = trainer.train();
    assert.equal(summary.validationPapers, 30);
    assert.ok(summary.stoppedEarly, 'stopped before the budget');
    assert.ok(summary.steps < 200);
    const best = summary.checks.reduce((a, b) => (b.score > a.score ? b : a));
    assert.ok(best.score > summary.checks.at(-1)!.score, 'the last check is worse than the best');
    assert.equal(summary.keptStep, best.step);
    assert.equal(trainer.validate()!.score, best.score, 'the kept weights score what the best check scored');
    const model = trainer.snapshot();
    assert.equal(model.meta.config.keptStep, best.step);
    assert.equal(model.meta.config.validationPapers, 30);
  } finally {
    trainer.close();
  }
  // Patience 0 never stops early: every planned step runs, and the best check is still the one kept.
  const patient = new Trainer(corpus, {
    ...FAST,
    steps: 60,
    validationPapers: 30,
    checkEvery: 10,
    patience: 0,
    tolerance: 0,
  });
  try {
    patient.initLsa();
    const summary = patient.train();
    assert.equal(summary.steps, 60);
    assert.ok(!summary.stoppedEarly);
    // 160 papers with a title pair and a sentence pair each, less the 30 set aside.
    assert.equal(patient.epochStats[0]!.pairs, 2 * (160 - 30), 'validation papers give no training pair');
    assert.deepEqual(
      summary.checks.map((c) => c.step),
      [0, 10, 20, 30, 40, 50, 60],
    );
    const best = summary.checks.reduce((a, b) => (b.score > a.score ? b : a));
    assert.equal(summary.keptStep, best.step);
    assert.equal(patient.validate()!.score, best.score);
  } finally {
    patient.close();
  }
  // A tolerance keeps the latest check within it of the best: with a tolerance of 1, the last one.
  const tolerant = new Trainer(corpus, {
    ...FAST,
    steps: 60,
    validationPapers: 30,
    checkEvery: 10,
    patience: 0,
    tolerance: 1,
  });
  try {
    tolerant.initLsa();
    const summary = tolerant.train();
    assert.equal(summary.keptStep, 60);
    assert.equal(tolerant.validate()!.score, summary.checks.at(-1)!.score);
  } finally {
    tolerant.close();
  }
});

test('int8 vectors: each component within scale / 2 of float32, embeddings within 0.01 cosine, a quarter of the bytes', async () => {
  const rng = new Rng(11);
  const d = 32;
  const vectors = Float32Array.from({ length: 50 * d }, () => (rng.next() - 0.5) * 4);
  vectors.fill(0, 7 * d, 8 * d); // a zero row stays zero
  const { codes, scales } = quantizeInt8(vectors, d);
  for (let t = 0; t < 50; t++) {
    let max = 0;
    for (let c = 0; c < d; c++) max = Math.max(max, Math.abs(vectors[t * d + c]!));
    assert.ok(Math.abs(scales[t]! - max / 127) < 1e-6 * (1 + max));
    for (let c = 0; c < d; c++) {
      const error = Math.abs(scales[t]! * codes[t * d + c]! - vectors[t * d + c]!);
      assert.ok(error <= scales[t]! / 2 + 1e-6, `row ${t}: error ${error} > scale / 2`);
    }
  }
  assert.equal(scales[7], 0);

  const { docs } = syntheticCorpus(3, 25);
  const float = await trainStaticModel(docs, { ...FAST, epochs: 1, precision: 'float32' });
  const int8 = await trainStaticModel(docs, { ...FAST, epochs: 1 });
  assert.equal(float.precision, 'float32');
  assert.equal(int8.precision, 'int8');
  assert.notEqual(float.id, int8.id);
  assert.equal(int8.vectorBytes, float.vocabularySize * (32 + 4));
  assert.equal(float.vectorBytes, float.vocabularySize * 32 * 4);
  assert.equal(float.withPrecision('int8').id, int8.id, 'quantizing the float32 model gives the int8 one');
  for (const doc of docs.slice(0, 20)) {
    const text = `${doc.title}. ${doc.abstract}`;
    const similarity = cosine(float.embed(text), int8.embed(text));
    assert.ok(similarity > 0.99, `cosine ${similarity}`);
  }
});

test('file versions: int8 models save as version 2, float32 ones as version 1 and still load; other versions are refused', async () => {
  const { docs } = syntheticCorpus(3, 25);
  const float = await trainStaticModel(docs, { ...FAST, epochs: 1, precision: 'float32' });
  const int8 = float.withPrecision('int8');
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-learned-'));
  try {
    const version = async (path: string) => {
      const bytes = await readFile(path);
      return (JSON.parse(bytes.toString('utf8', 12, 12 + bytes.readUInt32LE(8))) as { version: number }).version;
    };
    await float.save(join(dir, 'v1.pbs'));
    await int8.save(join(dir, 'v2.pbs'));
    assert.equal(await version(join(dir, 'v1.pbs')), 1);
    assert.equal(await version(join(dir, 'v2.pbs')), MODEL_VERSION);
    const old = await StaticModel.load(join(dir, 'v1.pbs'));
    assert.equal(old.precision, 'float32');
    assert.equal(old.fileVersion, 1);
    assert.equal(old.id, float.id);
    const loaded = await StaticModel.load(join(dir, 'v2.pbs'));
    assert.equal(loaded.precision, 'int8');
    assert.equal(loaded.id, int8.id);
    const v2 = await stat(join(dir, 'v2.pbs'));
    const v1 = await stat(join(dir, 'v1.pbs'));
    assert.ok(v2.size < v1.size / 2, `${v2.size} vs ${v1.size} bytes`);
    const text = docs[4]!.abstract;
    assert.ok(sameBytes(loaded.embed(text), int8.embed(text)));
    // A version this code does not know is refused with a clear message.
    const bytes = await readFile(join(dir, 'v2.pbs'));
    const headerLength = bytes.readUInt32LE(8);
    const header = bytes.toString('utf8', 12, 12 + headerLength).replace(`"version":${MODEL_VERSION}`, '"version":9');
    assert.equal(Buffer.byteLength(header), headerLength);
    await writeFile(
      join(dir, 'v9.pbs'),
      Buffer.concat([bytes.subarray(0, 12), Buffer.from(header), bytes.subarray(12 + headerLength)]),
    );
    await assert.rejects(StaticModel.load(join(dir, 'v9.pbs')), /unsupported model format paperboy-static v9/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('hard negatives: batches of neighbouring papers train a different model, deterministically, and the topics still separate', async () => {
  const { docs, topicOf, topicWords } = syntheticCorpus(1);
  const plain = await trainStaticModel(docs, FAST);
  const hard = await trainStaticModel(docs, { ...FAST, hardNegatives: true });
  const again = await trainStaticModel([...docs].reverse(), { ...FAST, hardNegatives: true });
  assert.equal(hard.meta.config.hardNegatives, true);
  assert.equal(plain.meta.config.hardNegatives, false);
  assert.notEqual(hard.id, plain.id, 'the batches differ');
  assert.equal(again.id, hard.id);
  const embedder = new StaticEmbedder(hard);
  const vectors = await embedder.embedDocuments(docs.map((d) => `${d.title}. ${d.abstract}`));
  for (let t = 0; t < 4; t++) {
    const query = await embedder.embedQuery(topicWords[t]!.slice(0, 3).join(' '));
    const top = vectors
      .map((v, i) => ({ topic: topicOf[i]!, score: cosine(query, v) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 20);
    assert.equal(top.filter((s) => s.topic === t).length, 20, `topic ${t}`);
  }
});
