/** What the handlers of a member's own pages share: who is signed in, the way to sign in, a page never kept. */
import type { Context } from 'hono';
import type { Account } from '../store/community-store.ts';
import { signInUrl } from '../domain/urls.ts';
import { layout, type PageOptions } from './layout.ts';

export function signedIn(c: Context): Account | null {
  return c.get('auth').account;
}

/** To the sign-in page, coming back to `next` afterwards. */
export function toSignIn(c: Context, next: string) {
  return c.redirect(signInUrl(next), 303);
}

/** A page rendered for one member: no cache keeps it. */
export function memberPage(c: Context, options: PageOptions, status: 200 | 400 | 404 | 422 = 200) {
  c.header('Cache-Control', 'no-store');
  return c.html(layout(options), status);
}

/** The notice a page shows after a form sent the member back to it with ?done=KEY. */
export function doneNotice(c: Context, notices: Record<string, string>): string | undefined {
  return notices[c.req.query('done') ?? ''];
}
