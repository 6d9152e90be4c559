/** 400, 404 and 500 pages: what went wrong, in words, and a way back. */
import { html } from 'hono/html';
import { layout } from '../layout.ts';
import type { Html } from '../html.ts';

export function renderErrorPage(status: number, title: string, message: string): Html {
  return layout({
    title,
    body: html`<div class="error-page">
<p class="error-status">Error ${status}</p>
<h1>${title}</h1>
<p class="error-message">${message}</p>
<p><a class="button" href="/papers">See the latest papers</a></p>
</div>`,
  });
}
