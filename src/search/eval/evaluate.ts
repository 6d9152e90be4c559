/**
 * Relevance evaluation: indexes a BEIR-format collection in a throw-away store, runs every query lexically,
 * by vector and fused (a grid of convex weights and RRF), and reports nDCG@10, recall@100 and MRR@10.
 * Lists are computed once per query and fused offline, so the grid costs nothing extra; the configuration
 * Paperboy ships is also run end to end through SearchService.
 */
import { Rng } from '../learned/prng.ts';
import { SqliteStore } from '../../store/sqlite/sqlite-store.ts';
import type { PaperInput } from '../../domain/types.ts';
import type { ScoredPaper } from '../../store/store.ts';
import type { Embedder } from '../embedder.ts';
import { paperText } from '../embedder.ts';
import { fuse, type FusionConfig } from '../fusion.ts';
import { parseQuery } from '../query-parser.ts';
import { lexicalSearch } from '../lexical/lexical-search.ts';
import { DEFAULT_SEARCH_CONFIG, SearchService } from '../search-service.ts';
import type { BeirCollection } from './beir.ts';
import { evaluateRun, pairedRandomizationTest, perQueryNdcg, type RunMetrics } from './metrics.ts';

export type EmbedderProvider = (corpus: readonly { title: string; abstract: string }[]) => Promise<Embedder>;

export interface EvaluationOptions {
  embedder: EmbedderProvider | null;
  vectorWeights: number[];
  rrfK: number;
  candidates: number;
  onProgress?: (message: string) => void;
}

export interface FusionResult {
  fusion: FusionConfig;
  metrics: RunMetrics;
  /** p-value of a paired randomisation test of nDCG@10 against lexical alone. */
  pVersusLexical: number;
}

export interface EvaluationReport {
  documents: number;
  queries: number;
  lexical: RunMetrics;
  vector: RunMetrics | null;
  fusions: FusionResult[];
  /** The shipped default configuration, run end to end through SearchService. */
  shippedDefault: { fusion: FusionConfig; metrics: RunMetrics; mode: string };
  /** Precision: of queries that mean nothing here, the share answered with any paper (the goal is 0). */
  nonsense: {
    queries: number;
    answered: number;
    share: number;
    examples: string[];
    /** Of those answered, how many got a paper from the vector side (above the model's similarity floor). */
    bySimilarity: number;
  };
  timings: { indexSeconds: number; embedderSeconds: number; querySeconds: number };
  /** nDCG@10 of each judged query (in qrels order), for paired tests against another run (`compareReports`). */
  perQuery: { queries: string[]; lexical: number[]; vector: number[] | null; shipped: number[] };
}

const ids = (list: readonly ScoredPaper[]) => list.map((h) => h.id);

export async function evaluateCollection(
  collection: BeirCollection,
  options: EvaluationOptions,
): Promise<EvaluationReport> {
  const log = options.onProgress ?? (() => {});
  const store = new SqliteStore(':memory:');
  try {
    let started = performance.now();
    const papers: PaperInput[] = collection.corpus.map((d) => ({
      id: d.id,
      title: d.title || '(untitled)',
      summary: d.text,
      publishedAt: '2020-01-01T00:00:00.000Z',
      authors: [],
    }));
    for (let i = 0; i < papers.length; i += 10_000)
      await store.importBatch({ papers: papers.slice(i, i + 10_000), entries: [], replaceDays: [] });
    const textSearch = lexicalSearch(store);
    await textSearch.warmUp();
    const indexSeconds = (performance.now() - started) / 1000;
    log(`indexed ${papers.length} documents in ${indexSeconds.toFixed(1)} s`);

    started = performance.now();
    let embedder: Embedder | null = null;
    if (options.embedder) {
      // Trained (where the model learns) on the searched corpus, never on queries or judgements.
      embedder = await options.embedder(collection.corpus.map((d) => ({ title: d.title, abstract: d.text })));
      for (let i = 0; i < collection.corpus.length; i += 2_000) {
        const slice = collection.corpus.slice(i, i + 2_000);
        const vectors = await embedder.embedDocuments(slice.map((d) => paperText(d.title, d.text)));
        await store.putVectors(
          embedder.id,
          embedder.dimensions,
          slice.map((d, j) => ({ id: d.id, vector: vectors[j]! })),
        );
      }
    }
    const embedderSeconds = (performance.now() - started) / 1000;
    if (embedder) log(`embedder ready and corpus embedded in ${embedderSeconds.toFixed(1)} s`);

    started = performance.now();
    const weights = DEFAULT_SEARCH_CONFIG.weights;
    const lexicalRuns = new Map<string, ScoredPaper[]>();
    const vectorRuns = new Map<string, ScoredPaper[]>();
    for (const query of collection.queries) {
      lexicalRuns.set(query.id, await textSearch.search(parseQuery(query.text), {}, weights, options.candidates));
      if (embedder) {
        vectorRuns.set(
          query.id,
          await store.searchVectors(embedder.id, await embedder.embedQuery(query.text), options.candidates, {}),
        );
      }
    }
    const querySeconds = (performance.now() - started) / 1000;
    const lexicalIds = new Map([...lexicalRuns].map(([q, list]) => [q, ids(list)]));
    const lexical = evaluateRun(lexicalIds, collection.qrels);
    const lexicalPerQuery = perQueryNdcg(lexicalIds, collection.qrels);
    const fusions: FusionResult[] = [];
    let vector: RunMetrics | null = null;
    let vectorPerQuery: number[] | null = null;
    if (embedder) {
      const vectorIds = new Map([...vectorRuns].map(([q, list]) => [q, ids(list)]));
      vector = evaluateRun(vectorIds, collection.qrels);
      vectorPerQuery = perQueryNdcg(vectorIds, collection.qrels);
      const configs: FusionConfig[] = [
        ...options.vectorWeights.map((w) => ({ method: 'convex' as const, vectorWeight: w, rrfK: options.rrfK })),
        { method: 'rrf', vectorWeight: 0, rrfK: options.rrfK },
      ];
      for (const fusion of configs) {
        const runs = new Map(
          collection.queries.map((q) => [
            q.id,
            fuse(lexicalRuns.get(q.id)!, vectorRuns.get(q.id)!, fusion).map((h) => h.id),
          ]),
        );
        fusions.push({
          fusion,
          metrics: evaluateRun(runs, collection.qrels),
          pVersusLexical: pairedRandomizationTest(perQueryNdcg(runs, collection.qrels), lexicalPerQuery, 2_000),
        });
      }
    }

    const service = new SearchService(store, embedder, {
      ...DEFAULT_SEARCH_CONFIG,
      candidates: options.candidates,
      cacheSize: 1,
    });
    const shippedRuns = new Map<string, string[]>();
    let mode = 'lexical';
    for (const query of collection.queries) {
      const response = await service.search({
        q: query.text,
        filters: {},
        sort: 'relevance',
        mode: 'hybrid',
        offset: 0,
        limit: 100,
      });
      mode = response.mode;
      shippedRuns.set(
        query.id,
        response.results.map((r) => r.paper.id),
      );
    }
    const nonsense = nonsenseQueries(NONSENSE_QUERIES, 7);
    const answered: string[] = [];
    let bySimilarity = 0;
    for (const q of nonsense) {
      const response = await service.search({ q, filters: {}, sort: 'relevance', mode: 'hybrid', offset: 0, limit: 1 });
      if (response.total > 0) answered.push(q);
      if (response.total > response.lexicalTotal) bySimilarity++;
    }
    return {
      documents: collection.corpus.length,
      queries: collection.queries.length,
      lexical,
      vector,
      fusions,
      shippedDefault: {
        fusion: DEFAULT_SEARCH_CONFIG.fusion,
        metrics: evaluateRun(shippedRuns, collection.qrels),
        mode,
      },
      nonsense: {
        queries: nonsense.length,
        answered: answered.length,
        share: answered.length / nonsense.length,
        examples: answered.slice(0, 5),
        bySimilarity,
      },
      timings: { indexSeconds, embedderSeconds, querySeconds },
      perQuery: {
        queries: [...collection.qrels.keys()],
        lexical: lexicalPerQuery,
        vector: vectorPerQuery,
        shipped: perQueryNdcg(shippedRuns, collection.qrels),
      },
    };
  } finally {
    await store.close();
  }
}

/**
 * Paired randomisation tests of this run's vector and shipped nDCG@10 against another run's on the same
 * queries (e.g. another model): mean difference and p-value, or null when the runs' queries differ.
 */
export function compareReports(
  report: Pick<EvaluationReport, 'perQuery'>,
  other: Pick<EvaluationReport, 'perQuery'>,
): { run: 'vector' | 'shipped'; difference: number; p: number }[] | null {
  const a = report.perQuery;
  const b = other.perQuery;
  if (a.queries.length !== b.queries.length || a.queries.some((q, i) => q !== b.queries[i])) return null;
  const out: { run: 'vector' | 'shipped'; difference: number; p: number }[] = [];
  const mean = (x: readonly number[]) => x.reduce((s, v) => s + v, 0) / Math.max(1, x.length);
  for (const run of ['vector', 'shipped'] as const) {
    const x = a[run];
    const y = b[run];
    if (!x || !y) continue;
    out.push({ run, difference: mean(x) - mean(y), p: pairedRandomizationTest(x, y, 2_000) });
  }
  return out;
}

export function reportTable(report: EvaluationReport): string {
  const row = (name: string, m: RunMetrics, extra = '') =>
    `${name.padEnd(26)} ${m.ndcg10.toFixed(4)}   ${m.recall100.toFixed(4)}     ${m.mrr10.toFixed(4)}  ${extra}`;
  const lines = [
    `${report.documents} documents, ${report.queries} queries`,
    `${'run'.padEnd(26)} nDCG@10  recall@100  MRR@10`,
    row('lexical (BM25F)', report.lexical),
  ];
  if (report.vector) lines.push(row('vector', report.vector));
  for (const f of report.fusions) {
    const name =
      f.fusion.method === 'rrf' ? `hybrid rrf k=${f.fusion.rrfK}` : `hybrid convex w=${f.fusion.vectorWeight}`;
    lines.push(row(name, f.metrics, `p=${f.pVersusLexical.toFixed(4)} vs lexical`));
  }
  lines.push(row(`shipped default (${report.shippedDefault.mode})`, report.shippedDefault.metrics));
  const { nonsense } = report;
  lines.push(
    `nonsense queries answered: ${nonsense.answered}/${nonsense.queries} (${(100 * nonsense.share).toFixed(1)}%; ${nonsense.bySimilarity} by similarity)${nonsense.examples.length > 0 ? ` e.g. ${nonsense.examples.join(', ')}` : ''}`,
  );
  return lines.join('\n');
}

/** Nonsense queries: half random letter strings, half random pairs of everyday Finnish words (no paper is in Finnish). */
const NONSENSE_QUERIES = 100;
const FOREIGN_WORDS = [
  'kissa',
  'koira',
  'talo',
  'metsä',
  'järvi',
  'leipä',
  'kirja',
  'ikkuna',
  'lumi',
  'aurinko',
  'kahvi',
  'pöytä',
  'tuoli',
  'kenkä',
  'omena',
  'juna',
  'kukka',
  'sauna',
  'kesä',
  'talvi',
  'ystävä',
  'laulu',
  'kaupunki',
  'vesi',
];

export function nonsenseQueries(count: number, seed: number): string[] {
  const rng = new Rng(seed);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const queries: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      const length = 5 + rng.int(5);
      queries.push(Array.from({ length }, () => letters[rng.int(letters.length)]).join(''));
    } else {
      queries.push(`${FOREIGN_WORDS[rng.int(FOREIGN_WORDS.length)]} ${FOREIGN_WORDS[rng.int(FOREIGN_WORDS.length)]}`);
    }
  }
  return queries;
}

/**
 * Queries with typos, for robustness to misspelt words: each word of at least 5 letters is, with probability
 * `rate`, changed by one edit (two neighbouring inner letters swapped, one inner letter dropped, or one
 * doubled), the first and last letters kept. Deterministic for a seed.
 */
export function misspell<Q extends { text: string }>(queries: readonly Q[], rate: number, seed: number): Q[] {
  const rng = new Rng(seed);
  return queries.map((q) => ({
    ...q,
    text: q.text.replace(/\p{L}{5,}/gu, (word) => {
      if (rng.next() >= rate) return word;
      const i = 1 + rng.int(word.length - 3); // an inner position with an inner neighbour after it
      const kind = rng.int(3);
      if (kind === 0) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
      if (kind === 1) return word.slice(0, i) + word.slice(i + 1);
      return word.slice(0, i + 1) + word.slice(i);
    }),
  }));
}
