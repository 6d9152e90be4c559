/** "Get trending papers in your email inbox": the banner of feed and paper pages, and the form of /digest. */
import { html } from 'hono/html';
import type { Html } from '../html.ts';
import { csrfField } from '../csrf.ts';
import type { DigestFrequency } from '../../store/subscription-store.ts';

export interface SubscribeFormState {
  email?: string | undefined;
  frequency?: DigestFrequency | undefined;
  /** Shown above the field, tied to it for screen readers. */
  error?: string | undefined;
  /** CSRF token of a signed-in viewer (anonymous forms are checked by origin). */
  csrfToken?: string | null | undefined;
}

/**
 * The banner: one line on a wide screen. On a phone it folds into its one-line pitch (a <details>, so it opens
 * without JavaScript) and leaves the first paper above the fold; a wide screen shows it open whatever the
 * element's state (style.css). It is open from the start when it carries an address or an error.
 */
export function subscribeBox(state: SubscribeFormState = {}): Html {
  const open = state.error !== undefined || (state.email ?? '') !== '';
  return html`<aside class="subscribe-banner" aria-label="Email digest">
<details class="container subscribe-banner-inner"${open ? ' open' : ''}>
<summary class="subscribe-pitch"><span class="subscribe-icon" aria-hidden="true">✉</span> Get trending papers<span class="subscribe-pitch-wide"> in your email inbox!</span><span class="subscribe-pitch-narrow"> by email</span></summary>
${subscribeForm({ ...state, compact: true })}
</details>
</aside>`;
}

export function subscribeForm(state: SubscribeFormState & { compact?: boolean } = {}): Html {
  const frequency = state.frequency ?? 'daily';
  const id = state.compact ? 'subscribe-banner' : 'subscribe';
  return html`<form class="subscribe-form${state.compact ? ' subscribe-form-compact' : ''}" method="post" action="/digest/subscribe" novalidate>
${csrfField(state.csrfToken ?? null)}
${state.error ? html`<p class="subscribe-error" id="${id}-error" role="alert">${state.error}</p>` : ''}
<label class="${state.compact ? 'sr-only' : 'subscribe-label'}" for="${id}-email">Email address</label>
<input id="${id}-email" class="subscribe-email" type="email" name="email" autocomplete="email" inputmode="email" required
  maxlength="254" placeholder="you@example.org" value="${state.email ?? ''}"${state.error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}>
<label class="${state.compact ? 'sr-only' : 'subscribe-label'}" for="${id}-frequency">How often</label>
<select id="${id}-frequency" class="subscribe-frequency" name="frequency">
<option value="daily"${frequency === 'daily' ? ' selected' : ''}>Daily</option>
<option value="weekly"${frequency === 'weekly' ? ' selected' : ''}>Weekly</option>
</select>
<button class="button button-primary subscribe-button" type="submit">Subscribe</button>
</form>`;
}
