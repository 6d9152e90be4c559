/**
 * npm run bench:scale -- [--scales real,300000,1000000] [--epochs 8] [--queries 200] [--backend sqlite|postgres]
 *
 * Runs bench:search once per scale, one after another, each in its own process (real = the whole real corpus,
 * 133k papers; larger scales add synthetic variants of the real papers), and prints how search grows: RSS
 * of a restarted process after warm-up, its start-up time to full hybrid search, lexical p50/p99, hybrid p50,
 * recall@10 of the vector pre-selection, import rate, training time, database size and the lexical index's
 * bytes per paper. Writes the table and every run's figures as JSON.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { NODE, REPO, fmt, formatTable, loadLine, verdict, writeResult } from './lib.ts';
import type { ProbeResult } from './search.ts';

interface SearchResult {
  corpus: string;
  recall10: number;
  figures: { lexical: { p50: number; p99: number }; hybridWithoutEmbedding: { p50: number } };
  build: {
    papers: number;
    importPapersPerSecond: number;
    bm25BuildSeconds: number;
    trainSeconds: number;
    trainingPapers: number;
    embedSeconds: number;
  };
  databaseBytes: number;
  peakRssBytes: number;
  lexicalIndexBytes: number;
  savedIndexBytes: number | null;
  restarted: ProbeResult;
}

/** Runs bench:search with these arguments, echoing its output; resolves with its JSON result. */
function runSearchBench(args: string[]): Promise<SearchResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [join(REPO, 'bench/search.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const path = /^JSON: (.+)$/m.exec(output)?.[1];
      if (code !== 0 || !path) reject(new Error(`bench:search ${args.join(' ')} exited with ${code}`));
      else resolve(JSON.parse(readFileSync(path, 'utf8')) as SearchResult);
    });
  });
}

const options = new Command('bench:scale')
  .option('--scales <list>', 'comma-separated paper counts; "real" is the whole real corpus', 'real,300000,1000000')
  .option('--epochs <n>', 'epochs of the embedding model', '8')
  .option('--queries <n>', 'queries in the fixed set', '200')
  .option('--backend <name>', 'sqlite or postgres', 'sqlite')
  .option('--corpus <path>', 'JSONL of real papers (bench:search default when absent)')
  .option('--lexical-only-from <n>', 'scales from this many papers run without the embedding model and vectors')
  .parse()
  .opts<{
    scales: string;
    epochs: string;
    queries: string;
    backend: string;
    corpus?: string;
    lexicalOnlyFrom?: string;
  }>();

process.stdout.write(`${loadLine()}\n`);
const results: SearchResult[] = [];
for (const scale of options.scales.split(',')) {
  const args = ['--epochs', options.epochs, '--queries', options.queries, '--backend', options.backend];
  if (scale !== 'real') args.push('--scale', scale);
  if (options.corpus) args.push('--corpus', options.corpus);
  if (options.lexicalOnlyFrom && scale !== 'real' && Number(scale) >= Number(options.lexicalOnlyFrom))
    args.push('--lexical-only');
  process.stdout.write(`\n== ${scale} papers ==\n`);
  results.push(await runSearchBench(args));
}

const rows = results.map((r) => [
  fmt.int(r.build.papers),
  fmt.mib(r.restarted.rssAfterWarmUpBytes),
  `${r.restarted.startupSeconds.toFixed(1)} s${r.restarted.lexicalLoaded ? '' : ' (rebuilt)'}`,
  `${fmt.ms(r.restarted.lexicalP50)} / ${fmt.ms(r.restarted.lexicalP99)}`,
  fmt.ms(r.figures.hybridWithoutEmbedding.p50),
  fmt.ms(r.restarted.hybridP50),
  Number.isNaN(r.recall10) ? 'n/a' : r.recall10.toFixed(3),
  fmt.int(r.build.importPapersPerSecond),
  Number.isNaN(r.build.trainSeconds)
    ? 'n/a'
    : `${r.build.trainSeconds.toFixed(0)} s (${fmt.int(r.build.trainingPapers)})`,
  fmt.mib(r.databaseBytes),
  fmt.int(r.lexicalIndexBytes / r.build.papers),
  fmt.mib(r.peakRssBytes),
]);
process.stdout.write(
  `\n${formatTable(
    [
      'papers',
      'RSS after warm-up',
      'start-up to hybrid',
      'lexical p50 / p99 ms',
      'hybrid p50 ms',
      'hybrid+embed p50 ms',
      'recall@10',
      'import /s',
      'training (papers)',
      'database',
      'lexical B/paper',
      'build peak RSS',
    ],
    rows,
  )}\n`,
);
const goals = results.map((r) => {
  const million = r.build.papers >= 1_000_000;
  return [
    fmt.int(r.build.papers),
    verdict(r.restarted.rssAfterWarmUpBytes <= (million ? 2048 : 600) * 1024 * 1024),
    verdict(r.restarted.startupSeconds <= (million ? 15 : 5)),
    verdict(r.restarted.lexicalP50 <= 10 && r.restarted.lexicalP99 <= 60),
    verdict(r.restarted.hybridP50 <= 30),
    verdict(r.recall10 >= 0.95),
    verdict(r.lexicalIndexBytes / r.build.papers <= 1024),
  ];
});
process.stdout.write(
  `\n${formatTable(
    [
      'papers',
      'RSS ≤ 600 MiB (1M: 2 GiB)',
      'start-up ≤ 5 s (1M: 15 s)',
      'lexical ≤ 10 / 60 ms',
      'hybrid p50 ≤ 30 ms',
      'recall ≥ 0.95',
      'lexical ≤ 1 KB/paper',
    ],
    goals,
  )}\n`,
);
process.stdout.write(
  `JSON: ${writeResult('scale', { backend: options.backend, epochs: Number(options.epochs), runs: results })}\n`,
);
