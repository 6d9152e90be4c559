/** bench:search run in a child process, as bench:scale and bench:search's side-by-side mode run it. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE, REPO } from './lib.ts';

/** What bench/search-probe.ts measures in a restarted process. */
export interface ProbeResult {
  startupSeconds: number;
  /** SQLite: seconds from process start until the vector lists were trained (= start-up when none were). */
  listsReadySeconds?: number;
  /** When the lexical index's long lists had their bounds (computed in the background after warm-up). */
  boundsReadySeconds?: number;
  phases?: { processAndStore: number; model: number; lexical: number; firstHybrid: number };
  lexicalLoaded: boolean;
  /** SQLite: whether the vector copy was loaded from its saved file (null: no vectors, or PostgreSQL). */
  vectorsFromFile?: boolean | null;
  lexicalIndexBytes: number;
  rssAfterWarmUpBytes: number;
  lexicalP50: number;
  lexicalP99: number;
  hybridP50: number;
  hybridP99: number;
}

/** What bench:search writes as JSON (the parts read back). */
export interface SearchResult {
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
  /** SQLite: the same restart with the saved vector file removed first (the copy read from the table). */
  restartedFromTable?: ProbeResult | null;
  vectorFileBytes?: number | null;
}

/** Runs bench:search with these arguments, echoing its output; resolves with its JSON result. */
export function runSearchBench(args: string[]): Promise<SearchResult> {
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
