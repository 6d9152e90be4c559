/**
 * Feed routes (addresses in src/feeds/links.ts, documented in docs/feeds.md). A feed is rendered once per
 * data version and address, then served from memory with an ETag; readers that poll get 304s. Bad input is a
 * 400 in plain text saying what is wrong; an unknown organization or author is a 404.
 */
import { createHash } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { parseDay } from '../domain/periods.ts';
import { authorFeedSpec, dailyFeed, organizationFeedSpec, searchFeedSpec, trendingFeed } from '../feeds/sources.ts';
import { FEED_CONTENT_TYPES, FEED_FORMATS, renderFeed, type FeedFormat, type FeedSpec } from '../feeds/render.ts';
import type { AppContext } from '../http/app-context.ts';
import { parseSearchPage } from './search-page-params.ts';
import { layout } from './layout.ts';
import { feedsPage } from './pages/feeds-page.ts';

/** Feed readers poll; a few minutes of freshness is what they expect. */
const CACHE_CONTROL = 'public, max-age=300';
/** C0 controls other than tab, CR and LF, and DEL: nothing a person types into a search. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** "name.rss" → name and format; null when the extension is not a feed format. */
export function splitFeedFile(file: string): { name: string; format: FeedFormat } | null {
  const dot = file.lastIndexOf('.');
  if (dot <= 0) return null;
  const format = file.slice(dot + 1) as FeedFormat;
  return FEED_FORMATS.includes(format) ? { name: file.slice(0, dot), format } : null;
}

export function registerFeeds(app: Hono, ctx: AppContext): void {
  const cache = ctx.caches.feeds;

  /** `variant` names the feed by its parsed parameters (never the raw address: junk parameters are not variants). */
  const serve = async (c: Context, format: FeedFormat, variant: string, load: () => Promise<FeedSpec | Response>) => {
    const key = `${await ctx.store.dataVersion()}:${ctx.search.embedder?.id ?? ''}:${format}:${variant}`;
    let body = cache.get(key);
    if (body === undefined) {
      const spec = await load();
      if (spec instanceof Response) return spec;
      // Read after the key's data version: a feed cached under a version shows that version's name, or a newer one.
      body = renderFeed(spec, format, ctx.config.publicUrl, (await ctx.identity.current()).name);
      cache.set(key, body);
    }
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    const headers = { 'Cache-Control': CACHE_CONTROL, ETag: etag };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    return c.body(body, 200, { ...headers, 'Content-Type': FEED_CONTENT_TYPES[format] });
  };

  const refuse = (c: Context, message: string) =>
    c.text(`Bad request: ${message}\n`, 400, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  const missing = (c: Context, message: string) =>
    c.text(`Not found: ${message}\n`, 404, { 'X-Content-Type-Options': 'nosniff' });

  app.get('/feeds', (c) => c.html(layout(feedsPage())));

  app.get('/feeds/:file', async (c) => {
    const file = splitFeedFile(c.req.param('file'));
    if (!file) return missing(c, 'feeds end in .rss, .atom or .json.');
    const { name, format } = file;
    if (name === 'daily') {
      const date = c.req.query('date');
      const day = date === undefined ? null : parseDay(date.trim());
      if (date !== undefined && !day) return refuse(c, 'date must be a real day written YYYY-MM-DD, e.g. 2026-07-24.');
      return serve(c, format, `daily:${day ?? ''}`, () => dailyFeed(ctx.store, day));
    }
    if (name === 'trending') return serve(c, format, 'trending', () => trendingFeed(ctx.store));
    if (name === 'search') {
      const q = c.req.query('q') ?? '';
      if (q.trim() === '') return refuse(c, 'a search feed needs a query, e.g. /feeds/search.rss?q=diffusion.');
      if (CONTROL.test(q)) return refuse(c, 'the query (q) contains control characters.');
      const input = parseSearchPage(c.req.query());
      if (!input.ok) return refuse(c, input.error);
      // Readers want what is new: newest first unless the address asks for another order.
      const sort = c.req.query('sort') === undefined ? 'date' : input.request.sort;
      const request = { ...input.request, sort };
      const state = { ...input.state, sort };
      return serve(c, format, `search:${JSON.stringify([request, state])}`, () =>
        searchFeedSpec(ctx.search, request, state),
      );
    }
    return missing(
      c,
      `there is no feed named “${name}”. Feeds: daily, trending, search, organizations/NAME, authors/NAME.`,
    );
  });

  app.get('/feeds/organizations/:file', async (c) => {
    const file = splitFeedFile(c.req.param('file'));
    if (!file) return missing(c, 'feeds end in .rss, .atom or .json.');
    return serve(
      c,
      file.format,
      `organization:${file.name}`,
      async () =>
        (await organizationFeedSpec(ctx.store, file.name)) ??
        missing(c, `Paperboy knows no organization named “${file.name}”.`),
    );
  });

  app.get('/feeds/authors/:file', async (c) => {
    const file = splitFeedFile(c.req.param('file'));
    if (!file) return missing(c, 'feeds end in .rss, .atom or .json.');
    return serve(
      c,
      file.format,
      `author:${file.name}`,
      async () =>
        (await authorFeedSpec(ctx.store, file.name)) ?? missing(c, `Paperboy knows no author named “${file.name}”.`),
    );
  });
}
