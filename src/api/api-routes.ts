/**
 * Every route of the JSON API (and the paper's Markdown), declared once: handlers validate with these
 * schemas, /api/openapi.json lists them. A new route goes into API_ROUTES (see route-registry.ts).
 */
import { z } from 'zod';
import { searchQuery } from '../search/search-params.ts';
import { dailyPapersQuery, papersQuery } from './daily-papers-params.ts';
import { apiRoute, type ApiResponseSpec, type ApiRouteSpec } from './route-registry.ts';
import {
  ApiError,
  Collection,
  DailyItemList,
  FlatPaper,
  FlatPaperList,
  OpenApiDocument,
  SearchItemList,
  SearchResponse,
} from './api-schemas.ts';

const error = (description: string): ApiResponseSpec => ({ description, schema: ApiError });

const paperId = z.object({
  id: z.string().meta({ description: 'arXiv id (2607.12345, or old-style hep-th/9901001)', examples: ['2607.12345'] }),
});

export const dailyPapersRoute = apiRoute({
  method: 'get',
  path: '/api/daily_papers',
  summary: 'Papers of the daily feed',
  description:
    'Without date, week or month: every day, newest first. Within a period: most upvoted first. Give at most one of date, week and month.',
  tags: ['papers'],
  query: dailyPapersQuery,
  responses: { 200: { description: 'Items', schema: DailyItemList }, 400: error('Invalid parameter') },
  example: '/api/daily_papers?date=2025-06-02&limit=5',
});

export const papersRoute = apiRoute({
  method: 'get',
  path: '/api/papers',
  summary: 'All papers, newest first, by cursor',
  tags: ['papers'],
  query: papersQuery,
  responses: {
    200: {
      description: 'Papers',
      schema: FlatPaperList,
      headers: { Link: 'The next page: <…?cursor=…>; rel="next" (absent on the last page)' },
    },
    400: error('Invalid cursor or limit'),
  },
  example: '/api/papers?limit=3',
});

/** The Hugging Face search: a query and a page size. */
export const hfSearchQuery = searchQuery.pick({ limit: true }).extend({
  q: z
    .string({ error: 'q is required' })
    .trim()
    .min(1, 'q is required')
    .meta({ description: 'The search', examples: ['diffusion'] }),
});

export const hfSearchRoute = apiRoute({
  method: 'get',
  path: '/api/papers/search',
  summary: 'Search, in the shape of the Hugging Face papers search',
  description: 'Hybrid search (words and meaning), at most 120 results; /api/search says more.',
  tags: ['search'],
  query: hfSearchQuery,
  responses: { 200: { description: 'Results, best first', schema: SearchItemList }, 400: error('Invalid query') },
  example: '/api/papers/search?q=language%20model&limit=5',
});

export const paperRoute = apiRoute({
  method: 'get',
  path: '/api/papers/{id}',
  summary: 'One paper',
  tags: ['papers'],
  params: paperId,
  responses: { 200: { description: 'The paper', schema: FlatPaper }, 404: error('Unknown paper') },
});

export const searchRoute = apiRoute({
  method: 'get',
  path: '/api/search',
  summary: 'Search, with totals, filters, sorting and paging',
  description:
    'The match set is exact: `total` counts every paper that contains the words plus those close in meaning; `lexicalTotal` those that contain the words. Sorting by date or upvotes orders the papers that contain the words.',
  tags: ['search'],
  query: searchQuery,
  responses: { 200: { description: 'A page of results', schema: SearchResponse }, 400: error('Invalid parameter') },
  example: '/api/search?q=diffusion&limit=5&explain=1',
});

export const collectionRoute = apiRoute({
  method: 'get',
  path: '/api/collections/{id}',
  summary: 'A collection and its papers',
  description: 'Public collections answer everyone; a private one only its owner (signed in).',
  tags: ['collections'],
  params: z.object({ id: z.string().meta({ description: 'The collection’s id' }) }),
  responses: { 200: { description: 'The collection', schema: Collection }, 404: error('No such visible collection') },
});

export const openApiRoute = apiRoute({
  method: 'get',
  path: '/api/openapi.json',
  summary: 'This description of the API (OpenAPI 3.1)',
  tags: ['meta'],
  responses: { 200: { description: 'The document', schema: OpenApiDocument } },
  example: '/api/openapi.json',
});

export const paperMarkdownRoute = apiRoute({
  method: 'get',
  path: '/papers/{id}.md',
  summary: 'One paper as Markdown',
  description: 'The same text answers GET /papers/{id} with `Accept: text/markdown`.',
  tags: ['papers'],
  params: paperId,
  responses: {
    200: { description: 'Markdown', schema: z.string(), contentType: 'text/markdown' },
    404: { description: 'Unknown paper', schema: z.string(), contentType: 'text/plain' },
  },
});

export const API_ROUTES: readonly ApiRouteSpec[] = [
  dailyPapersRoute,
  papersRoute,
  hfSearchRoute,
  paperRoute,
  searchRoute,
  collectionRoute,
  openApiRoute,
  paperMarkdownRoute,
];
