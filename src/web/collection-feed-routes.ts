/**
 * A collection for programs: its feed (RSS, Atom, JSON Feed) and its JSON at /api/collections/ID. A private
 * collection answers only its owner, like its page (collection-access.ts).
 */
import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { FEED_CONTENT_TYPES, renderFeed, type FeedSpec } from '../feeds/render.ts';
import { splitFeedFile } from './feed-routes.ts';
import { collectionFeed, collectionUrl } from './pages/collection-pages.ts';
import { collectionPapers, visibleCollection } from './collection-access.ts';

const FEED_CACHE_CONTROL = 'public, max-age=300';

export function registerCollectionFeedRoutes(app: Hono, ctx: AppContext): void {
  const { store } = ctx;

  app.get('/feeds/collections/:file', async (c) => {
    const file = splitFeedFile(c.req.param('file'));
    const found = file ? await visibleCollection(store, c, file.name) : null;
    if (!file || !found)
      return c.text('Not found: there is no public collection at this address.\n', 404, {
        'X-Content-Type-Options': 'nosniff',
      });
    const { collection } = found;
    const { papers, addedAt } = await collectionPapers(store, collection);
    const identity = await ctx.identity.current();
    const spec: FeedSpec = {
      title: `${collection.name} — a collection by @${collection.ownerName}`,
      description: collection.description || `Papers collected by @${collection.ownerName} on ${identity.name}.`,
      pagePath: collectionUrl(collection.id),
      feedPath: collectionFeed(collection.id),
      entries: papers.map((paper) => ({ paper, date: new Date(addedAt.get(paper.id) ?? paper.publishedAt) })),
      emptyUpdated: new Date(collection.updatedAt),
    };
    const body = renderFeed(spec, file.format, ctx.config.publicUrl, identity.name);
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    const headers = { 'Cache-Control': collection.isPublic ? FEED_CACHE_CONTROL : 'private, no-store', ETag: etag };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    return c.body(body, 200, { ...headers, 'Content-Type': FEED_CONTENT_TYPES[file.format] });
  });

  app.get('/api/collections/:id', async (c) => {
    const found = await visibleCollection(store, c, c.req.param('id'));
    if (!found) return c.json({ error: 'Not found' }, 404);
    const { collection } = found;
    const { papers, addedAt } = await collectionPapers(store, collection);
    if (!collection.isPublic) c.header('Cache-Control', 'private, no-store');
    return c.json({
      id: collection.id,
      name: collection.name,
      description: collection.description,
      owner: collection.ownerName,
      public: collection.isPublic,
      createdAt: collection.createdAt,
      updatedAt: collection.updatedAt,
      papers: papers.map((p, position) => ({ id: p.id, title: p.title, position, addedAt: addedAt.get(p.id) ?? null })),
    });
  });
}
