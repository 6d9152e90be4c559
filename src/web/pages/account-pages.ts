/** Sign-in, settings and the first admin's claim: small forms, each readable and usable without JavaScript. */
import { html } from 'hono/html';
import type { Account } from '../../store/community-store.ts';
import type { Subscription } from '../../store/subscription-store.ts';
import type { Html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { csrfField } from '../csrf.ts';
import type { Viewer } from '../../http/viewer.ts';

function formPage(title: string, body: Html, viewer?: Viewer): PageOptions {
  return { title, viewer, body: html`<section class="form-page">${body}</section>` };
}

function errorNote(error: string | undefined): Html {
  return error ? html`<p class="notice notice-error" role="alert">${error}</p>` : html``;
}

/** Said on the sign-in pages of an instance without a mail server: nobody would receive the link. */
const MAIL_NOT_DELIVERED = html`<p class="notice notice-info">This instance does not send email yet, so sign-in links do not reach their address. Ask the person who runs it to sign you in or to set up mail.</p>`;

export function signInPage(options: { next: string; email?: string | undefined; error?: string | undefined; mailDelivered: boolean }): PageOptions {
  return formPage('Sign in', html`<h1>Sign in</h1>
<p class="lead">We email you a link that signs you in: no password to remember. New here? The same link creates your account.</p>
${options.mailDelivered ? '' : MAIL_NOT_DELIVERED}
${errorNote(options.error)}
<form method="post" action="/signin" class="stack-form">
<input type="hidden" name="next" value="${options.next}">
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${options.email ?? ''}">
<button type="submit" class="button button-primary">Email me a sign-in link</button>
</form>`);
}

export function signInSentPage(email: string, mailDelivered: boolean, sent: boolean): PageOptions {
  return formPage('Check your inbox', html`<h1>Check your inbox</h1>
${sent
    ? html`<p class="lead">If <strong>${email}</strong> can receive mail, a sign-in link is on its way. It works once and expires in 15 minutes.</p>`
    : html`<p class="lead">Several sign-in links went to <strong>${email}</strong> in the last hour, so we did not send another. The newest of those emails has a link that works for the next 15 minutes.</p>`}
${mailDelivered ? '' : MAIL_NOT_DELIVERED}
<p><a href="/signin">Use another address</a></p>`);
}

export function signInConfirmPage(token: string, next: string): PageOptions {
  return formPage('Sign in', html`<h1>Sign in to Paperboy</h1>
<p class="lead">Press the button to finish signing in on this device.</p>
<form method="post" action="/signin/verify" class="stack-form">
<input type="hidden" name="token" value="${token}">
<input type="hidden" name="next" value="${next}">
<button type="submit" class="button button-primary">Sign in</button>
</form>`);
}

export function signInFailedPage(error: string): PageOptions {
  return formPage('Sign-in link not valid', html`<h1>That link did not work</h1>
${errorNote(error)}
<p><a class="button button-primary" href="/signin">Get a new link</a></p>`);
}

export interface SettingsMessage {
  error?: string | undefined;
  saved?: boolean | undefined;
  /** The member's digest subscription (by their sign-in address), if any. */
  digest?: Subscription | null | undefined;
}

export function settingsPage(account: Account, viewer: Viewer, message?: SettingsMessage): PageOptions {
  return formPage('Settings', html`<h1>Settings</h1>
${message?.saved ? html`<p class="notice notice-ok" role="status">Saved.</p>` : ''}
${errorNote(message?.error)}
<form method="post" action="/settings" class="stack-form">
${csrfField(viewer.csrfToken)}
<label for="fullname">Display name</label>
<input id="fullname" name="fullname" required maxlength="60" value="${account.fullname}">
<p class="hint">Your handle is @${account.name}; your email (${account.email ?? 'none'}) is never shown to others.</p>
<button type="submit" class="button button-primary">Save</button>
</form>
${digestSettings(viewer, message?.digest ?? null)}
<h2 class="section-heading">Your data</h2>
<p><a href="/settings/export">Download all your data</a> (JSON: account, votes, comments, collections, follows, digest subscription) · <a href="/collections">Your collections</a> · <a href="/following">Following</a></p>
<h2 class="section-heading">Sessions</h2>
<p>Signed in on another device you no longer use? Sign out everywhere, this device included.</p>
<form method="post" action="/signout/everywhere">
${csrfField(viewer.csrfToken)}
<button type="submit" class="button">Sign out everywhere</button>
</form>`, viewer);
}

/** The digest, managed here without a confirmation email: signing in proved the address. */
function digestSettings(viewer: Viewer, digest: Subscription | null): Html {
  const current = digest?.status === 'active' ? digest.frequency : 'off';
  const option = (value: 'daily' | 'weekly' | 'off', label: string) =>
    html`<label class="choice"><input type="radio" name="frequency" value="${value}"${current === value ? ' checked' : ''}> ${label}</label>`;
  return html`<h2 class="section-heading">Email digest</h2>
<p>Trending papers in your inbox${digest?.status === 'suspended' ? html` — <strong>suspended</strong> after messages to your address bounced; choose a frequency to start again` : ''}.</p>
<form method="post" action="/settings/digest" class="stack-form">
${csrfField(viewer.csrfToken)}
<fieldset class="choices"><legend class="sr-only">How often</legend>
${option('daily', 'Daily')}${option('weekly', 'Weekly')}${option('off', 'Off')}
</fieldset>
<button type="submit" class="button">Save digest setting</button>
</form>`;
}

export function adminClaimPage(viewer: Viewer, error?: string): PageOptions {
  return formPage('Become the administrator', html`<h1>Become the administrator</h1>
<p class="lead">This instance has no administrator yet. The log of its first start shows a one-time code (<code>paperboy admin claim-code</code> prints a new one); enter it here.</p>
${errorNote(error)}
<form method="post" action="/admin/claim" class="stack-form">
${csrfField(viewer.csrfToken)}
<label for="code">One-time code</label>
<input id="code" name="code" required maxlength="64" autocomplete="off">
<button type="submit" class="button button-primary">Claim</button>
</form>`, viewer);
}

export function messagePage(title: string, message: Html | string, viewer?: Viewer): PageOptions {
  return formPage(title, html`<h1>${title}</h1><p class="lead">${message}</p>`, viewer);
}
