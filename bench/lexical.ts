/**
 * npm run bench:lexical -- [--corpus ../shared/data/arxiv-papers-133k.jsonl.gz] [--scale 1000000] [--queries 200]
 *
 * The lexical index alone at a scale where importing into a database and embedding every paper takes too long
 * on a busy machine: the papers (real, then synthetic variants past the corpus) are held in memory as the
 * store's rows would be, the in-memory BM25F index is built from them through TextIndex exactly as a server
 * builds it, and saved to a file. Then a fresh process loads that file (as a restarted server does) and runs
 * the fixed query set: load time, RSS after warm-up, lexical top-50 p50/p99. Writes JSON.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { TextIndex, type TextSource } from '../src/search/lexical/text-index.ts';
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
  .option('--probe <index>', '(internal) load this saved index and run the queries')
  .option('--query-file <file>', '(internal) the queries for --probe')
  .parse()
  .opts<{ corpus: string; scale: string; queries: string; probe?: string; queryFile?: string }>();

const weights = DEFAULT_SEARCH_CONFIG.weights;

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
  const ms: number[] = [];
  for (const q of JSON.parse(readFileSync(options.queryFile!, 'utf8')) as string[]) {
    const started = performance.now();
    await index.search(parseQuery(q), null, new Set(), weights, 50);
    ms.push(performance.now() - started);
  }
  const sorted = Float64Array.from(ms).sort();
  process.stdout.write(
    `${JSON.stringify({
      startupSeconds: loadSeconds,
      loaded: index.loaded,
      indexBytes: index.memoryBytes,
      rssAfterWarmUpBytes: process.memoryUsage().rss,
      lexicalP50: percentile(sorted, 50),
      lexicalP99: percentile(sorted, 99),
    })}\n`,
  );
} else {
  process.stdout.write(`${loadLine()}\n`);
  const real = await readCorpus(resolve(options.corpus));
  const scale = Number(options.scale);
  const rows: IndexedText[] = [];
  const add = (p: (typeof real)[number]) =>
    rows.push({
      doc: rows.length + 1,
      id: p.arxiv_id,
      title: p.title,
      authors: p.authors.join(' '),
      summary: p.abstract,
    });
  for (const p of real.slice(0, scale)) add(p);
  if (scale > real.length) for (const p of syntheticVariants(real, scale - real.length)) add(p);
  const label =
    scale > real.length ? `${real.length} real + ${scale - real.length} SYNTHETIC variants` : `${scale} real papers`;
  process.stdout.write(`corpus: ${label}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-lexical-'));
  try {
    const indexPath = join(dir, 'index');
    const index = new TextIndex(memorySource(rows, indexPath));
    const started = performance.now();
    await index.warmUp();
    const buildSeconds = (performance.now() - started) / 1000;
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
      loaded: boolean;
      indexBytes: number;
      rssAfterWarmUpBytes: number;
      lexicalP50: number;
      lexicalP99: number;
    };
    const savedBytes = statSync(indexPath).size;
    process.stdout.write(
      `build and save ${fmt.s(buildSeconds)} (${fmt.int(scale / buildSeconds)} papers/s), index ${fmt.mib(index.memoryBytes)} ` +
        `(${fmt.int(index.memoryBytes / scale)} bytes per paper), saved ${fmt.mib(savedBytes)}, builder RSS ${fmt.mib(peakRss)}\n` +
        `restarted process: index ${restarted.loaded ? 'loaded' : 'REBUILT'} after ${fmt.s(restarted.startupSeconds)} from process start, ` +
        `RSS after warm-up ${fmt.mib(restarted.rssAfterWarmUpBytes)}, lexical top-50 p50 ${fmt.ms(restarted.lexicalP50)} / p99 ${fmt.ms(restarted.lexicalP99)} ms\n`,
    );
    process.stdout.write(
      `JSON: ${writeResult('lexical', { corpus: label, papers: scale, buildSeconds, indexBytes: index.memoryBytes, savedBytes, builderRssBytes: peakRss, restarted })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
