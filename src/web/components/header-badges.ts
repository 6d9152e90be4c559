/**
 * The header's bell (the member's unread notifications) and, for moderators, the open reports: counts the
 * header-counts middleware (web/header-counts.ts) read for the request; links without counts when it did not.
 */
import { html } from 'hono/html';
import type { Html } from '../html.ts';
import type { Account } from '../../store/community-store.ts';
import { requestContext } from '../../http/viewer.ts';

export interface HeaderCounts {
  unread: number;
  /** Open report queue entries, for moderators; null for everyone else. */
  reports: number | null;
}

declare module 'hono' {
  interface ContextVariableMap {
    headerCounts: HeaderCounts;
  }
}

/** Shown as "99+" above this. */
const MAX_SHOWN = 99;

function count(n: number): string {
  return n > MAX_SHOWN ? `${MAX_SHOWN}+` : String(n);
}

export function headerBadges(account: Account): Html {
  const counts = requestContext()?.get('headerCounts');
  const unread = counts?.unread ?? 0;
  const reports = counts?.reports ?? 0;
  const isModerator = account.role !== 'member';
  const bellLabel = unread > 0 ? `Notifications, ${unread} unread` : 'Notifications';
  return html`<a class="header-badge" href="/notifications" aria-label="${bellLabel}" title="${bellLabel}"><span class="icon icon-bell" aria-hidden="true"></span>${unread > 0 ? html`<span class="badge-count">${count(unread)}</span>` : ''}</a>${
    isModerator
      ? html`<a class="header-badge" href="/moderation/reports" aria-label="Reports${reports > 0 ? `, ${reports} open` : ''}" title="Reports"><span class="icon icon-flag" aria-hidden="true"></span>${reports > 0 ? html`<span class="badge-count badge-reports">${count(reports)}</span>` : ''}</a>`
      : ''
  }`;
}
