/**
 * Pages that signed-out visitors share (feeds, papers, trending) are kept as encoded bytes under a key that
 * holds the store's data version, so a vote, comment or import makes them stale at once; each compressed copy
 * (br, gzip) is made once and kept beside the plain one (http/compression.ts). A signed-in member's page shows
 * their votes and carries their forms' token: it is rendered for them, never kept, never stored by a proxy or
 * browser cache.
 */
import type { Context } from 'hono';
import type { ResponseCache } from '../http/response-cache.ts';
import { serveCached, type Bytes } from '../http/compression.ts';
import { layout, type PageOptions } from './layout.ts';

export type PageBytes = Bytes;

const HTML = 'text/html; charset=UTF-8';

/** `render` gives the page, or a response of its own (a 404, say), which is never kept. */
export async function sharedPage(
  c: Context,
  cache: ResponseCache<PageBytes>,
  key: () => Promise<string>,
  render: () => Promise<PageOptions | Response>,
): Promise<Response> {
  return sharedBytes(c, cache, key, HTML, async () => {
    const page = await render();
    return page instanceof Response ? page : Buffer.from(await layout(page));
  });
}

/** As sharedPage, for bytes of any type (the Markdown of a paper page). */
export async function sharedBytes(
  c: Context,
  cache: ResponseCache<PageBytes>,
  key: () => Promise<string>,
  contentType: string,
  render: () => Promise<PageBytes | Response>,
): Promise<Response> {
  const signedIn = c.get('auth').account !== null;
  const cacheKey = signedIn ? null : await key();
  return serveCached(c, cache, cacheKey, contentType, render, signedIn ? { 'Cache-Control': 'no-store' } : {});
}
