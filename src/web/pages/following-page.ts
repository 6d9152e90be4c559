/** What a member follows (organizations, authors, searches), each with an unfollow button. */
import { html } from 'hono/html';
import type { Follow, FollowKind } from '../../store/collection-store.ts';
import { formatDay } from '../../domain/format.ts';
import type { PageOptions } from '../layout.ts';
import { csrfField } from '../csrf.ts';
import { emptyState } from '../components/empty-state.ts';
import { authorUrl, organizationUrl } from '../../domain/urls.ts';
import type { Viewer } from '../../http/viewer.ts';

export const KIND_LABELS: Record<FollowKind, string> = {
  organization: 'Organization',
  author: 'Author',
  search: 'Search',
};
const KIND_HEADINGS: Record<FollowKind, string> = {
  organization: 'Organizations',
  author: 'Authors',
  search: 'Searches',
};

export function followTargetUrl(follow: Pick<Follow, 'kind' | 'target'>): string {
  if (follow.kind === 'organization') return organizationUrl(follow.target);
  if (follow.kind === 'author') return authorUrl(follow.target);
  return `/search?${follow.target}`;
}

export function followingPage(viewer: Viewer, follows: Follow[], notice?: string): PageOptions {
  const csrf = csrfField(viewer.csrfToken);
  const groups = (['organization', 'author', 'search'] as const)
    .map((kind) => ({ kind, items: follows.filter((f) => f.kind === kind) }))
    .filter((g) => g.items.length > 0);
  const body = html`<section class="following">
<h1>Following</h1>
<p class="lead">New papers of what you follow show on your <a href="/for-you">For you</a> page and in your email digest.</p>
${notice ? html`<p class="notice notice-ok" role="status">${notice}</p>` : ''}
${groups.length === 0 ? emptyState('You follow nothing yet', html`<p>Press “Follow” on an organization's or an author's page, or on search results.</p>`) : ''}
${groups.map(
  (g) => html`<h2 class="section-heading">${KIND_HEADINGS[g.kind]}</h2>
<ul class="follow-list">${g.items.map(
    (f) => html`<li class="follow-row">
<a href="${followTargetUrl(f)}">${f.label}</a> <span class="muted">since ${formatDay(f.createdAt)}</span>
<form method="post" action="/unfollow">${csrf}<input type="hidden" name="kind" value="${f.kind}"><input type="hidden" name="target" value="${f.target}"><input type="hidden" name="return" value="/following"><button type="submit" class="button button-small" aria-label="Unfollow ${f.label}">Unfollow</button></form>
</li>`,
  )}</ul>`,
)}
</section>`;
  return { title: 'Following', viewer, body };
}
