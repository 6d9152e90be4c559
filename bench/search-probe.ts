/**
 * A restarted search process, as bench/search.ts measures it: opens a database that is already indexed,
 * loads the saved lexical index and the embedding model, and answers a hybrid query; then runs the query set.
 * Prints one JSON line: seconds from process start to the first full hybrid answer, RSS after warm-up,
 * lexical and hybrid latencies, whether the lexical index was loaded rather than built, and (SQLite) whether
 * the vector copy came from its saved file (bench/search.ts removes the file first for the old path).
 *
 *   node bench/search-probe.ts --db FILE | --postgres-url URL --schema NAME  [--model FILE] --queries FILE
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import type { Store } from '../src/store/store.ts';
import { parseQuery } from '../src/search/query-parser.ts';
import { lexicalSearch } from '../src/search/lexical/lexical-search.ts';
import { fuse } from '../src/search/fusion.ts';
import { DEFAULT_SEARCH_CONFIG } from '../src/search/search-service.ts';
import { StaticEmbedder, StaticModel } from '../src/search/learned/index.ts';
import { percentile } from './lib.ts';

const options = new Command('search-probe')
  .option('--db <file>')
  .option('--postgres-url <url>')
  .option('--schema <name>')
  .option('--model <file>')
  .requiredOption('--queries <file>')
  .parse()
  .opts<{ db?: string; postgresUrl?: string; schema?: string; model?: string; queries: string }>();

const queries = JSON.parse(readFileSync(options.queries, 'utf8')) as string[];
const store: Store = options.db
  ? new SqliteStore(options.db)
  : await PostgresStore.connect(options.postgresUrl!, { schema: options.schema! });
const { weights, candidates, fusion } = DEFAULT_SEARCH_CONFIG;
try {
  const opened = performance.now();
  const embedder = options.model ? new StaticEmbedder(await StaticModel.load(options.model)) : null;
  const modelLoaded = performance.now();
  const lexical = lexicalSearch(store);
  // Full hybrid search: the in-memory lexical index (not PostgreSQL's interim ranking), the vectors, the model.
  await lexical.warmUp();
  const lexicalReady = performance.now();
  // As a server does after warm-up (SearchService.warmUp): the long lists' bounds computed in the background.
  const prepared = lexical.prepare(weights);
  const hybrid = async (q: string) =>
    fuse(
      await lexical.search(parseQuery(q), {}, weights, candidates),
      embedder ? await store.searchVectors(embedder.id, await embedder.embedQuery(q), candidates, {}) : [],
      fusion,
    );
  const first = await hybrid(queries[0]!);
  const startupSeconds = performance.now() / 1000;
  // Where start-up goes: node and modules with the store's opening, the model, the lexical index, the vectors.
  const phases = {
    processAndStore: opened / 1000,
    model: (modelLoaded - opened) / 1000,
    lexical: (lexicalReady - modelLoaded) / 1000,
    firstHybrid: startupSeconds - lexicalReady / 1000,
  };
  // SQLite from LISTS_FROM vectors: a copy read from the table (or from a file without lists) trains its lists
  // in the background, searching by the sign-bit scan until then. The timed queries wait for them.
  if (embedder && store instanceof SqliteStore) await store.vectorsTrained(embedder.id);
  const listsReadySeconds = performance.now() / 1000;
  await prepared;
  const boundsReadySeconds = performance.now() / 1000;
  const lexicalMs: number[] = [];
  const hybridMs: number[] = [];
  for (const q of queries) {
    let started = performance.now();
    await lexical.search(parseQuery(q), {}, weights, 50);
    lexicalMs.push(performance.now() - started);
    started = performance.now();
    await hybrid(q);
    hybridMs.push(performance.now() - started);
  }
  const sorted = (values: number[]) => Float64Array.from(values).sort();
  process.stdout.write(
    `${JSON.stringify({
      startupSeconds,
      listsReadySeconds,
      boundsReadySeconds,
      phases,
      firstHits: first.length,
      lexicalLoaded: lexical.index.loaded,
      vectorsFromFile: embedder && store instanceof SqliteStore ? store.vectorsLoadedFromFile(embedder.id) : null,
      lexicalIndexBytes: lexical.index.memoryBytes,
      rssAfterWarmUpBytes: process.memoryUsage().rss,
      heapUsedBytes: process.memoryUsage().heapUsed,
      lexicalP50: percentile(sorted(lexicalMs), 50),
      lexicalP99: percentile(sorted(lexicalMs), 99),
      hybridP50: percentile(sorted(hybridMs), 50),
      hybridP99: percentile(sorted(hybridMs), 99),
    })}\n`,
  );
} finally {
  await store.close();
}
