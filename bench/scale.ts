/**
 * npm run bench:scale -- [--scales real,300000,1000000] [--epochs 8] [--queries 200] [--backend sqlite|postgres]
 *
 * Runs bench:search once per scale, one after another, each in its own process (real = the whole real corpus,
 * 133k papers; larger scales add synthetic variants of the real papers), and prints how search grows: RSS
 * of a restarted process after warm-up, its start-up time to full hybrid search, lexical p50/p99, hybrid p50,
 * recall@10 of the vector pre-selection, import rate, training time, database size and the lexical index's
 * bytes per paper. Writes the table and every run's figures as JSON.
 */
import { Command } from 'commander';
import { fmt, formatTable, loadLine, verdict, writeResult } from './lib.ts';
import { runSearchBench, type SearchResult } from './search-runs.ts';

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
  const args = ['--epochs', options.epochs, '--queries', options.queries, '--backend', options.backend, '--single'];
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
