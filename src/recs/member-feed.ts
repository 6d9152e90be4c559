/**
 * What the "for you" page and the digest show a member: the recommender's list (recommender.ts) learned from
 * their upvotes and saved papers, without what they dismissed, and the new papers of what they follow.
 *
 * Nothing here knows the web layer: the page (src/web/for-you-routes.ts) and every digest run (the jobs,
 * `paperboy digest send`, the dev outbox's button) use it. Two things come from the caller:
 * - the active embedder's model id (`() => string | null`), whose vectors the recommender ranks with: a
 *   process with a SearchService asks it (`search.embedder?.id`); one without reads the model the
 *   instance's indexer made active (activeModelId);
 * - a search service for followed saved searches. Without an embedder it searches lexically (the store's
 *   full-text search through the same query parsing), which is what runs where no model is loaded.
 */
import type { Paper } from '../domain/types.ts';
import { addDays } from '../domain/periods.ts';
import type { ForYouProvider } from '../digest/compose.ts';
import { SEARCH_PAGE_LIMITS, parseSearchParams } from '../search/search-params.ts';
import { SearchService } from '../search/search-service.ts';
import { ACTIVE_MODEL_STATE, type ActiveModel } from '../search/semantic-indexer.ts';
import type { Follow } from '../store/collection-store.ts';
import type { Store } from '../store/store.ts';
import { Recommender, type MemberSignals, type RecommendationList } from './recommender.ts';

/** Days of publication the recommendations are drawn from. */
export const FOR_YOU_WINDOW_DAYS = 30;
export const FOR_YOU_LIMIT = 20;
/** A followed organization's, author's or search's papers count as new for this many days. */
export const FOLLOW_NEW_DAYS = 14;
export const FOLLOW_PAPERS_SHOWN = 6;
/** Recommendations a digest asks for (the run shows at most five papers the digest does not list already). */
const DIGEST_RECOMMENDATIONS = 10;
const DIGEST_FOLLOW_PAPERS = 5;
const MAX_SIGNALS = 500;
const MAX_DISMISSED = 5_000;

/** What runs a followed saved search: the SearchService (lexical only when it has no embedder). */
export type SavedSearch = Pick<SearchService, 'search'>;

/** The model the semantic indexer made active (src/search/semantic-indexer.ts), as recorded in the store. */
export async function activeModelId(store: Store): Promise<string | null> {
  return (await store.getJobState<ActiveModel>(ACTIVE_MODEL_STATE))?.id ?? null;
}

/** Upvotes and saved papers (the likes) and dismissals, most recent first. */
export async function memberSignals(store: Store, accountId: number): Promise<Required<MemberSignals>> {
  const [upvoted, saved, dismissed] = await Promise.all([
    store.community.upvotedBy(accountId, MAX_SIGNALS),
    store.collections.savedBy(accountId, MAX_SIGNALS),
    store.collections.dismissedBy(accountId, MAX_DISMISSED),
  ]);
  return { upvoted, saved, dismissed };
}

export async function recommendFor(
  store: Store,
  recommender: Recommender,
  accountId: number,
  limit = FOR_YOU_LIMIT,
): Promise<RecommendationList> {
  const signals = await memberSignals(store, accountId);
  return recommender.recommend(signals, { limit, windowDays: FOR_YOU_WINDOW_DAYS });
}

export interface FollowSection {
  follow: Follow;
  papers: Paper[];
}

/** The days a follow's papers count as new in: FOLLOW_NEW_DAYS ending with the newest day of the feed. */
export async function followWindow(
  store: Store,
  days = FOLLOW_NEW_DAYS,
): Promise<{ firstDay: string; lastDay: string } | null> {
  const latest = await store.latestDay();
  return latest ? { firstDay: addDays(latest, 1 - days), lastDay: latest } : null;
}

/** Papers of one follow published in the window, newest first. */
export async function followPapers(
  store: Store,
  search: SavedSearch,
  follow: Follow,
  window: { firstDay: string; lastDay: string },
  limit: number,
): Promise<Paper[]> {
  const inWindow = (p: Paper) =>
    p.publishedAt.slice(0, 10) >= window.firstDay && p.publishedAt.slice(0, 10) <= window.lastDay;
  if (follow.kind === 'organization' || follow.kind === 'author') {
    // Newest first: read until the papers are older than the window.
    const papers =
      follow.kind === 'organization'
        ? await store.papersOfOrganization(follow.target, 0, limit * 4)
        : await store.papersOfAuthor(follow.target, 0, limit * 4);
    return papers.filter(inWindow).slice(0, limit);
  }
  // A saved search's target is the search page's query string as the follow route normalized it (no page, no
  // empty fields), read with the search page's rules.
  const input = parseSearchParams(Object.fromEntries(new URLSearchParams(follow.target)), SEARCH_PAGE_LIMITS);
  if (!input.ok || input.request.q.trim() === '') return [];
  const { request } = input;
  const fromDay =
    request.filters.fromDay && request.filters.fromDay > window.firstDay ? request.filters.fromDay : window.firstDay;
  const toDay =
    request.filters.toDay && request.filters.toDay < window.lastDay ? request.filters.toDay : window.lastDay;
  if (fromDay > toDay) return [];
  // Newest papers that contain the words, all of them (the lexical match set), never neighbours in meaning.
  const response = await search.search({
    ...request,
    filters: { ...request.filters, fromDay, toDay },
    sort: 'date',
    mode: 'lexical',
    offset: 0,
    limit,
  });
  return response.results.map((r) => r.paper);
}

export async function followSections(
  store: Store,
  search: SavedSearch,
  accountId: number,
  excluded: ReadonlySet<string> = new Set(),
): Promise<{ window: { firstDay: string; lastDay: string } | null; sections: FollowSection[] }> {
  const [follows, window] = await Promise.all([store.collections.followsOf(accountId), followWindow(store)]);
  if (!window) return { window, sections: follows.map((follow) => ({ follow, papers: [] })) };
  const sections: FollowSection[] = [];
  for (const follow of follows) {
    const papers = await followPapers(store, search, follow, window, FOLLOW_PAPERS_SHOWN + excluded.size);
    sections.push({ follow, papers: papers.filter((p) => !excluded.has(p.id)).slice(0, FOLLOW_PAPERS_SHOWN) });
  }
  return { window, sections };
}

/**
 * The digest's "for you" section for a subscriber who is a member (same address): up to three
 * recommendations, then the period's papers of what they follow, then more recommendations. A subscriber who
 * is no member, or has no history, gets none (the digest itself is the trending list).
 */
export function forYouProvider(
  store: Store,
  sources: { recommender: Recommender; search: SavedSearch },
): ForYouProvider {
  return async (subscription, digest) => {
    const accountId = await store.collections.accountIdForEmail(subscription.email);
    if (accountId === null) return [];
    const signals = await memberSignals(store, accountId);
    const list =
      signals.upvoted.length + signals.saved.length > 0
        ? await sources.recommender.recommend(signals, {
            limit: DIGEST_RECOMMENDATIONS,
            windowDays: FOR_YOU_WINDOW_DAYS,
          })
        : null;
    // Recommendations never hold what the member upvoted, saved or dismissed; follows are filtered here.
    const recs = list && !list.coldStart ? list.items.map((i) => i.paper) : [];
    const seen = new Set([...signals.upvoted, ...signals.saved, ...signals.dismissed]);
    const followed: Paper[] = [];
    const window = { firstDay: digest.period.firstDay, lastDay: digest.period.lastDay };
    for (const follow of await store.collections.followsOf(accountId)) {
      for (const paper of await followPapers(store, sources.search, follow, window, DIGEST_FOLLOW_PAPERS))
        if (!seen.has(paper.id)) followed.push(paper);
    }
    const out: Paper[] = [];
    for (const paper of [...recs.slice(0, 3), ...followed, ...recs.slice(3)]) {
      if (!out.some((p) => p.id === paper.id)) out.push(paper);
    }
    return out;
  };
}

/**
 * The recommender of a process with a search service: it ranks with the vectors of the model search uses
 * (learned or ONNX). Made once per process (the app, the jobs of `serve`) and shared: it caches the candidate
 * window every member's list is drawn from.
 */
export function searchRecommender(store: Store, search: Pick<SearchService, 'embedder'>): Recommender {
  return new Recommender(store, () => search.embedder?.id ?? null);
}

/** The digest's "for you" section where the app's search service is at hand: the dev outbox's send button,
 *  and the digest jobs of `serve` (src/server/background.ts). */
export function forYouDigestProvider(
  store: Store,
  search: SearchService,
  recommender = searchRecommender(store, search),
): ForYouProvider {
  return forYouProvider(store, { recommender, search });
}

/**
 * The "for you" provider of one digest run where no search service is at hand (`paperboy digest send`, a
 * job without one): the model the indexer made active, read once for the run, and saved searches run
 * lexically (a SearchService with no embedder). The recommender is the run's own: its candidate window is
 * built once and serves every subscriber of the run.
 */
export async function storeForYouProvider(store: Store): Promise<ForYouProvider> {
  const modelId = await activeModelId(store);
  return forYouProvider(store, {
    recommender: new Recommender(store, () => modelId),
    search: new SearchService(store, null),
  });
}
