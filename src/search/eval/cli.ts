/**
 * npm run eval:search -- --beir DIR [--split test] [--embedder learned|onnx:PATH|none] [--epochs 8] [--weights 0.1,0.2,0.3]
 * Prints nDCG@10, recall@100 and MRR@10 for lexical, vector and hybrid runs, as a table and as JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import { readBeir } from './beir.ts';
import { evaluateCollection, reportTable, type EmbedderProvider } from './evaluate.ts';
import { StaticEmbedder, trainStaticModel } from '../learned/index.ts';
import { parseEmbedderChoice } from '../onnx/configured-embedder.ts';
import { loadProcessConfig } from '../../config.ts';

function learnedEmbedder(epochs: number, seed: number): EmbedderProvider {
  return async (corpus) => new StaticEmbedder(await trainStaticModel(corpus, { epochs, seed }));
}

/** onnx:PATH: a model folder, or the name of one under MODEL_DIR/onnx. The model runs on this thread. */
function onnxEmbedder(value: string): EmbedderProvider {
  const choice = parseEmbedderChoice(value, loadProcessConfig().modelDir);
  if (choice.kind !== 'onnx') throw new Error('--embedder onnx:PATH expected');
  return async () => {
    const { OnnxEmbedder } = await import('../onnx/onnx-embedder.ts');
    return OnnxEmbedder.load(choice.path, { thread: 'main' });
  };
}

const program = new Command('eval:search')
  .requiredOption('--beir <dir>', 'a BEIR-format collection (corpus.jsonl, queries.jsonl, qrels/<split>.tsv)')
  .option('--split <name>', 'qrels split', 'test')
  .option(
    '--embedder <name>',
    "learned (trained on the collection's corpus, no labels), onnx:PATH (a model folder) or none",
    'learned',
  )
  .option('--epochs <n>', 'training epochs of the learned model', '8')
  .option('--seed <n>', 'training seed', '1')
  .option('--weights <list>', 'vector weights of the convex fusion to try', '0.1,0.2,0.3,0.4,0.5')
  .option('--rrf-k <n>', 'k of reciprocal rank fusion', '60')
  .option('--json <file>', 'where to write the JSON report (default bench/results/eval-<collection>.json)')
  .action(
    async (options: {
      beir: string;
      split: string;
      embedder: string;
      epochs: string;
      seed: string;
      weights: string;
      rrfK: string;
      json?: string;
    }) => {
      if (!['learned', 'none'].includes(options.embedder) && !options.embedder.startsWith('onnx:'))
        throw new Error('--embedder must be learned, onnx:PATH or none');
      const collection = await readBeir(resolve(options.beir), options.split);
      const report = await evaluateCollection(collection, {
        embedder:
          options.embedder === 'learned'
            ? learnedEmbedder(Number(options.epochs), Number(options.seed))
            : options.embedder === 'none'
              ? null
              : onnxEmbedder(options.embedder),
        vectorWeights: options.weights.split(',').map(Number),
        rrfK: Number(options.rrfK),
        candidates: 100,
        onProgress: (message) => process.stderr.write(`${message}\n`),
      });
      process.stdout.write(`${reportTable(report)}\n`);
      const out =
        options.json ?? join('bench', 'results', `eval-${basename(resolve(options.beir))}-${options.split}.json`);
      mkdirSync(resolve(out, '..'), { recursive: true });
      writeFileSync(
        out,
        `${JSON.stringify({ collection: options.beir, split: options.split, embedder: options.embedder, ...report }, null, 2)}\n`,
      );
      process.stdout.write(`JSON: ${out}\n`);
    },
  );

try {
  await program.parseAsync();
} catch (error) {
  process.stderr.write(`eval:search: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
