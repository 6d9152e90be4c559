/** Sign-in, settings and the first admin's claim: small forms, each readable and usable without JavaScript. */
import { html } from 'hono/html';
import type { Account } from '../../store/community-store.ts';
import type { Subscription } from '../../store/subscription-store.ts';
import type { Html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { csrfField } from '../csrf.ts';
import { anonymousViewer, type Viewer } from '../../http/viewer.ts';
import { DISPLAY_NAME_MAX, HANDLE_MAX, HANDLE_MIN } from '../../domain/handles.ts';
import { memberUrl, welcomeUrl } from '../../domain/urls.ts';
import type { ApiToken } from '../../store/token-store.ts';
import { tokenSettings } from './token-settings.ts';
import { requestIdentity } from '../../http/instance-identity.ts';

function formPage(title: string, body: Html, viewer?: Viewer): PageOptions {
  return { title, viewer, body: html`<section class="form-page">${body}</section>` };
}

function errorNote(error: string | undefined): Html {
  return error ? html`<p class="notice notice-error" role="alert">${error}</p>` : html``;
}

/** Said on the sign-in pages of an instance without a mail server: nobody would receive the link. */
const MAIL_NOT_DELIVERED = html`<p class="notice notice-info">This instance does not send email yet, so sign-in links do not reach their address. Ask the person who runs it to sign you in or to set up mail.</p>`;

export interface SignInForm {
  next: string;
  email?: string | undefined;
  error?: string | undefined;
  mailDelivered: boolean;
  /** Who may join, when the instance is not open (community/join-policy.ts). */
  joinRule?: string | null | undefined;
  /** The token of the invitation the form carries. */
  invite?: string | null | undefined;
}

export function signInPage(options: SignInForm): PageOptions {
  return formPage(
    'Sign in',
    html`<h1>Sign in</h1>
${
  options.invite
    ? html`<p class="lead">You are invited to join. Enter your email address: we email you a link that creates your account and signs you in.</p>`
    : html`<p class="lead">We email you a link that signs you in: no password to remember.${options.joinRule ? '' : ' New here? The same link creates your account.'}</p>`
}
${options.joinRule && !options.invite ? html`<p class="notice notice-info join-rule">${options.joinRule}</p>` : ''}
${options.mailDelivered ? '' : MAIL_NOT_DELIVERED}
${errorNote(options.error)}
<form method="post" action="/signin" class="stack-form">
<input type="hidden" name="next" value="${options.next}">
${options.invite ? html`<input type="hidden" name="invite" value="${options.invite}">` : ''}
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${options.email ?? ''}">
<button type="submit" class="button button-primary">Email me a sign-in link</button>
</form>`,
  );
}

/** `joinRule`: the address does not join by itself; the page cannot say whether a link went out (SignInRequest). */
export function signInSentPage(
  email: string,
  mailDelivered: boolean,
  sent: boolean,
  joinRule: string | null = null,
): PageOptions {
  return formPage(
    'Check your inbox',
    html`<h1>Check your inbox</h1>
${
  joinRule !== null
    ? html`<p class="lead">If <strong>${email}</strong> belongs to a member, a sign-in link is on its way. It works once and expires in 15 minutes.</p>
<p class="notice notice-info join-rule">${joinRule}</p>`
    : sent
      ? html`<p class="lead">If <strong>${email}</strong> can receive mail, a sign-in link is on its way. It works once and expires in 15 minutes.</p>`
      : html`<p class="lead">Several sign-in links went to <strong>${email}</strong> in the last hour, so we did not send another. The newest of those emails has a link that works for the next 15 minutes.</p>`
}
${mailDelivered ? '' : MAIL_NOT_DELIVERED}
<p><a href="/signin">Use another address</a></p>`,
  );
}

export function signInConfirmPage(token: string, next: string, invite: string | null = null): PageOptions {
  return formPage(
    'Sign in',
    html`<h1>Sign in to ${requestIdentity().name}</h1>
<p class="lead">Press the button to finish signing in on this device.</p>
<form method="post" action="/signin/verify" class="stack-form">
<input type="hidden" name="token" value="${token}">
${invite ? html`<input type="hidden" name="invite" value="${invite}">` : ''}
<input type="hidden" name="next" value="${next}">
<button type="submit" class="button button-primary">Sign in</button>
</form>`,
  );
}

export function signInFailedPage(error: string): PageOptions {
  return formPage(
    'Sign-in link not valid',
    html`<h1>That link did not work</h1>
${errorNote(error)}
<p><a class="button button-primary" href="/signin">Get a new link</a></p>`,
  );
}

export function invitationGonePage(): PageOptions {
  return formPage(
    'Invitation not valid',
    html`<h1>This invitation does not work</h1>
<p class="notice notice-error" role="alert">It was used already, revoked, or it expired. Ask an administrator for a new one.</p>
<p>Already a member? <a href="/signin">Sign in</a>.</p>`,
  );
}

export interface SettingsMessage {
  error?: string | undefined;
  saved?: boolean | undefined;
  /** The member's digest subscription (by their sign-in address), if any. */
  digest?: Subscription | null | undefined;
  /** On a members-only instance: the member's private feed key and the instance's address, for the feed links. */
  feedKey?: { key: string; publicUrl: string; reset: boolean } | undefined;
  /** The member's access tokens; `revoked` after one was revoked. */
  tokens?: { list: readonly ApiToken[]; publicUrl: string; revoked: boolean } | undefined;
}

export function settingsPage(account: Account, viewer: Viewer, message?: SettingsMessage): PageOptions {
  return formPage(
    'Settings',
    html`<h1>Settings</h1>
${message?.saved ? html`<p class="notice notice-ok" role="status">Saved.</p>` : ''}
${errorNote(message?.error)}
<form method="post" action="/settings" class="stack-form">
${csrfField(viewer.csrfToken)}
<label for="fullname">Display name</label>
<input id="fullname" name="fullname" required maxlength="${DISPLAY_NAME_MAX}" value="${account.fullname}">
<p class="hint">Others see your display name and your handle, <a href="${memberUrl(account.name)}">@${account.name}</a>${
      account.handleChosen ? '' : html` (<a href="${welcomeUrl('/settings')}">choose your handle</a>)`
    }. Your email address
(${account.email ?? 'none'}) is not shown to other members: it signs you in and, if you choose, brings the digest.</p>
<button type="submit" class="button button-primary">Save</button>
</form>
${privacySettings(account, viewer)}
${digestSettings(viewer, message?.digest ?? null)}
${message?.feedKey ? feedKeySettings(viewer, message.feedKey) : ''}
${message?.tokens ? tokenSettings(viewer, message.tokens.list, message.tokens.publicUrl, message.tokens.revoked) : ''}
<h2 class="section-heading">Your data</h2>
<p><a href="/settings/export">Download all your data</a> (JSON: account and settings, votes, comments, submissions, collections, follows, digest subscription) · <a href="/collections">Your collections</a> · <a href="/following">Following</a></p>
<h2 class="section-heading">Sessions</h2>
<p>Signed in on another device you no longer use? Sign out everywhere, this device included.</p>
<form method="post" action="/signout/everywhere">
${csrfField(viewer.csrfToken)}
<button type="submit" class="button">Sign out everywhere</button>
</form>
<h2 class="section-heading">Delete your account</h2>
<p>Deletes your account with your email address, votes, collections, follows and digest subscription; you choose
whether your comments stay (signed “deleted member”) or go. <a class="button button-danger" href="/settings/delete">Delete my account…</a></p>`,
    viewer,
  );
}

/** Whether others see what the member upvoted (their profile's "Upvoted papers"). */
function privacySettings(account: Account, viewer: Viewer): Html {
  return html`<h2 class="section-heading">Privacy</h2>
<form method="post" action="/settings/privacy" class="stack-form">
${csrfField(viewer.csrfToken)}
<label class="checkbox-label"><input type="checkbox" name="upvotes_public" value="1"${account.upvotesPublic ? ' checked' : ''}> Show the papers I upvote on my profile</label>
<p class="hint">Off: nobody else sees which papers you upvoted (the counts on papers still include your votes). Your data download always lists them for you.</p>
<button type="submit" class="button">Save privacy setting</button>
</form>`;
}

/** A members-only instance's feeds, for a feed reader: addresses with the member's private key, and its reset. */
function feedKeySettings(viewer: Viewer, feed: { key: string; publicUrl: string; reset: boolean }): Html {
  const daily = `${feed.publicUrl}/feeds/daily.rss?key=${feed.key}`;
  return html`<h2 class="section-heading" id="feed-key">Feed key</h2>
${feed.reset ? html`<p class="notice notice-ok" role="status">Your feed key was reset: feed addresses with the old key no longer work.</p>` : ''}
<p>This instance is for members only, so feed readers need your private key in the feed address. The feed links on its pages carry it; the daily feed is:</p>
<p><input class="share-input feed-key-link" readonly value="${daily}" aria-label="Your daily feed address" size="60"></p>
<p class="hint">Anyone with this address reads the feeds as you could. If it leaked, reset it: every address with the old key stops working.</p>
<form method="post" action="/settings/feed-key" class="stack-form">
${csrfField(viewer.csrfToken)}
<button type="submit" class="button">Reset feed key</button>
</form>`;
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

export interface WelcomeForm {
  next: string;
  handle: string;
  fullname: string;
  error?: { field: 'handle' | 'fullname'; message: string } | undefined;
}

/** The first sign-in's page: the member chooses their handle and display name (or keeps the suggestions). */
export function welcomePage(viewer: Viewer, form: WelcomeForm): PageOptions {
  const invalid = (field: 'handle' | 'fullname') =>
    form.error?.field === field ? html` aria-invalid="true" aria-describedby="welcome-error"` : '';
  return formPage(
    'Welcome',
    html`<h1>Welcome to ${requestIdentity().name}</h1>
<p class="lead">Choose how others see you. Your handle is in the address of your profile and beside your comments;
your email address is never shown. We suggested a handle at random: keep it, or choose your own.</p>
${form.error ? html`<p class="notice notice-error" role="alert" id="welcome-error">${form.error.message}</p>` : ''}
<form method="post" action="/welcome" class="stack-form">
${csrfField(viewer.csrfToken)}
<input type="hidden" name="next" value="${form.next}">
<label for="handle">Handle</label>
<input id="handle" name="handle" required minlength="${HANDLE_MIN}" maxlength="${HANDLE_MAX}" autocomplete="username" autocapitalize="none" spellcheck="false" value="${form.handle}"${invalid('handle')}>
<p class="hint">${HANDLE_MIN} to ${HANDLE_MAX} characters: letters a–z, digits and single dashes, e.g. ada-lovelace. It cannot be changed later.</p>
<label for="fullname">Display name</label>
<input id="fullname" name="fullname" required maxlength="${DISPLAY_NAME_MAX}" autocomplete="name" value="${form.fullname}"${invalid('fullname')}>
<p class="hint">Shown with your comments and on your profile; you can change it in Settings.</p>
<button type="submit" class="button button-primary">Continue</button>
</form>`,
    viewer,
  );
}

/** The confirmation step of deleting an account, with the choice of what happens to the member's comments. */
export function deleteAccountPage(account: Account, viewer: Viewer, error?: string): PageOptions {
  return formPage(
    'Delete your account',
    html`<h1>Delete your account</h1>
<p class="lead">This deletes the account @${account.name} at once, and cannot be undone.</p>
${errorNote(error)}
<p>Deleted: your email address, handle, display name and avatar; your sign-in sessions and links; your upvotes
(each paper's count goes down by one); your collections, follows and “for you” dismissals; the email digest of your
address. Kept, without your name: the papers you submitted, and the moderation log. Signing in again with the same
address later starts a new, empty account.</p>
<p><a href="/settings/export">Download your data</a> first if you want a copy.</p>
<form method="post" action="/settings/delete" class="stack-form">
${csrfField(viewer.csrfToken)}
<fieldset class="choices choices-stacked"><legend>Your comments</legend>
<label class="choice"><input type="radio" name="comments" value="keep" required> Keep them, signed “deleted member” (discussions stay readable)</label>
<label class="choice"><input type="radio" name="comments" value="remove" required> Remove them (“[deleted]” stays where others replied)</label>
</fieldset>
<button type="submit" class="button button-danger">Delete my account</button>
</form>
<p><a href="/settings">Cancel</a></p>`,
    viewer,
  );
}

/** After the deletion: the member is signed out, so the page is a stranger's. */
export function accountDeletedPage(): PageOptions {
  return formPage(
    'Account deleted',
    html`<h1>Your account is deleted</h1>
<p class="lead">Everything it held is gone, but for what you chose to keep. Thank you for having been part of it.</p>
<p><a href="/">Back to the papers</a></p>`,
    anonymousViewer(),
  );
}

export function adminClaimPage(viewer: Viewer, error?: string): PageOptions {
  return formPage(
    'Become the administrator',
    html`<h1>Become the administrator</h1>
<p class="lead">This instance has no administrator yet. The log of its first start shows a one-time code (<code>paperboy admin claim-code</code> prints a new one); enter it here.</p>
${errorNote(error)}
<form method="post" action="/admin/claim" class="stack-form">
${csrfField(viewer.csrfToken)}
<label for="code">One-time code</label>
<input id="code" name="code" required maxlength="64" autocomplete="off">
<button type="submit" class="button button-primary">Claim</button>
</form>`,
    viewer,
  );
}

export function messagePage(title: string, message: Html | string, viewer?: Viewer): PageOptions {
  return formPage(title, html`<h1>${title}</h1><p class="lead">${message}</p>`, viewer);
}
