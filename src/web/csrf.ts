/** The hidden field that every POST form of a signed-in page carries (see web/auth/auth.ts). */
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Html } from './html.ts';
import { CSRF_FIELD } from './auth/auth.ts';

export function csrfField(token: string | null): Html {
  return token ? html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">` : html``;
}

/** The field for this request's session (empty when signed out: anonymous forms are checked by origin). */
export function csrfInput(c: Context): Html {
  return csrfField(c.get('auth')?.csrfToken ?? null);
}
