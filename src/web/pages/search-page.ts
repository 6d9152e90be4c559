/**
 * Search results: the same cards as the feed, ranked by relevance (or date, or votes), with the words
 * the query matched marked in the title and in the part of the abstract with the most matches. Filters
 * and sorting are a plain GET form; paging is previous / next links. Nothing here needs JavaScript.
 */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import { highlight, isEmptyMatcher, matcherFor, snippet, type Matcher } from '../../search/highlight.ts';
import { isStopWord } from '../../domain/analyzer.ts';
import type { SearchResponse } from '../../search/search-service.ts';
import type { FilterFacets } from '../../store/store.ts';
import { excerpt, formatCount, plural } from '../../domain/format.ts';
import type { Html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { emptyState } from '../components/empty-state.ts';
import { marked } from '../components/marked.ts';
import { cardGrid, type CardContent } from '../components/paper-card.ts';
import { pagination } from '../components/pagination.ts';
import { searchUrl, type SearchState } from '../../domain/urls.ts';
import { missingPaper } from '../components/missing-paper.ts';
import { SEARCH_FEED, feedAlternates, searchPageFeedQuery } from '../../feeds/links.ts';
import { followButton, searchFollowTarget } from '../components/follow-button.ts';
import type { Viewer } from '../../http/viewer.ts';
import { feedLinks } from '../components/feed-links.ts';

export interface SearchView {
  state: SearchState;
  page: number;
  limit: number;
  response: SearchResponse;
  viewer: Viewer;
  /** Whether the viewer follows this search. */
  following: boolean;
  /** The filters that can match a paper on this instance (the others are not offered). */
  facets: FilterFacets;
}

const SORT_LABELS = { relevance: 'Relevance', date: 'Newest first', upvotes: 'Most upvoted' } as const;
const SORT_NOTES = { relevance: 'most relevant first', date: 'newest first', upvotes: 'most upvoted first' } as const;

/** The query as shown in headings and the page title: long ones are cut. */
function shown(q: string, max = 80): string {
  const text = q.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max).trimEnd()}…` : text;
}

function hasFilters(state: SearchState): boolean {
  return Boolean(state.from || state.to || state.org || state.category || state.hasCode);
}

/** Without filters, sort and page: the same words searched over all papers. */
function plainSearch(state: SearchState): string {
  return searchUrl({ q: state.q, mode: state.mode, limit: state.limit });
}

export function searchPage(view: SearchView): PageOptions {
  const { state, page, limit, response } = view;
  const totalPages = Math.max(1, Math.ceil(response.total / limit));
  const matcher = matcherFor(response.parsed);
  const first = (page - 1) * limit + 1;
  const sort = state.sort ?? 'relevance';
  const feeds = feedAlternates(SEARCH_FEED, `Search: ${shown(state.q, 60)}`, searchPageFeedQuery(state));
  const body = html`<div class="search-head">
<h1 class="search-title">Results for <q class="search-query">${shown(state.q)}</q></h1>
<p class="search-summary">${
    response.total === 0
      ? 'No papers found'
      : html`${papersFound(response)}${totalPages > 1 ? html` · showing ${first}–${first + response.results.length - 1}` : ''} · ${SORT_NOTES[sort]}`
  }</p>
${followButton('search', searchFollowTarget(state), shown(state.q, 100), view.viewer, view.following)}
${feedLinks(feeds)}
</div>
${filterForm(state, view.facets)}
${notice(view) ? html`<p class="notice notice-info" role="status">${notice(view)}</p>` : ''}
<section class="search-results" aria-labelledby="results-heading">
<h2 id="results-heading" class="sr-only">Results</h2>
${
  response.results.length > 0
    ? cardGrid(
        response.results.map((r) => r.paper),
        {
          ranked: true,
          start: first,
          content: (paper) => cardContent(paper, matcher),
          viewer: view.viewer.account ? view.viewer : undefined,
        },
      )
    : noResults(view)
}
${pagination((n) => searchUrl(state, n), page, totalPages)}
</section>`;
  return {
    title: `${shown(state.q, 60)} — Search${page > 1 ? ` (page ${page})` : ''}`,
    description: `Research papers matching “${shown(state.q)}”.`,
    alternates: feeds,
    search: state,
    body,
  };
}

/** The search service's notice; or, when semantic search alone found the first page, that no paper has the words. */
function notice({ response, page }: SearchView): string | null {
  if (response.notice) return response.notice;
  const onlyByMeaning =
    page === 1 &&
    response.mode === 'hybrid' &&
    response.results.length > 0 &&
    response.results.every((r) => r.lexicalRank === null && Number.isFinite(r.score));
  return onlyByMeaning ? 'No paper contains these words; these papers are the closest in meaning.' : null;
}

/** What the list holds, as the search counted it: the papers with the words, and those only close in meaning. */
function papersFound({ total, lexicalTotal, mode }: SearchResponse): string {
  if (mode === 'vector') return `${plural(total, 'paper')} close in meaning`;
  const byMeaning = total - lexicalTotal;
  const withWords =
    lexicalTotal === 0
      ? 'No paper contains these words'
      : `${lexicalTotal === 1 ? '1 paper contains' : `${formatCount(lexicalTotal)} papers contain`} these words`;
  return byMeaning > 0
    ? `${withWords} · ${formatCount(byMeaning)} ${lexicalTotal === 0 ? '' : 'more '}close in meaning`
    : withWords;
}

function cardContent(paper: Paper, matcher: Matcher): CardContent {
  if (isEmptyMatcher(matcher)) return { title: html`${paper.title}`, abstract: html`${excerpt(paper.summary)}` };
  return { title: marked(highlight(paper.title, matcher)), abstract: marked(snippet(paper.summary, matcher)) };
}

/** The search page before anything was searched: a large search box and how queries are written. */
export function searchStartPage(state: SearchState): PageOptions {
  return {
    title: 'Search',
    description: 'Search research papers by words, phrases, authors or arXiv id.',
    body: html`<div class="search-head">
<h1 class="search-title">Search papers</h1>
<p class="search-summary">Titles, abstracts and authors, ranked by relevance.</p>
</div>
<form class="search-start" action="/search" method="get" role="search" aria-label="Search papers">
<label class="sr-only" for="search-start-q">Search papers</label>
<input id="search-start-q" type="search" name="q" value="" placeholder="e.g. diffusion models for video" maxlength="1000" autocomplete="off" enterkeyhint="search">
${hiddenFilters(state)}
<button class="button button-primary" type="submit">Search</button>
</form>
<section class="search-help" aria-labelledby="search-help-heading">
<h2 id="search-help-heading">How to search</h2>
<ul>
<li>Words find their other forms too: <kbd>model</kbd> finds “models” and “modeling”.</li>
<li>Quotes find a phrase exactly: <kbd>"theory of mind"</kbd>.</li>
<li>A star finds word beginnings: <kbd>transf*</kbd> finds “transfer” and “transformer”.</li>
<li>An arXiv id or link goes straight to its paper: <kbd>2405.12345</kbd>.</li>
</ul>
</section>`,
  };
}

function hiddenFilters(state: SearchState): Html {
  const pairs: [string, string | undefined][] = [
    ['from', state.from],
    ['to', state.to],
    ['org', state.org],
    ['category', state.category],
    ['has_code', state.hasCode ? '1' : undefined],
  ];
  return html`${pairs.filter(([, v]) => v).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}`;
}

/** The form again, with what was wrong in it (a range whose end comes before its start). */
export function searchFormPage(state: SearchState, error: string, facets: FilterFacets): PageOptions {
  return {
    title: `${shown(state.q, 60)} — Search`,
    description: `Research papers matching “${shown(state.q)}”.`,
    search: state,
    body: html`<div class="search-head">
<h1 class="search-title">Results for <q class="search-query">${shown(state.q)}</q></h1>
</div>
<p class="notice notice-error" role="alert">${error}</p>
${filterForm(state, facets)}`,
  };
}

function filterForm(state: SearchState, facets: FilterFacets): Html {
  const sort = state.sort ?? 'relevance';
  return html`<form class="search-filters" action="/search" method="get" aria-label="Filters and sorting">
<input type="hidden" name="q" value="${state.q}">
${state.mode && state.mode !== 'hybrid' ? html`<input type="hidden" name="mode" value="${state.mode}">` : ''}
${state.limit !== undefined ? html`<input type="hidden" name="limit" value="${state.limit}">` : ''}
<div class="field">
<label for="filter-from">Published from</label>
<input id="filter-from" type="date" name="from" value="${state.from ?? ''}">
</div>
<div class="field">
<label for="filter-to">to</label>
<input id="filter-to" type="date" name="to" value="${state.to ?? ''}">
</div>
${
  facets.organization || state.org
    ? html`<div class="field">
<label for="filter-org">Organization</label>
<input id="filter-org" type="text" name="org" value="${state.org ?? ''}" placeholder="e.g. google" maxlength="100" autocomplete="off" spellcheck="false">
</div>`
    : ''
}
${
  facets.category || state.category
    ? html`<div class="field">
<label for="filter-category">arXiv category</label>
<input id="filter-category" type="text" name="category" value="${state.category ?? ''}" placeholder="e.g. cs.CL" maxlength="40" autocomplete="off" spellcheck="false" pattern="[a-z\\-]+(\\.[A-Za-z\\-]+)?">
</div>`
    : ''
}
<div class="field">
<label for="filter-sort">Sort by</label>
<select id="filter-sort" name="sort">${(['relevance', 'date', 'upvotes'] as const).map((key) => html`<option value="${key}"${key === sort ? html` selected` : ''}>${SORT_LABELS[key]}</option>`)}</select>
</div>
${
  facets.hasCode || state.hasCode
    ? html`<div class="field field-check">
<input id="filter-code" type="checkbox" name="has_code" value="1"${state.hasCode ? html` checked` : ''}>
<label for="filter-code">Has code</label>
</div>`
    : ''
}
<div class="filter-actions">
<button class="button button-primary" type="submit">Apply</button>
${hasFilters(state) || sort !== 'relevance' ? html`<a class="filter-clear" href="${plainSearch(state)}">Clear filters</a>` : ''}
</div>
</form>`;
}

/** An empty result that helps: what to change, one-word searches to try, and a way to the feed. */
function noResults({ state, response }: SearchView): Html {
  if (response.missingArxivId) return missingPaper(response.missingArxivId);
  const words = [...new Set(response.parsed.words.filter((w) => !isStopWord(w) && w.length > 1))].slice(0, 6);
  const filtered = hasFilters(state);
  return emptyState(
    `No papers match “${shown(state.q, 60)}”`,
    html`<ul class="empty-tips">
${response.suggestion ? html`<li class="did-you-mean">Did you mean <a href="${searchUrl({ ...state, q: response.suggestion })}">${response.suggestion}</a>?</li>` : ''}
${filtered ? html`<li>Filters narrow the search: <a href="${plainSearch(state)}">search all papers for these words</a>.</li>` : ''}
<li>Check the spelling of the words.</li>
${
  words.length > 1
    ? html`<li>Try fewer words, or more general ones. One word at a time: ${words.map((w, i) => html`${i > 0 ? ', ' : ''}<a href="${searchUrl({ ...state, q: w })}">${w}</a>`)}.</li>`
    : html`<li>Try a more general word, or another word for the same idea.</li>`
}
${response.parsed.phrases.length > 0 ? html`<li>Words in quotes must appear together; without the quotes they may appear anywhere.</li>` : ''}
<li>Or browse <a href="/papers">the latest Daily Papers</a>.</li>
</ul>`,
  );
}
