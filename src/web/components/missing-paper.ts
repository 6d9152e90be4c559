/** An arXiv id that Paperboy does not have (searched for, or its page asked for): where to read it, and how to bring it here. */
import { html } from 'hono/html';
import type { Html } from '../html.ts';
import { emptyState } from './empty-state.ts';
import { arxivAbsUrl, submitUrl } from '../../domain/urls.ts';

export function missingPaper(id: string): Html {
  return emptyState(
    `Paperboy does not have arXiv ${id}`,
    html`<ul class="empty-tips">
<li>Read it on arXiv: <a href="${arxivAbsUrl(id)}">${arxivAbsUrl(id)}</a>.</li>
<li>Submit it to Daily Papers, so that others find it here.</li>
</ul>
<p class="empty-actions"><a class="button button-primary" href="${submitUrl(id)}">Submit arXiv ${id}</a> <a class="button" href="${arxivAbsUrl(id)}">Open on arXiv</a></p>`,
  );
}
