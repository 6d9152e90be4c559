/**
 * Search: one query, lexical and (when an embedder is configured) vector retrieval, fused; exact arXiv id
 * and exact title matches first; then sorted, paged and filled with papers. Results of repeated queries
 * are cached briefly (the ranking, not the papers, so counts shown stay current).
 */
import { LRUCache } from 'lru-cache';
import type { Paper } from '../domain/types.ts';
import type { FieldWeights, ScoredPaper, SearchFilters, Store } from '../store/store.ts';
import type { Embedder } from './embedder.ts';
import { fuse, type FusedHit, type FusionConfig } from './fusion.ts';
import { isEmptyQuery, parseQuery, type ParsedQuery } from './query-parser.ts';
import { titleKey } from '../domain/analyzer.ts';
import { lexicalSearch, type LexicalSearch } from './lexical/lexical-search.ts';

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
  /** Papers in the ranked candidate set (at most `candidates`). */
  total: number;
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

interface Ranking {
  hits: FusedHit[];
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

  constructor(store: Store, embedder: Embedder | null, config: SearchConfig = DEFAULT_SEARCH_CONFIG) {
    this.#store = store;
    this.#lexical = lexicalSearch(store);
    this.#embedder = embedder;
    this.#config = config;
    this.#cache = new LRUCache({ max: config.cacheSize, ttl: config.cacheTtlMs });
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

  async search(request: SearchRequest): Promise<SearchResponse> {
    const parsed = parseQuery(request.q);
    if (isEmptyQuery(parsed)) {
      const notice = request.q.trim() === '' ? null : 'The query has no words to search for.';
      return { results: [], total: 0, mode: request.mode, notice, parsed };
    }
    const key = JSON.stringify([request.q.trim().toLowerCase(), request.filters, request.sort, request.mode]);
    let ranking = this.#cache.get(key);
    if (!ranking) {
      ranking = await this.#rank(parsed, request);
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
    return { results, total: ranking.hits.length, mode: ranking.mode, notice: ranking.notice, parsed };
  }

  async #rank(parsed: ParsedQuery, request: SearchRequest): Promise<Ranking> {
    const { candidates, weights } = this.#config;
    let mode = request.mode;
    let notice: string | null = parsed.onlyStopWords ? 'The query has only common words; results may be broad.' : null;
    let vector: ScoredPaper[] = [];
    if (mode !== 'lexical' && !this.#embedder) {
      if (mode === 'vector') notice = 'Semantic search is not set up on this instance; showing keyword results.';
      mode = 'lexical';
    } else if (mode !== 'lexical' && this.#embedder) {
      try {
        const queryVector = await withTimeout(this.#embedder.embedQuery(request.q), this.#config.embedTimeoutMs);
        vector = await this.#store.searchVectors(this.#embedder.id, queryVector, candidates, request.filters);
      } catch (error) {
        notice = `Semantic search failed (${(error as Error).message}); showing keyword results.`;
        mode = 'lexical';
      }
    }
    const lexical = mode === 'vector' ? [] : await this.#lexical.search(parsed, request.filters, weights, candidates);
    const fusion: FusionConfig =
      mode === 'hybrid'
        ? this.#config.fusion
        : { ...this.#config.fusion, method: 'convex', vectorWeight: mode === 'vector' ? 1 : 0 };
    const hits = await this.#exactMatchesFirst(parsed, fuse(lexical, vector, fusion), request.filters);
    return { hits: sortHits(hits, request.sort, await this.#sortKeys(hits, request.sort)), mode, notice };
  }

  /** An arXiv id in the query, then an exact title match, go first. */
  async #exactMatchesFirst(parsed: ParsedQuery, hits: FusedHit[], filters: SearchFilters): Promise<FusedHit[]> {
    const first: string[] = [];
    if (parsed.arxivId && (await this.#store.getPaper(parsed.arxivId))) first.push(parsed.arxivId);
    const titleMatch = await this.#store.findPaperByTitleKey(titleKey(parsed.words.join(' ')));
    if (titleMatch && !first.includes(titleMatch)) first.push(titleMatch);
    if (first.length === 0) return hits;
    const allowed = await this.#store.filterPapers(first, filters);
    const promoted = first
      .filter((id) => allowed.has(id))
      .map((id) => {
        const existing = hits.find((h) => h.id === id);
        return {
          id,
          score: Infinity,
          lexicalRank: existing?.lexicalRank ?? null,
          vectorRank: existing?.vectorRank ?? null,
        };
      });
    return [...promoted, ...hits.filter((h) => !promoted.some((p) => p.id === h.id))];
  }

  async #sortKeys(hits: FusedHit[], sort: SearchSort): Promise<Map<string, Paper>> {
    if (sort === 'relevance') return new Map();
    return new Map((await this.#store.getPapers(hits.map((h) => h.id))).map((p) => [p.id, p]));
  }
}

function sortHits(hits: FusedHit[], sort: SearchSort, papers: Map<string, Paper>): FusedHit[] {
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
