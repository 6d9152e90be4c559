/** The top of an organization's or author's page, and the list of their papers below it. */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import { formatCount } from '../../domain/format.ts';
import type { Html } from '../html.ts';
import { PAGE_SIZE } from '../../domain/urls.ts';
import { avatar } from './avatar.ts';
import { emptyState } from './empty-state.ts';
import { cardGrid, type CardOptions } from './paper-card.ts';
import { pagination } from './pagination.ts';
import { feedLinks } from './feed-links.ts';
import type { FeedAlternate } from '../../feeds/links.ts';

export interface ProfileView {
  kind: 'Organization' | 'Author';
  name: string;
  /** A handle shown under the name when it differs from it (organization slug). */
  handle?: string | Html | undefined;
  avatarUrl: string | null;
  totals: { papers: number; upvotes: number };
  papers: Paper[];
  page: number;
  /** Address of the page, without ?p=. */
  path: string;
  cards?: CardOptions | undefined;
  /** The list's heading (default "Papers"). */
  heading?: string | undefined;
  /** Shown between the header and the list, and below the list. */
  before?: Html | undefined;
  after?: Html | undefined;
  /** The list's feeds (links.ts feedAlternates), shown under the totals. */
  feeds?: readonly FeedAlternate[] | undefined;
}

export function profileBody(view: ProfileView): Html {
  const totalPages = Math.max(1, Math.ceil(view.totals.papers / PAGE_SIZE));
  return html`<header class="profile">
${avatar(view.name, view.avatarUrl, 'lg', `${view.name} logo`)}
<div class="profile-text">
<p class="eyebrow">${view.kind}${view.handle ? html` · <span class="handle">${view.handle}</span>` : ''}</p>
<h1>${view.name}</h1>
<dl class="totals">
<div><dt>Papers</dt><dd>${formatCount(view.totals.papers)}</dd></div>
<div><dt>Upvotes</dt><dd>${formatCount(view.totals.upvotes)}</dd></div>
</dl>
${feedLinks(view.feeds ?? [])}
</div>
</header>
${view.before ?? ''}
<section class="profile-papers" aria-labelledby="papers-heading">
<h2 id="papers-heading" class="section-heading">${view.heading ?? 'Papers'} <span class="section-note">newest first</span></h2>
${view.papers.length > 0 ? cardGrid(view.papers, view.cards) : emptyState('No papers on this page', 'Go back to the first page.')}
${pagination(view.path, view.page, totalPages)}
${view.after ?? ''}
</section>`;
}
