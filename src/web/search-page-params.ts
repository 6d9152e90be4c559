/**
 * The search page's address, read with the same rules as the search API (parseSearchParams) but in the
 * page's conventions: pages count from 1 like every other list (?p=2 is the second page), and the empty
 * fields a no-JS filter form submits (from=&org=) mean "no filter" rather than a bad value.
 */
import { SEARCH_PAGE_LIMITS, parseSearchParams } from '../search/search-params.ts';
import type { SearchRequest } from '../search/search-service.ts';
import type { SearchState } from '../domain/urls.ts';

export type SearchPageInput =
  | { ok: true; request: SearchRequest; state: SearchState; page: number }
  | { ok: false; error: string; state?: SearchState };

const PAGE = /^[1-9]\d{0,5}$/;

export function parseSearchPage(raw: Record<string, string>): SearchPageInput {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'explain' || (value.trim() === '' && name !== 'q')) continue;
    params[name] = name === 'q' ? value : value.trim();
  }
  let page = 1;
  if (params.p !== undefined) {
    if (!PAGE.test(params.p)) return { ok: false, error: 'The page number (p) must be a whole number from 1.' };
    page = Number(params.p);
    params.p = String(page - 1);
  }
  const parsed = parseSearchParams(params, SEARCH_PAGE_LIMITS);
  if (!parsed.ok) {
    // A range that ends before it starts is a slip in the form: the form comes back with the message.
    const { from, to, ...rest } = params;
    const withoutRange = parseSearchParams(rest, SEARCH_PAGE_LIMITS);
    if (from && to && withoutRange.ok)
      return {
        ok: false,
        error: sentence(parsed.error),
        state: { ...stateOf(withoutRange.request, params), from, to },
      };
    return { ok: false, error: sentence(parsed.error) };
  }
  return { ok: true, page, request: parsed.request, state: stateOf(parsed.request, params) };
}

function stateOf(request: SearchRequest, params: Record<string, string>): SearchState {
  const { filters } = request;
  return {
    q: request.q,
    from: filters.fromDay,
    to: filters.toDay,
    org: filters.organization,
    category: filters.category,
    hasCode: filters.hasCode,
    sort: request.sort,
    mode: request.mode,
    limit: params.limit !== undefined ? request.limit : undefined,
  };
}

/** The API's terse messages ("q is longer than 1000 characters") as sentences about the form's fields. */
function sentence(error: string): string {
  const text = error
    .replace(/^q is longer than (\d+) characters$/, 'The search text is longer than $1 characters. Try a shorter query')
    .replace(/^from is after to$/, 'The “from” date is after the “to” date')
    .replace(/^(from|to) must be/, 'The “$1” date must be')
    .replace(/^org is too long$/, 'The organization name is too long')
    .replace(/^category must look like/, 'The arXiv category must look like')
    .replace(/^has_code must be/, 'The “has code” filter must be')
    .replace(/^sort must be/, 'The sort order must be')
    .replace(/^mode must be/, 'The search mode must be')
    .replace(/^limit must be/, 'The number of results per page (limit) must be');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
