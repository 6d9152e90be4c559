/**
 * Pages that signed-out visitors share (feeds, papers, trending) are kept as encoded bytes under a key that
 * holds the store's data version, so a vote, comment or import makes them stale at once. A signed-in member's
 * page shows their votes and carries their forms' token: it is rendered for them, never kept, never stored
 * by a proxy or browser cache.
 */
import type { Context } from 'hono';
import type { ResponseCache } from '../http/response-cache.ts';
import { layout, type PageOptions } from './layout.ts';

export type PageBytes = Uint8Array<ArrayBuffer>;

/** `render` gives the page, or a response of its own (a 404, say), which is never kept. */
export async function sharedPage(
  c: Context,
  cache: ResponseCache<PageBytes>,
  key: () => Promise<string>,
  render: () => Promise<PageOptions | Response>,
): Promise<Response> {
  const signedIn = c.get('auth').account !== null;
  const cacheKey = signedIn ? null : await key();
  const cached = cacheKey === null ? undefined : cache.get(cacheKey);
  if (cached !== undefined) return htmlBytes(c, cached);
  const page = await render();
  if (page instanceof Response) return page;
  const rendered = Buffer.from(await layout(page));
  if (cacheKey === null) c.header('Cache-Control', 'no-store');
  else cache.set(cacheKey, rendered);
  return htmlBytes(c, rendered);
}

export function htmlBytes(c: Context, body: PageBytes) {
  return c.body(body, 200, { 'Content-Type': 'text/html; charset=UTF-8' });
}
