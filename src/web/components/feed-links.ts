/**
 * A list's feeds, visible: "Feed: RSS · Atom · JSON Feed", the same addresses as the page's
 * <link rel="alternate"> (which only feed readers see). Signed-in members of a members-only instance get their
 * feed key in the address (http/viewer.ts withFeedKey), as in the head.
 */
import { html } from 'hono/html';
import type { Html } from '../html.ts';
import type { FeedAlternate } from '../../feeds/links.ts';
import { withFeedKey } from '../../http/viewer.ts';

/** The feed icon: an SVG drawn with the page's colour (no image request, nothing inline-styled). */
const FEED_ICON = html`<svg class="feed-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false"><circle cx="3" cy="13" r="2" fill="currentColor"/><path d="M1 6.5a8.5 8.5 0 0 1 8.5 8.5M1 1.5A13.5 13.5 0 0 1 14.5 15" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/></svg>`;

export function feedLinks(alternates: readonly FeedAlternate[]): Html {
  if (alternates.length === 0) return html``;
  return html`<p class="feed-links">${FEED_ICON}<span class="feed-links-label">Feed:</span> ${alternates.map(
    (a, i) =>
      html`${i > 0 ? ' · ' : ''}<a href="${withFeedKey(a.href)}" type="${a.type}" title="${a.title}">${a.label}</a>`,
  )}</p>`;
}
