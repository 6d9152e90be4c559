/**
 * npm run bench:search -- [--corpus ../shared/data/arxiv-papers-133k.jsonl.gz] [--scale N] [--epochs 8] [--queries 200]
 *   [--backend sqlite|postgres] [--postgres-url URL (default $PAPERBOY_TEST_POSTGRES_URL)] [--single]
 *
 * With --backend postgres the same run is made twice, each in its own process, on SQLite and then on PostgreSQL
 * (a fresh schema on the server, dropped afterwards), and the figures are printed side by side. Without
 * --postgres-url (or PAPERBOY_TEST_POSTGRES_URL) a throw-away embedded PostgreSQL is started (bench/postgres.ts).
 * A server without pgvector runs the lexical part only; SQLite is then run lexical-only too, so that both columns
 * measure the same work. --single runs the one backend named, in this process.
 *
 * Indexes papers into a fresh SQLite database (import + full-text index, the in-memory BM25 build, the
 * instance's own embedding model, every paper embedded), then runs a fixed set of queries taken from real
 * titles and keywords and reports p50/p95/p99 of lexical, vector and hybrid retrieval, query embedding
 * separately, the cache, recall@10 of the binary pre-selection against exact search, build throughput,
 * database size and peak RSS. Without --corpus, or with --scale above the corpus size, the papers are
 * synthetic variants of the real ones (sentences of abstracts shuffled between papers), labelled as such.
 *
 * --from DIR (SQLite) reuses a database and model an earlier run kept (--keep prints the folder), for the
 * query and restart phase only: nothing is imported, trained or embedded (pass the same --scale for the
 * label). Recall is then left to bench/vector-recall.ts (computing it here embeds every paper again). The
 * folder is kept; the restarts remove and rewrite its saved vector file, as a run of their own does.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { fixedQueries, readCorpus, writeCorpus } from './corpus.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import type { Store } from '../src/store/store.ts';
import pg from 'pg';
import { importPath } from '../src/ingest/import-files.ts';
import { parseQuery } from '../src/search/query-parser.ts';
import { lexicalSearch } from '../src/search/lexical/lexical-search.ts';
import { fuse } from '../src/search/fusion.ts';
import { DEFAULT_SEARCH_CONFIG, SearchService } from '../src/search/search-service.ts';
import { StaticEmbedder, StaticModel, trainStaticModel } from '../src/search/learned/index.ts';
import { TRAINING_PAPERS, storeTrainingDocs, embedMissing } from '../src/search/semantic-indexer.ts';
import { paperText } from '../src/search/embedder.ts';
import { BinaryQuantizedIndex } from '../src/store/sqlite/binary-index.ts';
import {
  NODE,
  REPO,
  SHARED_DATA,
  databaseSize,
  fmt,
  formatTable,
  loadLine,
  percentile,
  verdict,
  writeResult,
} from './lib.ts';
import { benchPostgres, type BenchPostgres } from './postgres.ts';
import { runSearchBench, type ProbeResult, type SearchResult } from './search-runs.ts';

function latency(values: number[]) {
  const sorted = Float64Array.from(values).sort();
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    count: values.length,
  };
}

async function time<T>(samples: number[], work: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  const result = await work();
  samples.push(performance.now() - started);
  return result;
}

const program = new Command('bench:search')
  .option('--corpus <path>', 'JSONL of real papers', join(SHARED_DATA, 'arxiv-papers-133k.jsonl.gz'))
  .option('--scale <n>', 'papers to index (synthetic variants are added past the corpus size)')
  .option('--epochs <n>', 'epochs of the embedding model', '8')
  .option('--queries <n>', 'queries in the fixed set', '200')
  .option('--keep', 'keep the temporary database')
  .option('--from <dir>', 'SQLite: the folder of a kept run (bench.db, model.bin): the query and restart phase only')
  .option(
    '--lexical-only',
    'no embedding model, vectors or hybrid rows (for scales where embedding every paper takes too long here)',
  )
  .option('--backend <name>', 'sqlite or postgres', 'sqlite')
  .option('--postgres-url <url>', 'server for --backend postgres', process.env.PAPERBOY_TEST_POSTGRES_URL)
  .option('--single', 'run only the backend named, in this process (no SQLite run beside PostgreSQL)')
  .action(async (options: SideBySideOptions & { backend: string; single?: boolean; from?: string }) => {
    if (options.backend === 'postgres' && !options.single) {
      await sideBySide(options);
      return;
    }
    process.stdout.write(`${loadLine()}\n`);
    const corpusPath = resolve(options.corpus);
    let synthetic = !existsSync(corpusPath);
    const real = synthetic ? [] : await readCorpus(corpusPath);
    if (synthetic)
      throw new Error(`no corpus at ${corpusPath}: pass --corpus (a synthetic corpus needs real papers to vary)`);
    const scale = options.scale ? Number(options.scale) : real.length;
    synthetic = scale > real.length;
    const label = synthetic
      ? `${real.length} real + ${scale - real.length} SYNTHETIC variants`
      : `${scale} real papers`;
    process.stdout.write(`corpus: ${label}, backend: ${options.backend}\n`);

    const from = options.from ? resolve(options.from) : null;
    if (from && options.backend !== 'sqlite') throw new Error('--from reuses a kept SQLite run');
    const dir = from ?? mkdtempSync(join(tmpdir(), 'paperboy-bench-search-'));
    const dbPath = join(dir, 'bench.db');
    const jsonl = join(dir, 'papers.jsonl');
    if (!from) await writeCorpus(jsonl, real, scale);
    const bench = await openBenchStore(options.backend, dbPath, options.postgresUrl);
    const store = bench.store;
    if (options.lexicalOnly) bench.vectors = false;
    else if (!bench.vectors)
      process.stdout.write('this PostgreSQL server has no pgvector: lexical search only, vector rows are n/a\n');
    const peak = { rss: 0 };
    const sampler = setInterval(() => (peak.rss = Math.max(peak.rss, process.memoryUsage().rss)), 200);
    try {
      let started = performance.now();
      const summary = from ? null : await importPath(store, jsonl);
      const importSeconds = from ? NaN : (performance.now() - started) / 1000;
      started = performance.now();
      const textSearch = lexicalSearch(store);
      await textSearch.warmUp();
      const bm25Seconds = (performance.now() - started) / 1000;
      // As a server does after warm-up (SearchService.warmUp), then waited for: the timed queries see the bounds.
      started = performance.now();
      await textSearch.prepare(DEFAULT_SEARCH_CONFIG.weights);
      const boundsSeconds = (performance.now() - started) / 1000;
      started = performance.now();
      // As the server trains: on an even sample of at most TRAINING_PAPERS papers.
      const modelPath = join(dir, 'model.bin');
      const model = !bench.vectors
        ? null
        : from
          ? await StaticModel.load(modelPath)
          : await trainStaticModel(storeTrainingDocs(store, TRAINING_PAPERS), {
              epochs: Number(options.epochs),
              seed: 1,
            });
      if (model && !from) await model.save(modelPath);
      const trainSeconds = bench.vectors && !from ? (performance.now() - started) / 1000 : NaN;
      const embedder = model ? new StaticEmbedder(model) : null;
      started = performance.now();
      if (embedder && !from) await embedMissing(store, embedder, 2_000);
      const embedSeconds = embedder && !from ? (performance.now() - started) / 1000 : NaN;
      process.stdout.write(
        `import ${fmt.s(importSeconds)}, BM25 build ${fmt.s(bm25Seconds)}, long lists' bounds ${fmt.s(boundsSeconds)}, training ${fmt.s(trainSeconds)}, embedding ${fmt.s(embedSeconds)}\n`,
      );

      // The fixed query set: half real titles, half pairs of real keywords (deterministic picks).
      const queries = fixedQueries(real, Number(options.queries));
      const weights = DEFAULT_SEARCH_CONFIG.weights;
      const lexicalMs: number[] = [];
      const embedMs: number[] = [];
      const vectorMs: number[] = [];
      const hybridMs: number[] = [];
      const serviceMs: number[] = [];
      const cachedMs: number[] = [];
      const queryVectors: Float32Array[] = [];
      // Untimed: the first vector query loads the model's vectors from SQLite into memory.
      started = performance.now();
      if (embedder) await store.searchVectors(embedder.id, await embedder.embedQuery('warm up'), 1, {});
      const vectorsLoadSeconds = (performance.now() - started) / 1000;
      started = performance.now();
      // From LISTS_FROM vectors on, the copy's lists are trained in the background: the timed queries use them.
      if (embedder && store instanceof SqliteStore) await store.vectorsTrained(embedder.id);
      const vectorsTrainSeconds = (performance.now() - started) / 1000;
      if (embedder)
        process.stdout.write(
          `vectors loaded in ${fmt.s(vectorsLoadSeconds)}, then lists trained (if any) in ${fmt.s(vectorsTrainSeconds)}\n`,
        );
      for (const q of queries) {
        const lexical = await time(lexicalMs, () => textSearch.search(parseQuery(q), {}, weights, 50));
        if (!embedder) continue;
        const vector = await time(embedMs, () => embedder.embedQuery(q));
        queryVectors.push(vector);
        const nearest = await time(vectorMs, () => store.searchVectors(embedder.id, vector, 50, {}));
        await time(hybridMs, async () =>
          fuse(
            await textSearch.search(parseQuery(q), {}, weights, DEFAULT_SEARCH_CONFIG.candidates),
            await store.searchVectors(embedder.id, vector, DEFAULT_SEARCH_CONFIG.candidates, {}),
            DEFAULT_SEARCH_CONFIG.fusion,
          ),
        );
        void lexical;
        void nearest;
      }
      const service = new SearchService(store, embedder);
      for (const q of queries)
        await time(serviceMs, () =>
          service.search({ q, filters: {}, sort: 'relevance', mode: 'hybrid', offset: 0, limit: 20 }),
        );
      for (const q of queries)
        await time(cachedMs, () =>
          service.search({ q, filters: {}, sort: 'relevance', mode: 'hybrid', offset: 0, limit: 20 }),
        );

      // Recall@10 of binary pre-selection + rescoring against exact search, on the same vectors.
      const index = new BinaryQuantizedIndex(embedder?.dimensions ?? 8, embedder && !from ? scale + 1 : 1);
      let doc = 0;
      if (embedder && !from)
        for await (const p of storeTrainingDocs(store))
          index.set(++doc, embedder.embedSync(paperText(p.title, p.abstract)));
      if (index.wantsTraining) await index.train();
      let found = 0;
      for (const v of queryVectors) {
        const exact = new Set(index.searchExact(v, 10).map((h) => h.doc));
        found += index.search(v, 10).filter((h) => exact.has(h.doc)).length;
      }
      const recall10 = embedder && !from ? found / (queryVectors.length * 10) : NaN;

      const figures = {
        lexical: latency(lexicalMs),
        queryEmbedding: latency(embedMs),
        vector: latency(vectorMs),
        hybridWithoutEmbedding: latency(hybridMs),
        searchServiceUncached: latency(serviceMs),
        searchServiceCached: latency(cachedMs),
      };
      const row = (name: string, l: ReturnType<typeof latency>, target = '') => [
        name,
        fmt.ms(l.p50),
        fmt.ms(l.p95),
        fmt.ms(l.p99),
        fmt.ms(l.max),
        target,
      ];
      process.stdout.write(
        `\n${formatTable(
          ['query latency (ms)', 'p50', 'p95', 'p99', 'max', 'target'],
          [
            row(
              'lexical top-50',
              figures.lexical,
              `p50 ≤ 5, p99 ≤ 50: ${verdict(figures.lexical.p50 <= 5 && figures.lexical.p99 <= 50)}`,
            ),
            row('query embedding', figures.queryEmbedding),
            row('vector top-50', figures.vector, `p50 ≤ 10: ${verdict(figures.vector.p50 <= 10)}`),
            row(
              'hybrid (no embedding)',
              figures.hybridWithoutEmbedding,
              `p50 ≤ 15: ${verdict(figures.hybridWithoutEmbedding.p50 <= 15)}`,
            ),
            row('search service, uncached', figures.searchServiceUncached),
            row('search service, cached', figures.searchServiceCached),
          ],
        )}\n`,
      );
      const size = await bench.size();
      const lexicalIndexBytes = textSearch.index.memoryBytes;
      // A restarted process on the database just built: start-up, memory and latency without the build's leftovers.
      const queriesPath = join(dir, 'queries.json');
      writeFileSync(queriesPath, JSON.stringify(queries));
      const vectorFile = store instanceof SqliteStore && embedder ? store.vectorFilePath(embedder.id) : null;
      await store.close();
      const probeArgs = [...bench.probeArgs, ...(embedder ? ['--model', modelPath] : []), '--queries', queriesPath];
      // SQLite, side by side: first without the saved vector file (the copy read from sqlite-vec's table, as
      // before the file existed; that process saves it again), then with it.
      let restartedFromTable: ProbeResult | null = null;
      if (vectorFile && existsSync(vectorFile)) {
        rmSync(vectorFile);
        restartedFromTable = await probe(probeArgs);
      }
      const restarted = await probe(probeArgs);
      const vectorFileBytes = vectorFile && existsSync(vectorFile) ? statSync(vectorFile).size : null;
      const savedIndexBytes = options.backend === 'sqlite' ? statSync(`${dbPath}.lexical-index`).size : null;
      const build = {
        papers: scale,
        synthetic,
        importSeconds,
        importPapersPerSecond: scale / importSeconds,
        bm25BuildSeconds: bm25Seconds,
        trainSeconds,
        trainingPapers: Math.min(scale, TRAINING_PAPERS),
        embedSeconds,
        embedPapersPerSecond: scale / embedSeconds,
        modelId: embedder?.id ?? null,
        backend: options.backend,
      };
      process.stdout.write(
        from
          ? '\nrecall@10 of the vector pre-selection: not measured with --from (bench/vector-recall.ts measures it)\n'
          : `\nrecall@10 of the vector pre-selection (${index.quantizer ? `${fmt.int(index.quantizer.lists)} lists` : 'sign-bit scan'}) vs exact: ${recall10.toFixed(4)} (target ≥ 0.95: ${verdict(recall10 >= 0.95)})\n`,
      );
      process.stdout.write(
        `import ${fmt.int(build.importPapersPerSecond)} papers/s, embedding ${fmt.int(build.embedPapersPerSecond)} papers/s, ` +
          `database ${fmt.mib(size)}, peak RSS ${fmt.mib(peak.rss)}\n`,
      );
      process.stdout.write(
        `lexical index ${fmt.mib(lexicalIndexBytes)} in memory (${fmt.int(lexicalIndexBytes / scale)} bytes per paper), ` +
          `saved ${savedIndexBytes === null ? 'in the database' : fmt.mib(savedIndexBytes)}\n` +
          (vectorFileBytes === null ? '' : `vector file ${fmt.mib(vectorFileBytes)}\n`) +
          (restartedFromTable ? restartLine('vectors read from the table', restartedFromTable) : '') +
          restartLine(restarted.vectorsFromFile ? 'vectors loaded from the file' : 'vectors', restarted) +
          `${loadLine()}\n`,
      );
      process.stdout.write(
        `JSON: ${writeResult('search', { corpus: label, queries: queries.length, figures, recall10, build, databaseBytes: size, peakRssBytes: peak.rss, lexicalIndexBytes, savedIndexBytes, restarted, restartedFromTable, vectorFileBytes, importSummary: summary && { ...summary, failures: summary.failures.length }, from, vectorsLoadSeconds, vectorsTrainSeconds, boundsSeconds })}\n`,
      );
    } finally {
      clearInterval(sampler);
      await store.close().catch(() => undefined);
      await bench.cleanup(Boolean(options.keep));
      if (!options.keep && !from) rmSync(dir, { recursive: true, force: true });
    }
  });

/** One restarted process's figures, on one line. */
function restartLine(label: string, r: ProbeResult): string {
  return (
    `restarted process (${label}): full hybrid search after ${fmt.s(r.startupSeconds)} ` +
    `(${Object.entries(r.phases ?? {})
      .map(([phase, seconds]) => `${phase} ${fmt.s(seconds)}`)
      .join(', ')}) ` +
    `(lexical index ${r.lexicalLoaded ? 'loaded' : 'REBUILT'}), vector lists ready after ${r.listsReadySeconds === undefined ? '-' : fmt.s(r.listsReadySeconds)}, lexical bounds after ${r.boundsReadySeconds === undefined ? '-' : fmt.s(r.boundsReadySeconds)}, RSS after warm-up ${fmt.mib(r.rssAfterWarmUpBytes)}, ` +
    `lexical p50 ${fmt.ms(r.lexicalP50)} / p99 ${fmt.ms(r.lexicalP99)} ms, ` +
    `hybrid with query embedding p50 ${fmt.ms(r.hybridP50)} / p99 ${fmt.ms(r.hybridP99)} ms\n`
  );
}

/** Runs bench/search-probe.ts in a new process and returns what it measured. */
async function probe(args: string[]): Promise<ProbeResult> {
  const { stdout } = await promisify(execFile)(NODE, [join(REPO, 'bench/search-probe.ts'), ...args], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ProbeResult;
}

/** The store under test: a SQLite file, or a fresh schema on a PostgreSQL server. */
async function openBenchStore(
  backend: string,
  dbPath: string,
  postgresUrl: string | undefined,
): Promise<{
  store: Store;
  vectors: boolean;
  /** How bench/search-probe.ts opens the same database. */
  probeArgs: string[];
  size(): Promise<number>;
  cleanup(keep: boolean): Promise<void>;
}> {
  if (backend === 'sqlite') {
    return {
      store: new SqliteStore(dbPath),
      vectors: true,
      probeArgs: ['--db', dbPath],
      size: async () => databaseSize(dbPath),
      cleanup: async () => {},
    };
  }
  if (backend !== 'postgres') throw new Error(`--backend is sqlite or postgres, not ${backend}`);
  const server = await benchPostgres(postgresUrl);
  process.stdout.write(`postgres: ${server.label}\n`);
  postgresUrl = server.url;
  const admin = new pg.Pool({ connectionString: postgresUrl, max: 1 });
  const schema = `bench_search_${process.pid}`;
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'`);
  const vectors = rows[0].n > 0;
  if (vectors) await admin.query('CREATE EXTENSION IF NOT EXISTS vector SCHEMA public');
  return {
    store: await PostgresStore.connect(postgresUrl, { schema }),
    vectors,
    probeArgs: ['--postgres-url', postgresUrl, '--schema', schema],
    size: async () =>
      Number(
        (
          await admin.query(
            `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
            [schema],
          )
        ).rows[0].bytes,
      ),
    cleanup: async (keep) => {
      if (!keep) await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
      await server.stop();
    },
  };
}

interface SideBySideOptions {
  corpus: string;
  scale?: string;
  epochs: string;
  queries: string;
  keep?: boolean;
  lexicalOnly?: boolean;
  postgresUrl?: string;
}

/** The same bench on SQLite and on PostgreSQL, each in its own process, one after the other; one table. */
async function sideBySide(options: SideBySideOptions): Promise<void> {
  process.stdout.write(`${loadLine()}\n`);
  let server: BenchPostgres | null = null;
  try {
    server = await benchPostgres(options.postgresUrl);
    process.stdout.write(`postgres: ${server.label}\n`);
    const lexicalOnly = Boolean(options.lexicalOnly) || !server.vectors;
    if (lexicalOnly && !options.lexicalOnly)
      process.stdout.write(
        'this PostgreSQL server has no pgvector: BOTH backends run lexical-only (no model, vectors or hybrid), so the columns measure the same work\n',
      );
    const args = ['--corpus', options.corpus, '--epochs', options.epochs, '--queries', options.queries, '--single'];
    if (options.scale) args.push('--scale', options.scale);
    if (options.keep) args.push('--keep');
    if (lexicalOnly) args.push('--lexical-only');
    const runs: Record<'sqlite' | 'postgres', SearchResult> = {
      sqlite: await runSearchBench([...args, '--backend', 'sqlite']),
      postgres: await runSearchBench([...args, '--backend', 'postgres', '--postgres-url', server.url]),
    };
    const rows: [string, (r: SearchResult) => string][] = [
      ['papers', (r) => fmt.int(r.build.papers)],
      ['import (papers/s)', (r) => fmt.int(r.build.importPapersPerSecond)],
      ['lexical index build', (r) => fmt.s(r.build.bm25BuildSeconds)],
      [
        'lexical top-50 p50 / p99 ms (bench process)',
        (r) => `${fmt.ms(r.figures.lexical.p50)} / ${fmt.ms(r.figures.lexical.p99)}`,
      ],
      [
        'restarted: start-up to first answer',
        (r) =>
          `${fmt.s(r.restarted.startupSeconds)}${r.restarted.lexicalLoaded ? ' (index loaded)' : ' (index REBUILT)'}`,
      ],
      [
        'restarted: lexical p50 / p99 ms',
        (r) => `${fmt.ms(r.restarted.lexicalP50)} / ${fmt.ms(r.restarted.lexicalP99)}`,
      ],
      ['restarted: RSS after warm-up', (r) => fmt.mib(r.restarted.rssAfterWarmUpBytes)],
      ['bench process peak RSS', (r) => fmt.mib(r.peakRssBytes)],
      ['database', (r) => fmt.mib(r.databaseBytes)],
      ['saved lexical index', (r) => (r.savedIndexBytes === null ? 'in the database' : fmt.mib(r.savedIndexBytes))],
      [
        'recall@10',
        (r) => (typeof r.recall10 === 'number' && !Number.isNaN(r.recall10) ? r.recall10.toFixed(3) : 'n/a'),
      ],
    ];
    process.stdout.write(
      `\n${formatTable(
        ['side by side', 'SQLite', 'PostgreSQL'],
        rows.map(([label, value]) => [label, value(runs.sqlite), value(runs.postgres)]),
      )}\n${loadLine()}\n`,
    );
    process.stdout.write(
      `JSON: ${writeResult('search-backends', { postgres: server.label, lexicalOnly, sqlite: runs.sqlite, postgresRun: runs.postgres })}\n`,
    );
  } finally {
    await server?.stop();
  }
}

await program.parseAsync();
