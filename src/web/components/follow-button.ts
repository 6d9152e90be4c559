/**
 * "Follow" on an organization's, an author's and a search's page: a form (no JavaScript needed) that follows
 * or unfollows; what is followed shows on /following and its new papers on /for-you. Signed out: a link to
 * sign in. Reads the member from the request (see save-control.ts), so the pages need only place it.
 */
import { html } from 'hono/html';
import type { FollowKind } from '../../store/collection-store.ts';
import type { Html } from '../html.ts';
import { csrfField } from '../csrf.ts';
import { signInUrl } from '../../domain/urls.ts';
import { currentMemberLists } from './save-control.ts';

const NOUNS: Record<FollowKind, string> = { organization: 'this organization', author: 'this author', search: 'this search' };

/** `target`: organization handle, author name, or the search's query string; `label`: what the member sees. */
export function followButton(kind: FollowKind, target: string, label: string): Html {
  const lists = currentMemberLists();
  if (!lists?.account) {
    return html`<p class="follow"><a class="button follow-button" href="${signInUrl(lists?.returnTo)}" title="Sign in to follow ${NOUNS[kind]}">+ Follow</a></p>`;
  }
  return (async () => {
    const following = await lists.isFollowing(kind, target);
    return html`<form class="follow" method="post" action="${following ? '/unfollow' : '/follow'}">${csrfField(lists.csrfToken)}<input type="hidden" name="kind" value="${kind}"><input type="hidden" name="target" value="${target}"><input type="hidden" name="label" value="${label}"><input type="hidden" name="return" value="${lists.returnTo}"><button type="submit" class="button follow-button${following ? ' follow-on' : ''}" aria-pressed="${following ? 'true' : 'false'}" title="${following ? `Stop following ${NOUNS[kind]}` : `Follow ${NOUNS[kind]}: its new papers show on your “For you” page`}">${following ? '✓ Following' : '+ Follow'}</button></form>`;
  })();
}
