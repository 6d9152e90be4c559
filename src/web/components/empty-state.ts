/** A friendly box where a list has nothing to show. */
import { html } from 'hono/html';
import type { Html } from '../html.ts';

export function emptyState(title: string, body: Html | string): Html {
  return html`<div class="empty-state"><h2>${title}</h2>${typeof body === 'string' ? html`<p>${body}</p>` : body}</div>`;
}
