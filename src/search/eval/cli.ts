/**
 * npm run eval:search -- --beir DIR [--split test] [--embedder learned|onnx:PATH|none] [--epochs 8] [--weights 0.1,0.2,0.3]
 *   [--steps N] [--min-steps N] [--max-steps N] [--validation N] [--precision int8|float32] [--hard-negatives]
 *   [--subwords MIN-MAX:BUCKETS] [--model FILE] [--compare EARLIER.json] [--typos RATE]
 * Prints nDCG@10, recall@100 and MRR@10 for lexical, vector and hybrid runs, as a table and as JSON. The
 * learned model is trained as the instance trains it (same step budget and early stopping) unless the
 * training options say otherwise; its training time, steps and validation checks go into the JSON.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import { readBeir } from './beir.ts';
import {
  compareReports,
  evaluateCollection,
  misspell,
  reportTable,
  type EmbedderProvider,
  type EvaluationReport,
} from './evaluate.ts';
import { StaticEmbedder, StaticModel, trainStaticModel, type TrainOptions } from '../learned/index.ts';
import { parseEmbedderChoice } from '../onnx/configured-embedder.ts';
import { loadProcessConfig } from '../../config.ts';

/** Trains on the collection's corpus, or loads `modelPath` when it exists (a model saved by an earlier run). */
function learnedEmbedder(
  options: TrainOptions,
  modelPath: string | undefined,
  unknownWordShare: number | undefined,
  onModel: (model: StaticModel) => void,
): EmbedderProvider {
  return async (corpus) => {
    let model: StaticModel;
    if (modelPath && existsSync(modelPath)) model = await StaticModel.load(modelPath);
    else {
      model = await trainStaticModel(corpus, {
        ...options,
        onProgress: (p) => {
          if (p.validation !== undefined)
            process.stderr.write(`step ${p.step}/${p.steps}: validation MRR ${p.validation.toFixed(4)}\n`);
        },
      });
      if (modelPath) await model.save(modelPath);
    }
    if (unknownWordShare !== undefined) model = model.withUnknownWordShare(unknownWordShare);
    onModel(model);
    return new StaticEmbedder(model);
  };
}

const optionalInt = (value: string | undefined) => (value === undefined ? undefined : Number(value));

/** `--subwords 3-5:65536` (n-gram lengths and buckets; `on` for the defaults) as the training option. */
function parseSubwords(value: string | undefined): TrainOptions['subwords'] {
  if (value === undefined || value === 'off') return false;
  if (value === 'on') return true;
  const m = /^(\d+)-(\d+):(\d+)$/.exec(value);
  if (!m) throw new Error('--subwords must be on, off or MIN-MAX:BUCKETS (e.g. 3-5:65536)');
  return { minN: Number(m[1]), maxN: Number(m[2]), buckets: Number(m[3]) };
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
  .option('--epochs <n>', 'nominal training epochs of the learned model (brought within the step budget)', '8')
  .option('--steps <n>', 'optimiser steps (overrides the budget)')
  .option('--min-steps <n>', 'fewest optimiser steps')
  .option('--max-steps <n>', 'most optimiser steps')
  .option('--validation <n>', 'validation papers for early stopping (0: none)')
  .option('--patience <n>', 'checks without improvement before stopping')
  .option('--tolerance <x>', 'keep the latest check within this of the best validation score')
  .option('--check-every <n>', 'steps between validation checks')
  .option('--precision <p>', 'int8 or float32 word vectors', 'int8')
  .option('--hard-negatives', 'batches of papers close to each other (hard in-batch negatives)')
  .option('--subwords <spec>', 'character n-gram vectors: on, off or MIN-MAX:BUCKETS (e.g. 3-5:65536)')
  .option('--subword-lr <x>', 'Adam step size of the sub-word buckets (default: that of the words)')
  .option(
    '--oov-share <x>',
    "with sub-words: least share of an unknown word's n-grams known to the vocabulary (> 1: ignore such words)",
  )
  .option('--model <file>', 'load the learned model from this file if it exists, else train it and save it there')
  .option('--seed <n>', 'training seed', '1')
  .option('--weights <list>', 'vector weights of the convex fusion to try', '0.1,0.2,0.3,0.4,0.5')
  .option('--rrf-k <n>', 'k of reciprocal rank fusion', '60')
  .option('--typos <rate>', 'misspell this share of the query words of 5+ letters (robustness; default 0)')
  .option(
    '--compare <file>',
    "an earlier run's JSON on the same queries: paired tests of vector and shipped nDCG@10 against it",
  )
  .option('--json <file>', 'where to write the JSON report (default bench/results/eval-<collection>.json)')
  .action(
    async (options: {
      beir: string;
      split: string;
      embedder: string;
      epochs: string;
      steps?: string;
      minSteps?: string;
      maxSteps?: string;
      validation?: string;
      patience?: string;
      checkEvery?: string;
      tolerance?: string;
      precision: string;
      hardNegatives?: boolean;
      subwords?: string;
      oovShare?: string;
      subwordLr?: string;
      model?: string;
      seed: string;
      weights: string;
      rrfK: string;
      json?: string;
      compare?: string;
      typos?: string;
    }) => {
      if (!['learned', 'none'].includes(options.embedder) && !options.embedder.startsWith('onnx:'))
        throw new Error('--embedder must be learned, onnx:PATH or none');
      if (options.precision !== 'int8' && options.precision !== 'float32')
        throw new Error('--precision must be int8 or float32');
      const collection = await readBeir(resolve(options.beir), options.split);
      if (options.typos !== undefined) collection.queries = misspell(collection.queries, Number(options.typos), 11);
      let model: StaticModel | null = null;
      const train: TrainOptions = {
        epochs: Number(options.epochs),
        seed: Number(options.seed),
        steps: optionalInt(options.steps),
        minSteps: optionalInt(options.minSteps),
        maxSteps: optionalInt(options.maxSteps),
        validationPapers: optionalInt(options.validation),
        patience: optionalInt(options.patience),
        checkEvery: optionalInt(options.checkEvery),
        tolerance: options.tolerance === undefined ? undefined : Number(options.tolerance),
        precision: options.precision,
        hardNegatives: options.hardNegatives ?? false,
        subwords: parseSubwords(options.subwords),
        subwordLearningRate: options.subwordLr === undefined ? undefined : Number(options.subwordLr),
      };
      const report = await evaluateCollection(collection, {
        embedder:
          options.embedder === 'learned'
            ? learnedEmbedder(
                train,
                options.model,
                options.oovShare === undefined ? undefined : Number(options.oovShare),
                (m) => {
                  model = m;
                },
              )
            : options.embedder === 'none'
              ? null
              : onnxEmbedder(options.embedder),
        vectorWeights: options.weights.split(',').map(Number),
        rrfK: Number(options.rrfK),
        candidates: 100,
        onProgress: (message) => process.stderr.write(`${message}\n`),
      });
      process.stdout.write(`${reportTable(report)}\n`);
      let comparison: ReturnType<typeof compareReports> = null;
      if (options.compare) {
        const other = JSON.parse(readFileSync(options.compare, 'utf8')) as Pick<EvaluationReport, 'perQuery'>;
        comparison = other.perQuery ? compareReports(report, other) : null;
        if (!comparison) process.stdout.write(`${options.compare}: not a run on the same queries\n`);
        for (const c of comparison ?? [])
          process.stdout.write(
            `${c.run} vs ${basename(options.compare)}: nDCG@10 ${c.difference >= 0 ? '+' : ''}${c.difference.toFixed(4)}, p=${c.p.toFixed(4)} (paired)\n`,
          );
      }
      const trained = model as StaticModel | null;
      const training = trained
        ? {
            options: train,
            config: trained.meta.config,
            phases: trained.meta.stats?.phases,
            summary: trained.meta.stats?.training,
            validation: trained.meta.stats?.validation,
            vectorBytes: trained.vectorBytes,
          }
        : null;
      if (training) {
        const phases = training.phases as { train?: number; total?: number } | undefined;
        process.stdout.write(
          `model: ${trained!.id}, ${trained!.precision}, steps ${String(trained!.meta.config.steps)} (kept ${String(trained!.meta.config.keptStep)}), training ${phases?.total?.toFixed(1)} s (contrastive ${phases?.train?.toFixed(1)} s)\n`,
        );
      }
      const out =
        options.json ?? join('bench', 'results', `eval-${basename(resolve(options.beir))}-${options.split}.json`);
      mkdirSync(resolve(out, '..'), { recursive: true });
      writeFileSync(
        out,
        `${JSON.stringify({ collection: options.beir, split: options.split, embedder: options.embedder, training, comparison, ...report }, null, 2)}\n`,
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
