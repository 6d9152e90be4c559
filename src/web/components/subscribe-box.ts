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

/** The banner: one line on a wide screen, stacked on a phone; works without JavaScript. */
export function subscribeBox(state: SubscribeFormState = {}): Html {
  return html`<aside class="subscribe-banner" aria-label="Email digest">
<div class="container subscribe-banner-inner">
<p class="subscribe-pitch"><span class="subscribe-icon" aria-hidden="true">✉</span> Get trending papers in your email inbox!</p>
${subscribeForm({ ...state, compact: true })}
</div>
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
