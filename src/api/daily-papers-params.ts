/** Query parameters of GET /api/daily_papers, validated into a store query (or a message for a 400). */
import { z } from 'zod';
import { parsePeriod, type Period } from '../domain/periods.ts';
import type { DailyQuery, DailySort } from '../store/store.ts';

export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 50;
/** The first and last days that a query without a period covers. */
const ALL_DAYS = { firstDay: '0000-01-01', lastDay: '9999-12-31' };

const integer = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);

const limitParam = integer('limit', 1, MAX_LIMIT)
  .optional()
  .meta({ description: `Items per page, 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT})`, examples: ['20'] });

/** GET /api/daily_papers: the query as it arrives, validated (also what /api/openapi.json shows). */
export const dailyPapersQuery = z.object({
  date: z
    .string()
    .optional()
    .meta({ description: 'A day, YYYY-MM-DD', examples: ['2026-07-24'] }),
  week: z
    .string()
    .optional()
    .meta({ description: 'An ISO week, YYYY-Www', examples: ['2026-W30'] }),
  month: z
    .string()
    .optional()
    .meta({ description: 'A month, YYYY-MM', examples: ['2026-07'] }),
  sort: z.enum(['publishedAt', 'trending'], { message: 'sort must be publishedAt or trending' }).optional().meta({
    description:
      'publishedAt: newest first; trending: the trending score (/about/trending). Default: newest first without a period, most upvoted first within one',
  }),
  submitter: z
    .string()
    .min(1)
    .max(100, 'submitter is too long')
    .optional()
    .meta({ description: 'Only papers submitted by this member (handle)' }),
  p: integer('p', 0, 1_000_000).optional().meta({ description: 'Page, from 0' }),
  limit: limitParam,
});

/** GET /api/papers: a cursor page. */
export const papersQuery = z.object({
  cursor: z
    .string()
    .max(200, 'invalid cursor')
    .optional()
    .meta({ description: 'From the Link rel="next" header of the previous page' }),
  limit: limitParam,
});

export type ParsedDailyParams = { ok: true; query: DailyQuery; period: Period | null } | { ok: false; error: string };

export function parseDailyPapersParams(raw: Record<string, string>): ParsedDailyParams {
  const parsed = dailyPapersQuery.safeParse(raw);
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]!.message };
  const q = parsed.data;
  const given = (['date', 'week', 'month'] as const).filter((k) => q[k] !== undefined);
  if (given.length > 1) return { ok: false, error: 'give at most one of date, week and month' };
  let period: Period | null = null;
  if (given.length === 1) {
    const key = given[0]!;
    const kind = key === 'date' ? 'day' : key;
    period = parsePeriod(kind, q[key]!);
    if (!period) {
      const format = { date: 'YYYY-MM-DD', week: 'YYYY-Www', month: 'YYYY-MM' }[key];
      return { ok: false, error: `invalid ${key}: expected a real ${format}` };
    }
  }
  const sort: DailySort = q.sort ?? (period ? 'upvotes' : 'latest');
  const limit = q.limit ?? DEFAULT_LIMIT;
  return {
    ok: true,
    period,
    query: {
      firstDay: period?.firstDay ?? ALL_DAYS.firstDay,
      lastDay: period?.lastDay ?? ALL_DAYS.lastDay,
      sort,
      submitter: q.submitter,
      offset: (q.p ?? 0) * limit,
      limit,
    },
  };
}
