/**
 * npm run bench:lexical -- [--corpus ../shared/data/arxiv-papers-133k.jsonl.gz] [--scale 1000000] [--queries 200]
 *
 * The lexical index alone at a scale where importing into a database and embedding every paper takes too long
 * on a busy machine: the papers (real, then synthetic variants past the corpus) are held in memory as the
 * store's rows would be, the in-memory BM25F index is built from them through TextIndex exactly as a server
 * builds it, and saved to a file. Then a fresh process loads that file (as a restarted server does) and runs
 * the fixed query set: load time, RSS after warm-up, lexical top-50 p50/p99. Then, in that same process and
 * query by query, three ways to the top 50 timed side by side (wall and CPU time): every posting with MaxScore
 * for common words, the term-at-a-time block-max top k, and topK (windowed MaxScore); and checks that all give
 * the same papers with the same scores. Writes JSON.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { TextIndex, type TextSource } from '../src/search/lexical/text-index.ts';
import { TopK, type Bm25Index } from '../src/search/lexical/bm25-index.ts';
import { decodeIndex } from '../src/search/lexical/index-file.ts';
import { parseQuery } from '../src/search/query-parser.ts';
import { DEFAULT_SEARCH_CONFIG } from '../src/search/search-service.ts';
import type { IndexedText } from '../src/store/index-source.ts';
import { fixedQueries, readCorpus, syntheticVariants } from './corpus.ts';
import { NODE, SHARED_DATA, fmt, loadLine, percentile, writeResult } from './lib.ts';

/** Rows in memory, numbered from 1, and the index saved to a file. */
function memorySource(rows: IndexedText[], indexPath: string): TextSource {
  return {
    page: async (after, limit) => rows.slice(after, after + limit),
    texts: async (docs) => docs.flatMap((doc) => (rows[doc - 1] ? [rows[doc - 1]!] : [])),
    writeMark: async () => ({ writeSeq: rows.length, dataVersion: 'bench' }),
    loadIndex: async () => {
      try {
        return readFileSync(indexPath);
      } catch {
        return null;
      }
    },
    saveIndex: async (parts) => writeFileSync(indexPath, Buffer.concat(parts)),
  };
}

const options = new Command('bench:lexical')
  .option('--corpus <path>', 'JSONL of real papers', join(SHARED_DATA, 'arxiv-papers-133k.jsonl.gz'))
  .option('--scale <n>', 'papers (synthetic variants past the corpus size)', '1000000')
  .option('--queries <n>', 'queries in the fixed set', '200')
  .option(
    '--index <file>',
    "measure this saved index (a kept bench:search database's .lexical-index) instead of building one",
  )
  .option('--probe <index>', '(internal) load this saved index and run the queries')
  .option('--query-file <file>', '(internal) the queries for --probe')
  .parse()
  .opts<{ corpus: string; scale: string; queries: string; index?: string; probe?: string; queryFile?: string }>();

const weights = DEFAULT_SEARCH_CONFIG.weights;
const sorted = (values: number[]) => Float64Array.from(values).sort();

/**
 * Each query's top 50 on the same index three ways, query by query in rotating order: accumulate (every posting,
 * MaxScore on common words), the term-at-a-time block-max top k (topK before the windowed MaxScore) and topK.
 * Wall and CPU time per query; how many queries' top 50 differ from accumulate's, in papers or scores.
 */
function sideBySide(index: Bm25Index, queries: string[]) {
  const scores = new Float32Array(index.maxDoc + 1);
  const previous = (terms: string[]) => {
    const touched: number[] = [];
    index.accumulate(terms, weights, scores, touched, 50);
    const top = new TopK(50);
    for (const doc of touched) {
      top.offer({ doc, id: '', score: scores[doc]! });
      scores[doc] = 0;
    }
    return top.sorted().map((h) => ({ ...h, id: index.id(h.doc)! }));
  };
  const methods = {
    previous,
    termAtATime: (terms: string[]) => index.topKTermAtATime(terms, weights, 50),
    windowed: (terms: string[]) => index.topK(terms, weights, 50),
  };
  const names = Object.keys(methods) as (keyof typeof methods)[];
  index.prepare(weights);
  const wall = Object.fromEntries(names.map((name) => [name, [] as number[]]));
  // CPU time of this process too: on a shared machine, waiting for a core inflates wall time, not CPU time.
  const cpu = Object.fromEntries(names.map((name) => [name, [] as number[]]));
  let differing = 0;
  queries.forEach((q, i) => {
    const parsed = parseQuery(q);
    // As TextIndex takes them (queries of titles and keywords have no prefixes).
    const terms = [...new Set([...parsed.terms, ...parsed.phrases.flat()])];
    const results: Record<string, string> = {};
    names.forEach((_, j) => {
      const name = names[(i + j) % names.length]!;
      const cpuAt = process.cpuUsage();
      const at = performance.now();
      const result = methods[name](terms);
      wall[name]!.push(performance.now() - at);
      const used = process.cpuUsage(cpuAt);
      cpu[name]!.push((used.user + used.system) / 1000);
      results[name] = JSON.stringify(result);
    });
    if (names.some((name) => results[name] !== results.previous)) differing++;
  });
  const figures = (samples: number[]) => {
    const s = sorted(samples);
    return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
  };
  return {
    wall: Object.fromEntries(names.map((name) => [name, figures(wall[name]!)])) as Record<Figures, Percentiles>,
    cpu: Object.fromEntries(names.map((name) => [name, figures(cpu[name]!)])) as Record<Figures, Percentiles>,
    differing,
  };
}

type Figures = 'previous' | 'termAtATime' | 'windowed';
interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

const LABELS: Record<Figures, string> = {
  previous: 'previous (every posting, MaxScore)',
  termAtATime: 'block-max term at a time',
  windowed: 'windowed MaxScore (topK)',
};

const sideLine = (wall: Record<Figures, Percentiles>, cpu: Record<Figures, Percentiles>) =>
  (Object.keys(LABELS) as Figures[])
    .map(
      (name) =>
        `${LABELS[name]}: wall ${fmt.ms(wall[name].p50)} / ${fmt.ms(wall[name].p95)} / ${fmt.ms(wall[name].p99)}, ` +
        `CPU ${fmt.ms(cpu[name].p50)} / ${fmt.ms(cpu[name].p95)} / ${fmt.ms(cpu[name].p99)}`,
    )
    .join('; ');

if (options.probe) {
  // A restarted process: loads the saved index (building is refused), then runs the queries.
  const index = new TextIndex({
    ...memorySource([], options.probe),
    // The database it stands for has every paper the index covers.
    writeMark: async () => ({ writeSeq: Number.MAX_SAFE_INTEGER, dataVersion: 'bench' }),
    page: async () => {
      throw new Error('the saved index should have been loaded');
    },
  });
  await index.warmUp();
  const loadSeconds = performance.now() / 1000;
  const queries = JSON.parse(readFileSync(options.queryFile!, 'utf8')) as string[];
  // The first query also computes the score bounds of the weighting (one pass over the postings).
  let started = performance.now();
  await index.search(parseQuery(queries[0]!), null, new Set(), weights, 50);
  const firstQuerySeconds = (performance.now() - started) / 1000;
  const ms: number[] = [];
  for (const q of queries) {
    started = performance.now();
    await index.search(parseQuery(q), null, new Set(), weights, 50);
    ms.push(performance.now() - started);
  }
  const rssAfterWarmUpBytes = process.memoryUsage().rss;
  const indexBytes = index.memoryBytes;
  const side = sideBySide(decodeIndex(readFileSync(options.probe)).index, queries);
  process.stdout.write(
    `${JSON.stringify({
      startupSeconds: loadSeconds,
      firstQuerySeconds,
      loaded: index.loaded,
      indexBytes,
      rssAfterWarmUpBytes,
      lexicalP50: percentile(sorted(ms), 50),
      lexicalP99: percentile(sorted(ms), 99),
      ...side,
    })}\n`,
  );
} else {
  process.stdout.write(`${loadLine()}\n`);
  const real = await readCorpus(resolve(options.corpus));
  const reused = options.index ? resolve(options.index) : null;
  const scale = reused ? decodeIndex(readFileSync(reused)).index.documentCount : Number(options.scale);
  const rows: IndexedText[] = [];
  const add = (p: (typeof real)[number]) =>
    rows.push({
      doc: rows.length + 1,
      id: p.arxiv_id,
      title: p.title,
      authors: p.authors.join(' '),
      summary: p.abstract,
    });
  if (!reused) for (const p of real.slice(0, scale)) add(p);
  if (!reused && scale > real.length) for (const p of syntheticVariants(real, scale - real.length)) add(p);
  const label = reused
    ? `${scale} papers of the saved index ${reused}`
    : scale > real.length
      ? `${real.length} real + ${scale - real.length} SYNTHETIC variants`
      : `${scale} real papers`;
  process.stdout.write(`corpus: ${label}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-lexical-'));
  try {
    const indexPath = reused ?? join(dir, 'index');
    const index = new TextIndex(memorySource(rows, indexPath));
    const started = performance.now();
    if (!reused) await index.warmUp();
    const buildSeconds = reused ? NaN : (performance.now() - started) / 1000;
    const peakRss = process.memoryUsage().rss;
    const queriesPath = join(dir, 'queries.json');
    writeFileSync(queriesPath, JSON.stringify(fixedQueries(real, Number(options.queries))));
    const { stdout } = await promisify(execFile)(NODE, [
      import.meta.filename,
      '--probe',
      indexPath,
      '--query-file',
      queriesPath,
    ]);
    const restarted = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      startupSeconds: number;
      firstQuerySeconds: number;
      loaded: boolean;
      indexBytes: number;
      rssAfterWarmUpBytes: number;
      lexicalP50: number;
      lexicalP99: number;
      wall: Record<Figures, Percentiles>;
      cpu: Record<Figures, Percentiles>;
      differing: number;
    };
    const savedBytes = statSync(indexPath).size;
    process.stdout.write(
      `build and save ${fmt.s(buildSeconds)} (${fmt.int(scale / buildSeconds)} papers/s), index ${fmt.mib(index.memoryBytes)} ` +
        `(${fmt.int(index.memoryBytes / scale)} bytes per paper), saved ${fmt.mib(savedBytes)}, builder RSS ${fmt.mib(peakRss)}\n` +
        `restarted process: index ${restarted.loaded ? 'loaded' : 'REBUILT'} after ${fmt.s(restarted.startupSeconds)} from process start, ` +
        `first query (with the score bounds) ${fmt.s(restarted.firstQuerySeconds)}, ` +
        `index with bounds ${fmt.mib(restarted.indexBytes)} (${fmt.int(restarted.indexBytes / scale)} bytes per paper), ` +
        `RSS after warm-up ${fmt.mib(restarted.rssAfterWarmUpBytes)}, lexical top-50 p50 ${fmt.ms(restarted.lexicalP50)} / p99 ${fmt.ms(restarted.lexicalP99)} ms\n` +
        `side by side, same process, same queries (p50 / p95 / p99 ms): ${sideLine(restarted.wall, restarted.cpu)}; ` +
        `queries whose top 50 differ: ${restarted.differing}\n${loadLine()}\n`,
    );
    process.stdout.write(
      `JSON: ${writeResult('lexical', { corpus: label, papers: scale, buildSeconds, indexBytes: index.memoryBytes, savedBytes, builderRssBytes: peakRss, restarted })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
