/** Previous / next page links for long lists (?p=N). */
import { html } from 'hono/html';
import type { Html } from '../html.ts';
import { withPage } from '../urls.ts';

export function pagination(path: string, page: number, totalPages: number): Html {
  if (totalPages <= 1) return html``;
  return html`<nav class="pagination" aria-label="Pages">
${page > 1 ? html`<a class="button" rel="prev" href="${withPage(path, page - 1)}">← Previous page</a>` : html`<span></span>`}
<span class="pagination-status">Page ${page} of ${totalPages}</span>
${page < totalPages ? html`<a class="button" rel="next" href="${withPage(path, page + 1)}">Next page →</a>` : html`<span></span>`}
</nav>`;
}
