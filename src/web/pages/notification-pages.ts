/** /notifications: the member's notifications, newest first, read marks, and what is emailed. */
import { html } from 'hono/html';
import type { PageOptions } from '../layout.ts';
import type { Viewer } from '../../http/viewer.ts';
import { csrfField } from '../csrf.ts';
import { formatDay } from '../../domain/format.ts';
import {
  EMAIL_MODES,
  NOTIFICATION_KINDS,
  type EmailMode,
  type NotificationKind,
  type NotificationRecord,
} from '../../store/notification-store.ts';
import { describeNotification, KIND_LABELS } from '../../notify/describe.ts';
import { avatar } from '../components/avatar.ts';
import type { UnsubscribeScope } from '../../notify/tokens.ts';

export interface NotificationsView {
  viewer: Viewer;
  notifications: NotificationRecord[];
  unread: number;
  emailModes: Record<NotificationKind, EmailMode>;
  /** The id to page on from, when there are older ones. */
  olderThan: number | null;
  notice?: string | undefined;
}

const MODE_LABELS: Record<EmailMode, string> = {
  off: 'No email',
  immediate: 'Email at once',
  daily: 'Daily email',
};

function item(n: NotificationRecord, viewer: Viewer) {
  const d = describeNotification(n);
  const who = n.actor
    ? avatar(n.actor.fullname || n.actor.name, n.actor.avatarUrl, 'sm')
    : html`<span class="notification-mark" aria-hidden="true">!</span>`;
  return html`<li class="notification${n.readAt ? '' : ' notification-unread'}" id="notification-${n.id}">
${who}
<div class="notification-text">
<p class="notification-headline">${n.readAt ? '' : html`<span class="sr-only">Unread: </span>`}<a href="${d.href}">${d.headline}</a></p>
${d.detail ? html`<p class="notification-detail">${d.detail}</p>` : ''}
<p class="notification-meta"><time datetime="${n.createdAt}">${formatDay(n.createdAt)}</time></p>
</div>
${
  n.readAt
    ? ''
    : html`<form method="post" action="/notifications/read" class="notification-read">${csrfField(viewer.csrfToken)}<input type="hidden" name="id" value="${n.id}"><button type="submit" class="button button-small">Mark read</button></form>`
}
</li>`;
}

export function notificationsPage(view: NotificationsView): PageOptions {
  const { viewer } = view;
  return {
    title: view.unread > 0 ? `Notifications (${view.unread})` : 'Notifications',
    viewer,
    body: html`<div class="page-head-row">
<h1 class="page-title">Notifications${view.unread > 0 ? html` <span class="title-count">${view.unread} unread</span>` : ''}</h1>
${
  view.unread > 0
    ? html`<form method="post" action="/notifications/read" class="inline-form">${csrfField(viewer.csrfToken)}<input type="hidden" name="all" value="1"><button type="submit" class="button">Mark all read</button></form>`
    : ''
}
</div>
${view.notice ? html`<p class="notice notice-ok" role="status">${view.notice}</p>` : ''}
${
  view.notifications.length === 0
    ? html`<p class="muted notification-empty">Nothing yet. Replies to your comments, mentions of @${viewer.account?.name}, comments on papers you submitted and the moderators’ decisions about your content show here.</p>`
    : html`<ol class="notification-list">${view.notifications.map((n) => item(n, viewer))}</ol>`
}
${view.olderThan !== null ? html`<p class="pagination-simple"><a class="button" href="/notifications?before=${view.olderThan}">Older notifications</a></p>` : ''}
<section class="profile-section" id="email" aria-labelledby="email-heading">
<h2 id="email-heading" class="section-heading">Email</h2>
<p class="section-note">Notifications are always here. Choose which are also emailed to you, one at a time or in one email a day; every email has a one-click link to stop it.</p>
<form method="post" action="/notifications/email" class="stack-form notification-email-form">
${csrfField(viewer.csrfToken)}
${NOTIFICATION_KINDS.map(
  (kind) => html`<label for="email-${kind}">${KIND_LABELS[kind]}</label>
<select id="email-${kind}" name="${kind}">${EMAIL_MODES.map((mode) => html`<option value="${mode}"${view.emailModes[kind] === mode ? ' selected' : ''}>${MODE_LABELS[mode]}</option>`)}</select>`,
)}
<button type="submit" class="button button-primary">Save email choices</button>
</form>
</section>`,
  };
}

function scopeText(scope: UnsubscribeScope): string {
  return scope === 'all' ? 'all notification emails' : `emails about ${KIND_LABELS[scope].toLowerCase()}`;
}

/** The page of an unsubscribe link: a button (GET changes nothing: mail scanners open links). */
export function notificationUnsubscribePage(token: string, scope: UnsubscribeScope): PageOptions {
  return {
    title: 'Stop notification emails',
    body: html`<h1 class="page-title">Stop notification emails</h1>
<p>Stop ${scopeText(scope)}? Your notifications stay on the site.</p>
<form method="post" action="/unsubscribe/notifications/${token}" class="stack-form"><button type="submit" class="button button-primary">Stop these emails</button></form>`,
  };
}

export function notificationUnsubscribedPage(scope: UnsubscribeScope): PageOptions {
  return {
    title: 'Notification emails stopped',
    body: html`<h1 class="page-title">Done</h1>
<p class="notice notice-ok" role="status">You will get no more ${scopeText(scope)}.</p>
<p>Change what is emailed at any time on <a href="/notifications#email">your notifications page</a>.</p>`,
  };
}
