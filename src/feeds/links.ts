/**
 * Feed addresses, built in one place so that routes, <link rel="alternate"> and docs/feeds.md agree:
 *
 *   /feeds/daily.{rss,atom,json}                  the latest days of Daily Papers (?date=YYYY-MM-DD: one day)
 *   /feeds/trending.{rss,atom,json}               the trending list
 *   /feeds/organizations/NAME.{rss,atom,json}     an organization's papers, newest first
 *   /feeds/authors/NAME.{rss,atom,json}           an author's papers, newest first
 *   /feeds/search.{rss,atom,json}?q=…&filters     a search (the parameters of /search), newest first
 */
import { searchParams, type SearchState } from '../domain/urls.ts';
import type { FeedFormat } from './render.ts';

export const DAILY_FEED = '/feeds/daily';
export const TRENDING_FEED = '/feeds/trending';
export const SEARCH_FEED = '/feeds/search';

export function organizationFeed(name: string): string {
  return `/feeds/organizations/${encodeURIComponent(name)}`;
}

export function authorFeed(name: string): string {
  return `/feeds/authors/${encodeURIComponent(name)}`;
}

/**
 * A search feed's query string: the search's own parameters (no page, no page size). Feeds list newest
 * first by default, so `sort` is written only when it is another order.
 */
export function searchFeedQuery(state: SearchState, sort: 'date' | 'relevance' | 'upvotes' = 'date'): string {
  const pairs = searchParams({ ...state, sort: undefined, limit: undefined });
  if (sort !== 'date') pairs.push(['sort', sort]);
  return new URLSearchParams(pairs).toString();
}

/** The feed a search page links: newest first, or most upvoted when the page is sorted so. */
export function searchPageFeedQuery(state: SearchState): string {
  return searchFeedQuery(state, state.sort === 'upvotes' ? 'upvotes' : 'date');
}

/** A <link rel="alternate"> of a page (the layout's `alternates`). */
export interface FeedAlternate {
  type: string;
  title: string;
  href: string;
  /** The format's name, for a visible link: RSS, Atom, JSON Feed. */
  label: string;
}

const LABELS: Record<FeedFormat, { type: string; name: string }> = {
  rss: { type: 'application/rss+xml', name: 'RSS' },
  atom: { type: 'application/atom+xml', name: 'Atom' },
  json: { type: 'application/feed+json', name: 'JSON Feed' },
};

/** The three formats of one feed, as page-relative links (readers resolve them against the page). */
export function feedAlternates(feedPath: string, title: string, query = ''): FeedAlternate[] {
  return (['rss', 'atom', 'json'] as const).map((format) => ({
    type: LABELS[format].type,
    title: `${title} (${LABELS[format].name})`,
    label: LABELS[format].name,
    href: `${feedPath}.${format}${query ? `?${query}` : ''}`,
  }));
}
