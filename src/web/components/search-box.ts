/**
 * The search box in the site header, on every page; a plain GET form, so it works without JavaScript.
 * On the search page it is filled with the query and carries the filters along, so that a new query
 * keeps them (the filter form on that page shows them and can clear them).
 */
import { html } from 'hono/html';
import type { Html } from '../html.ts';
import { searchParams, type SearchState } from '../../domain/urls.ts';

export function searchBox(state?: SearchState): Html {
  const carried = state ? searchParams(state).filter(([name]) => name !== 'q') : [];
  return html`<form class="site-search" action="/search" method="get" role="search" aria-label="Papers">
<label class="sr-only" for="site-search-q">Search papers</label>
<input id="site-search-q" type="search" name="q" value="${state?.q ?? ''}" placeholder="Search papers" maxlength="1000" autocomplete="off" enterkeyhint="search">
${carried.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button class="site-search-button" type="submit"><span class="icon icon-search" aria-hidden="true"></span><span class="sr-only">Search</span></button>
</form>`;
}
