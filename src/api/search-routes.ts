/** Search over the API: the Hugging Face shape at /api/papers/search, and a richer /api/search. */
import type { Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { parseSearchParams } from '../search/search-params.ts';
import type { SearchResult } from '../search/search-service.ts';
import { hfNumComments, toHfPaper, toHfOrganization } from './hf-shapes.ts';
import { apiError } from './api-error.ts';
import { parseRequest } from './route-registry.ts';
import { hfSearchRoute } from './api-routes.ts';

function hfSearchItem(result: SearchResult, participating: ReadonlySet<string>) {
  const { paper } = result;
  return {
    paper: toHfPaper(paper),
    title: paper.title,
    summary: paper.summary,
    publishedAt: paper.publishedAt,
    numComments: hfNumComments(paper),
    isAuthorParticipating: participating.has(paper.id),
    ...(paper.organization !== null && { organization: toHfOrganization(paper.organization) }),
    ...(paper.aiSummary !== null && { ai_summary: paper.aiSummary }),
    ...(paper.aiKeywords.length > 0 && { ai_keywords: paper.aiKeywords }),
    ...(paper.githubRepo !== null && { githubRepo: paper.githubRepo }),
    ...(paper.githubStars !== null && { githubStars: paper.githubStars }),
    ...(paper.projectPage !== null && { projectPage: paper.projectPage }),
  };
}

export function registerSearchApi(app: Hono, { search, store }: AppContext): void {
  const participatingIn = (results: SearchResult[]) =>
    store.claims.papersWithAuthorComments(results.map((r) => r.paper.id));
  app.get('/api/papers/search', async (c) => {
    const request = await parseRequest(hfSearchRoute, c);
    if (!request.ok) return apiError(c, 400, request.error);
    const { q, limit } = request.query;
    const parsed = parseSearchParams(
      { q, ...(limit !== undefined && { limit }) },
      { maxQueryLength: 250, maxLimit: 120, defaultLimit: 20 },
    );
    if (!parsed.ok) return apiError(c, 400, parsed.error);
    const response = await search.search(parsed.request);
    const participating = await participatingIn(response.results);
    return c.json(response.results.map((r) => hfSearchItem(r, participating)));
  });

  app.get('/api/search', async (c) => {
    const parsed = parseSearchParams(c.req.query(), { maxQueryLength: 1000, maxLimit: 100, defaultLimit: 20 });
    if (!parsed.ok) return apiError(c, 400, parsed.error);
    const response = await search.search(parsed.request);
    const participating = await participatingIn(response.results);
    return c.json({
      query: parsed.request.q,
      mode: response.mode,
      notice: response.notice,
      total: response.total,
      lexicalTotal: response.lexicalTotal,
      ...(response.suggestion && { suggestion: response.suggestion }),
      page: parsed.page,
      limit: parsed.request.limit,
      results: response.results.map((result) => ({
        ...hfSearchItem(result, participating),
        ...(parsed.explain && {
          explain: {
            lexicalRank: result.lexicalRank,
            vectorRank: result.vectorRank,
            fusedScore: Number.isFinite(result.score) ? result.score : 'exact match',
          },
        }),
      })),
    });
  });
}
