/**
 * npm run eval:recs -- [--corpus ../shared/data/arxiv-papers-133k.jsonl.gz] [--test-days 30] [--train-days 180]
 *                      [--members 40] [--epochs 8] [--train-limit 0] [--cache-dir DIR] [--json FILE]
 *
 * Offline evaluation of recommendations with simulated members on the real arXiv corpus. A member likes
 * the papers of one topic: one arXiv category (the paper's primary one) or one organization. The member's
 * likes are the topic's papers published in the training window (the `train-days` before the test window);
 * the recommender learns from a random half of them and ranks every paper of the test window (the last
 * `test-days` days); the topic's papers there are the relevant ones. Reported: precision@10 and nDCG@10 of
 * the recommender (and its variants) against "trending" (most upvoted first) and "random", per member type,
 * with a paired randomisation test of the recommender against the better baseline.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { Command } from 'commander';
import { addDays } from '../domain/periods.ts';
import { ndcgAt, pairedRandomizationTest } from '../search/eval/metrics.ts';
import { DEFAULT_CACHE_DIR, DEFAULT_CORPUS, prepareEvalInstance, type CorpusPaper } from './eval-data.ts';
import { Recommender, type RecommenderConfig } from './recommender.ts';

interface Member {
  type: string;
  topic: string;
  train: string[];
  relevant: Set<string>;
}

type Run = (member: Member) => Promise<string[]>;

function rng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const next = rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function precisionAt(k: number, ranked: readonly string[], relevant: ReadonlySet<string>): number {
  return ranked.slice(0, k).filter((id) => relevant.has(id)).length / k;
}

interface MemberSpec {
  type: string;
  topicOf: (p: CorpusPaper) => string | null;
  minTrain: number;
  minTest: number;
  /** Likes trained on: half of the member's likes, or a fixed small number (the few-likes case). */
  likes: (all: number) => number;
}

function makeMembers(
  papers: CorpusPaper[],
  spec: MemberSpec,
  train: [string, string],
  test: [string, string],
  count: number,
  maxLikes: number,
): Member[] {
  const byTopic = new Map<string, { train: string[]; test: Set<string> }>();
  for (const p of papers) {
    const topic = spec.topicOf(p);
    if (!topic) continue;
    const inTrain = p.day >= train[0] && p.day <= train[1];
    const inTest = p.day >= test[0] && p.day <= test[1];
    if (!inTrain && !inTest) continue;
    const entry = byTopic.get(topic) ?? { train: [], test: new Set<string>() };
    if (inTrain) entry.train.push(p.id);
    else entry.test.add(p.id);
    byTopic.set(topic, entry);
  }
  const eligible = [...byTopic]
    .filter(([, t]) => t.train.length >= spec.minTrain && t.test.size >= spec.minTest)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return shuffled(eligible, hash(spec.type))
    .slice(0, count)
    .map(([topic, t]) => {
      const likes = Math.min(maxLikes, spec.likes(t.train.length));
      return { type: spec.type, topic, train: shuffled(t.train.sort(), hash(topic)).slice(0, likes), relevant: t.test };
    });
}

const program = new Command('eval:recs')
  .option('--corpus <path>', 'JSONL of real papers', DEFAULT_CORPUS)
  .option('--test-days <n>', 'days of publication ranked (the latest)', '30')
  .option('--train-days <n>', 'days before the test window whose topic papers are the likes', '180')
  .option('--members <n>', 'simulated members per type', '40')
  .option('--max-likes <n>', 'most likes trained on', '200')
  .option('--epochs <n>', 'epochs of the embedding model', '8')
  .option('--train-limit <n>', 'train the embedding model on the first N papers (0 = all)', '0')
  .option('--cache-dir <dir>', 'where the imported, embedded instance is kept between runs', DEFAULT_CACHE_DIR)
  .option('--json <file>', 'where to write the JSON report (default bench/results/recs-eval-<time>.json)')
  .action(async (options: Record<string, string>) => {
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const [one = 0] = loadavg();
    log(`machine: ${cpus().length} CPUs, load average ${one.toFixed(2)}`);
    const instance = await prepareEvalInstance({
      corpus: resolve(options.corpus!),
      cacheDir: options.cacheDir!,
      epochs: Number(options.epochs),
      trainLimit: Number(options.trainLimit),
      log,
    });
    const { store, embedder, papers } = instance;
    try {
      const testDays = Number(options.testDays);
      // biome-ignore lint/complexity/useMathMinMax: days are YYYY-MM-DD strings, which Math.max cannot compare
      const lastDay = papers.reduce((max, p) => (p.day > max ? p.day : max), '');
      const test: [string, string] = [addDays(lastDay, -(testDays - 1)), lastDay];
      const train: [string, string] = [addDays(test[0], -Number(options.trainDays)), addDays(test[0], -1)];
      const maxLikes = Number(options.maxLikes);
      const count = Number(options.members);
      const primary = (p: CorpusPaper) => p.categories[0] ?? null;
      const specs: MemberSpec[] = [
        { type: 'category', topicOf: primary, minTrain: 10, minTest: 5, likes: (n) => Math.ceil(n / 2) },
        { type: 'category, 5 likes', topicOf: primary, minTrain: 10, minTest: 5, likes: () => 5 },
        {
          type: 'organization',
          topicOf: (p) => p.organization,
          minTrain: 6,
          minTest: 3,
          likes: (n) => Math.ceil(n / 2),
        },
      ];
      const members = specs.flatMap((spec) => makeMembers(papers, spec, train, test, count, maxLikes));
      log(`test window ${test[0]}..${test[1]}, training window ${train[0]}..${train[1]}; ${members.length} members`);

      const modelId = () => embedder.id;
      const variants: Record<string, Partial<RecommenderConfig>> = {
        recommender: {},
        'ridge, embeddings only': { popularityFeature: false },
        'centroid only': { minLikesForModel: Number.MAX_SAFE_INTEGER },
        'logistic regression': { model: 'logistic', lambda: 0.001 },
      };
      const recommenders = Object.fromEntries(
        Object.entries(variants).map(([name, config]) => [
          name,
          new Recommender(store, modelId, { ...config, windowDays: testDays }),
        ]),
      );
      const window = await recommenders.recommender!.window(embedder.id, testDays, lastDay);
      const upvotes = new Map(papers.map((p) => [p.id, p.upvotes]));
      const byVotes = [...window.papers]
        .sort((a, b) => (upvotes.get(b.id) ?? 0) - (upvotes.get(a.id) ?? 0) || (a.publishedAt < b.publishedAt ? 1 : -1))
        .map((p) => p.id);
      const runs: Record<string, Run> = {
        ...Object.fromEntries(
          Object.entries(recommenders).map(([name, r]) => [
            name,
            async (m: Member) =>
              (await r.recommend({ upvoted: m.train }, { limit: 10, lastDay, windowDays: testDays })).items.map(
                (i) => i.paper.id,
              ),
          ]),
        ),
        trending: async (m) => byVotes.filter((id) => !m.train.includes(id)).slice(0, 10),
        random: async (m) =>
          shuffled(
            window.papers.map((p) => p.id),
            hash(`random:${m.topic}`),
          ).slice(0, 10),
      };

      const types = [...new Set(members.map((m) => m.type))];
      const results: Record<
        string,
        Record<string, { precision10: number; ndcg10: number; perMemberNdcg: number[]; perMemberPrecision: number[] }>
      > = {};
      const timings: number[] = [];
      for (const type of types) {
        results[type] = {};
        for (const [name, run] of Object.entries(runs)) {
          const ndcg: number[] = [];
          const precision: number[] = [];
          for (const member of members.filter((m) => m.type === type)) {
            const started = performance.now();
            const ranked = await run(member);
            if (name === 'recommender') timings.push(performance.now() - started);
            const relevant = new Map([...member.relevant].map((id) => [id, 1]));
            ndcg.push(ndcgAt(10, ranked, relevant));
            precision.push(precisionAt(10, ranked, member.relevant));
          }
          const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
          results[type][name] = {
            precision10: mean(precision),
            ndcg10: mean(ndcg),
            perMemberNdcg: ndcg,
            perMemberPrecision: precision,
          };
        }
      }

      const rows: string[][] = [];
      const significance: Record<string, { against: string; pNdcg: number; pPrecision: number }> = {};
      for (const type of types) {
        const group = members.filter((m) => m.type === type);
        const baseRate = group.reduce((s, m) => s + m.relevant.size / window.papers.length, 0) / group.length;
        const r = results[type]!;
        const better = r.trending!.ndcg10 >= r.random!.ndcg10 ? 'trending' : 'random';
        significance[type] = {
          against: better,
          pNdcg: pairedRandomizationTest(r.recommender!.perMemberNdcg, r[better]!.perMemberNdcg),
          pPrecision: pairedRandomizationTest(r.recommender!.perMemberPrecision, r[better]!.perMemberPrecision),
        };
        for (const [name, m] of Object.entries(r)) {
          rows.push([
            `${type} (${group.length} members, ${(baseRate * 100).toFixed(1)}% relevant)`,
            name,
            m.precision10.toFixed(3),
            m.ndcg10.toFixed(3),
          ]);
        }
      }
      const header = ['member type', 'ranking', 'precision@10', 'nDCG@10'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
      const line = (cells: string[]) =>
        cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
      process.stdout.write(
        `${[line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')}\n\n`,
      );
      for (const [type, s] of Object.entries(significance)) {
        process.stdout.write(
          `${type}: recommender vs ${s.against}, paired sign-flip test p = ${s.pNdcg.toFixed(4)} (nDCG@10), ${s.pPrecision.toFixed(4)} (precision@10)\n`,
        );
      }
      const sorted = [...timings].sort((a, b) => a - b);
      process.stdout.write(
        `recommender list time: median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} ms over ${sorted.length} members (window of ${window.papers.length} papers)\n`,
      );

      const out = resolve(
        options.json ?? join('bench', 'results', `recs-eval-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
      );
      mkdirSync(dirname(out), { recursive: true });
      const summary = Object.fromEntries(
        Object.entries(results).map(([type, r]) => [
          type,
          Object.fromEntries(
            Object.entries(r).map(([name, m]) => [name, { precision10: m.precision10, ndcg10: m.ndcg10 }]),
          ),
        ]),
      );
      writeFileSync(
        out,
        `${JSON.stringify(
          {
            benchmark: 'recs-eval',
            date: new Date().toISOString(),
            corpus: options.corpus,
            papers: papers.length,
            modelId: embedder.id,
            build: instance.build,
            testWindow: test,
            trainWindow: train,
            windowPapers: window.papers.length,
            config: recommenders.recommender!.config,
            variants,
            members: members.map((m) => ({
              type: m.type,
              topic: m.topic,
              likesTrained: m.train.length,
              relevant: m.relevant.size,
            })),
            summary,
            significance,
            results,
          },
          null,
          2,
        )}\n`,
      );
      process.stdout.write(`JSON: ${out}\n`);
    } finally {
      await store.close();
    }
  });

try {
  await program.parseAsync();
} catch (error) {
  process.stderr.write(`eval:recs: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
}
