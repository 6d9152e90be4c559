/** The JSON API, in the shapes of the Hugging Face papers API. Handlers: parse, call the store, shape. */
import type { Hono } from 'hono';
import { apiError } from './api-error.ts';
import { registerSearchApi } from './search-routes.ts';
import type { AppContext } from '../http/app-context.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import { decodeCursor } from '../store/cursor.ts';
import { parseDailyPapersParams } from './daily-papers-params.ts';
import { parseRequest } from './route-registry.ts';
import { papersRoute } from './api-routes.ts';
import { toHfDailyItem, toHfFlatPaper } from './hf-shapes.ts';
import { MARKDOWN, paperMarkdown } from '../domain/paper-markdown.ts';
import { openApiDocument } from './openapi.ts';
import { withAuthorParticipation } from '../community/author-claims.ts';
import { serveCached, type Bytes } from '../http/compression.ts';

export const PAPERS_PAGE_SIZE = 50;

export function registerApi(app: Hono, ctx: AppContext): void {
  const { store, config } = ctx;
  registerSearchApi(app, ctx);
  const listCache = ctx.caches.apiLists;
  app.get('/api/daily_papers', async (c) => {
    const parsed = parseDailyPapersParams(c.req.query());
    if (!parsed.ok) return apiError(c, 400, parsed.error);
    const key = `${await store.dataVersion()}:${JSON.stringify(parsed.query)}`;
    return serveCached(c, listCache, key, 'application/json', async () =>
      Buffer.from(
        JSON.stringify((await withAuthorParticipation(store, await store.listDaily(parsed.query))).map(toHfDailyItem)),
      ),
    );
  });

  app.get('/api/papers', async (c) => {
    const parsed = await parseRequest(papersRoute, c);
    if (!parsed.ok) return apiError(c, 400, parsed.error);
    const cursor = parsed.query.cursor ?? null;
    if (cursor !== null && decodeCursor(cursor) === null) return apiError(c, 400, 'invalid cursor');
    const page = await store.listPapers(cursor, parsed.query.limit ?? PAPERS_PAGE_SIZE);
    if (page.nextCursor) {
      // The request's own query string, so the next page keeps its limit.
      const next = new URL(c.req.url);
      next.searchParams.set('cursor', page.nextCursor);
      c.header('Link', `<${config.publicUrl}${next.pathname}${next.search}>; rel="next"`);
    }
    return c.json(page.papers.map(toHfFlatPaper));
  });

  app.get('/api/papers/:id{.+}', async (c) => {
    const id = normalizeArxivId(c.req.param('id'));
    const paper = id ? await store.getPaper(id) : null;
    if (!paper) return apiError(c, 404, `Paper not found: ${c.req.param('id').slice(0, 100)}`);
    return c.json(toHfFlatPaper(paper));
  });

  app.get('/papers/:id{.+\\.md}', async (c) => {
    const raw = c.req.param('id').slice(0, -'.md'.length);
    const id = normalizeArxivId(raw);
    const paper = id ? await store.getPaper(id) : null;
    if (!paper) return c.text(`Paper not found: ${raw.slice(0, 100)}\n`, 404);
    c.header('Content-Type', MARKDOWN);
    return c.body(paperMarkdown(paper, config.publicUrl));
  });

  // Built once: the routes do not change while the process runs.
  const openApi = Buffer.from(JSON.stringify(openApiDocument(config.publicUrl)));
  const openApiCopies = new Map<string, Bytes>();
  app.get('/api/openapi.json', (c) =>
    serveCached(c, openApiCopies, 'openapi', 'application/json', async () => openApi),
  );
}
