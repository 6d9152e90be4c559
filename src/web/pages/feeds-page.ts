/** /feeds: what can be followed in a feed reader, and where each list's feed is (docs/feeds.md says more). */
import { html } from 'hono/html';
import type { PageOptions } from '../layout.ts';
import { DAILY_FEED, TRENDING_FEED, feedAlternates } from '../../feeds/links.ts';
import { feedLinks } from '../components/feed-links.ts';

export function feedsPage(): PageOptions {
  const daily = feedAlternates(DAILY_FEED, 'Daily Papers');
  const trending = feedAlternates(TRENDING_FEED, 'Trending papers');
  return {
    title: 'Feeds',
    description:
      'Follow Daily Papers, trending papers, organizations, authors, searches and collections in a feed reader.',
    alternates: daily,
    body: html`<section class="form-page feeds-page">
<h1>Feeds</h1>
<p class="lead">Every list on Paperboy can be followed in a feed reader, as RSS, Atom or JSON Feed. Give a reader the address of any list page and it finds the feed by itself; or copy a link below.</p>
<h2 class="section-heading">Daily Papers</h2>
<p>The papers of the last days on the feed, newest day first, most upvoted first within a day.</p>
${feedLinks(daily)}
<h2 class="section-heading">Trending</h2>
<p>The trending list: votes and discussion weighed against age (<a href="/about/trending">how trending works</a>).</p>
${feedLinks(trending)}
<h2 class="section-heading">Everything else</h2>
<ul>
<li>An organization or an author: the “Feed” links on their page, newest papers first.</li>
<li>A search: the “Feed” links above the results; the feed keeps the filters and lists the newest matching papers first.</li>
<li>A public collection: the links on the collection’s page, in the order papers were added.</li>
</ul>
<p>Prefer email? <a href="/digest">Get the digest</a>, daily or weekly. Programs may rather use the <a href="/api/openapi.json">JSON API</a>.</p>
</section>`,
  };
}
