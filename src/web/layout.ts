/** The frame of every page: head, site header with navigation, the slots later features fill, footer. */
import { html } from 'hono/html';
import { clientScript, favicon, stylesheet } from './assets.ts';
import type { Html } from './html.ts';
import { searchBox } from './components/search-box.ts';
import type { SearchState } from '../domain/urls.ts';
import { accountMenu } from './components/account-menu.ts';
import { requestViewer, withFeedKey, type Viewer } from '../http/viewer.ts';
import { subscribeBox } from './components/subscribe-box.ts';
import { requestIdentity } from '../http/instance-identity.ts';
import { themePath } from '../instance/accent.ts';

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
  /** The page's own title; " · " and the instance's name are appended. */
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
  /** More of the head: a page's own meta tags (e.g. a paper's citation and link-preview tags). */
  head?: Html | undefined;
  /** Load the client script for everyone, not only members (it adds copy buttons, among others). */
  clientScript?: boolean | undefined;
  body: Html;
}

export function layout(page: PageOptions): Html {
  const options = page.viewer ? page : { ...page, viewer: requestViewer() };
  const site = requestIdentity();
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${site.name}</title>
${options.description ? html`<meta name="description" content="${options.description}">` : ''}
${options.canonical ? html`<link rel="canonical" href="${options.canonical}">` : ''}
<meta property="og:site_name" content="${site.name}">
${
  // A page that brings its own head tags (the paper page's OpenGraph and citation tags) describes itself.
  options.head
    ? ''
    : html`<meta property="og:title" content="${options.title}">
${options.description ? html`<meta property="og:description" content="${options.description}">` : ''}
${options.canonical ? html`<meta property="og:url" content="${options.canonical}">` : ''}`
}
${(options.alternates ?? []).map(
  (a) => html`<link rel="alternate" type="${a.type}" title="${a.title}" href="${withFeedKey(a.href)}">
`,
)}<meta name="color-scheme" content="light dark">
<link rel="stylesheet" href="${stylesheet.url}">
${site.accent ? html`<link rel="stylesheet" href="${themePath(site.accent)}">` : ''}
${site.logo ? html`<link rel="icon" href="${site.logo}">` : html`<link rel="icon" href="${favicon.url}" type="image/svg+xml">`}
${options.head ?? ''}
${options.viewer?.account || options.clientScript ? html`<script src="${clientScript.url}" defer></script>` : ''}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<div class="container site-header-inner">
<a class="brand" href="/">${site.logo ? html`<img class="brand-logo" src="${site.logo}" alt="" height="28">` : html`<span class="brand-mark" aria-hidden="true"></span>`}${site.name}</a>
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
<nav class="footer-nav" aria-label="More from ${site.name}">
<ul>${FOOTER_LINKS.map((link) => html`<li><a href="${link.href}">${link.label}</a></li>`)}</ul>
</nav>
<p><strong>${site.name}</strong> — ${site.description}${site.contact ? html` · <a href="mailto:${site.contact}">Contact</a>` : ''}</p>
<p>Paper metadata from <a href="https://arxiv.org/">arXiv</a>. Dates are in UTC.</p>
</div>
</footer>
</body>
</html>`;
}
