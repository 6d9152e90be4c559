/**
 * Who may read (PAPERBOY_READ). On a members-only instance this middleware is the one place that decides
 * whether a request may see anything: a signed-in member may; a feed request carrying a member's private key
 * (`?key=`, community/feed-keys.ts) may read that feed without a cookie; strangers may open only what they need
 * to become or stop being a reader (the sign-in flow, invitation links, unsubscribe and confirm links that carry
 * their own signed token), static files and the accent stylesheet, the instance's logo (the sign-in page shows
 * it), /healthz and /metrics (which has its own token). Everything else redirects to the sign-in form (pages) or
 * answers 401 (API, /mcp, feeds). A member's personal access token (on /api/ and /mcp) counts as the member: the
 * auth middleware (web/auth/auth.ts) found them by it.
 *
 * Answers on a members-only instance are private: no shared proxy or browser cache keeps them. The response
 * caches of the process serve only requests that got past this check.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppContext } from '../../http/app-context.ts';
import { feedKeyOf, readerOfFeedKey } from '../../community/feed-keys.ts';
import { signInUrl } from '../../domain/urls.ts';
import { MCP_PATH } from '../../mcp/server.ts';

const OPEN_PATHS = new Set(['/signin', '/signin/verify', '/signout', '/signout/everywhere', '/healthz', '/metrics']);
const OPEN_PREFIXES = ['/static/', '/theme/', '/invite/', '/unsubscribe/', '/digest/confirm/'];
const FEED_PREFIX = '/feeds/';

/** Whether a stranger may open this path on a members-only instance. */
export function openToStrangers(path: string): boolean {
  return OPEN_PATHS.has(path) || OPEN_PREFIXES.some((prefix) => path.startsWith(prefix));
}

export function readAccess(ctx: AppContext): MiddlewareHandler {
  if (ctx.config.access.read === 'public') return async (_c, next) => next();
  let secret: string | null = null;
  return async (c, next) => {
    const auth = c.get('auth');
    const path = c.req.path;
    if (auth.account) {
      // Feed links on the member's pages carry their key (http/viewer.ts withFeedKey).
      secret ??= await ctx.store.community.instanceSecret();
      auth.feedKey = await feedKeyOf(ctx.store.access, secret, auth.account.id);
    } else if (!openToStrangers(path) && path !== c.get('identity')?.logo) {
      const key = path.startsWith(FEED_PREFIX) ? c.req.query('key') : undefined;
      if (key === undefined || !(await readerOfFeedKey(ctx.store.access, key))) return refuse(c, path);
    }
    await next();
    if (!path.startsWith('/static/')) c.res.headers.set('Cache-Control', 'private, no-store');
  };
}

function refuse(c: Context, path: string): Response {
  const headers = { 'Cache-Control': 'no-store' };
  if (path.startsWith('/api/') || path === MCP_PATH) {
    return c.json(
      {
        error:
          'This instance is for its members only: sign in, or send a personal access token (feeds: your feed key).',
      },
      401,
      headers,
    );
  }
  if (path.startsWith(FEED_PREFIX)) {
    return c.text(
      'This feed is for members only: use the feed address with your private key, shown in your settings.\n',
      401,
      headers,
    );
  }
  const url = new URL(c.req.url);
  const next = c.req.method === 'GET' ? `${url.pathname}${url.search}` : '/';
  return c.redirect(signInUrl(next), 303);
}
