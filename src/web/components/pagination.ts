/** Previous / next page links for long lists (?p=N). */
import { html } from 'hono/html';
import type { Html } from '../html.ts';
import { withPage } from '../../domain/urls.ts';

/** `at` is the address without ?p= (a plain list), or a function giving the address of a page (search). */
export function pagination(at: string | ((page: number) => string), page: number, totalPages: number): Html {
  if (totalPages <= 1) return html``;
  const url = typeof at === 'string' ? (n: number) => withPage(at, n) : at;
  return html`<nav class="pagination" aria-label="Pages">
${page > 1 ? html`<a class="button" rel="prev" href="${url(page - 1)}">← Previous page</a>` : html`<span></span>`}
<span class="pagination-status">Page ${page} of ${totalPages}</span>
${page < totalPages ? html`<a class="button" rel="next" href="${url(page + 1)}">Next page →</a>` : html`<span></span>`}
</nav>`;
}
