/**
 * `paperboy model …`: train the instance's own embedding model, fetch or choose an ONNX sentence-transformer
 * instead, embed papers, show what is active.
 */
import type { Command } from 'commander';
import type { ConfigFrom } from '../config.ts';
import { createLogger } from '../log.ts';
import { openStore } from '../store/open-store.ts';
import {
  ACTIVE_MODEL_STATE,
  DEFAULT_INDEXER_OPTIONS,
  embedMissing,
  trainModel,
  type ActiveModel,
} from '../search/semantic-indexer.ts';
import { StaticEmbedder } from '../search/learned/index.ts';
import type { PullProgress } from '../search/onnx/model-pull.ts';
import {
  formatEmbedderChoice,
  onnxModelsDir,
  parseEmbedderChoice,
  readEmbedderChoice,
  saveEmbedderChoice,
  type EmbedderChoice,
} from '../search/onnx/configured-embedder.ts';

export function registerModelCommands(program: Command, configFrom: ConfigFrom): void {
  const model = program
    .command('model')
    .description('embedding models: the one Paperboy learns from its own papers, or an ONNX sentence-transformer');

  model
    .command('train')
    .description('train a new model on every paper in the database, make it active, and embed all papers with it')
    .option('--database-url <url>', 'SQLite path or file: URL (env DATABASE_URL)')
    .option('--epochs <n>', 'passes over the training pairs', String(DEFAULT_INDEXER_OPTIONS.epochs))
    .option('--seed <n>', 'seed: the same papers and seed give the same model', String(DEFAULT_INDEXER_OPTIONS.seed))
    .action(async (options: { databaseUrl?: string; epochs: string; seed: string }) => {
      const config = configFrom(options);
      const logger = createLogger(config.logLevel);
      const store = await openStore(config.databaseUrl);
      try {
        const active = await trainModel(
          store,
          {
            ...DEFAULT_INDEXER_OPTIONS,
            modelDir: config.modelDir,
            epochs: Number(options.epochs),
            seed: Number(options.seed),
          },
          logger,
        );
        const embedder = await StaticEmbedder.load(active.path);
        const embedded = await embedMissing(store, embedder, DEFAULT_INDEXER_OPTIONS.batchSize);
        process.stdout.write(`model: ${active.id}\nfile: ${active.path}\npapers embedded: ${embedded}\n`);
      } finally {
        await store.close();
      }
    });

  model
    .command('status')
    .description('show the embedder in use and how many papers have vectors')
    .option('--database-url <url>', 'SQLite path or file: URL (env DATABASE_URL)')
    .action(async (options: { databaseUrl?: string }) => {
      const config = configFrom(options);
      const { choice, source } = await readEmbedderChoice(config);
      const store = await openStore(config.databaseUrl);
      try {
        const stats = await store.stats();
        if (choice.kind === 'onnx') {
          // onnxruntime is loaded only by the commands that use it; a command runs the model on its own thread.
          const { OnnxEmbedder } = await import('../search/onnx/onnx-embedder.ts');
          const embedder = await OnnxEmbedder.load(choice.path, { thread: 'main' });
          try {
            const s = embedder.settings;
            process.stdout.write(
              `embedder: ${formatEmbedderChoice(choice)} (chosen by ${source})\nmodel: ${embedder.id}\n` +
                `dimensions: ${embedder.dimensions}\npooling: ${s.pooling}, query prefix ${JSON.stringify(s.queryPrefix)}, ` +
                `passage prefix ${JSON.stringify(s.documentPrefix)}, max ${s.maxTokens} tokens (${s.source})\n` +
                `vectors: ${await store.countVectors(embedder.id)} of ${stats.papers} papers\n`,
            );
          } finally {
            await embedder.close();
          }
          return;
        }
        const active = await store.getJobState<ActiveModel>(ACTIVE_MODEL_STATE);
        if (!active) {
          process.stdout.write('no model yet: search is lexical (paperboy model train, or start the server)\n');
          return;
        }
        const vectors = await store.countVectors(active.id);
        process.stdout.write(
          `embedder: learned (chosen by ${source})\nmodel: ${active.id}\nfile: ${active.path}\n` +
            `trained on: ${active.trainedOnPapers} papers at ${active.trainedAt}\nvectors: ${vectors} of ${stats.papers} papers\n`,
        );
      } finally {
        await store.close();
      }
    });

  model
    .command('pull')
    .description(
      'download an ONNX sentence-transformer from a Hugging Face repository (needs network access to the hub)',
    )
    .argument('<repo>', 'repository, e.g. Xenova/bge-small-en-v1.5')
    .option('--dir <dir>', 'where model folders go (default MODEL_DIR/onnx, i.e. data/models/onnx)')
    .option('--revision <rev>', 'branch, tag or commit', 'main')
    .option('--endpoint <url>', 'base URL of the hub or a mirror (env HF_ENDPOINT, default https://huggingface.co)')
    .option(
      '--quantized',
      'fetch the int8 export (onnx/model_quantized.onnx): smaller and faster on CPU, slightly less accurate',
    )
    .option('--force', 'replace a folder of the same name')
    .action(
      async (
        repo: string,
        options: { dir?: string; revision: string; endpoint?: string; quantized?: boolean; force?: boolean },
      ) => {
        const config = configFrom({});
        const { pullModel } = await import('../search/onnx/model-pull.ts');
        const result = await pullModel({
          repo,
          dir: options.dir ?? onnxModelsDir(config.modelDir),
          revision: options.revision,
          endpoint: options.endpoint ?? config.modelHub.endpoint,
          token: config.modelHub.token ?? undefined,
          quantized: options.quantized ?? false,
          force: options.force ?? false,
          onProgress: printPullProgress,
        });
        process.stdout.write(
          `model folder: ${result.dir}\nfiles: ${result.files.map((f) => f.path).join(', ')}\n` +
            `use it with: paperboy model use ${result.dir}\n`,
        );
      },
    );

  model
    .command('use')
    .description('make an ONNX model folder (or "learned") the embedder, and embed every paper with it now')
    .argument(
      '<model>',
      'a model folder (config.json, tokenizer.json, onnx/model.onnx), a folder name under MODEL_DIR/onnx, onnx:PATH, or "learned"',
    )
    .option('--database-url <url>', 'SQLite path or file: URL (env DATABASE_URL)')
    .option('--no-embed', 'only record the choice: the server embeds papers in the background')
    .action(async (name: string, options: { databaseUrl?: string; embed: boolean }) => {
      const config = configFrom(options);
      const choice: EmbedderChoice = parseEmbedderChoice(
        name === 'learned' || name.startsWith('onnx:') ? name : `onnx:${name}`,
        config.modelDir,
      );
      if (config.embedder)
        process.stderr.write(`note: EMBEDDER=${config.embedder} is set and wins over this choice while it is\n`);
      if (choice.kind === 'learned') {
        await saveEmbedderChoice(config.modelDir, choice);
        process.stdout.write('embedder: learned (restart the server to switch)\n');
        return;
      }
      const { OnnxEmbedder } = await import('../search/onnx/onnx-embedder.ts');
      // Fails here, before anything is recorded, if the folder is not a model.
      const embedder = await OnnxEmbedder.load(choice.path, { thread: 'main' });
      try {
        await saveEmbedderChoice(config.modelDir, choice);
        process.stdout.write(
          `embedder: ${formatEmbedderChoice(choice)}\nmodel: ${embedder.id}\ndimensions: ${embedder.dimensions}\n`,
        );
        if (!options.embed) return;
        const store = await openStore(config.databaseUrl);
        try {
          const total = (await store.stats()).papers;
          const started = performance.now();
          const embedded = await embedMissing(store, embedder, DEFAULT_INDEXER_OPTIONS.batchSize, (done) => {
            const seconds = (performance.now() - started) / 1000;
            process.stderr.write(
              `embedded ${done} papers (${(done / seconds).toFixed(1)}/s, ${total} in the database)\n`,
            );
          });
          process.stdout.write(
            `papers embedded: ${embedded}\nvectors: ${await store.countVectors(embedder.id)} of ${total} papers\n` +
              'restart the server to search with it\n',
          );
        } finally {
          await store.close();
        }
      } finally {
        await embedder.close();
      }
    });
}

function printPullProgress(event: PullProgress): void {
  const size = (bytes: number) =>
    bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`;
  if (event.type === 'start' && event.bytes !== null && event.bytes >= 1 << 20) {
    process.stderr.write(`downloading ${event.file} (${size(event.bytes)})\n`);
  } else if (event.type === 'data' && process.stderr.isTTY) {
    process.stderr.write(`\r  ${size(event.received)}${event.bytes ? ` of ${size(event.bytes)}` : ''}`);
  } else if (event.type === 'done') {
    process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}${event.file}: ${size(event.bytes)}\n`);
  }
}
