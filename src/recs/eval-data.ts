/**
 * The 133k-paper instance the offline evaluation and the benchmark of recommendations run on: the corpus
 * imported into a SQLite file, the instance's own embedding model trained on it (as the semantic indexer
 * would) and every paper embedded. Kept in a cache folder keyed by the corpus file and the training
 * options, because building it takes minutes; delete the folder to rebuild.
 */
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import { importPath } from '../ingest/import-files.ts';
import { StaticEmbedder, StaticModel, trainStaticModel } from '../search/learned/index.ts';
import { embedMissing, storeTrainingDocs } from '../search/semantic-indexer.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';

export const DEFAULT_CORPUS = join(import.meta.dirname, '../../../shared/data/arxiv-papers-133k.jsonl.gz');
export const DEFAULT_CACHE_DIR = join(tmpdir(), 'paperboy-recs-eval');

/** The fields of a corpus line the simulated members are made of. */
export interface CorpusPaper {
  id: string;
  day: string;
  categories: string[];
  organization: string | null;
  upvotes: number;
}

export interface EvalInstance {
  store: SqliteStore;
  embedder: StaticEmbedder;
  papers: CorpusPaper[];
  /** How the instance was obtained, for the report. */
  build: {
    reused: boolean;
    importSeconds: number;
    trainSeconds: number;
    embedSeconds: number;
    epochs: number;
    trainedOn: number;
  };
}

export interface PrepareOptions {
  corpus: string;
  cacheDir: string;
  epochs: number;
  /** Papers the embedding model is trained on (the first N of the store's stable order); 0 = all. */
  trainLimit: number;
  log: (line: string) => void;
}

export async function readCorpus(path: string): Promise<CorpusPaper[]> {
  const input = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  const out: CorpusPaper[] = [];
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const raw = JSON.parse(line) as {
      arxiv_id: string;
      published: string;
      categories?: string[];
      organization?: string | null;
      upvotes?: number;
    };
    const id = normalizeArxivId(raw.arxiv_id);
    if (!id) continue;
    out.push({
      id,
      day: raw.published.slice(0, 10),
      categories: raw.categories ?? [],
      organization: raw.organization || null,
      upvotes: raw.upvotes ?? 0,
    });
  }
  return out;
}

async function* limited<T>(items: AsyncIterable<T>, limit: number): AsyncIterable<T> {
  let n = 0;
  for await (const item of items) {
    if (limit > 0 && n++ >= limit) return;
    yield item;
  }
}

export async function prepareEvalInstance(options: PrepareOptions): Promise<EvalInstance> {
  const stat = statSync(options.corpus);
  const key = `${basename(options.corpus)}-${stat.size}-e${options.epochs}-t${options.trainLimit}`.replace(
    /[^a-z0-9.-]+/gi,
    '-',
  );
  const dir = join(options.cacheDir, key);
  mkdirSync(dir, { recursive: true });
  const dbPath = join(dir, 'papers.db');
  const modelPath = join(dir, 'model.pbs');
  const donePath = join(dir, 'ready.json');
  const papers = await readCorpus(options.corpus);
  if (existsSync(donePath)) {
    options.log(`reusing ${dir}`);
    const build = JSON.parse(readFileSync(donePath, 'utf8')) as EvalInstance['build'];
    return {
      store: new SqliteStore(dbPath),
      embedder: new StaticEmbedder(await StaticModel.load(modelPath)),
      papers,
      build: { ...build, reused: true },
    };
  }
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(dbPath + suffix)) writeFileSync(dbPath + suffix, '');
  const store = new SqliteStore(dbPath);
  let started = performance.now();
  options.log(`importing ${options.corpus}`);
  await importPath(store, options.corpus);
  const importSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  options.log(
    `training the embedding model (${options.epochs} epochs${options.trainLimit ? ` on the first ${options.trainLimit} papers` : ''})`,
  );
  const model = await trainStaticModel(limited(storeTrainingDocs(store), options.trainLimit), {
    epochs: options.epochs,
    seed: 1,
  });
  await model.save(modelPath);
  const trainSeconds = (performance.now() - started) / 1000;
  const embedder = new StaticEmbedder(model);
  started = performance.now();
  options.log('embedding every paper');
  await embedMissing(store, embedder, 2_000);
  const embedSeconds = (performance.now() - started) / 1000;
  const build = {
    reused: false,
    importSeconds,
    trainSeconds,
    embedSeconds,
    epochs: options.epochs,
    trainedOn: options.trainLimit || papers.length,
  };
  writeFileSync(donePath, JSON.stringify(build));
  return { store, embedder, papers, build };
}
