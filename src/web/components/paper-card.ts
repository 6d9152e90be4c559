/**
 * A paper on a list (daily feed, organization, author, search results), as on Hugging Face's cards: the top
 * of its first page (from the instance's image cache; a drawn page until there is one), the title with the
 * upvotes, who submitted it, the abstract, then the organization, the number of authors, the date and the
 * counts (local comments; Hugging Face's, said as such).
 */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import { excerpt, formatCount, formatDay, plural } from '../../domain/format.ts';
import type { Html } from '../html.ts';
import {
  huggingFacePaperUrl,
  huggingFaceUserUrl,
  memberUrl,
  organizationUrl,
  paperUrl,
  THUMBNAIL_HEIGHT,
  THUMBNAIL_WIDTH,
  thumbnailSource,
} from '../../domain/urls.ts';
import type { Member } from '../../domain/types.ts';
import { localImagePath } from '../../http/image-paths.ts';
import { avatar } from './avatar.ts';
import { voteButton } from './vote-button.ts';
import { saveControl } from './save-control.ts';
import type { Viewer } from '../../http/viewer.ts';

export interface CardOptions {
  /** Off on an organization's own page, where the name would repeat on every card. */
  showOrganization?: boolean;
  /** Title and abstract text other than the plain ones (search results: matched words marked). */
  content?: ((paper: Paper) => CardContent) | undefined;
  /** Signed-in viewers get working upvote buttons and Save controls; otherwise the vote links to sign-in. */
  viewer?: Viewer | undefined;
}

export interface CardContent {
  title: Html;
  /** Replaces the excerpt of the abstract. */
  abstract: Html;
}

export function paperCard(paper: Paper, options: CardOptions = {}): Html {
  const org = options.showOrganization === false ? null : paper.organization;
  const content = options.content?.(paper);
  return html`<article class="card">
${cardThumbnail(paper)}
<div class="card-head">
${voteButton(paper, options.viewer)}
<h3 class="card-title"><a href="${paperUrl(paper.id)}">${content ? content.title : paper.title}</a></h3>
</div>
${paper.submittedOnDailyBy ? submitter(paper.submittedOnDailyBy) : ''}
${paper.withdrawn ? html`<p class="badge badge-warning card-badge">Withdrawn</p>` : ''}
${
  content
    ? html`<p class="card-abstract card-snippet">${content.abstract}</p>`
    : html`<p class="card-abstract">${excerpt(paper.summary)}</p>`
}
<div class="card-meta">
${
  org
    ? html`<a class="card-org" href="${organizationUrl(org.name)}" title="${org.fullname}">${avatar(org.fullname, org.avatar, 'sm')}<span>${org.fullname}</span></a>`
    : ''
}${paper.authors.length > 0 ? html`<span class="card-authors">${plural(paper.authors.length, 'author')}</span>` : ''}
<time datetime="${paper.publishedAt.slice(0, 10)}">${formatDay(paper.publishedAt)}</time>
<span class="card-stats">${paper.numComments > 0 ? stat('comment', paper.numComments, 'comment') : ''}${
    paper.githubStars !== null ? stat('star', paper.githubStars, 'GitHub star') : ''
  }${hfCommentsLink(paper, 'short')}</span>
</div>
${saveControl(paper, options.viewer)}
</article>`;
}

/**
 * The top of the paper's first page, when the image cache keeps it; otherwise a drawn page of the same size,
 * so that a list with and without thumbnails lines up. Decorative: the title next to it is the card's link.
 */
function cardThumbnail(paper: Paper): Html {
  const src = localImagePath(thumbnailSource(paper.id));
  return src
    ? html`<div class="card-thumb"><img src="${src}" alt="" width="${THUMBNAIL_WIDTH}" height="${THUMBNAIL_HEIGHT}" loading="lazy" decoding="async"></div>`
    : html`<div class="card-thumb card-thumb-none" aria-hidden="true"></div>`;
}

/**
 * Who put the paper on the daily feed: a member of this instance links to their page here; one imported from
 * Hugging Face (known there by an id) links to their profile there, said so in the tooltip.
 */
function submitter(member: Member): Html {
  const imported = member.externalId !== null;
  const href = imported ? huggingFaceUserUrl(member.name) : memberUrl(member.name);
  const title = imported ? `${member.name} on Hugging Face` : member.fullname || member.name;
  return html`<p class="card-by">Submitted by <a href="${href}" title="${title}">${avatar(member.fullname || member.name, member.avatarUrl, 'sm')}<span>${member.name}</span></a></p>`;
}

/** A count with an icon; the noun is there for screen readers and as a tooltip. */
export function stat(icon: 'comment' | 'star', n: number, noun: string): Html {
  return html`<span class="stat" title="${plural(n, noun)}"><span class="icon icon-${icon}" aria-hidden="true"></span>${formatCount(n)}<span class="sr-only"> ${n === 1 ? noun : `${noun}s`}</span></span>
`;
}

/**
 * The comments a paper had on Hugging Face when imported, said as such and linked there: they are not this
 * instance's discussion, so they are never added to the local count. Nothing when there were none.
 */
export function hfCommentsLink(paper: Paper, form: 'short' | 'long'): Html | '' {
  if (paper.hfComments <= 0) return '';
  const words = `${plural(paper.hfComments, 'comment')} on Hugging Face`;
  const text = form === 'long' ? words : `${formatCount(paper.hfComments)} on Hugging Face`;
  return html`<a class="stat stat-hf" href="${huggingFacePaperUrl(paper.id)}" title="${words}">${
    form === 'short' ? html`<span class="icon icon-comment" aria-hidden="true"></span>` : ''
  }${text}${form === 'short' ? html`<span class="sr-only"> (${paper.hfComments === 1 ? 'comment' : 'comments'})</span>` : ''}</a>
`;
}

/** Cards in a responsive grid, ranked when the order means something (votes), plain otherwise. */
export function cardGrid(papers: Paper[], options: CardOptions & { ranked?: boolean; start?: number } = {}): Html {
  const items = papers.map((paper) => html`<li>${paperCard(paper, options)}</li>`);
  return options.ranked
    ? html`<ol class="card-grid"${options.start && options.start > 1 ? html` start="${options.start}"` : ''}>${items}</ol>`
    : html`<ul class="card-grid">${items}</ul>`;
}
