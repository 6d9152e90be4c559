/**
 * Who asks and who looks: the session the auth middleware (web/auth/auth.ts) found, the viewer a page is
 * rendered for, and the request being handled. Pages differ for signed-in members (their votes, their forms),
 * so they are not cached.
 */
import type { Context } from 'hono';
import { getContext } from 'hono/context-storage';
import type { Collection, FollowKind } from '../store/collection-store.ts';
import type { Account } from '../store/community-store.ts';
import type { TokenScope } from '../store/token-store.ts';
import type { Store } from '../store/store.ts';

/** Who is asking, as the auth middleware (web/auth/auth.ts) read it from the session cookie. */
export interface AuthState {
  account: Account | null;
  /** Hash of the session id (the store's key), when signed in. */
  sessionHash: string | null;
  /** The token this session's forms carry; null when signed out. */
  csrfToken: string | null;
  /** The client's address, for rate limits. */
  address: string;
  /** The member's private feed key, on a members-only instance (web/auth/read-access.ts); feed links carry it. */
  feedKey?: string | undefined;
  /** Set when the member was found by a personal access token (Authorization: Bearer) rather than a session. */
  token?: { id: number; name: string; scope: TokenScope } | undefined;
}

declare module 'hono' {
  interface ContextVariableMap {
    auth: AuthState;
  }
}

export interface Viewer {
  account: Account | null;
  csrfToken: string | null;
  /** Of the papers on the page, those the member upvoted. */
  voted: ReadonlySet<string>;
  /** The member's collections, for the Save controls of the papers on the page (none on a page without papers). */
  collections: readonly Collection[];
  /** Of the papers on the page, the ids of the member's collections that hold each. */
  saved: ReadonlyMap<string, readonly number[]>;
  /** The address of the page, where forms return to. */
  returnTo: string;
}

export function anonymousViewer(returnTo = '/'): Viewer {
  return { account: null, csrfToken: null, voted: new Set(), collections: [], saved: new Map(), returnTo };
}

/** The viewer of a page showing these papers: a member's votes and saves of them are read here, by the handler. */
export async function viewerFor(c: Context, store: Store, paperIds: readonly string[]): Promise<Viewer> {
  const auth = c.get('auth');
  const url = new URL(c.req.url);
  const returnTo = `${url.pathname}${url.search}`;
  if (!auth?.account) return anonymousViewer(returnTo);
  const { id } = auth.account;
  const hasPapers = paperIds.length > 0;
  // One query each, whatever the number of cards.
  const [voted, collections, saved] = await Promise.all([
    store.community.votedPapers(id, paperIds),
    hasPapers ? store.collections.collectionsOf(id) : [],
    hasPapers ? store.collections.collectionsHolding(id, paperIds) : new Map<string, number[]>(),
  ]);
  return { account: auth.account, csrfToken: auth.csrfToken, voted, collections, saved, returnTo };
}

/** Whether the viewer follows this organization, author or search, for its Follow button; signed out, no. */
export async function viewerFollows(store: Store, viewer: Viewer, kind: FollowKind, target: string): Promise<boolean> {
  return viewer.account ? store.collections.isFollowing(viewer.account.id, kind, target) : false;
}

export function isModerator(account: Account | null): boolean {
  return account !== null && (account.role === 'moderator' || account.role === 'admin');
}

/** A local path to go back to after a form; anything else (other sites, //host, odd schemes) goes home. */
export function safeReturnPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\'))
    return fallback;
  return /^[\x21-\x7e]{1,2000}$/.test(value) ? value : fallback;
}

/** The request being handled (hono/context-storage), or none outside a request, e.g. while an email is rendered. */
export function requestContext(): Context | undefined {
  try {
    return getContext();
  } catch {
    return undefined;
  }
}

/**
 * The signed-in member of the request being handled (without their votes or saves), for the site header of
 * pages whose handlers did not pass a viewer. Outside a request (e.g. rendering an email) there is none.
 */
export function requestViewer(): Viewer | undefined {
  const c = requestContext();
  if (!c) return undefined;
  const auth = c.get('auth');
  if (!auth?.account) return undefined;
  return { ...anonymousViewer(new URL(c.req.url).pathname), account: auth.account, csrfToken: auth.csrfToken };
}

/**
 * A feed address as shown to the member of the request: with their private key on a members-only instance
 * (so a feed reader, which has no cookie, can read it), as it is everywhere else.
 */
export function withFeedKey(href: string): string {
  const key = requestContext()?.get('auth')?.feedKey;
  if (!key) return href;
  return `${href}${href.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`;
}
