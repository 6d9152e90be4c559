/** /admin/invitations: administrators make, list and revoke invitation links. */
import { html } from 'hono/html';
import type { Invitation } from '../../store/access-store.ts';
import type { PageOptions } from '../layout.ts';
import { csrfField } from '../csrf.ts';
import type { Viewer } from '../../http/viewer.ts';
import { formatDay } from '../../domain/format.ts';
import { INVITATION_DAYS, DEFAULT_INVITATION_DAYS } from '../../community/invitations.ts';

export interface InvitationsView {
  viewer: Viewer;
  invitations: Invitation[];
  /** The rule the sign-in form states (null: anyone may join, invitations only save typing). */
  joinRule: string | null;
  /** A link just made: shown this once, never stored. */
  made?: { link: string; invitation: Invitation } | undefined;
  error?: string | undefined;
  email?: string | undefined;
}

function state(invitation: Invitation, now: Date): string {
  if (invitation.usedAt)
    return `used ${formatDay(invitation.usedAt)}${invitation.usedBy ? ` by ${invitation.usedBy}` : ''}`;
  if (invitation.revokedAt) return `revoked ${formatDay(invitation.revokedAt)}`;
  if (invitation.expiresAt <= now.toISOString()) return `expired ${formatDay(invitation.expiresAt)}`;
  return `open until ${formatDay(invitation.expiresAt)}`;
}

export function invitationsPage(view: InvitationsView, now = new Date()): PageOptions {
  const { viewer } = view;
  return {
    title: 'Invitations',
    viewer,
    body: html`<h1 class="page-title">Invitations</h1>
<p class="lead">An invitation link lets one person join, once: opening it leads to the sign-in form, and the account is made when they follow the link emailed to them. ${view.joinRule ?? 'Anyone may join this instance; an invitation is a convenience.'} The command line makes them too: <code>paperboy admin invite [EMAIL]</code>.</p>
${view.error ? html`<p class="notice notice-error" role="alert">${view.error}</p>` : ''}
${
  view.made
    ? html`<div class="notice notice-ok" role="status"><p>Invitation made${view.made.invitation.email ? html` for <strong>${view.made.invitation.email}</strong>` : ''}. Copy the link now: it is not shown again.</p>
<p><input class="invitation-link" readonly value="${view.made.link}" aria-label="Invitation link" size="60"></p></div>`
    : ''
}
<section class="profile-section" aria-labelledby="make-heading">
<h2 id="make-heading" class="section-heading">Make an invitation</h2>
<form method="post" action="/admin/invitations" class="stack-form">
${csrfField(viewer.csrfToken)}
<label for="invite-email">Email address (optional: only this address may use it)</label>
<input id="invite-email" name="email" type="email" maxlength="254" value="${view.email ?? ''}">
<label for="invite-days">Expires after</label>
<select id="invite-days" name="days">${INVITATION_DAYS.map((d) => html`<option value="${d}"${d === DEFAULT_INVITATION_DAYS ? ' selected' : ''}>${d === 1 ? '1 day' : `${d} days`}</option>`)}</select>
<button type="submit" class="button button-primary">Make invitation link</button>
</form>
</section>
<section class="profile-section" aria-labelledby="list-heading">
<h2 id="list-heading" class="section-heading">Invitations made</h2>
${
  view.invitations.length === 0
    ? html`<p class="muted">None yet.</p>`
    : html`<ul class="moderation-list">${view.invitations.map(
        (invitation) => html`<li>
<strong>${invitation.email ?? 'anyone with the link'}</strong> <span class="muted">made ${formatDay(invitation.createdAt)}${invitation.createdBy ? ` by @${invitation.createdBy}` : ' from the command line'}; ${state(invitation, now)}</span>
${
  !invitation.usedAt && !invitation.revokedAt && invitation.expiresAt > now.toISOString()
    ? html`<form method="post" action="/admin/invitations/${invitation.id}/revoke" class="inline-form">${csrfField(viewer.csrfToken)}
<button type="submit" class="button">Revoke</button></form>`
    : ''
}
</li>`,
      )}</ul>`
}
</section>`,
  };
}
