/**
 * node bench/vector-recall.ts --db FILE --model FILE [--corpus …133k.jsonl.gz] [--queries 200]
 *   [--floors 2000,0.01] [--kernels wasm,js] [--probes 8,16,32,64] [--keep 0,4000] [--lists-from N]
 *
 * Recall@10 and latency of the SQLite vector pre-selection per setting, side by side in one process, on a
 * database bench:search built and kept (--keep): the in-memory index is loaded from the database's vector
 * table as a server loads it (its lists trained as a server trains them, timed), the fixed query set is
 * embedded with the model, and the top 10 of each setting is compared with exact int8 search over every
 * vector. Settings: the sign-bit scan with each candidate floor (a count, or a share of the vectors when
 * below 1), and the lists (ivf.ts) with each number of probed lists, without (keep 0) and with a sign-bit cut
 * of the probed members to `keep` before int8 scoring. Each setting is also timed at k = 100 (what hybrid
 * search asks for). Each query's CPU time is taken too: on a shared machine it is what compares. The scan runs
 * with each of --kernels in turn on the same index: its WebAssembly SIMD loops and the TypeScript reference.
 * Writes JSON.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { SqliteDatabase } from '../src/store/sqlite/database.ts';
import { VectorSearch } from '../src/store/sqlite/vector-search.ts';
import { LISTS_FROM, listSearchFor, type ScanKernels, type VectorHit } from '../src/store/sqlite/binary-index.ts';
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
  .option('--floors <list>', 'sign-bit scan: candidate floors, counts or shares of the vectors below 1', '2000,0.01')
  .option('--kernels <list>', 'sign-bit scan: its loops, wasm (SIMD) and/or js (the TypeScript reference)', 'wasm,js')
  .option('--probes <list>', 'lists: lists probed ("default": the default probes and cut for this size)', 'default')
  .option('--keep <list>', 'lists: sign-bit cut of the probed members before int8 scoring (0: none)', '0')
  .option(
    '--lists-from <n>',
    'vectors from which the lists are trained and searched (default: off)',
    String(LISTS_FROM),
  )
  .parse()
  .opts<{
    db: string;
    model: string;
    corpus: string;
    queries: string;
    floors: string;
    kernels: string;
    probes: string;
    keep: string;
    listsFrom: string;
  }>();

process.stdout.write(`${loadLine()}\n`);
const embedder = await StaticEmbedder.load(options.model);
const db = new SqliteDatabase(options.db);
let started = performance.now();
const vectors = new VectorSearch(db, null, { listsFrom: Number(options.listsFrom) });
const index = await vectors.index(embedder.id);
if (!index) throw new Error(`no vectors of model ${embedder.id} in ${options.db}`);
const loadSeconds = (performance.now() - started) / 1000;
const bytesBefore = index.memoryBytes;
const rssBefore = process.memoryUsage().rss;
started = performance.now();
const trainCpu = process.cpuUsage();
// The server starts the training right after loading; this waits for it.
await vectors.trained(embedder.id);
const trainSeconds = (performance.now() - started) / 1000;
const trainCpuUsed = process.cpuUsage(trainCpu);
const trainCpuSeconds = (trainCpuUsed.user + trainCpuUsed.system) / 1e6;
const quantizer = index.quantizer;
// Before the corpus is read for the queries (it takes more than the lists).
const rssAfter = process.memoryUsage().rss;
const queries = await Promise.all(
  fixedQueries(await readCorpus(options.corpus), Number(options.queries)).map((q) => embedder.embedQuery(q)),
);
process.stdout.write(
  `${fmt.int(index.count)} vectors loaded in ${fmt.s(loadSeconds)}, ${queries.length} queries; ` +
    (quantizer
      ? `${fmt.int(quantizer.lists)} lists trained in ${fmt.s(trainSeconds)} (CPU ${fmt.s(trainCpuSeconds)}; ${loadLine()}), ` +
        `index ${fmt.mib(bytesBefore)} → ${fmt.mib(index.memoryBytes)} (+${fmt.int((index.memoryBytes - bytesBefore) / index.count)} B/vector), ` +
        `RSS ${fmt.mib(rssBefore)} → ${fmt.mib(rssAfter)}\n`
      : 'no lists (below --lists-from)\n'),
);
const exact = queries.map((q) => new Set(index.searchExact(q, 10).map((h) => h.doc)));

interface Setting {
  name: string;
  search: (q: Float32Array, k: number) => VectorHit[];
}
const settings: Setting[] = options.floors.split(',').flatMap((f) => {
  const floor = Number(f);
  const candidates = floor < 1 ? Math.ceil(index.count * floor) : floor;
  return options.kernels.split(',').map((kernels) => ({
    name: `sign-bit scan (${kernels}), floor ${floor} (${fmt.int(candidates)} candidates)`,
    search: (q: Float32Array, k: number) => {
      index.kernels = kernels as ScanKernels;
      return index.scan(q, k, 20, undefined, candidates);
    },
  }));
});
if (quantizer)
  for (const p of options.probes.split(','))
    for (const keep of p === 'default' ? [null] : options.keep.split(',').map(Number)) {
      const chosen = keep === null ? listSearchFor(quantizer.lists, index.count) : { probes: Number(p), keep };
      settings.push({
        name: `lists, ${chosen.probes} of ${fmt.int(quantizer.lists)} probed${chosen.keep ? `, sign-bit cut to ${fmt.int(chosen.keep)}` : ''}${keep === null ? ' (default)' : ''}`,
        search: (q, k) => index.searchLists(q, k, chosen),
      });
    }

const rows = [];
const sorted = (ms: number[]) => Float64Array.from(ms).sort();
for (const setting of settings) {
  const ms: number[] = [];
  const cpu: number[] = [];
  const ms100: number[] = [];
  let found = 0;
  queries.forEach((q, i) => {
    started = performance.now();
    const cpuStart = process.cpuUsage();
    const hits = setting.search(q, 10);
    const used = process.cpuUsage(cpuStart);
    ms.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
    found += hits.filter((h) => exact[i]!.has(h.doc)).length;
    started = performance.now();
    setting.search(q, 100);
    ms100.push(performance.now() - started);
  });
  const row = {
    setting: setting.name,
    recall10: found / (queries.length * 10),
    p50: percentile(sorted(ms), 50),
    p99: percentile(sorted(ms), 99),
    cpuP50: percentile(sorted(cpu), 50),
    cpuP99: percentile(sorted(cpu), 99),
    p50k100: percentile(sorted(ms100), 50),
    p99k100: percentile(sorted(ms100), 99),
  };
  rows.push(row);
  process.stdout.write(
    `${setting.name}: recall@10 ${row.recall10.toFixed(4)}, top-10 p50 ${fmt.ms(row.p50)} / p99 ${fmt.ms(row.p99)} ms ` +
      `(CPU ${fmt.ms(row.cpuP50)} / ${fmt.ms(row.cpuP99)} ms), ` +
      `top-100 p50 ${fmt.ms(row.p50k100)} / p99 ${fmt.ms(row.p99k100)} ms\n`,
  );
}
process.stdout.write(
  `${loadLine()}\nJSON: ${writeResult('vector-recall', { vectors: index.count, loadSeconds, trainSeconds, trainCpuSeconds, lists: quantizer?.lists ?? null, indexBytesWithoutLists: bytesBefore, indexBytes: index.memoryBytes, rows })}\n`,
);
db.raw.close();
