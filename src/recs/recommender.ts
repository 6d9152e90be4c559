/**
 * "For you": a member's ranking of the papers of a recent window, learned from the papers they upvoted or
 * saved, with the reason for every paper. Callers (the "for you" page, digests, collections) hand in the
 * member's signals; nothing here knows about accounts or SQL.
 *
 *   const recommender = new Recommender(store, () => search.embedder?.id ?? null);
 *   const list = await recommender.recommend({ upvoted, saved, dismissed }, { limit: 20 });
 *
 * How: each paper is its embedding (the instance's current embedder). With at least `minLikesForModel`
 * liked papers, a linear classifier (ridge, liked vs the window, see linear-model.ts) scores the window;
 * with fewer, the similarity to the liked papers' centroid does. Liked, saved and dismissed papers never
 * come back. A member with no usable history (no likes, likes without vectors yet, or no embedder on the
 * instance) gets the trending list, flagged as a cold start.
 */
import { trendingWindow } from '../domain/trending.ts';
import type { Paper } from '../domain/types.ts';
import type { Store } from '../store/store.ts';
import { buildCandidateWindow, featureRow, newestPublicationDay, type CandidateWindow } from './candidate-window.ts';
import { centroid, dot, scoreRows, trainLogistic, trainRidge, type LinearModel } from './linear-model.ts';
import { profileTerms, sharedWords, termCounts, tfidf } from './reasons.ts';

/** What a member told us: papers they upvoted, saved, and dismissed from their list (any order). */
export interface MemberSignals {
  upvoted?: readonly string[] | undefined;
  saved?: readonly string[] | undefined;
  dismissed?: readonly string[] | undefined;
}

export interface RecommendOptions {
  /** Papers wanted (default config.limit). */
  limit?: number | undefined;
  /** Days of publication the list is drawn from (default config.windowDays). */
  windowDays?: number | undefined;
  /** Last day of the window, YYYY-MM-DD (default: the newest paper's publication day). */
  lastDay?: string | undefined;
}

export type RecommendationMethod = 'linear' | 'centroid' | 'trending';

export interface LikedPaperRef {
  id: string;
  title: string;
  via: 'upvote' | 'save';
}

export type RecommendationReason =
  | {
      kind: 'similar';
      /** The liked paper closest to this one, and their cosine similarity. */
      closestTo: LikedPaperRef & { similarity: number };
      /** Words that weigh most in both this paper and the liked ones, most weighty first. */
      words: string[];
      /** The reason as a sentence, e.g. Close to “X”, which you upvoted · diffusion, video, motion. */
      text: string;
    }
  | { kind: 'trending'; text: string };

export interface Recommendation {
  paper: Paper;
  /** The model's score (higher is better; comparable within one list only). */
  score: number;
  reason: RecommendationReason;
}

export interface RecommendationList {
  method: RecommendationMethod;
  /** True when the list is not personal (no usable history): the page should say so and invite likes. */
  coldStart: boolean;
  /** Why the list is a cold start, for the page (null when personal). */
  coldStartReason: 'no-history' | 'no-embedder' | 'not-embedded' | null;
  window: { firstDay: string; lastDay: string; papers: number } | null;
  modelId: string | null;
  /** Liked papers the model learned from (with a vector). */
  likesUsed: number;
  items: Recommendation[];
}

export interface RecommenderConfig {
  windowDays: number;
  limit: number;
  /** Below this many liked papers the centroid ranks; from it on, the linear model. */
  minLikesForModel: number;
  /** Most recent liked papers used (the signal arrays' first entries). */
  maxLikes: number;
  /** Linear model: 'ridge' (default, closed form over the whole window) or 'logistic' (sampled negatives). */
  model: 'ridge' | 'logistic';
  lambda: number;
  /** Give the linear model each paper's popularity (upvotes) beside its embedding, as a feature it weighs. */
  popularityFeature: boolean;
  /** Words in a reason. */
  reasonWords: number;
  /** A window is rebuilt when the data changed and it is older than this. */
  windowRefreshMs: number;
}

export const DEFAULT_RECOMMENDER_CONFIG: RecommenderConfig = {
  windowDays: 30,
  limit: 20,
  minLikesForModel: 3,
  maxLikes: 500,
  model: 'ridge',
  lambda: 0.05,
  popularityFeature: true,
  reasonWords: 3,
  windowRefreshMs: 10 * 60_000,
};

interface CachedWindow {
  window: Promise<CandidateWindow>;
  builtAt: number;
  dataVersion: string;
}

interface Liked extends LikedPaperRef {
  /** The embedding. */
  vector: Float32Array;
  /** The row of features the linear model sees (embedding, popularity). */
  features: Float32Array;
  paper: Paper;
}

export class Recommender {
  readonly #store: Store;
  readonly #modelId: () => string | null;
  readonly #config: RecommenderConfig;
  readonly #windows = new Map<string, CachedWindow>();

  /** `modelId` names the current embedder's vectors (null when the instance has none). */
  constructor(store: Store, modelId: () => string | null, config: Partial<RecommenderConfig> = {}) {
    this.#store = store;
    this.#modelId = modelId;
    this.#config = { ...DEFAULT_RECOMMENDER_CONFIG, ...config };
  }

  get config(): Readonly<RecommenderConfig> {
    return this.#config;
  }

  async recommend(signals: MemberSignals, options: RecommendOptions = {}): Promise<RecommendationList> {
    const limit = Math.max(1, Math.min(options.limit ?? this.#config.limit, 500));
    const excluded = new Set([...(signals.upvoted ?? []), ...(signals.saved ?? []), ...(signals.dismissed ?? [])]);
    const likedRefs = likedOrder(signals).slice(0, this.#config.maxLikes);
    const modelId = this.#modelId();
    if (likedRefs.length === 0) return this.#coldStart(excluded, limit, 'no-history', modelId);
    if (!modelId) return this.#coldStart(excluded, limit, 'no-embedder', modelId);

    const lastDay = options.lastDay ?? (await newestPublicationDay(this.#store));
    if (!lastDay) return this.#coldStart(excluded, limit, 'no-history', modelId);
    const window = await this.window(modelId, options.windowDays ?? this.#config.windowDays, lastDay);
    const liked = await this.#likedVectors(window, likedRefs);
    if (liked.length === 0) return this.#coldStart(excluded, limit, 'not-embedded', modelId);

    const method: RecommendationMethod = liked.length >= this.#config.minLikesForModel ? 'linear' : 'centroid';
    const model = method === 'linear' ? this.#train(window, liked) : this.#centroidModel(window, liked);
    const scores = scoreRows(window.matrix, window.papers.length, model);
    const top = topRows(scores, limit, (r) => !excluded.has(window.papers[r]!.id));

    const fresh = new Map((await this.#store.getPapers(top.map((r) => window.papers[r]!.id))).map((p) => [p.id, p]));
    // Each paper's closest liked paper; the words of a reason weigh most in it and in those liked papers.
    const closest = top.map((r) => {
      let best = liked[0]!;
      let similarity = -Infinity;
      for (const l of liked) {
        const s = dot(l.vector, window.matrix, r * window.stride);
        if (s > similarity) [best, similarity] = [l, s];
      }
      return { liked: best, similarity };
    });
    const profile = profileTerms([...new Set(closest.map((c) => c.liked))].map((l) => this.#terms(window, l.paper)));
    const items = top.flatMap((r, i): Recommendation[] => {
      const paper = fresh.get(window.papers[r]!.id);
      if (!paper) return [];
      const words = sharedWords(paper, this.#terms(window, paper), profile, this.#config.reasonWords);
      const { liked: near, similarity } = closest[i]!;
      const ref = { id: near.id, title: near.title, via: near.via };
      return [
        {
          paper,
          score: scores[r]!,
          reason: { kind: 'similar', closestTo: { ...ref, similarity }, words, text: reasonText(ref, words) },
        },
      ];
    });
    return {
      method,
      coldStart: false,
      coldStartReason: null,
      window: { firstDay: window.firstDay, lastDay: window.lastDay, papers: window.papers.length },
      modelId,
      likesUsed: liked.length,
      items,
    };
  }

  /** The candidate window (built once, shared by every member until the data changes and it ages). */
  async window(modelId: string, days: number, lastDay: string): Promise<CandidateWindow> {
    const key = `${modelId}:${days}:${lastDay}:${this.#config.popularityFeature}`;
    const cached = this.#windows.get(key);
    const now = Date.now();
    if (cached && now - cached.builtAt < this.#config.windowRefreshMs) return cached.window;
    const dataVersion = await this.#store.dataVersion();
    if (cached && cached.dataVersion === dataVersion) return cached.window;
    const window = buildCandidateWindow(this.#store, modelId, days, lastDay, this.#config.popularityFeature);
    // Old windows (another end day, another model) go: one live window per configuration is enough.
    for (const k of this.#windows.keys())
      if (k.startsWith(`${modelId}:${days}:`) || !k.startsWith(`${modelId}:`)) this.#windows.delete(k);
    this.#windows.set(key, { window, builtAt: now, dataVersion });
    window.catch(() => this.#windows.delete(key));
    return window;
  }

  /** A paper's tf-idf against the window, computed once per window. */
  #terms(window: CandidateWindow, paper: Paper): Map<string, number> {
    let terms = window.termCache.get(paper.id);
    if (!terms) {
      terms = tfidf(termCounts(paper), window.documentFrequency, window.papers.length);
      if (window.termCache.size < 50_000) window.termCache.set(paper.id, terms);
    }
    return terms;
  }

  /** Cosine similarity to the likes' centroid (popularity, if a feature, weighs nothing). */
  #centroidModel(window: CandidateWindow, liked: Liked[]): LinearModel {
    const weights = new Float32Array(window.stride);
    weights.set(
      centroid(
        liked.map((l) => l.vector),
        window.dimensions,
      ),
    );
    return { weights, bias: 0 };
  }

  #train(window: CandidateWindow, liked: Liked[]): LinearModel {
    const positives = liked.map((l) => l.features);
    if (this.#config.model === 'ridge') return trainRidge(positives, window.moments, this.#config.lambda);
    const negatives = sampleRows(window, 1_000, seedOf(liked.map((l) => l.id)));
    return trainLogistic(positives, negatives, { lambda: this.#config.lambda, iterations: 200 });
  }

  async #likedVectors(window: CandidateWindow, refs: { id: string; via: 'upvote' | 'save' }[]): Promise<Liked[]> {
    const papers = new Map((await this.#store.getPapers(refs.map((r) => r.id))).map((p) => [p.id, p]));
    const out: Liked[] = [];
    for (const ref of refs) {
      const paper = papers.get(ref.id);
      if (!paper) continue;
      const row = window.rowOf.get(ref.id);
      const vector =
        row !== undefined
          ? window.matrix.subarray(row * window.stride, row * window.stride + window.dimensions)
          : await this.#store.getVector(window.modelId, ref.id);
      if (!vector || vector.length !== window.dimensions) continue;
      const features =
        row !== undefined
          ? window.matrix.subarray(row * window.stride, (row + 1) * window.stride)
          : featureRow(vector, paper.upvotes, window.stride);
      out.push({ id: ref.id, title: paper.title, via: ref.via, vector, features, paper });
    }
    return out;
  }

  /** Trending papers of the trending window, then the newest papers, none the member has seen. */
  async #coldStart(
    excluded: Set<string>,
    limit: number,
    why: NonNullable<RecommendationList['coldStartReason']>,
    modelId: string | null,
  ): Promise<RecommendationList> {
    const items: Recommendation[] = [];
    const seen = new Set(excluded);
    const latest = await this.#store.latestDay();
    if (latest) {
      const entries = await this.#store.listDaily({
        ...trendingWindow(latest),
        sort: 'trending',
        offset: 0,
        limit: limit + excluded.size,
      });
      for (const entry of entries) {
        if (items.length >= limit || seen.has(entry.paper.id)) continue;
        seen.add(entry.paper.id);
        items.push({
          paper: entry.paper,
          score: limit - items.length,
          reason: { kind: 'trending', text: 'Trending this week' },
        });
      }
    }
    let cursor: string | null = null;
    while (items.length < limit) {
      const page = await this.#store.listPapers(cursor, limit + excluded.size);
      for (const paper of page.papers) {
        if (items.length >= limit || seen.has(paper.id)) continue;
        seen.add(paper.id);
        items.push({ paper, score: limit - items.length, reason: { kind: 'trending', text: 'New on Paperboy' } });
      }
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return { method: 'trending', coldStart: true, coldStartReason: why, window: null, modelId, likesUsed: 0, items };
  }
}

/** Upvotes first, then saves, each in the caller's order (most recent first by convention), no repeats. */
function likedOrder(signals: MemberSignals): { id: string; via: 'upvote' | 'save' }[] {
  const out = new Map<string, 'upvote' | 'save'>();
  for (const id of signals.upvoted ?? []) if (!out.has(id)) out.set(id, 'upvote');
  for (const id of signals.saved ?? []) if (!out.has(id)) out.set(id, 'save');
  return [...out].map(([id, via]) => ({ id, via }));
}

/** Rows of the `count` highest scores that `admit` lets through, best first (ties: lower row first). */
export function topRows(scores: Float32Array, count: number, admit: (row: number) => boolean): number[] {
  // A small sorted buffer: lists are short (tens), windows long (thousands).
  const rows: number[] = [];
  const better = (a: number, b: number) => scores[a]! > scores[b]! || (scores[a] === scores[b] && a < b);
  for (let r = 0; r < scores.length; r++) {
    if (rows.length === count && !better(r, rows[count - 1]!)) continue;
    if (!admit(r)) continue;
    let i = rows.length === count ? count - 1 : rows.length;
    while (i > 0 && better(r, rows[i - 1]!)) {
      rows[i] = rows[i - 1]!;
      i--;
    }
    rows[i] = r;
  }
  return rows;
}

function reasonText(closest: LikedPaperRef, words: string[]): string {
  const verb = closest.via === 'upvote' ? 'you upvoted' : 'you saved';
  return `Close to “${closest.title}”, which ${verb}${words.length > 0 ? ` · ${words.join(', ')}` : ''}`;
}

function seedOf(ids: readonly string[]): number {
  let h = 2166136261;
  for (const id of ids) for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Up to `count` distinct rows of the window, pseudo-randomly (deterministic for a seed). */
function sampleRows(window: CandidateWindow, count: number, seed: number): Float32Array[] {
  const n = window.papers.length;
  const rows = Array.from({ length: n }, (_, i) => i);
  let state = seed || 1;
  const take = Math.min(count, n);
  for (let i = 0; i < take; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = i + (state % (n - i));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return rows.slice(0, take).map((r) => window.matrix.subarray(r * window.stride, (r + 1) * window.stride));
}
