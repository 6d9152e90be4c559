/**
 * What each feed lists, read from the store (and the search service) in one or two calls: the same lists
 * as the pages the feeds follow, limited to FEED_ITEMS entries.
 */
import { addDays, dayPeriod } from '../domain/periods.ts';
import { TRENDING_WINDOW_DAYS, trendingWindow } from '../domain/trending.ts';
import type { DailyEntry, Paper } from '../domain/types.ts';
import type { SearchRequest, SearchService } from '../search/search-service.ts';
import type { Store } from '../store/store.ts';
import { formatPeriod } from '../domain/format.ts';
import { authorUrl, dayUrl, organizationUrl, searchUrl, type SearchState } from '../domain/urls.ts';
import { DAILY_FEED, SEARCH_FEED, TRENDING_FEED, authorFeed, organizationFeed, searchFeedQuery } from './links.ts';
import type { FeedEntry, FeedSpec } from './render.ts';

export const FEED_ITEMS = 50;
/** The daily feed holds the papers of the days with papers in this many days up to the latest one. */
export const DAILY_FEED_DAYS = 7;

const byEntry = (entries: DailyEntry[]): FeedEntry[] =>
  entries.map((e) => ({ paper: e.paper, date: new Date(e.submittedAt) }));
const byPublication = (papers: Paper[]): FeedEntry[] =>
  papers.map((paper) => ({ paper, date: new Date(paper.publishedAt) }));

/** The latest days of Daily Papers, newest day first, most upvoted first within a day; or one day. */
export async function dailyFeed(store: Store, day: string | null): Promise<FeedSpec> {
  if (day !== null) {
    const entries = await store.listDaily({
      firstDay: day,
      lastDay: day,
      sort: 'upvotes',
      offset: 0,
      limit: FEED_ITEMS,
    });
    const label = formatPeriod(dayPeriod(day));
    return {
      title: `Daily Papers — ${label}`,
      description: `Research papers featured on Daily Papers for ${label}, ranked by community upvotes.`,
      pagePath: dayUrl(day),
      feedPath: DAILY_FEED,
      query: `date=${day}`,
      entries: byEntry(entries),
      emptyUpdated: new Date(`${day}T00:00:00Z`),
    };
  }
  const latest = await store.latestDay();
  const entries = latest
    ? await store.listDaily({
        firstDay: addDays(latest, -(DAILY_FEED_DAYS - 1)),
        lastDay: latest,
        sort: 'latest',
        offset: 0,
        limit: FEED_ITEMS,
      })
    : [];
  return {
    title: 'Daily Papers',
    description: 'Research papers featured on Daily Papers by the research community, newest day first.',
    pagePath: '/papers',
    feedPath: DAILY_FEED,
    entries: byEntry(entries),
  };
}

/** The trending list: the same window and formula as the trending page. */
export async function trendingFeed(store: Store): Promise<FeedSpec> {
  const latest = await store.latestDay();
  const entries = latest
    ? await store.listDaily({ ...trendingWindow(latest), sort: 'trending', offset: 0, limit: FEED_ITEMS })
    : [];
  return {
    title: 'Trending papers',
    description: `The papers the community is reading now: votes and comments of the last ${TRENDING_WINDOW_DAYS} days, newer first.`,
    pagePath: '/papers/trending',
    feedPath: TRENDING_FEED,
    entries: byEntry(entries),
  };
}

/** An organization's papers, newest first; null for an unknown organization. */
export async function organizationFeedSpec(store: Store, name: string): Promise<FeedSpec | null> {
  const [summary, papers] = await Promise.all([
    store.getOrganization(name),
    store.papersOfOrganization(name, 0, FEED_ITEMS),
  ]);
  if (!summary) return null;
  const org = summary.organization;
  return {
    title: org.fullname,
    description: `Research papers from ${org.fullname} featured on Daily Papers, newest first.`,
    pagePath: organizationUrl(org.name),
    feedPath: organizationFeed(org.name),
    entries: byPublication(papers),
  };
}

/** An author's papers, newest first; null for an unknown author. */
export async function authorFeedSpec(store: Store, name: string): Promise<FeedSpec | null> {
  const [summary, papers] = await Promise.all([store.getAuthor(name), store.papersOfAuthor(name, 0, FEED_ITEMS)]);
  if (!summary) return null;
  return {
    title: summary.name,
    description: `Research papers by ${summary.name}, newest first.`,
    pagePath: authorUrl(summary.name),
    feedPath: authorFeed(summary.name),
    entries: byPublication(papers),
  };
}

/** A search's results (newest first unless the address asks for another order). */
export async function searchFeedSpec(
  search: SearchService,
  request: SearchRequest,
  state: SearchState,
): Promise<FeedSpec> {
  // A feed lists papers that contain the words (the lexical match set), never neighbours in meaning.
  const response = await search.search({ ...request, mode: 'lexical', offset: 0, limit: FEED_ITEMS });
  const q = state.q.replace(/\s+/g, ' ').trim();
  const shown = q.length > 100 ? `${q.slice(0, 100).trimEnd()}…` : q;
  return {
    title: `Search “${shown}”`,
    description: `Research papers matching “${shown}”${state.sort === 'date' ? ', newest first' : ''}.`,
    pagePath: searchUrl({ ...state, limit: undefined }),
    feedPath: SEARCH_FEED,
    query: searchFeedQuery(state, request.sort),
    entries: byPublication(response.results.map((r) => r.paper)),
  };
}
