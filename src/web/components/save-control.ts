/**
 * "Save" on a paper card and the paper page: a small form (no JavaScript needed) that puts the paper in one
 * of the member's collections or in a new one, and buttons that take it out again. What the member has (their
 * collections, which of them hold the page's papers) comes with the viewer the handler made (viewerFor).
 */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import { COLLECTION_NAME_MAX } from '../../store/collection-store.ts';
import type { Html } from '../html.ts';
import { csrfField } from '../csrf.ts';
import { paperUrl, signInUrl } from '../../domain/urls.ts';
import type { Viewer } from '../../http/viewer.ts';

/**
 * The control for one paper. `size` card: nothing for signed-out visitors (the vote already invites them);
 * page: a sign-in link for them.
 */
export function saveControl(paper: Paper, viewer: Viewer | undefined, size: 'card' | 'page' = 'card'): Html {
  if (!viewer?.account) {
    return size === 'page'
      ? html`<p class="save-signin"><a class="link-button" href="${signInUrl(paperUrl(paper.id))}"><span aria-hidden="true">☆</span> Sign in to save</a></p>`
      : html``;
  }
  const holding = viewer.saved.get(paper.id) ?? [];
  const held = viewer.collections.filter((c) => holding.includes(c.id));
  const free = viewer.collections.filter((c) => !holding.includes(c.id));
  const action = `${paperUrl(paper.id)}/save`;
  const csrf = csrfField(viewer.csrfToken);
  const back = html`<input type="hidden" name="return" value="${viewer.returnTo}">`;
  return html`<details class="save save-${size}">
<summary class="save-summary" title="${held.length > 0 ? `Saved in ${held.map((c) => c.name).join(', ')}` : 'Save to a collection'}"><span aria-hidden="true">${held.length > 0 ? '★' : '☆'}</span> ${held.length > 0 ? 'Saved' : 'Save'}<span class="sr-only">: ${paper.title}</span></summary>
<div class="save-panel">
<form method="post" action="${action}" class="save-form">${csrf}${back}
<label class="save-field"><span>Save to</span>
<select name="collection">${free.map((c) => html`<option value="${c.id}">${c.name}</option>`)}<option value="new"${free.length === 0 ? ' selected' : ''}>New collection…</option></select></label>
<label class="save-field"><span>New collection's name</span>
<input name="name" maxlength="${COLLECTION_NAME_MAX}" placeholder="Reading list"></label>
<button type="submit" class="button button-primary">Save</button>
</form>
${held.length > 0 ? html`<ul class="save-held">${held.map((c) => html`<li><form method="post" action="${paperUrl(paper.id)}/unsave">${csrf}${back}<input type="hidden" name="collection" value="${c.id}"><button type="submit" class="link-like">Remove from “${c.name}”</button></form></li>`)}</ul>` : ''}
<p class="save-more"><a href="/collections">Your collections</a></p>
</div>
</details>`;
}
