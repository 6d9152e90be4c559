/**
 * "Follow" on an organization's, an author's and a search's page: a form (no JavaScript needed) that follows
 * or unfollows; what is followed shows on /following and its new papers on /for-you. Signed out: a link to
 * sign in. Whether the member follows it is read by the handler (viewerFollows).
 */
import { html } from 'hono/html';
import type { FollowKind } from '../../store/collection-store.ts';
import type { Html } from '../html.ts';
import { csrfField } from '../csrf.ts';
import { signInUrl, type SearchState } from '../../domain/urls.ts';
import { searchFeedQuery } from '../../feeds/links.ts';
import type { Viewer } from '../../http/viewer.ts';

const NOUNS: Record<FollowKind, string> = {
  organization: 'this organization',
  author: 'this author',
  search: 'this search',
};

/** `target`: organization handle, author name, or the search's query string; `label`: what the member sees. */
export function followButton(
  kind: FollowKind,
  target: string,
  label: string,
  viewer: Viewer,
  following: boolean,
): Html {
  if (!viewer.account) {
    return html`<p class="follow"><a class="button follow-button" href="${signInUrl(viewer.returnTo)}" title="Sign in to follow ${NOUNS[kind]}">+ Follow</a></p>`;
  }
  return html`<form class="follow" method="post" action="${following ? '/unfollow' : '/follow'}">${csrfField(viewer.csrfToken)}<input type="hidden" name="kind" value="${kind}"><input type="hidden" name="target" value="${target}"><input type="hidden" name="label" value="${label}"><input type="hidden" name="return" value="${viewer.returnTo}"><button type="submit" class="button follow-button${following ? ' follow-on' : ''}" aria-pressed="${following ? 'true' : 'false'}" title="${following ? `Stop following ${NOUNS[kind]}` : `Follow ${NOUNS[kind]}: its new papers show on your “For you” page`}">${following ? '✓ Following' : '+ Follow'}</button></form>`;
}

/** What following a search stores: the search feed's query, newest first, whatever the page's mode. */
export function searchFollowTarget(state: SearchState): string {
  return searchFeedQuery({ ...state, mode: undefined }, 'date');
}
