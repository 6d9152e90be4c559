import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainingDoc } from './corpus.ts';
import { MODEL_VERSION, StaticModel, SUBWORD_VERSION } from './model.ts';
import { Rng } from './prng.ts';
import { hasNgram, knownNgrams, ngramHashes, resolveSubwords } from './subwords.ts';
import { buildCorpus, Trainer, trainStaticModel, type TrainOptions } from './train.ts';

/** Three topics whose words share a stem (quarka, quarkb, …): morphological variants of each other. */
function stemCorpus(seed: number, perTopic = 40): TrainingDoc[] {
  const rng = new Rng(seed);
  const stems = ['quark', 'graph', 'tumor'];
  const words = stems.map((s) => Array.from({ length: 12 }, (_, i) => `${s}${String.fromCharCode(97 + i)}`));
  const shared = Array.from({ length: 20 }, (_, i) => `common${String.fromCharCode(97 + i)}`);
  const pick = (list: string[]) => list[rng.int(list.length)]!;
  const docs: TrainingDoc[] = [];
  for (let n = 0; n < perTopic; n++) {
    for (let t = 0; t < stems.length; t++) {
      const own = words[t]!;
      const sentences = Array.from({ length: 3 + rng.int(3) }, () =>
        Array.from({ length: 6 + rng.int(6) }, () => (rng.next() < 0.6 ? pick(own) : pick(shared))).join(' '),
      );
      docs.push({
        title: Array.from({ length: 3 + rng.int(3) }, () => pick(own)).join(' '),
        abstract: sentences.map((s) => `${s[0]!.toUpperCase()}${s.slice(1)}.`).join(' '),
      });
    }
  }
  return docs;
}

const FAST: TrainOptions = {
  dimensions: 32,
  epochs: 6,
  validationPapers: 0,
  batchSize: 32,
  minCount: 2,
  lsaSampleSize: 1000,
  learningRate: 0.02,
  seed: 5,
  subwords: { buckets: 4096 },
};

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

test('n-grams: every substring of "<word>" from minN to maxN characters, hashed the same way each time', () => {
  assert.equal(ngramHashes('ab', 3, 5).length, 2 + 1); // "<ab", "ab>", "<ab>"
  assert.equal(ngramHashes('quark', 3, 5).length, 5 + 4 + 3); // "<quark>" has 7 characters
  assert.deepEqual(ngramHashes('quark', 3, 5), ngramHashes('quark', 3, 5));
  // "<qu" is a 3-gram of both; the last 3-grams differ.
  assert.equal(ngramHashes('quark', 3, 3)[0], ngramHashes('quartz', 3, 3)[0]);
  assert.notEqual(ngramHashes('quark', 3, 3).at(-1), ngramHashes('quartz', 3, 3).at(-1));
  const known = knownNgrams(['quark', 'graph'], 3, 5);
  assert.ok(
    known.every((h, i) => i === 0 || h > known[i - 1]!),
    'sorted, distinct',
  );
  for (const h of ngramHashes('graph', 3, 5)) assert.ok(hasNgram(known, h));
  assert.ok(!hasNgram(known, ngramHashes('zzz', 3, 3)[1]!));
  assert.equal(resolveSubwords(false), null);
  assert.deepEqual(resolveSubwords(true), { minN: 3, maxN: 5, buckets: 65_536, minShare: 1 });
  assert.throws(() => resolveSubwords({ minN: 4, maxN: 3 }), /maxN/);
  assert.throws(() => resolveSubwords({ buckets: 0 }), /buckets/);
});

test('gradient check: the backward pass matches finite differences on word rows, bucket rows and word weights', async () => {
  const corpus = await buildCorpus(stemCorpus(2, 10), { minCount: 2 });
  const trainer = new Trainer(corpus, {
    ...FAST,
    epochs: 1,
    kernels: 'js',
    temperature: 0.5,
    tokenWeights: 'learned',
    subwords: { buckets: 512 },
  });
  try {
    trainer.initLsa();
    trainer.trainEpoch(); // buckets and word weights away from their start (zero, idf)
    const papers = [0, 1, 2, 3, 4, 5, 6, 7];
    // Title pairs and sentence pairs (each paper's first sentence against the rest of its abstract).
    const sentence = papers.map((p, i) => (i % 2 === 0 ? -1 : corpus.docSeg[p]! + 1));
    const { loss, rows, theta } = trainer.batchGradient(papers, sentence);
    assert.ok(Number.isFinite(loss) && loss > 0);
    const V = corpus.vocab.length;
    const d = 32;
    const params = trainer.parameters;
    const lossAt = () => trainer.batchGradient(papers, sentence).loss;
    const checkParam = (index: number) => {
      const h = 1e-2;
      const saved = params[index]!;
      params[index] = saved + h;
      const up = lossAt();
      params[index] = saved - h;
      const down = lossAt();
      params[index] = saved;
      const numeric = (up - down) / (2 * h);
      assert.ok(
        Math.abs(numeric - rows[index]!) <= 0.03 * Math.abs(rows[index]!) + 1e-4,
        `row ${Math.floor(index / d)} (${index >= V * d ? 'bucket' : 'word'}), component ${index % d}: backward ${rows[index]} vs numeric ${numeric}`,
      );
    };
    // The largest gradient components among word rows and among bucket rows.
    const top = (from: number, to: number, k: number) =>
      Array.from({ length: to - from }, (_, i) => from + i)
        .sort((a, b) => Math.abs(rows[b]!) - Math.abs(rows[a]!))
        .slice(0, k);
    const wordComponents = top(0, V * d, 6);
    const bucketComponents = top(V * d, rows.length, 6);
    assert.ok(Math.abs(rows[bucketComponents[0]!]!) > 1e-3, 'buckets get a gradient');
    for (const i of [...wordComponents, ...bucketComponents]) checkParam(i);
    // Word weights (log multipliers).
    const logWeights = trainer.logWeights;
    const thetaTop = Array.from({ length: V }, (_, i) => i)
      .sort((a, b) => Math.abs(theta[b]!) - Math.abs(theta[a]!))
      .slice(0, 4);
    for (const t of thetaTop) {
      const h = 1e-3;
      const saved = logWeights[t]!;
      logWeights[t] = saved + h;
      const up = lossAt();
      logWeights[t] = saved - h;
      const down = lossAt();
      logWeights[t] = saved;
      const numeric = (up - down) / (2 * h);
      assert.ok(
        Math.abs(numeric - theta[t]!) <= 0.03 * Math.abs(theta[t]!) + 1e-4,
        `θ of ${corpus.vocab[t]}: backward ${theta[t]} vs numeric ${numeric}`,
      );
    }
    // A row no text of the batch uses gets no gradient.
    const used = new Set<number>();
    for (const p of papers)
      for (let i = corpus.segStart[corpus.docSeg[p]!]!; i < corpus.segStart[corpus.docSeg[p + 1]!]!; i++)
        used.add(corpus.tokens[i]!);
    const unused = Array.from({ length: V }, (_, t) => t).find((t) => !used.has(t));
    if (unused !== undefined) assert.ok(rows.subarray(unused * d, unused * d + d).every((x) => x === 0));
  } finally {
    trainer.close();
  }
});

test("a known word's vector is its own row plus the mean of its buckets' rows; buckets start at zero", async () => {
  const corpus = await buildCorpus(stemCorpus(3, 10), { minCount: 2 });
  const trainer = new Trainer(corpus, { ...FAST, epochs: 1, kernels: 'js', subwords: { buckets: 256 } });
  try {
    trainer.initLsa();
    const V = corpus.vocab.length;
    const d = 32;
    assert.ok(
      trainer.parameters.subarray(V * d).every((x) => x === 0),
      'buckets start at zero: the LSA start',
    );
    trainer.trainEpoch();
    const model = trainer.snapshot();
    const float = model.withPrecision('float32').vectors;
    const params = trainer.parameters;
    const t = corpus.vocab.indexOf('quarka');
    assert.ok(t >= 0);
    const hashes = ngramHashes('quarka', 3, 5);
    for (let c = 0; c < d; c++) {
      let sum = params[t * d + c]!;
      for (const h of hashes) sum += params[(V + (h % 256)) * d + c]! / hashes.length;
      // The model holds int8 codes: within half a step of the row's scale.
      const scale = model.quantized!.scales[t]!;
      assert.ok(Math.abs(float[t * d + c]! - sum) <= scale / 2 + 1e-6, `component ${c}: ${float[t * d + c]} vs ${sum}`);
    }
  } finally {
    trainer.close();
  }
});

test('an unseen variant of known words embeds close to them; strings without known n-grams still give the zero vector', async () => {
  const docs = stemCorpus(4);
  // minShare 0.5: "quarkz" shares 9 of its 15 n-grams with quarka, quarkb, … (not "rkz", "kz>", …).
  const model = await trainStaticModel(docs, { ...FAST, subwords: { buckets: 4096, minShare: 0.5 } });
  assert.equal(model.wordId('quarkz'), -1);
  assert.ok(model.knowsWord('quarkz'));
  const variant = model.embed('quarkz');
  assert.ok(Math.abs(cosine(variant, variant) - 1) < 1e-5, 'a unit vector');
  const topic = (stem: string) =>
    model.embed(Array.from({ length: 12 }, (_, i) => `${stem}${String.fromCharCode(97 + i)}`).join(' '));
  const own = cosine(variant, topic('quark'));
  assert.ok(own > 0.5, `cosine with its own topic ${own}`);
  assert.ok(own > cosine(variant, topic('graph')) + 0.3);
  assert.ok(own > cosine(variant, topic('tumor')) + 0.3);
  assert.ok(model.explain('quarkz commona').some((e) => e.word === 'quarkz'));
  // Strings with few known n-grams stay out.
  assert.ok(!model.knowsWord('xqzvw'));
  assert.ok(!model.knowsWord('quxyzzy'));
  assert.ok(model.embed('xqzvw kwyjibo').every((x) => x === 0));
  // The default minShare 1 asks for every n-gram, so the misspelt ending is not enough; above 1, unknown
  // words are always ignored.
  assert.ok(!model.withUnknownWordShare(1).knowsWord('quarkz'));
  assert.ok(
    model
      .withUnknownWordShare(1)
      .embed('quarkz')
      .every((x) => x === 0),
  );
  assert.ok(
    model
      .withUnknownWordShare(2)
      .embed('quarkz')
      .every((x) => x === 0),
  );
  // Without sub-words the same word is ignored.
  const plain = await trainStaticModel(docs, { ...FAST, subwords: false });
  assert.ok(!plain.knowsWord('quarkz'));
  assert.ok(plain.embed('quarkz').every((x) => x === 0));
});

test('sub-word models save as version 3 and load with the same id and embeddings; version 2 files still load', async () => {
  const docs = stemCorpus(5, 15);
  // minShare 0.5, so that the unknown words of the texts below count.
  const model = await trainStaticModel(docs, { ...FAST, epochs: 1, subwords: { buckets: 4096, minShare: 0.5 } });
  assert.ok(model.embed('quarkz graphq').some((x) => x !== 0));
  const plain = await trainStaticModel(docs, { ...FAST, epochs: 1, subwords: false });
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-subwords-'));
  try {
    const path = join(dir, 'v3.pbs');
    await model.save(path);
    const bytes = await readFile(path);
    const header = JSON.parse(bytes.toString('utf8', 12, 12 + bytes.readUInt32LE(8))) as {
      version: number;
      subwords: unknown;
    };
    assert.equal(header.version, SUBWORD_VERSION);
    assert.deepEqual(header.subwords, model.subwords);
    const loaded = await StaticModel.load(path);
    assert.equal(loaded.id, model.id);
    assert.deepEqual(loaded.subwords, model.subwords);
    for (const text of ['quarkz graphq', docs[3]!.abstract])
      assert.deepEqual([...loaded.embed(text)], [...model.embed(text)]);
    assert.ok(loaded.vectorBytes > plain.vectorBytes + 4096 * 32, 'the buckets are held too');
    // Damaged bucket bytes are refused.
    bytes[bytes.length - 5]! ^= 0x7f;
    await writeFile(join(dir, 'bad.pbs'), bytes);
    await assert.rejects(StaticModel.load(join(dir, 'bad.pbs')), /does not match its id/);
    // A model without sub-words is unchanged: version 2, no buckets, unknown words ignored.
    await plain.save(join(dir, 'v2.pbs'));
    const old = await StaticModel.load(join(dir, 'v2.pbs'));
    assert.equal(old.fileVersion, MODEL_VERSION);
    assert.equal(old.subwords, null);
    assert.equal(old.id, plain.id);
    assert.ok(old.embed('quarkz').every((x) => x === 0));
    // float32 word vectors embed the same (buckets stay int8), but such a model is not saved.
    const float = model.withPrecision('float32');
    for (const text of ['quarkz graphq', docs[3]!.abstract])
      assert.ok(cosine(float.embed(text), model.embed(text)) > 0.999);
    await assert.rejects(float.save(join(dir, 'f.pbs')), /int8/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sub-word training is deterministic and leaves a model without them as it was', async () => {
  const docs = stemCorpus(6, 10);
  const a = await trainStaticModel(docs, { ...FAST, epochs: 2 });
  const b = await trainStaticModel([...docs].reverse(), { ...FAST, epochs: 2 });
  assert.equal(a.id, b.id);
  const plain = await trainStaticModel(docs, { ...FAST, epochs: 2, subwords: false });
  assert.notEqual(plain.id, a.id);
  assert.equal(plain.meta.config.subwords, undefined);
  assert.deepEqual(a.meta.config.subwords, { minN: 3, maxN: 5, buckets: 4096, minShare: 1 });
  assert.equal(a.meta.config.subwordLearningRate, FAST.learningRate);
});

test('sub-words on an empty or tiny corpus, with hard negatives and helper threads: no crash, no NaN', async () => {
  const empty = await trainStaticModel([], FAST);
  assert.ok(empty.embed('anything quarkz').every((x) => x === 0));
  const tiny = await trainStaticModel(
    [{ title: 'one paper', abstract: 'About one paper only. It has two sentences.' }],
    {
      ...FAST,
      minCount: 1,
    },
  );
  assert.ok(tiny.embed('paper papers').every(Number.isFinite));
  const docs = stemCorpus(7, 10);
  const one = await trainStaticModel(docs, { ...FAST, epochs: 2, hardNegatives: true });
  const two = await trainStaticModel(docs, { ...FAST, epochs: 2, hardNegatives: true, threads: 2 });
  assert.equal(one.id, two.id, 'threads do not change the model');
  assert.ok(one.vectors.every(Number.isFinite));
});
