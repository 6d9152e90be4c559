/** /admin/roles: the instance's administrators and moderators; administrators grant and revoke the moderator role. */
import { html } from 'hono/html';
import type { Account } from '../../store/community-store.ts';
import type { PageOptions } from '../layout.ts';
import { csrfField } from '../csrf.ts';
import { memberUrl } from '../../domain/urls.ts';
import type { Viewer } from '../../http/viewer.ts';

export function rolesPage(
  viewer: Viewer,
  staff: Account[],
  options: { error?: string | undefined; name?: string } = {},
): PageOptions {
  return {
    title: 'Roles',
    viewer,
    body: html`<h1 class="page-title">Roles</h1>
<p class="lead">Moderators hide papers and comments and ban members, each with a reason in the <a href="/moderation">moderation log</a>. They cannot act on moderators or administrators. Administrators are added with <code>paperboy admin add EMAIL</code> by whoever runs the instance.</p>
${options.error ? html`<p class="notice notice-error" role="alert">${options.error}</p>` : ''}
<section class="profile-section" aria-labelledby="staff-heading">
<h2 id="staff-heading" class="section-heading">Administrators and moderators</h2>
<ul class="moderation-list">${staff.map(
      (account) => html`<li>
<a href="${memberUrl(account.name)}"><strong>${account.fullname}</strong> @${account.name}</a> <span class="muted">${account.role === 'admin' ? 'administrator' : 'moderator'}</span>
${
  account.role === 'moderator'
    ? html`<form method="post" action="/admin/roles" class="inline-form">${csrfField(viewer.csrfToken)}
<input type="hidden" name="name" value="${account.name}"><input type="hidden" name="role" value="member">
<label class="sr-only" for="revoke-${account.id}">Reason for revoking</label>
<input id="revoke-${account.id}" name="reason" required maxlength="500" placeholder="Reason">
<button type="submit" class="button">Revoke</button></form>`
    : ''
}
</li>`,
    )}</ul>
</section>
<section class="profile-section" aria-labelledby="grant-heading">
<h2 id="grant-heading" class="section-heading">Make a member a moderator</h2>
<form method="post" action="/admin/roles" class="stack-form">
${csrfField(viewer.csrfToken)}
<input type="hidden" name="role" value="moderator">
<label for="grant-name">Handle</label>
<input id="grant-name" name="name" required maxlength="60" value="${options.name ?? ''}" placeholder="jane-doe">
<label for="grant-reason">Reason (kept in the moderation log)</label>
<input id="grant-reason" name="reason" required maxlength="500">
<button type="submit" class="button button-primary">Make moderator</button>
</form>
</section>`,
  };
}
