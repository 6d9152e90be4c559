/**
 * The upvote control. Signed in: a form that POSTs (works without JavaScript; with it, client.js sends it
 * in the background and updates the count). Signed out: a link to sign in that comes back here.
 */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import { formatCount, plural } from '../../domain/format.ts';
import type { Html } from '../html.ts';
import { csrfField } from '../csrf.ts';
import { paperUrl, signInUrl } from '../../domain/urls.ts';
import type { Viewer } from '../../http/viewer.ts';

export function voteButton(paper: Paper, viewer: Viewer | undefined, size: 'card' | 'large' = 'card'): Html {
  const classes = size === 'large' ? 'vote vote-large' : 'vote';
  const label =
    size === 'large'
      ? html`<span class="vote-label">${paper.upvotes === 1 ? 'upvote' : 'upvotes'}</span>`
      : html`<span class="sr-only"> ${paper.upvotes === 1 ? 'upvote' : 'upvotes'}</span>`;
  const inner = html`<span class="vote-arrow" aria-hidden="true">▲</span><span class="vote-count">${formatCount(paper.upvotes)}</span>${label}`;
  if (!viewer?.account) {
    return html`<a class="${classes} vote-link" href="${signInUrl(viewer?.returnTo ?? paperUrl(paper.id))}" title="Sign in to upvote (${plural(paper.upvotes, 'upvote')})">${inner}</a>`;
  }
  const voted = viewer.voted.has(paper.id);
  return html`<form class="vote-form" method="post" action="${paperUrl(paper.id)}/upvote">${csrfField(viewer.csrfToken)}<input type="hidden" name="return" value="${viewer.returnTo}"><button type="submit" class="${classes}${voted ? ' vote-on' : ''}" aria-pressed="${voted ? 'true' : 'false'}" title="${voted ? 'Remove your upvote' : 'Upvote'} (${plural(paper.upvotes, 'upvote')})">${inner}</button></form>`;
}
