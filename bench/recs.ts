/**
 * npm run bench:recs -- [--corpus ../shared/data/arxiv-papers-133k.jsonl.gz] [--members 300] [--window-days 30] [--cache-dir DIR]
 *
 * Time to compute one member's "for you" list at 133k papers: the same instance as eval:recs (corpus
 * imported, the instance's own embedding model trained, every paper embedded; cached between runs), one
 * Recommender as a server would hold it, then many simulated members with 1 to 200 likes drawn from one arXiv
 * category each (likes from the months before the window, as members accumulate them). Reported: the
 * one-off window build (shared by every member until the data changes), then median / p95 / p99 of a list of
 * 20 with its reasons, per size of history, cold starts, and memory (RSS and heap).
 */
import { Command } from 'commander';
import { addDays } from '../src/domain/periods.ts';
import { DEFAULT_CACHE_DIR, DEFAULT_CORPUS, prepareEvalInstance } from '../src/recs/eval-data.ts';
import { Recommender } from '../src/recs/recommender.ts';
import { fmt, formatTable, loadLine, percentile, writeResult } from './lib.ts';

function latency(values: number[]) {
  const sorted = Float64Array.from(values).sort();
  return {
    count: values.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
  };
}

const program = new Command('bench:recs')
  .option('--corpus <path>', 'JSONL of real papers', DEFAULT_CORPUS)
  .option('--members <n>', 'simulated members', '300')
  .option('--window-days <n>', 'days of publication a list is drawn from', '30')
  .option('--epochs <n>', 'epochs of the embedding model', '8')
  .option('--train-limit <n>', 'train the embedding model on the first N papers (0 = all)', '0')
  .option('--cache-dir <dir>', 'where the imported, embedded instance is kept between runs', DEFAULT_CACHE_DIR)
  .action(async (options: Record<string, string>) => {
    process.stdout.write(`${loadLine()}\n`);
    const instance = await prepareEvalInstance({
      corpus: options.corpus!,
      cacheDir: options.cacheDir!,
      epochs: Number(options.epochs),
      trainLimit: Number(options.trainLimit),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    const { store, embedder, papers } = instance;
    try {
      const windowDays = Number(options.windowDays);
      const recommender = new Recommender(store, () => embedder.id, { windowDays });
      // biome-ignore lint/complexity/useMathMinMax: days are YYYY-MM-DD strings, which Math.max cannot compare
      const lastDay = papers.reduce((max, p) => (p.day > max ? p.day : max), '');
      const historyStart = addDays(lastDay, -(windowDays + 180));
      const byCategory = new Map<string, string[]>();
      for (const p of papers) {
        if (p.day < historyStart || p.day > addDays(lastDay, -windowDays)) continue;
        const c = p.categories[0];
        if (c) byCategory.set(c, [...(byCategory.get(c) ?? []), p.id]);
      }
      const categories = [...byCategory].filter(([, ids]) => ids.length >= 20).sort(([a], [b]) => (a < b ? -1 : 1));
      const sizes = [1, 5, 20, 50, 200];
      let state = 12345;
      const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);

      // First vector read loads the model's vectors into memory (as at server start); then the window.
      let started = performance.now();
      await store.getVector(embedder.id, papers[0]!.id);
      const vectorLoadMs = performance.now() - started;
      started = performance.now();
      const window = await recommender.window(embedder.id, windowDays, lastDay);
      const windowBuildMs = performance.now() - started;
      process.stdout.write(
        `${papers.length} papers, vectors loaded in ${fmt.ms(vectorLoadMs)} ms; window ${window.firstDay}..${window.lastDay}: ${window.papers.length} papers, built in ${fmt.ms(windowBuildMs)} ms\n`,
      );

      const all: number[] = [];
      const bySize = new Map<number, number[]>(sizes.map((s) => [s, []]));
      const count = Number(options.members);
      for (let m = 0; m < count; m++) {
        const [, ids] = categories[next() % categories.length]!;
        const size = sizes[m % sizes.length]!;
        const liked = Array.from({ length: Math.min(size, ids.length) }, () => ids[next() % ids.length]!);
        const t0 = performance.now();
        const list = await recommender.recommend({ upvoted: liked }, { limit: 20, lastDay });
        const ms = performance.now() - t0;
        if (list.coldStart || list.items.length !== 20)
          throw new Error(`member ${m}: unexpected list (${list.coldStartReason}, ${list.items.length} items)`);
        all.push(ms);
        bySize.get(size)!.push(ms);
      }
      const cold: number[] = [];
      for (let m = 0; m < 50; m++) {
        const t0 = performance.now();
        await recommender.recommend({}, { limit: 20 });
        cold.push(performance.now() - t0);
      }
      const memory = process.memoryUsage();
      const figures = {
        all: latency(all),
        byLikes: Object.fromEntries([...bySize].map(([size, values]) => [size, latency(values)])),
        coldStart: latency(cold),
      };
      const row = (name: string, l: ReturnType<typeof latency>) => [
        name,
        String(l.count),
        fmt.ms(l.p50),
        fmt.ms(l.p95),
        fmt.ms(l.p99),
        fmt.ms(l.max),
      ];
      process.stdout.write(
        `\n${formatTable(
          ["one member's list of 20 (ms)", 'members', 'p50', 'p95', 'p99', 'max'],
          [
            row('all members', figures.all),
            ...sizes.map((s) => row(`  ${s} like${s > 1 ? 's' : ''}`, figures.byLikes[s]!)),
            row('cold start (no history)', figures.coldStart),
          ],
        )}\n`,
      );
      process.stdout.write(
        `memory: RSS ${fmt.mib(memory.rss)}, heap ${fmt.mib(memory.heapUsed)}, window matrix ${fmt.mib(window.matrix.byteLength)}\n`,
      );
      process.stdout.write(
        `JSON: ${writeResult('recs', {
          corpus: options.corpus,
          papers: papers.length,
          modelId: embedder.id,
          dimensions: window.dimensions,
          build: instance.build,
          window: {
            firstDay: window.firstDay,
            lastDay: window.lastDay,
            papers: window.papers.length,
            buildMs: windowBuildMs,
            matrixBytes: window.matrix.byteLength,
          },
          vectorLoadMs,
          config: recommender.config,
          figures,
          memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
        })}\n`,
      );
    } finally {
      await store.close();
    }
  });

await program.parseAsync();
