/**
 * Search: one query, lexical and (when an embedder is configured) vector retrieval, fused; an arXiv id gives
 * its paper alone; an exact title match goes first. The match set is every paper containing the words (with
 * every quoted phrase, without any -word) and the semantic neighbours above the model's similarity floor
 * (similarity-floor.ts); sorting by date or upvotes lists the papers containing the words only, all of them.
 * Then paged and filled with papers. Results of repeated queries
 * are cached briefly (the ranking, not the papers, so counts shown stay current).
 */
import { LRUCache } from 'lru-cache';
import type { Paper } from '../domain/types.ts';
import type { FieldWeights, PaperSortKey, ScoredPaper, SearchFilters, Store } from '../store/store.ts';
import type { Embedder } from './embedder.ts';
import { fuse, type FusedHit, type FusionConfig } from './fusion.ts';
import { isEmptyQuery, parseQuery, type ParsedQuery } from './query-parser.ts';
import { isStopWord, titleKey } from '../domain/analyzer.ts';
import { lexicalSearch, type LexicalSearch } from './lexical/lexical-search.ts';
import { similarityFloor } from './similarity-floor.ts';

export type SearchSort = 'relevance' | 'date' | 'upvotes';
export type SearchMode = 'hybrid' | 'lexical' | 'vector';

export interface SearchRequest {
  q: string;
  filters: SearchFilters;
  sort: SearchSort;
  mode: SearchMode;
  offset: number;
  limit: number;
}

export interface SearchResult extends FusedHit {
  paper: Paper;
}

export interface SearchResponse {
  results: SearchResult[];
  /** Papers in the match set: those containing the words, and those close in meaning (above the model's floor). */
  total: number;
  /** Of `total`, the papers that contain the words (the lexical match set). */
  lexicalTotal: number;
  /** An arXiv id asked for that is not in the store (null otherwise). */
  missingArxivId: string | null;
  /** When nothing matched: the query spelled as the papers spell its words ("did you mean"), or null. */
  suggestion: string | null;
  /** The mode that actually ran (hybrid falls back to lexical when the query cannot be embedded). */
  mode: SearchMode;
  /** Why the result differs from what was asked, for the person searching. */
  notice: string | null;
  parsed: ParsedQuery;
}

export interface SearchConfig {
  weights: FieldWeights;
  fusion: FusionConfig;
  /** Candidates taken from each side before fusion. */
  candidates: number;
  /** Query embedding must finish within this many milliseconds, or search goes lexical. */
  embedTimeoutMs: number;
  cacheSize: number;
  cacheTtlMs: number;
}

export const DEFAULT_SEARCH_CONFIG: SearchConfig = {
  weights: { title: 3, authors: 2, abstract: 1 },
  // Chosen on the dev split of title-to-abstract (npm run eval:search): w = 0.3 was best of 0.1..0.5, RRF worse than BM25.
  fusion: { method: 'convex', vectorWeight: 0.3, rrfK: 60 },
  // As evaluated: 100 from each side (recall@100 is measured on exactly these lists).
  candidates: 100,
  embedTimeoutMs: 500,
  cacheSize: 1_000,
  cacheTtlMs: 60_000,
};

/** Hits a ranking keeps (and the cache holds) unless a deeper page is asked for: a feed's or many pages' worth. */
const RANKED_DEPTH = 500;

interface Ranking {
  suggestion: string | null;
  /** The first hits of the ranking, in order (all of them when fewer than `depth`). */
  hits: FusedHit[];
  /** How deep the ranking went: pages past it rank again. */
  depth: number;
  /** The whole match set's size. */
  total: number;
  lexicalTotal: number;
  missingArxivId: string | null;
  mode: SearchMode;
  notice: string | null;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class SearchService {
  readonly #store: Store;
  readonly #lexical: LexicalSearch;
  #embedder: Embedder | null;
  readonly #config: SearchConfig;
  readonly #cache: LRUCache<string, Ranking>;
  readonly #floors = new Map<string, Promise<number>>();

  constructor(store: Store, embedder: Embedder | null, config: SearchConfig = DEFAULT_SEARCH_CONFIG) {
    this.#store = store;
    this.#lexical = lexicalSearch(store);
    this.#embedder = embedder;
    this.#config = config;
    // Deep pages make long rankings: the cache is bounded by hits kept as well as by queries.
    this.#cache = new LRUCache({
      max: config.cacheSize,
      maxSize: config.cacheSize * RANKED_DEPTH,
      sizeCalculation: (r) => r.hits.length + 1,
      ttl: config.cacheTtlMs,
    });
  }

  get embedder(): Embedder | null {
    return this.#embedder;
  }

  /** Switches the query embedder (a newly trained model whose vectors are all stored). */
  setEmbedder(embedder: Embedder | null): void {
    if (embedder?.id === this.#embedder?.id) return;
    this.#embedder = embedder;
    this.#cache.clear();
  }

  /** Forget cached rankings (after papers changed). */
  clearCache(): void {
    this.#cache.clear();
  }

  /**
   * Readies the lexical index, then has the bounds of its long posting lists computed for this service's weights
   * in the background, so that no query pays for them at a common word's first use.
   */
  async warmUp(): Promise<void> {
    await this.#lexical.warmUp();
    void this.#lexical.prepare(this.#config.weights);
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    const parsed = parseQuery(request.q);
    if (isEmptyQuery(parsed)) {
      const notice = request.q.trim() === '' ? null : 'The query has no words to search for.';
      return {
        results: [],
        total: 0,
        lexicalTotal: 0,
        missingArxivId: null,
        suggestion: null,
        mode: request.mode,
        notice,
        parsed,
      };
    }
    const key = JSON.stringify([request.q.trim().toLowerCase(), request.filters, request.sort, request.mode]);
    const depth = Math.max(RANKED_DEPTH, request.offset + request.limit);
    let ranking = this.#cache.get(key);
    if (!ranking || (ranking.depth < depth && ranking.hits.length < ranking.total)) {
      ranking = await this.#rank(parsed, request, depth);
      if (ranking.total === 0 && !parsed.arxivId)
        ranking.suggestion = await this.#lexical.suggest(parsed.words.filter((w) => !isStopWord(w)));
      // A ranking made while the query embedder failed is not kept: the next query may embed fine. Without any
      // embedder (semantic search off, or no vectors on this backend) the lexical ranking is the answer.
      if (ranking.mode === request.mode || request.mode === 'lexical' || !this.#embedder) this.#cache.set(key, ranking);
    }
    const page = ranking.hits.slice(request.offset, request.offset + request.limit);
    const papers = new Map((await this.#store.getPapers(page.map((h) => h.id))).map((p) => [p.id, p]));
    const results = page.flatMap((hit) => {
      const paper = papers.get(hit.id);
      return paper ? [{ ...hit, paper }] : [];
    });
    return {
      results,
      total: ranking.total,
      lexicalTotal: ranking.lexicalTotal,
      missingArxivId: ranking.missingArxivId,
      suggestion: ranking.suggestion,
      mode: ranking.mode,
      notice: ranking.notice,
      parsed,
    };
  }

  async #rank(parsed: ParsedQuery, request: SearchRequest, depth: number): Promise<Ranking> {
    const { candidates, weights } = this.#config;
    // An arXiv id (or its URL) names one paper: that paper alone, or the news that it is not here.
    if (parsed.arxivId) {
      const known = (await this.#store.getPaper(parsed.arxivId)) !== null;
      const allowed = known && (await this.#store.filterPapers([parsed.arxivId], request.filters)).has(parsed.arxivId);
      const hits = allowed ? [{ id: parsed.arxivId, score: Infinity, lexicalRank: null, vectorRank: null }] : [];
      return {
        hits,
        depth,
        total: hits.length,
        lexicalTotal: hits.length,
        missingArxivId: known ? null : parsed.arxivId,
        suggestion: null,
        mode: request.mode,
        notice: null,
      };
    }
    let mode = request.mode;
    let notice: string | null = parsed.onlyStopWords ? 'The query has only common words; results may be broad.' : null;
    // Lists sorted by date or upvotes (and every list derived from a search) must be precise and complete:
    // the papers that contain the words, all of them, and no semantic neighbour.
    if (request.sort !== 'relevance') mode = 'lexical';
    let vector: ScoredPaper[] = [];
    if (mode !== 'lexical' && !this.#embedder) {
      if (mode === 'vector') notice = 'Semantic search is not set up on this instance; showing keyword results.';
      mode = 'lexical';
    } else if (mode !== 'lexical' && this.#embedder) {
      try {
        const embedder = this.#embedder;
        const queryVector = await withTimeout(embedder.embedQuery(request.q), this.#config.embedTimeoutMs);
        const floor = await this.#floor(embedder);
        vector = (await this.#store.searchVectors(embedder.id, queryVector, candidates, request.filters)).filter(
          (h) => h.score >= floor,
        );
      } catch (error) {
        notice = `Semantic search failed (${(error as Error).message}); showing keyword results.`;
        mode = 'lexical';
      }
    }
    const constrained = parsed.phrases.length > 0 || parsed.exclusions.length > 0;
    if (request.sort !== 'relevance') {
      // Every paper with the words, ordered by its sort key; the ranking keeps the first `depth`.
      const matches = await this.#lexical.matches(parsed, request.filters, weights);
      const all = matches.map((h, i) => ({ id: h.id, score: h.score, lexicalRank: i + 1, vectorRank: null }));
      const hits = sortHits(all, request.sort, await this.#sortKeys(all, request.sort)).slice(0, depth);
      return {
        hits,
        depth,
        total: matches.length,
        lexicalTotal: matches.length,
        missingArxivId: null,
        suggestion: null,
        mode,
        notice,
      };
    }
    const lexical =
      mode === 'vector' && !constrained
        ? null
        : await this.#lexical.searchCounted(
            parsed,
            request.filters,
            weights,
            Math.max(candidates, depth),
            new Set(vector.map((h) => h.id)),
          );
    // A neighbour in meaning that contains the words counts among the papers with the words, wherever it ranks;
    // phrases and exclusions hold for every result, so there only those neighbours stay.
    if (constrained) vector = vector.filter((h) => lexical!.matching.has(h.id));
    const fusion: FusionConfig =
      mode === 'hybrid'
        ? this.#config.fusion
        : { ...this.#config.fusion, method: 'convex', vectorWeight: mode === 'vector' ? 1 : 0 };
    const lexicalHits = mode === 'vector' || !lexical ? [] : lexical.hits;
    const fused = fuse(lexicalHits.slice(0, candidates), vector, fusion);
    // Past the fused candidates, the rest of the papers with the words in BM25 order, as deep as asked.
    const seen = new Set(fused.map((h) => h.id));
    const rest = lexicalHits.flatMap((h, i) =>
      seen.has(h.id) ? [] : [{ id: h.id, score: 0, lexicalRank: i + 1, vectorRank: null }],
    );
    const hits = await this.#titleMatchFirst(parsed, [...fused, ...rest], request.filters);
    const lexicalTotal = mode === 'vector' || !lexical ? 0 : lexical.total;
    const byMeaningOnly = mode === 'vector' ? vector.length : vector.filter((h) => !lexical!.matching.has(h.id)).length;
    return {
      hits: hits.slice(0, depth),
      depth,
      total: lexicalTotal + byMeaningOnly,
      lexicalTotal,
      missingArxivId: null,
      suggestion: null,
      mode,
      notice,
    };
  }

  /** The model's similarity floor, read (or calibrated) once per model. */
  #floor(embedder: Embedder): Promise<number> {
    let floor = this.#floors.get(embedder.id);
    if (!floor) {
      floor = similarityFloor(this.#store, embedder);
      floor.catch(() => this.#floors.delete(embedder.id));
      this.#floors.set(embedder.id, floor);
    }
    return floor;
  }

  /** An exact title match goes first. */
  async #titleMatchFirst(parsed: ParsedQuery, hits: FusedHit[], filters: SearchFilters): Promise<FusedHit[]> {
    const titleMatch = await this.#store.findPaperByTitleKey(titleKey(parsed.words.join(' ')));
    if (!titleMatch || parsed.exclusions.length > 0) return hits;
    const existing = hits.find((h) => h.id === titleMatch);
    if (!existing && parsed.phrases.length > 0) return hits;
    if (!(await this.#store.filterPapers([titleMatch], filters)).has(titleMatch)) return hits;
    const promoted = {
      id: titleMatch,
      score: Infinity,
      lexicalRank: existing?.lexicalRank ?? null,
      vectorRank: existing?.vectorRank ?? null,
    };
    return [promoted, ...hits.filter((h) => h.id !== titleMatch)];
  }

  async #sortKeys(hits: FusedHit[], sort: SearchSort): Promise<Map<string, PaperSortKey>> {
    if (sort === 'relevance') return new Map();
    return this.#store.paperSortKeys(hits.map((h) => h.id));
  }
}

function sortHits(hits: FusedHit[], sort: SearchSort, papers: Map<string, PaperSortKey>): FusedHit[] {
  if (sort === 'relevance') return hits;
  const key = (id: string) => {
    const paper = papers.get(id);
    return sort === 'date' ? (paper?.publishedAt ?? '') : (paper?.upvotes ?? 0);
  };
  return [...hits].sort((a, b) => {
    const ka = key(a.id);
    const kb = key(b.id);
    return ka < kb ? 1 : ka > kb ? -1 : b.score - a.score;
  });
}
