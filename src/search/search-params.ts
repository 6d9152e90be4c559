/** Query-string parameters of search (API and page), validated into a SearchRequest or a message for a 400. */
import { z } from 'zod';
import { parseDay } from '../domain/periods.ts';
import type { SearchRequest } from './search-service.ts';

export interface SearchParamLimits {
  maxQueryLength: number;
  maxLimit: number;
  defaultLimit: number;
}

/** The search page's limits (also what a followed saved search was checked against). */
export const SEARCH_PAGE_LIMITS: SearchParamLimits = { maxQueryLength: 1000, maxLimit: 50, defaultLimit: 20 };

const day = (name: string) => z.string().refine((s) => parseDay(s) !== null, `${name} must be a real YYYY-MM-DD`);

/** The query of search as it arrives (the API and the page); also what /api/openapi.json shows. */
export const searchQuery = z.object({
  q: z
    .string()
    .default('')
    .meta({
      description:
        'Words (all of them), "a phrase", -exclusions, word* prefixes; an arXiv id or address finds that paper alone',
      examples: ['diffusion transformer'],
    }),
  from: day('from').optional().meta({ description: 'Published on or after, YYYY-MM-DD' }),
  to: day('to').optional().meta({ description: 'Published on or before, YYYY-MM-DD' }),
  org: z.string().max(100, 'org is too long').optional().meta({ description: 'Organization, by handle or name' }),
  category: z
    .string()
    .regex(/^[a-z-]+(\.[A-Za-z-]+)?$/, 'category must look like cs.CL')
    .optional()
    .meta({ description: 'arXiv category, e.g. cs.CL' }),
  has_code: z
    .enum(['0', '1', 'true', 'false'], { message: 'has_code must be 1 or 0' })
    .optional()
    .meta({ description: '1: only papers with a code repository' }),
  sort: z
    .enum(['relevance', 'date', 'upvotes'], { message: 'sort must be relevance, date or upvotes' })
    .default('relevance')
    .meta({ description: 'date and upvotes order the papers that contain the words' }),
  mode: z
    .enum(['hybrid', 'lexical', 'vector'], { message: 'mode must be hybrid, lexical or vector' })
    .default('hybrid')
    .meta({ description: 'hybrid: words and meaning fused; lexical: words only; vector: meaning only' }),
  p: z
    .string()
    .regex(/^\d{1,6}$/, 'p must be a page number from 0')
    .default('0')
    .meta({ description: 'Page, from 0' }),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'limit must be a whole number')
    .optional()
    .meta({ description: 'Results per page' }),
  explain: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .meta({ description: '1: each result says how it was ranked' }),
});

export type ParsedSearchParams =
  | { ok: true; request: SearchRequest; explain: boolean; page: number }
  | { ok: false; error: string };

export function parseSearchParams(raw: Record<string, string>, limits: SearchParamLimits): ParsedSearchParams {
  const parsed = searchQuery.safeParse(raw);
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]!.message };
  const v = parsed.data;
  if (v.q.length > limits.maxQueryLength)
    return { ok: false, error: `q is longer than ${limits.maxQueryLength} characters` };
  const limit = v.limit === undefined ? limits.defaultLimit : Number(v.limit);
  if (limit < 1 || limit > limits.maxLimit)
    return { ok: false, error: `limit must be between 1 and ${limits.maxLimit}` };
  if (v.from && v.to && v.from > v.to) return { ok: false, error: 'from is after to' };
  const page = Number(v.p);
  return {
    ok: true,
    page,
    explain: v.explain === '1' || v.explain === 'true',
    request: {
      q: v.q,
      filters: {
        fromDay: v.from,
        toDay: v.to,
        organization: v.org || undefined,
        category: v.category,
        hasCode: v.has_code === '1' || v.has_code === 'true' ? true : undefined,
      },
      sort: v.sort,
      mode: v.mode,
      offset: page * limit,
      limit,
    },
  };
}
