/**
 * Who is asking, and whether a state-changing request is genuine.
 *
 * - Sessions: the `pb_session` cookie holds a random id; the store keeps only its hash (shared by every web
 *   process). HttpOnly, SameSite=Lax, Secure when the public URL is https.
 * - CSRF: every request other than GET/HEAD/OPTIONS is checked. A signed-in request must carry the
 *   session's token (form field `_csrf` or header `X-CSRF-Token`). An anonymous request has no ambient
 *   authority to abuse; it must still come from one of our own pages (Origin, or Referer, of this site),
 *   which stops login CSRF. Paths under /unsubscribe/ are exempt: mail providers POST there (RFC 8058)
 *   and the signed token in the address is the proof.
 * - Tokens: `Authorization: Bearer` on /api/ and /mcp, and every request to /mcp, are handled apart (tokenAuth):
 *   no cookie, no CSRF, the Origin of /mcp checked.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Account } from '../../store/community-store.ts';
import type { AppContext } from '../../http/app-context.ts';
import type { AuthState } from '../../http/viewer.ts';
import { wantsJson } from '../../http/json-errors.ts';
import { hashToken, randomToken, sameSecret, sign } from '../../community/secrets.ts';
import { mayWrite, tokenHolder } from '../../community/api-tokens.ts';
import { MCP_PATH } from '../../mcp/server.ts';

export const SESSION_COOKIE = 'pb_session';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const CSRF_EXEMPT_PREFIXES = ['/unsubscribe/'];

export function authMiddleware(ctx: AppContext): MiddlewareHandler {
  let secret: string | null = null;
  return async (c, next) => {
    const path = c.req.path;
    // /metrics reads its own bearer token (the operator's scraper), and has no use for members. Other schemes
    // (Basic, from a proxy's password in front of the whole site) are not ours: the session decides.
    const header = c.req.header('authorization');
    const bearer = path !== '/metrics' && header !== undefined && /^bearer /i.test(header) ? header : undefined;
    if (bearer !== undefined || path === MCP_PATH) {
      const refused = await tokenAuth(c, ctx, bearer);
      if (refused) return refused;
      return next();
    }
    secret ??= await ctx.store.community.instanceSecret();
    const auth = await readSession(c, ctx, secret);
    c.set('auth', auth);
    if (!isSafeMethod(c.req.method) && !CSRF_EXEMPT_PREFIXES.some((p) => c.req.path.startsWith(p))) {
      const problem = await csrfProblem(c, auth, ctx.config.publicUrl);
      if (problem) return refuse(c, problem);
    }
    await next();
  };
}

/**
 * Requests of scripts and assistants: `Authorization: Bearer <personal access token>` on /api/ and /mcp, and
 * anything on /mcp. The session cookie is not read at all (a cookie never authorises /mcp, and a page open in
 * the member's browser cannot lend its session to a request that carries a token), and no CSRF check applies:
 * a token is not ambient authority, a browser never adds it by itself. What is refused, at once: a token
 * anywhere else, an unknown, malformed or revoked token, a banned or deleted member's, a read-only token on an
 * /api/ request that changes something, and a request to /mcp whose Origin is another site's (a page on a
 * rebound DNS name reaching a local instance). Without Origin (every non-browser client) /mcp is open like the
 * API, with the read tools only.
 */
async function tokenAuth(c: Context, ctx: AppContext, header: string | undefined): Promise<Response | null> {
  const path = c.req.path;
  const address = clientAddress(c, ctx.config.community.trustProxy);
  const origin = c.req.header('origin');
  if (path === MCP_PATH && origin !== undefined && origin !== new URL(ctx.config.publicUrl).origin)
    return c.json(
      { error: `Requests to ${MCP_PATH} from a web page must come from ${new URL(ctx.config.publicUrl).origin}.` },
      403,
    );
  c.set('auth', { account: null, sessionHash: null, csrfToken: null, address });
  if (header === undefined) return null;
  const challenge = {
    'WWW-Authenticate': 'Bearer realm="paperboy", error="invalid_token"',
    'Cache-Control': 'no-store',
  };
  if (path !== MCP_PATH && !path.startsWith('/api/'))
    return c.json(
      { error: `Access tokens work on /api/ and ${MCP_PATH} only; pages use the sign-in session.` },
      401,
      challenge,
    );
  const secret = /^Bearer +(\S+) *$/i.exec(header)?.[1];
  const holder = secret === undefined ? null : await tokenHolder(ctx.store.tokens, secret);
  if (!holder)
    return c.json(
      {
        error:
          'This access token is not valid: it was revoked, mistyped, or its member can no longer act. Make a new one in Settings.',
      },
      401,
      challenge,
    );
  const { account, token } = holder;
  if (!isSafeMethod(c.req.method) && path.startsWith('/api/') && !mayWrite(token.scope))
    return c.json(
      { error: 'This token may only read: make one with the write scope in Settings to change things.' },
      403,
    );
  c.set('auth', {
    account,
    sessionHash: null,
    csrfToken: null,
    address,
    token: { id: token.id, name: token.name, scope: token.scope },
  });
  return null;
}

async function readSession(c: Context, ctx: AppContext, secret: string): Promise<AuthState> {
  const address = clientAddress(c, ctx.config.community.trustProxy);
  const sessionId = getCookie(c, SESSION_COOKIE);
  if (!sessionId) return { account: null, sessionHash: null, csrfToken: null, address };
  const sessionHash = hashToken(sessionId);
  const session = await ctx.store.community.getSession(sessionHash, new Date());
  if (!session || session.account.bannedAt) {
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return { account: null, sessionHash: null, csrfToken: null, address };
  }
  return { account: session.account, sessionHash, csrfToken: sign(secret, `csrf:${session.csrfSecret}`), address };
}

async function csrfProblem(c: Context, auth: AuthState, publicUrl: string): Promise<string | null> {
  if (auth.csrfToken) {
    const sent = c.req.header(CSRF_HEADER) ?? (await formField(c, CSRF_FIELD));
    return sent && sameSecret(sent, auth.csrfToken)
      ? null
      : 'The form is out of date or was not sent from this site. Reload the page and try again.';
  }
  return fromOurSite(c, publicUrl)
    ? null
    : `This request did not come from a page of this site (${new URL(publicUrl).origin}; its operator sets that address as PUBLIC_URL).`;
}

/**
 * Our site is PUBLIC_URL's origin, and only that: the Host header is the client's to choose (a rebound DNS name
 * points a stranger's page at this server with its own name as Host), so it proves nothing.
 */
function fromOurSite(c: Context, publicUrl: string): boolean {
  const ours = new URL(publicUrl).origin;
  const origin = c.req.header('origin');
  if (origin) return origin === ours;
  const referer = c.req.header('referer');
  if (!referer) return false;
  try {
    return new URL(referer).origin === ours;
  } catch {
    return false;
  }
}

async function formField(c: Context, name: string): Promise<string | undefined> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data'))
    return undefined;
  const value = (await c.req.parseBody())[name];
  return typeof value === 'string' ? value : undefined;
}

function refuse(c: Context, message: string) {
  if (wantsJson(c)) return c.json({ error: message }, 403);
  return c.text(message, 403);
}

function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/**
 * The client's address. Behind `hops` trusted proxies, each appends the address it received the request from
 * to X-Forwarded-For (nginx's `$proxy_add_x_forwarded_for`), so only the last `hops` entries were written by
 * our proxies: the `hops`-th from the right is what the outermost one saw. Anything to its left came from the
 * client and is never used. With fewer entries than hops the request did not pass every proxy (or came
 * straight here), so no entry is trustworthy and the socket's peer is the answer.
 */
function clientAddress(c: Context, hops: number): string {
  if (hops > 0) {
    const entries = (c.req.header('x-forwarded-for') ?? '').split(',').map((entry) => entry.trim());
    const forwarded = entries.length >= hops ? entries[entries.length - hops] : undefined;
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // app.request() in tests has no socket
  }
}

/** Starts a session for the account and sets its cookie. */
export async function startSession(c: Context, ctx: AppContext, account: Account): Promise<void> {
  const id = randomToken();
  const expires = new Date(Date.now() + ctx.config.community.sessionDays * 86_400_000);
  await ctx.store.community.createSession(hashToken(id), account.id, randomToken(), expires);
  setCookie(c, SESSION_COOKIE, id, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: ctx.config.publicUrl.startsWith('https:'),
    expires,
  });
}

export async function endSession(c: Context, ctx: AppContext, everywhere: boolean): Promise<void> {
  const auth = c.get('auth');
  if (auth.account && everywhere) await ctx.store.community.deleteSessionsOf(auth.account.id);
  else if (auth.sessionHash) await ctx.store.community.deleteSession(auth.sessionHash);
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}
