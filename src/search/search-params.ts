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

const schema = z.object({
  q: z.string().default(''),
  from: day('from').optional(),
  to: day('to').optional(),
  org: z.string().max(100, 'org is too long').optional(),
  category: z
    .string()
    .regex(/^[a-z-]+(\.[A-Za-z-]+)?$/, 'category must look like cs.CL')
    .optional(),
  has_code: z.enum(['0', '1', 'true', 'false'], { message: 'has_code must be 1 or 0' }).optional(),
  sort: z
    .enum(['relevance', 'date', 'upvotes'], { message: 'sort must be relevance, date or upvotes' })
    .default('relevance'),
  mode: z
    .enum(['hybrid', 'lexical', 'vector'], { message: 'mode must be hybrid, lexical or vector' })
    .default('hybrid'),
  p: z
    .string()
    .regex(/^\d{1,6}$/, 'p must be a page number from 0')
    .default('0'),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'limit must be a whole number')
    .optional(),
  explain: z.enum(['0', '1', 'true', 'false']).optional(),
});

export type ParsedSearchParams =
  | { ok: true; request: SearchRequest; explain: boolean; page: number }
  | { ok: false; error: string };

export function parseSearchParams(raw: Record<string, string>, limits: SearchParamLimits): ParsedSearchParams {
  const parsed = schema.safeParse(raw);
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
