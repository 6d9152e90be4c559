/**
 * Trains Paperboy's static embedding model on the arXiv dump and measures it: time per phase, peak RSS,
 * embedding throughput and query latency, and a dense-only retrieval check on held-out papers (title →
 * its abstract among a pool of abstracts, exact cosine top 10), after the LSA initialisation and after
 * each epoch of contrastive training. The held-out papers are in the vocabulary/LSA corpus (the real system
 * trains on all papers it searches) but never in a training pair.
 *
 *   node bench/learned-model.ts [--limit N] [--epochs 8] [--dimensions 256] [--batch 512] [--lr 0.01] [--weight-lr 0.001]
 *     [--temperature 0.05] [--token-weights learned|idf] [--lsa-sample 40000] [--holdout 2000] [--pool 20000]
 *     [--seed 1] [--kernels auto|js|wasm-simd] [--threads 1] [--no-eval-epochs] [--save model.pbs] [--data file.jsonl.gz]
 *
 *   node bench/learned-model.ts --memory model.bin
 * Memory of a saved model held as int8 and as float32: each loaded in a fresh process, RSS after a GC, the
 * bytes of its word vectors, and the cosine between the two precisions' embeddings of some texts.
 *
 *   node bench/learned-model.ts --models a.pbs,b.pbs [--speed-papers 20000] [--oov-share X] [--data file.jsonl.gz]
 * Side by side (e.g. without and with sub-words): each model loaded in a fresh process, RSS after a GC, its
 * vector bytes, papers embedded per second (title + abstract of the first papers of --data) and query
 * latency; --oov-share overrides a sub-word model's minShare.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { paperText } from '../src/search/embedder.ts';
import { createKernels } from '../src/search/learned/kernels.ts';
import { StaticModel } from '../src/search/learned/model.ts';
import { Rng } from '../src/search/learned/prng.ts';
import { StaticEmbedder } from '../src/search/learned/static-embedder.ts';
import { buildCorpus, Trainer, type Progress } from '../src/search/learned/train.ts';
import type { TrainingDoc } from '../src/search/learned/corpus.ts';
import { fmt, formatTable, loadLine, SHARED_DATA, summarizeLatencies, writeResult } from './lib.ts';

const { values: args } = parseArgs({
  options: {
    limit: { type: 'string' },
    epochs: { type: 'string', default: '8' },
    dimensions: { type: 'string', default: '256' },
    batch: { type: 'string', default: '512' },
    lr: { type: 'string', default: '0.01' },
    'weight-lr': { type: 'string' },
    temperature: { type: 'string', default: '0.05' },
    'token-weights': { type: 'string', default: 'learned' },
    'lsa-sample': { type: 'string', default: '40000' },
    'lsa-iterations': { type: 'string', default: '2' },
    'min-count': { type: 'string', default: '3' },
    'max-vocabulary': { type: 'string', default: '200000' },
    holdout: { type: 'string', default: '2000' },
    pool: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    kernels: { type: 'string', default: 'auto' },
    threads: { type: 'string', default: '1' },
    'no-eval-epochs': { type: 'boolean', default: false },
    'no-title-pairs': { type: 'boolean', default: false },
    'no-sentence-pairs': { type: 'boolean', default: false },
    save: { type: 'string' },
    data: { type: 'string', default: join(SHARED_DATA, 'arxiv-papers-133k.jsonl.gz') },
    name: { type: 'string', default: 'learned-model' },
    memory: { type: 'string' },
    'memory-child': { type: 'string' },
    models: { type: 'string' },
    'speed-papers': { type: 'string', default: '20000' },
    'oov-share': { type: 'string' },
  },
});

if (args['memory-child']) {
  // One precision in this process: load, convert, collect garbage, report.
  const precision = args['memory-child'] === 'float32' ? 'float32' : 'int8';
  const before = process.memoryUsage().rss;
  let loaded = (await StaticModel.load(args.memory!)).withPrecision(precision);
  if (args['oov-share'] !== undefined && loaded.subwords)
    loaded = loaded.withUnknownWordShare(Number(args['oov-share']));
  (globalThis as { gc?: () => void }).gc?.();
  const rss = process.memoryUsage().rss;
  let speed: { papers: number; papersPerSecond: number; query: ReturnType<typeof summarizeLatencies> } | null = null;
  if (args.models) {
    const papers = await readPapers(args.data, Number(args['speed-papers']));
    const texts = papers.map((p) => paperText(p.title, p.abstract));
    const out = new Float32Array(loaded.dimensions);
    for (const t of texts.slice(0, 1000)) loaded.embed(t, out); // warm-up (and the n-gram table, if any)
    const t0 = performance.now();
    for (const t of texts) loaded.embed(t, out);
    const seconds = (performance.now() - t0) / 1000;
    const latencies: number[] = [];
    for (const p of papers.slice(0, 2000)) {
      const t = performance.now();
      loaded.embed(p.title, out);
      latencies.push((performance.now() - t) * 1000);
    }
    speed = { papers: texts.length, papersPerSecond: texts.length / seconds, query: summarizeLatencies(latencies) };
  }
  const texts = [
    'diffusion models for video generation',
    'graph neural networks for molecules',
    'a survey of LLM agents',
  ];
  process.stdout.write(
    `${JSON.stringify({
      precision,
      id: loaded.id,
      vocabularySize: loaded.vocabularySize,
      dimensions: loaded.dimensions,
      vectorBytes: loaded.vectorBytes,
      rssBefore: before,
      rss,
      subwords: loaded.subwords,
      speed,
      embeddings: texts.map((t) => Array.from(loaded.embed(t))),
    })}\n`,
  );
  process.exit(0);
}

if (args.models) {
  const files = args.models.split(',');
  const runs = files.map((file) => {
    const extra = args['oov-share'] === undefined ? [] : ['--oov-share', args['oov-share']];
    const child = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        fileURLToPath(import.meta.url),
        '--memory',
        file,
        '--memory-child',
        'int8',
        '--models',
        args.models!,
        '--speed-papers',
        args['speed-papers']!,
        '--data',
        args.data,
        ...extra,
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (child.status !== 0) throw new Error(child.stderr);
    const r = JSON.parse(child.stdout) as {
      id: string;
      vocabularySize: number;
      vectorBytes: number;
      rss: number;
      subwords: { minN: number; maxN: number; buckets: number; minShare: number } | null;
      speed: { papers: number; papersPerSecond: number; query: ReturnType<typeof summarizeLatencies> };
    };
    return { file, ...r, embeddings: undefined };
  });
  console.log(loadLine());
  console.log(
    formatTable(
      ['model', 'words', 'sub-words', 'vectors', 'RSS after load', 'papers/s', 'query p50', 'query p99'],
      runs.map((r) => [
        r.file,
        fmt.int(r.vocabularySize),
        r.subwords
          ? `${r.subwords.minN}-${r.subwords.maxN}, ${fmt.int(r.subwords.buckets)} (share ${r.subwords.minShare})`
          : '-',
        fmt.mib(r.vectorBytes),
        fmt.mib(r.rss),
        fmt.int(Math.round(r.speed.papersPerSecond)),
        `${r.speed.query.p50.toFixed(1)} µs`,
        `${r.speed.query.p99.toFixed(1)} µs`,
      ]),
    ),
  );
  console.log(loadLine());
  const path = writeResult(`${args.name}-models`, { runs });
  console.log(`JSON: ${path}`);
  process.exit(0);
}

if (args.memory) {
  const runs = (['int8', 'float32'] as const).map((precision) => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', fileURLToPath(import.meta.url), '--memory', args.memory!, '--memory-child', precision],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (child.status !== 0) throw new Error(child.stderr);
    return JSON.parse(child.stdout) as {
      precision: string;
      id: string;
      vocabularySize: number;
      dimensions: number;
      vectorBytes: number;
      rssBefore: number;
      rss: number;
      embeddings: number[][];
    };
  });
  const [int8, float32] = runs as [(typeof runs)[0], (typeof runs)[0]];
  const cosines = int8.embeddings.map((a, i) => a.reduce((s, x, j) => s + x * float32.embeddings[i]![j]!, 0));
  console.log(loadLine());
  console.log(`${args.memory}: ${int8.vocabularySize} words × ${int8.dimensions}`);
  console.log(
    formatTable(
      ['precision', 'word vectors', 'process RSS after load', 'model id'],
      runs.map((r) => [r.precision, fmt.mib(r.vectorBytes), fmt.mib(r.rss), r.id]),
    ),
  );
  console.log(
    `saved: ${fmt.mib(float32.vectorBytes - int8.vectorBytes)} of vectors, ${fmt.mib(float32.rss - int8.rss)} of RSS; embedding cosine int8 vs float32: min ${Math.min(...cosines).toFixed(5)}`,
  );
  const path = writeResult(`${args.name}-memory`, {
    model: args.memory,
    runs: runs.map(({ embeddings: _, ...r }) => r),
    cosines,
  });
  console.log(`JSON: ${path}`);
  process.exit(0);
}

const num = (s: string | undefined, fallback: number) => (s === undefined ? fallback : Number(s));
const limit = num(args.limit, Infinity);
const seed = num(args.seed, 1);

interface Paper {
  title: string;
  abstract: string;
}

async function readPapers(path: string, max: number): Promise<Paper[]> {
  const papers: Paper[] = [];
  const input = createReadStream(path);
  const lines = createInterface({
    input: path.endsWith('.gz') ? input.pipe(createGunzip()) : input,
    crlfDelay: Infinity,
  });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { title?: unknown; abstract?: unknown };
    if (typeof r.title !== 'string' || typeof r.abstract !== 'string') continue;
    papers.push({ title: r.title.replace(/\s+/g, ' ').trim(), abstract: r.abstract.replace(/\s+/g, ' ').trim() });
    if (papers.length >= max) {
      lines.close();
      input.destroy();
      break;
    }
  }
  return papers;
}

const phases: Record<string, number> = {};
async function timed<T>(phase: string, f: () => T | Promise<T>): Promise<T> {
  const t = performance.now();
  const out = await f();
  phases[phase] = (performance.now() - t) / 1000;
  return out;
}

function progressPrinter(): (p: Progress) => void {
  let last = 0;
  return (p) => {
    const now = performance.now();
    if (now - last < 2000 && p.done !== p.total) return;
    last = now;
    const loss = p.loss === undefined ? '' : ` loss ${p.loss.toFixed(4)}`;
    const epoch = p.epoch === undefined ? '' : ` epoch ${p.epoch}`;
    process.stderr.write(`  ${p.phase}${epoch}: ${p.done}/${p.total}${loss}\n`);
  };
}

// ---- retrieval check ----

interface Retrieval {
  mrr10: number;
  recall10: number;
  recall1: number;
  queries: number;
  documents: number;
  seconds: number;
}

function evaluate(model: StaticModel, queries: string[], documents: string[], relevant: number[]): Retrieval {
  const t = performance.now();
  const d = model.dimensions;
  const chunk = 64;
  const k = createKernels((documents.length + chunk) * d * 4 + chunk * documents.length * 4 + 4096);
  const docs = k.alloc(documents.length * d * 4);
  const qs = k.alloc(chunk * d * 4);
  const scores = k.alloc(chunk * documents.length * 4);
  documents.forEach((text, i) => {
    model.embed(text, k.f32.subarray((docs >> 2) + i * d, (docs >> 2) + (i + 1) * d));
  });
  let mrr = 0;
  let hits10 = 0;
  let hits1 = 0;
  for (let from = 0; from < queries.length; from += chunk) {
    const n = Math.min(chunk, queries.length - from);
    for (let i = 0; i < n; i++)
      model.embed(queries[from + i]!, k.f32.subarray((qs >> 2) + i * d, (qs >> 2) + (i + 1) * d));
    k.gemmNT(qs, docs, scores, n, documents.length, d, documents.length);
    for (let i = 0; i < n; i++) {
      const row = k.f32.subarray((scores >> 2) + i * documents.length, (scores >> 2) + (i + 1) * documents.length);
      const target = relevant[from + i]!;
      const s = row[target]!;
      // rank = 1 + documents scoring strictly higher (ties count against: index order after the target)
      let rank = 1;
      for (let j = 0; j < row.length; j++) if (row[j]! > s || (row[j] === s && j < target)) rank++;
      if (rank <= 10) {
        mrr += 1 / rank;
        hits10++;
      }
      if (rank === 1) hits1++;
    }
  }
  return {
    mrr10: mrr / queries.length,
    recall10: hits10 / queries.length,
    recall1: hits1 / queries.length,
    queries: queries.length,
    documents: documents.length,
    seconds: (performance.now() - t) / 1000,
  };
}

// ---- main ----

console.log(loadLine());
const papers = await timed('read', () => readPapers(args.data, limit));
console.log(`read ${papers.length.toLocaleString('en-US')} papers in ${fmt.s(phases.read!)}`);

// Held-out papers and the pool of abstracts they are searched among.
const rng = new Rng(seed ^ 0x5eed);
const order = Int32Array.from({ length: papers.length }, (_, i) => i);
rng.shuffle(order);
const nHold = Math.min(num(args.holdout, 2000), Math.floor(papers.length / 10));
const nPool = Math.min(Math.max(num(args.pool, 20000), nHold), papers.length);
const holdoutSet = new Set(order.subarray(0, nHold));
const poolIdx = Array.from(order.subarray(0, nPool)).sort((a, b) => a - b);
const documents = poolIdx.map((i) => papers[i]!.abstract);
const poolPos = new Map(poolIdx.map((p, j) => [p, j]));
const holdIdx = Array.from(order.subarray(0, nHold));
const queries = holdIdx.map((i) => papers[i]!.title);
const relevant = holdIdx.map((i) => poolPos.get(i)!);

const docs: TrainingDoc[] = papers.map((p, i) => ({
  title: p.title,
  abstract: p.abstract,
  holdout: holdoutSet.has(i),
}));
const onProgress = progressPrinter();
const corpus = await timed('corpus', () =>
  buildCorpus(
    docs,
    { minCount: num(args['min-count'], 3), maxVocabulary: num(args['max-vocabulary'], 200000) },
    onProgress,
  ),
);
console.log(
  `corpus: ${corpus.nDocs.toLocaleString('en-US')} papers, ${corpus.tokens.length.toLocaleString('en-US')} tokens, ` +
    `vocabulary ${corpus.vocab.length.toLocaleString('en-US')} (${fmt.s(phases.corpus!)})`,
);

const trainer = new Trainer(corpus, {
  dimensions: num(args.dimensions, 256),
  epochs: num(args.epochs, 8),
  seed,
  batchSize: num(args.batch, 512),
  learningRate: num(args.lr, 0.01),
  ...(args['weight-lr'] === undefined ? {} : { tokenWeightLearningRate: num(args['weight-lr'], 0.001) }),
  temperature: num(args.temperature, 0.05),
  tokenWeights: args['token-weights'] === 'learned' ? 'learned' : 'idf',
  lsaSampleSize: num(args['lsa-sample'], 40000),
  lsaPowerIterations: num(args['lsa-iterations'], 2),
  titlePairs: !args['no-title-pairs'],
  sentencePairs: !args['no-sentence-pairs'],
  kernels: args.kernels as 'auto' | 'js' | 'wasm-simd',
  threads: num(args.threads, 1),
  minCount: num(args['min-count'], 3),
  maxVocabulary: num(args['max-vocabulary'], 200000),
  onProgress,
});
console.log(`kernels: ${trainer.kernels.kind}, ${trainer.kernels.threads} thread(s)`);
const lsa = await timed('lsa', () => trainer.initLsa());
console.log(
  `LSA: sample ${lsa.sampleSize.toLocaleString('en-US')} papers × ${lsa.sampledTerms.toLocaleString('en-US')} terms, ` +
    `${lsa.singularValues.length} components, ${fmt.s(phases.lsa!)} (sample ${lsa.seconds.sample.toFixed(1)} s, ` +
    `iterations ${lsa.seconds.iterations.toFixed(1)} s, fold-in ${lsa.seconds.fold.toFixed(1)} s)`,
);

const curve: { stage: string; epochSeconds: number | null; loss: number | null; retrieval: Retrieval }[] = [];
const lsaModel = trainer.snapshot();
curve.push({
  stage: 'LSA init',
  epochSeconds: null,
  loss: null,
  retrieval: evaluate(lsaModel, queries, documents, relevant),
});
const show = (c: (typeof curve)[number]) =>
  console.log(
    `  ${c.stage.padEnd(9)} MRR@10 ${c.retrieval.mrr10.toFixed(4)}  R@10 ${c.retrieval.recall10.toFixed(4)}` +
      `  R@1 ${c.retrieval.recall1.toFixed(4)}${c.loss === null ? '' : `  loss ${c.loss.toFixed(4)}  ${fmt.s(c.epochSeconds!)}`}`,
  );
show(curve[0]!);

const epochs = trainer.options.epochs;
let trainSeconds = 0;
for (let e = 1; e <= epochs; e++) {
  const stats = trainer.trainEpoch();
  trainSeconds += stats.seconds;
  if (!args['no-eval-epochs'] || e === epochs) {
    curve.push({
      stage: `epoch ${e}`,
      epochSeconds: stats.seconds,
      loss: stats.loss,
      retrieval: evaluate(trainer.snapshot(), queries, documents, relevant),
    });
    show(curve[curve.length - 1]!);
  } else {
    console.log(`  epoch ${e}: loss ${stats.loss.toFixed(4)}, ${fmt.s(stats.seconds)}`);
  }
}
phases.train = trainSeconds;
trainer.close();
const model = trainer.snapshot({ phases: { ...phases } });

// ---- speed of the trained model ----
const embedder = new StaticEmbedder(model);
const texts = papers.slice(0, Math.min(papers.length, 20000)).map((p) => paperText(p.title, p.abstract));
await embedder.embedDocuments(texts.slice(0, 1000)); // warm-up
const te = performance.now();
const vectors = await embedder.embedDocuments(texts);
const embedSeconds = (performance.now() - te) / 1000;
const docsPerSecond = texts.length / embedSeconds;
let bad = 0;
for (const v of vectors) {
  let s = 0;
  for (const x of v) s += x * x;
  if (!(Math.abs(s - 1) < 1e-4 || s === 0)) bad++;
}
const queryTexts = [
  ...queries,
  'diffusion models for video generation',
  'graph neural networks',
  'gpt-4 reasoning benchmark',
  'quantum error correction surface code',
  'dark matter halo',
];
for (const q of queryTexts.slice(0, 200)) await embedder.embedQuery(q); // warm-up
const latencies: number[] = [];
for (const q of queryTexts) {
  const t = performance.now();
  await embedder.embedQuery(q);
  latencies.push((performance.now() - t) * 1000);
}
const latency = summarizeLatencies(latencies);

// ---- file ----
const dir = await mkdtemp(join(tmpdir(), 'paperboy-model-'));
const path = args.save ?? join(dir, 'model.pbs');
const ts = performance.now();
await model.save(path);
const saveSeconds = (performance.now() - ts) / 1000;
const tl = performance.now();
const loaded = await StaticModel.load(path);
const loadSeconds = (performance.now() - tl) / 1000;
const fileBytes = (await stat(path)).size;
if (loaded.id !== model.id) throw new Error('id changed in the save/load round trip');
if (!args.save) await rm(dir, { recursive: true, force: true });
const peakRss = process.resourceUsage().maxRSS * 1024;

console.log('');
console.log(
  formatTable(
    ['stage', 'MRR@10', 'recall@10', 'recall@1', 'loss', 'epoch time'],
    curve.map((c) => [
      c.stage,
      c.retrieval.mrr10.toFixed(4),
      c.retrieval.recall10.toFixed(4),
      c.retrieval.recall1.toFixed(4),
      c.loss === null ? '-' : c.loss.toFixed(4),
      c.epochSeconds === null ? '-' : fmt.s(c.epochSeconds),
    ]),
  ),
);
console.log('');
console.log(
  formatTable(
    ['measure', 'value'],
    [
      ['papers', fmt.int(papers.length)],
      ['vocabulary', fmt.int(corpus.vocab.length)],
      ['read + parse', fmt.s(phases.read!)],
      ['tokenize + vocabulary', fmt.s(phases.corpus!)],
      ['LSA', fmt.s(phases.lsa!)],
      [`contrastive training (${epochs} epochs)`, fmt.s(trainSeconds)],
      ['model training total (corpus + LSA + epochs)', fmt.s(phases.corpus! + phases.lsa! + trainSeconds)],
      ['peak RSS', fmt.mib(peakRss)],
      ['embedDocuments (title + abstract)', `${fmt.int(docsPerSecond)} docs/s`],
      ['embedQuery p50 / p99', `${latency.p50.toFixed(1)} / ${latency.p99.toFixed(1)} µs`],
      ['model file', `${fmt.mib(fileBytes)}, save ${saveSeconds.toFixed(2)} s, load ${loadSeconds.toFixed(2)} s`],
      ['model id', model.id],
    ],
  ),
);
if (bad > 0) console.log(`WARNING: ${bad} vectors not unit length`);

const resultPath = writeResult(args.name, {
  args,
  papers: papers.length,
  holdout: nHold,
  pool: nPool,
  corpus: {
    documents: corpus.nDocs,
    tokens: corpus.tokens.length,
    vocabulary: corpus.vocab.length,
    fingerprint: corpus.fingerprint,
  },
  options: { ...trainer.options },
  kernels: trainer.kernels.kind,
  phasesSeconds: { ...phases, training: phases.corpus! + phases.lsa! + trainSeconds },
  lsa: {
    sampleSize: lsa.sampleSize,
    sampledTerms: lsa.sampledTerms,
    components: lsa.singularValues.length,
    seconds: lsa.seconds,
  },
  curve,
  epochs: trainer.epochStats,
  peakRssBytes: peakRss,
  embedDocuments: { texts: texts.length, seconds: embedSeconds, docsPerSecond, nonUnitVectors: bad },
  embedQueryMicros: latency,
  modelFile: { bytes: fileBytes, saveSeconds, loadSeconds },
  modelId: model.id,
});
console.log(`\nwrote ${resultPath}`);
