/**
 * The right end of the site header: "Submit" and the member's menu when signed in; "Submit" (through the
 * sign-in, which comes back to the form) and "Sign in" otherwise.
 */
import { html } from 'hono/html';
import type { Html } from '../html.ts';
import { csrfField } from '../csrf.ts';
import { memberUrl, signInUrl, submitUrl } from '../../domain/urls.ts';
import { isModerator, type Viewer } from '../../http/viewer.ts';
import { avatar } from './avatar.ts';
import { headerBadges } from './header-badges.ts';

export function accountMenu(viewer: Viewer | undefined): Html {
  const account = viewer?.account;
  if (!account)
    return html`<a class="button header-submit" href="${signInUrl(submitUrl())}">Submit</a>
<a class="button header-signin" href="${signInUrl(viewer?.returnTo)}">Sign in</a>`;
  return html`<a class="button header-submit" href="${submitUrl()}">Submit</a>${headerBadges(account)}
<details class="account-menu">
<summary aria-label="Your account">${avatar(account.fullname || account.name, account.avatarUrl, 'md')}</summary>
<div class="account-menu-panel">
<p class="account-menu-name"><strong>${account.fullname}</strong><span>@${account.name}</span></p>
<ul>
<li><a href="${memberUrl(account.name)}">Your profile</a></li>
<li><a href="/for-you">For you</a></li>
<li><a href="/collections">Collections</a></li>
<li><a href="/following">Following</a></li>
<li><a href="/settings">Settings</a></li>
${isModerator(account) ? html`<li><a href="/moderation">Moderation</a></li><li><a href="/moderation/claims">Author claims</a></li>` : ''}
${account.role === 'admin' ? html`<li><a href="/admin/roles">Roles</a></li><li><a href="/admin/invitations">Invitations</a></li><li><a href="/admin/claim-domains">Email domains</a></li><li><a href="/admin/settings">Instance settings</a></li>` : ''}
</ul>
<form method="post" action="/signout">${csrfField(viewer.csrfToken)}<button type="submit" class="link-like">Sign out</button></form>
</div>
</details>`;
}
