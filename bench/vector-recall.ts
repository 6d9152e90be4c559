/**
 * node bench/vector-recall.ts --db FILE --model FILE [--corpus …133k.jsonl.gz] [--queries 200] [--floors 2000,0.005,0.01,0.02]
 *
 * Recall@10 and latency of the SQLite vector pre-selection per candidate floor, on a database bench:search
 * built and kept (--keep): the in-memory index is loaded from the database's vector table as a server loads
 * it, the fixed query set is embedded with the model, and for each floor (a count, or a share of the vectors
 * when below 1) the top 10 of the sign-bit pre-selection with int8 rescoring is compared with exact int8
 * search over every vector. Writes JSON.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { SqliteDatabase } from '../src/store/sqlite/database.ts';
import { VectorSearch } from '../src/store/sqlite/vector-search.ts';
import { StaticEmbedder } from '../src/search/learned/index.ts';
import { fixedQueries, readCorpus } from './corpus.ts';
import { SHARED_DATA, fmt, loadLine, percentile, writeResult } from './lib.ts';

const options = new Command('vector-recall')
  .requiredOption('--db <file>')
  .requiredOption('--model <file>')
  .option(
    '--corpus <path>',
    'JSONL of real papers (for the query set)',
    join(SHARED_DATA, 'arxiv-papers-133k.jsonl.gz'),
  )
  .option('--queries <n>', 'queries in the fixed set', '200')
  .option('--floors <list>', 'candidate floors: counts, or shares of the vectors below 1', '2000,0.005,0.01,0.02')
  .parse()
  .opts<{ db: string; model: string; corpus: string; queries: string; floors: string }>();

process.stdout.write(`${loadLine()}\n`);
const embedder = await StaticEmbedder.load(options.model);
const db = new SqliteDatabase(options.db);
let started = performance.now();
const index = await new VectorSearch(db).index(embedder.id);
if (!index) throw new Error(`no vectors of model ${embedder.id} in ${options.db}`);
const loadSeconds = (performance.now() - started) / 1000;
const queries = await Promise.all(
  fixedQueries(await readCorpus(options.corpus), Number(options.queries)).map((q) => embedder.embedQuery(q)),
);
process.stdout.write(`${fmt.int(index.count)} vectors loaded in ${fmt.s(loadSeconds)}, ${queries.length} queries\n`);
const exact = queries.map((q) => new Set(index.searchExact(q, 10).map((h) => h.doc)));
const rows = [];
for (const floor of options.floors.split(',').map(Number)) {
  const candidates = floor < 1 ? Math.ceil(index.count * floor) : floor;
  const ms: number[] = [];
  let found = 0;
  queries.forEach((q, i) => {
    started = performance.now();
    const hits = index.search(q, 10, 20, undefined, candidates);
    ms.push(performance.now() - started);
    found += hits.filter((h) => exact[i]!.has(h.doc)).length;
  });
  const sorted = Float64Array.from(ms).sort();
  const row = {
    floor,
    candidates,
    recall10: found / (queries.length * 10),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
  rows.push(row);
  process.stdout.write(
    `floor ${floor} (${fmt.int(candidates)} candidates): recall@10 ${row.recall10.toFixed(4)}, top-10 p50 ${fmt.ms(row.p50)} / p99 ${fmt.ms(row.p99)} ms\n`,
  );
}
process.stdout.write(
  `${loadLine()}\nJSON: ${writeResult('vector-recall', { vectors: index.count, loadSeconds, rows })}\n`,
);
db.raw.close();
