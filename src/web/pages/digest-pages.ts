/** Pages of the email digest: subscribe, check your inbox, confirm, unsubscribe / resubscribe, link errors. */
import { html } from 'hono/html';
import type { PageOptions } from '../layout.ts';
import { csrfField } from '../csrf.ts';
import { subscribeForm, type SubscribeFormState } from '../components/subscribe-box.ts';
import type { DigestFrequency, Subscription } from '../../store/subscription-store.ts';
import type { DigestPeriod } from '../../digest/digest-period.ts';
import { digestTitle, previewPath } from '../../digest/compose.ts';

function panel(title: string, body: ReturnType<typeof html>): PageOptions {
  return { title, body: html`<div class="digest-panel">${body}</div>` };
}

export function subscribePage(
  state: SubscribeFormState,
  latest: { daily: DigestPeriod | null; weekly: DigestPeriod | null },
): PageOptions {
  return {
    title: 'Trending papers in your inbox',
    description: 'Get the papers the research community reads most, by email, daily or weekly.',
    body: html`<div class="digest-panel">
<p class="eyebrow">Email digest</p>
<h1>Trending papers in your inbox</h1>
<p class="digest-lead">Every day or every week, the papers the community reads and upvotes most: title, who wrote it, the first lines of the abstract, and a link. One email, no tracking, and an unsubscribe link in every message.</p>
${subscribeForm(state)}
<p class="digest-note">We will send a confirmation link first; nothing else is sent until you open it.</p>
${latest.daily || latest.weekly ? html`<p class="digest-note">See an example: ${latest.daily ? html`<a href="${previewPath(latest.daily)}">the latest daily digest</a>` : ''}${latest.daily && latest.weekly ? ' or ' : ''}${latest.weekly ? html`<a href="${previewPath(latest.weekly)}">the latest weekly digest</a>` : ''}.</p>` : ''}
</div>`,
  };
}

/** The same answer whether or not the address was subscribed already. */
export function checkInboxPage(email: string, frequency: DigestFrequency): PageOptions {
  return panel(
    'Check your inbox',
    html`<p class="eyebrow">Almost done</p>
<h1>Check your inbox</h1>
<p class="digest-lead">If <strong class="digest-address">${email}</strong> is not already getting the ${frequency} digest, a message with a confirmation link is on its way to it. Open the link to start the ${frequency} digest.</p>
<p class="digest-note">Nothing is sent before you confirm. No email after a few minutes? Look in your spam folder, or <a href="/digest">try again</a>.</p>
<p><a class="button" href="/papers">Back to the papers</a></p>`,
  );
}

export function confirmPage(
  token: string,
  subscription: Subscription,
  frequency: DigestFrequency,
  csrfToken: string | null,
): PageOptions {
  const change = subscription.status === 'active' && subscription.frequency !== frequency;
  return panel(
    'Confirm your subscription',
    html`<p class="eyebrow">Email digest</p>
<h1>${change ? `Switch to the ${frequency} digest?` : `Confirm the ${frequency} digest`}</h1>
<p class="digest-lead">For <strong class="digest-address">${subscription.email}</strong>.</p>
<form method="post" action="/digest/confirm/${token}" class="digest-actions">
${csrfField(csrfToken)}
<button class="button button-primary" type="submit">${change ? 'Switch' : 'Confirm subscription'}</button>
</form>`,
  );
}

export function confirmedPage(subscription: Subscription, latest: DigestPeriod | null): PageOptions {
  return panel(
    'Subscribed',
    html`<p class="eyebrow">Email digest</p>
<h1>You are subscribed</h1>
<p class="digest-lead"><strong class="digest-address">${subscription.email}</strong> will get the ${subscription.frequency} digest of trending papers. Every message has a link to unsubscribe in one click.</p>
${latest ? html`<p><a class="button button-primary" href="${previewPath(latest)}">See the latest ${subscription.frequency} digest</a></p>` : ''}
<p><a href="/papers">Back to the papers</a></p>`,
  );
}

export function unsubscribePage(token: string, subscription: Subscription): PageOptions {
  if (subscription.status !== 'active') return unsubscribedPage(token, subscription);
  return panel(
    'Unsubscribe',
    html`<p class="eyebrow">Email digest</p>
<h1>Unsubscribe from the ${subscription.frequency} digest?</h1>
<p class="digest-lead"><strong class="digest-address">${subscription.email}</strong> will get no more digests.</p>
<form method="post" action="/unsubscribe/${token}" class="digest-actions">
<button class="button button-primary" type="submit">Unsubscribe</button>
</form>`,
  );
}

/** After unsubscribing (and the address of the resubscribe page: the same link). */
export function unsubscribedPage(token: string, subscription: Subscription): PageOptions {
  const suspended = subscription.status === 'suspended';
  const pending = subscription.status === 'pending';
  return panel(
    pending ? 'Not subscribed' : 'Unsubscribed',
    html`<p class="eyebrow">Email digest</p>
<h1>${suspended ? 'Digest paused' : pending ? 'Not subscribed' : 'You are unsubscribed'}</h1>
<p class="digest-lead">${
      suspended
        ? html`Messages to <strong class="digest-address">${subscription.email}</strong> kept bouncing, so the digest was paused.`
        : html`<strong class="digest-address">${subscription.email}</strong> will get no more digests.`
    }</p>
<form method="post" action="/unsubscribe/${token}/resubscribe" class="digest-actions resubscribe-form">
<label for="resubscribe-frequency">Changed your mind?</label>
<select id="resubscribe-frequency" name="frequency">
<option value="daily"${subscription.frequency === 'daily' ? ' selected' : ''}>Daily</option>
<option value="weekly"${subscription.frequency === 'weekly' ? ' selected' : ''}>Weekly</option>
</select>
<button class="button" type="submit">Resubscribe</button>
</form>`,
  );
}

export function linkErrorPage(reason: 'invalid' | 'expired', purpose: 'confirm' | 'unsubscribe'): PageOptions {
  const title = reason === 'expired' ? 'This link has expired' : 'This link does not work';
  const message =
    reason === 'expired'
      ? 'Confirmation links work for 7 days. Subscribe again to get a new one.'
      : purpose === 'confirm'
        ? 'The confirmation link is incomplete or was changed. Copy the whole link from the email, or subscribe again.'
        : 'The unsubscribe link is incomplete or was changed. Copy the whole link from the email; every digest has one.';
  return panel(
    title,
    html`<p class="eyebrow">Email digest</p>
<h1>${title}</h1>
<p class="digest-lead">${message}</p>
<p><a class="button" href="/digest">Subscribe</a></p>`,
  );
}

/** The web preview: the site's page around the email itself, which is shown sandboxed in a frame (its inline styles stay there). */
export function digestPreviewPage(period: DigestPeriod, subject: string): PageOptions {
  return {
    title: digestTitle(period),
    body: html`<div class="digest-preview">
<p class="eyebrow">Email digest · preview</p>
<h1>${digestTitle(period)}</h1>
<p class="digest-lead">As subscribers get it: <strong>${subject}</strong>. <a href="/digest">Subscribe</a></p>
<iframe class="email-frame" src="${previewPath(period)}/email" title="${digestTitle(period)}, as an email" sandbox="allow-popups allow-top-navigation-by-user-activation" loading="lazy"></iframe>
<p class="muted"><a href="${previewPath(period)}/email">Open the email on its own</a></p>
</div>`,
  };
}

export function noDigestPage(period: DigestPeriod): PageOptions {
  return panel(
    'No digest',
    html`<p class="eyebrow">Email digest</p>
<h1>${digestTitle(period)}</h1>
<p class="digest-lead">There are no papers in this ${period.frequency === 'daily' ? 'day' : 'week'}, so there is no digest for it.</p>
<p><a class="button" href="/digest">Subscribe</a></p>`,
  );
}
