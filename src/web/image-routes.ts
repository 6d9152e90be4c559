/**
 * GET /images/<sha256>.<ext>: an image the instance keeps (src/images/). The name is the hash of the bytes, so
 * what an address shows never changes and browsers keep it for a year without asking again.
 */
import type { Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';

export const IMMUTABLE = 'public, max-age=31536000, immutable';

export function registerImageRoutes(app: Hono, ctx: AppContext): void {
  app.get('/images/:file', async (c) => {
    const image = await ctx.images.read(c.req.param('file'));
    if (!image) return c.notFound();
    c.header('Cache-Control', IMMUTABLE);
    c.header('Content-Type', image.contentType);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('ETag', image.etag);
    if (c.req.header('if-none-match') === image.etag) return c.body(null, 304);
    return c.body(image.bytes);
  });
}
