/**
 * Measures the ONNX embedder: load time, document throughput (papers/s, tokens/s), query latency when idle
 * and while a document job runs, and how long the event loop stalls in each mode (model in a worker thread,
 * or on the calling thread). Texts are real arXiv titles + abstracts when ../shared/data is there.
 *
 * Without --model it measures the tiny model the tests build (an embedding lookup: it measures Paperboy's
 * own overhead, tokenizing, padding, worker messages, pooling, not a transformer). --synthetic small|base
 * builds a BERT encoder of bge-small's (or bge-base's) shape with random weights: the compute of the real
 * model, meaningless vectors. A real model must be measured where one can be downloaded:
 * `paperboy model pull Xenova/bge-small-en-v1.5`, then --model data/models/onnx/bge-small-en-v1.5.
 *
 *   node bench/onnx-embedder.ts [--model DIR | --synthetic small|base] [--papers 2000] [--queries 200]
 *     [--batch 16] [--batch-tokens 512] [--threads 0] [--max-tokens 512] [--mode both|worker|main] [--data file.jsonl.gz]
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { paperText } from '../src/search/embedder.ts';
import { OnnxEmbedder } from '../src/search/onnx/onnx-embedder.ts';
import { OnnxModel } from '../src/search/onnx/onnx-model.ts';
import { writeTinyModel } from '../test/tiny-model.ts';
import { fmt, formatTable, loadLine, SHARED_DATA, summarizeLatencies, writeResult } from './lib.ts';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    synthetic: { type: 'string' },
    papers: { type: 'string' },
    queries: { type: 'string' },
    mode: { type: 'string', default: 'both' },
    'max-tokens': { type: 'string' },
    batch: { type: 'string' },
    'batch-tokens': { type: 'string' },
    threads: { type: 'string' },
    data: { type: 'string', default: join(SHARED_DATA, 'arxiv-papers-133k.jsonl.gz') },
  },
});

const SYNTHETIC = {
  small: { dimensions: 384, transformer: { layers: 12, heads: 12, intermediate: 1536 } },
  base: { dimensions: 768, transformer: { layers: 12, heads: 12, intermediate: 3072 } },
} as const;
if (args.synthetic !== undefined && !(args.synthetic in SYNTHETIC))
  throw new Error('--synthetic must be small or base');
const synthetic = args.synthetic ? SYNTHETIC[args.synthetic as keyof typeof SYNTHETIC] : null;
const slow = Boolean(synthetic || args.model);
const paperCount = Number(args.papers ?? (slow ? 64 : 2000));
const queryCount = Number(args.queries ?? (slow ? 20 : 200));
const modes = (args.mode === 'both' ? ['worker', 'main'] : [args.mode]) as ('worker' | 'main')[];
const options = {
  ...(args.batch ? { batchSize: Number(args.batch) } : {}),
  ...(args['batch-tokens'] ? { batchTokens: Number(args['batch-tokens']) } : {}),
  ...(args.threads ? { threads: Number(args.threads) } : {}),
  ...(args['max-tokens'] ? { maxTokens: Number(args['max-tokens']) } : {}),
};

async function readPapers(): Promise<{ texts: string[]; titles: string[]; source: string }> {
  if (existsSync(args.data)) {
    const texts: string[] = [];
    const titles: string[] = [];
    const lines = createInterface({ input: createReadStream(args.data).pipe(createGunzip()), crlfDelay: Infinity });
    for await (const line of lines) {
      const paper = JSON.parse(line) as { title?: string; abstract?: string };
      if (!paper.title || !paper.abstract) continue;
      texts.push(paperText(paper.title, paper.abstract));
      titles.push(paper.title);
      if (texts.length >= paperCount) break;
    }
    lines.close();
    return { texts, titles, source: args.data };
  }
  const words =
    'graph neural network model language retrieval dense sparse attention protein molecule diffusion robot quantum'.split(
      ' ',
    );
  const texts = Array.from({ length: paperCount }, (_, i) =>
    Array.from({ length: 180 }, (__, j) => words[(i * 7 + j * 3) % words.length]).join(' '),
  );
  return { texts, titles: texts.map((t) => t.slice(0, 60)), source: 'synthetic (no data file)' };
}

let tempDir: string | null = null;
let modelDir = args.model;
const modelName =
  args.model ??
  (synthetic
    ? `synthetic ${args.synthetic} (BERT shape of bge-${args.synthetic}, random weights)`
    : 'tiny test model (lookup graph, 384 dimensions)');
if (!modelDir) {
  tempDir = await mkdtemp(join(tmpdir(), 'paperboy-bench-onnx-'));
  modelDir = join(tempDir, synthetic ? `synthetic-bge-${args.synthetic}` : 'tiny-e5');
  process.stderr.write(`writing ${modelName}\n`);
  await writeTinyModel(modelDir, synthetic ?? { dimensions: 384 });
}

const { texts, titles, source } = await readPapers();
const queries = titles.slice(0, queryCount).map((t) => t.split(/\s+/).slice(0, 6).join(' '));
process.stderr.write(`${loadLine()}\nmodel: ${modelName}\npapers: ${texts.length} from ${source}\n`);

const tokenCounter = await OnnxModel.load(modelDir, options);
const tokens = texts.map((t) => tokenCounter.tokenize(t, 'document').length);
await tokenCounter.close();
const meanTokens = tokens.reduce((a, b) => a + b, 0) / tokens.length;

interface ModeResult {
  mode: string;
  loadMs: number;
  papersPerSecond: number;
  tokensPerSecond: number;
  maxLoopStallMs: number;
  queryIdle: ReturnType<typeof summarizeLatencies>;
  queryBusy: ReturnType<typeof summarizeLatencies>;
}

async function measure(thread: 'worker' | 'main'): Promise<ModeResult & { id: string; dimensions: number }> {
  let started = performance.now();
  const embedder = await OnnxEmbedder.load(modelDir!, { ...options, thread });
  const loadMs = performance.now() - started;
  try {
    await embedder.embedDocuments(texts.slice(0, slow ? 2 : 16)); // warm-up
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    started = performance.now();
    for (let i = 0; i < texts.length; i += 256) {
      await embedder.embedDocuments(texts.slice(i, i + 256));
      if (slow)
        process.stderr.write(
          `  ${thread}: ${Math.min(i + 256, texts.length)} papers in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
        );
    }
    const seconds = (performance.now() - started) / 1000;
    loop.disable();

    const idle: number[] = [];
    for (const q of queries) {
      const t = performance.now();
      await embedder.embedQuery(q);
      idle.push(performance.now() - t);
    }
    // Queries arriving while the background embeds papers (what a visitor meets during indexing).
    const busy: number[] = [];
    const background = embedder.embedDocuments(texts.slice(0, Math.min(texts.length, slow ? 16 : 1_000)));
    for (const q of queries.slice(0, slow ? 5 : 50)) {
      const t = performance.now();
      await embedder.embedQuery(q);
      busy.push(performance.now() - t);
    }
    await background;
    return {
      mode: thread,
      id: embedder.id,
      dimensions: embedder.dimensions,
      loadMs,
      papersPerSecond: texts.length / seconds,
      tokensPerSecond: (texts.length * meanTokens) / seconds,
      maxLoopStallMs: loop.max / 1e6,
      queryIdle: summarizeLatencies(idle),
      queryBusy: summarizeLatencies(busy),
    };
  } finally {
    await embedder.close();
  }
}

const results: Awaited<ReturnType<typeof measure>>[] = [];
for (const mode of modes) results.push(await measure(mode));
if (tempDir) await rm(tempDir, { recursive: true, force: true });

process.stdout.write(
  `model id: ${results[0]!.id}, ${results[0]!.dimensions} dimensions; ${fmt.int(meanTokens)} tokens per paper on average\n\n`,
);
process.stdout.write(
  `${formatTable(
    [
      'thread',
      'load ms',
      'papers/s',
      'tokens/s',
      'max loop stall ms',
      'query p50 ms',
      'query p99 ms',
      'query p50 busy ms',
      'query p99 busy ms',
    ],
    results.map((r) => [
      r.mode,
      fmt.ms(r.loadMs),
      fmt.int(r.papersPerSecond),
      fmt.int(r.tokensPerSecond),
      fmt.ms(r.maxLoopStallMs),
      fmt.ms(r.queryIdle.p50),
      fmt.ms(r.queryIdle.p99),
      fmt.ms(r.queryBusy.p50),
      fmt.ms(r.queryBusy.p99),
    ]),
  )}\n`,
);
const path = writeResult('onnx-embedder', {
  model: modelName,
  papers: texts.length,
  source,
  meanTokens,
  options,
  results,
});
process.stdout.write(`\nJSON: ${path}\n`);
