/** The frame of every page: head, site header with navigation, the slots later features fill, footer. */
import { html } from 'hono/html';
import { clientScript, favicon, stylesheet } from './assets.ts';
import type { Html } from './html.ts';
import { searchBox } from './components/search-box.ts';
import type { SearchState } from '../domain/urls.ts';
import { accountMenu } from './components/account-menu.ts';
import { requestViewer, withFeedKey, type Viewer } from '../http/viewer.ts';
import { subscribeBox } from './components/subscribe-box.ts';

/** Top-level sections; later features (search, trending, digests) add theirs here. */
export const NAV_ITEMS = [
  { key: 'papers', label: 'Daily Papers', href: '/papers' },
  { key: 'trending', label: 'Trending', href: '/papers/trending' },
] as const;

/** The footer's ways to the rest of the site: what is not in the header but worth finding. */
export const FOOTER_LINKS = [
  { label: 'Email digest', href: '/digest' },
  { label: 'Feeds', href: '/feeds' },
  { label: 'API (OpenAPI)', href: '/api/openapi.json' },
  { label: 'About', href: '/about' },
  { label: 'How trending works', href: '/about/trending' },
] as const;

export type NavKey = (typeof NAV_ITEMS)[number]['key'];

export interface PageOptions {
  /** The page's own title; " · Paperboy" is appended. */
  title: string;
  description?: string | undefined;
  /** Absolute URL of the canonical address, when the page has one. */
  canonical?: string | undefined;
  /** Feeds of this page, as <link rel="alternate"> (see src/feeds/links.ts). */
  alternates?: readonly { type: string; title: string; href: string }[] | undefined;
  /** Which navigation item is the current section. */
  nav?: NavKey | undefined;
  /** "page" when the page is the section's own page (the feed), "true" when it lies within it (a paper). */
  navCurrent?: 'page' | 'true' | undefined;
  /** Slot at the right of the site header, after the search box every page has. */
  headerExtras?: Html | undefined;
  /** The search the header's search box shows (on the search page). */
  search?: SearchState | undefined;
  /** Slot between the header and the content, for the "Get trending papers in your email inbox" banner. */
  banner?: Html | undefined;
  /** Fill the banner slot with the email digest's subscribe box (feed and paper pages). */
  subscribeBox?: boolean | undefined;
  /** Who is looking: the header shows their menu (or "Sign in"), and the upvote script is loaded. */
  viewer?: Viewer | undefined;
  body: Html;
}

export function layout(page: PageOptions): Html {
  const options = page.viewer ? page : { ...page, viewer: requestViewer() };
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Paperboy</title>
${options.description ? html`<meta name="description" content="${options.description}">` : ''}
${options.canonical ? html`<link rel="canonical" href="${options.canonical}">` : ''}
${(options.alternates ?? []).map(
  (a) => html`<link rel="alternate" type="${a.type}" title="${a.title}" href="${withFeedKey(a.href)}">
`,
)}<meta name="color-scheme" content="light dark">
<link rel="stylesheet" href="${stylesheet.url}">
<link rel="icon" href="${favicon.url}" type="image/svg+xml">
${options.viewer?.account ? html`<script src="${clientScript.url}" defer></script>` : ''}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<div class="container site-header-inner">
<a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span>Paperboy</a>
<nav class="site-nav" aria-label="Main">
<ul>${NAV_ITEMS.map((item) => html`<li><a href="${item.href}"${item.key === options.nav ? html` aria-current="${options.navCurrent ?? 'page'}"` : ''}>${item.label}</a></li>`)}</ul>
</nav>
<div class="header-extras">${searchBox(options.search)}${options.headerExtras ?? ''}${accountMenu(options.viewer)}</div>
</div>
</header>
${options.banner ?? (options.subscribeBox ? subscribeBox({ csrfToken: options.viewer?.csrfToken ?? null }) : '')}
<main id="main" class="container">
${options.body}
</main>
<footer class="site-footer">
<div class="container site-footer-inner">
<nav class="footer-nav" aria-label="More from Paperboy">
<ul>${FOOTER_LINKS.map((link) => html`<li><a href="${link.href}">${link.label}</a></li>`)}</ul>
</nav>
<p><strong>Paperboy</strong> — the research papers a community reads, on your own server.</p>
<p>Paper metadata from <a href="https://arxiv.org/">arXiv</a>. Dates are in UTC.</p>
</div>
</footer>
</body>
</html>`;
}
