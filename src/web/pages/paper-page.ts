/** One paper: abstract, authors, organization, links, AI summary, and the days it was on the feed. */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import {
  excerpt,
  formatCount,
  formatDay,
  generatedLabel,
  plural,
  safeUrl,
  shortRepoName,
} from '../../domain/format.ts';
import type { Html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { avatar } from '../components/avatar.ts';
import { cardGrid, hfCommentsLink } from '../components/paper-card.ts';
import { voteButton } from '../components/vote-button.ts';
import { saveControl } from '../components/save-control.ts';
import type { Viewer } from '../../http/viewer.ts';
import {
  arxivAbsUrl,
  arxivPdfUrl,
  authorUrl,
  dayUrl,
  memberUrl,
  organizationUrl,
  paperLinksUrl,
  paperUrl,
} from '../../domain/urls.ts';
import type { LinkChange, PaperUpvoters } from '../../store/community-store.ts';
import { citeBox } from '../components/cite-box.ts';
import { missingPaper } from '../components/missing-paper.ts';
import { paperHead, paperThumbnailPath } from '../components/paper-head.ts';
import {
  claimBox,
  hfAuthorUrl,
  verifiedAuthorUrl,
  verifiedBadge,
  type PaperAuthorship,
} from '../components/authorship.ts';

/** Long author lists show this many names, the rest behind a <details> (works without JS). */
const AUTHORS_SHOWN = 12;

export interface PaperView {
  paper: Paper;
  featuredDays: string[];
  publicUrl: string;
  /** Nearest papers, most similar first (without the paper itself). */
  similar: Paper[];
  viewer?: Viewer | undefined;
  /** The discussion section (comments), below the abstract. */
  discussion?: Html | undefined;
  /** Moderator tools, shown only to moderators. */
  moderation?: Html | undefined;
  /** Who upvoted the paper here: for signed-in members only. */
  upvoters?: PaperUpvoters | undefined;
  /** Whether the viewer may edit the project page and repository (community/paper-links.ts canEditLinks). */
  canEditLinks?: boolean | undefined;
  /** The latest edit of the links, if they were edited here. */
  lastLinkChange?: LinkChange | undefined;
  /** Verified authors and the viewer's own claim (none known: no badges, a plain claim box). */
  authorship?: PaperAuthorship | undefined;
}

export function paperPage({
  paper,
  featuredDays,
  publicUrl,
  similar,
  viewer,
  discussion,
  moderation,
  upvoters,
  canEditLinks = false,
  lastLinkChange,
  authorship = { verified: new Map(), own: null },
}: PaperView): PageOptions {
  const canonical = `${publicUrl}${paperUrl(paper.id)}`;
  const description = excerpt(paper.summary, 200);
  const thumbnail = paperThumbnailPath(paper.id);
  const body = html`<article class="paper">
<header class="paper-header">
<p class="eyebrow"><span>arXiv:${paper.id}</span><span>Published on <time datetime="${paper.publishedAt.slice(0, 10)}">${formatDay(paper.publishedAt)}</time></span>${
    paper.withdrawn ? html`<span class="badge badge-warning">Withdrawn</span>` : ''
  }</p>
<h1 class="paper-title">${paper.title}</h1>
${authorList(paper, authorship)}
${
  paper.organization
    ? html`<p class="paper-org"><a href="${organizationUrl(paper.organization.name)}">${avatar(
        paper.organization.fullname,
        paper.organization.avatar,
        'md',
      )}<span>${paper.organization.fullname}</span></a></p>`
    : ''
}
${claimBox(paper, authorship, viewer)}
</header>
${paper.withdrawn ? html`<p class="notice notice-warning" role="note">This paper has been withdrawn from arXiv. Its record is kept for reference.</p>` : ''}
<div class="paper-layout">
<div class="paper-main">
<section class="paper-section" aria-labelledby="abstract-heading">
<h2 id="abstract-heading">Abstract</h2>
<p class="abstract">${paper.summary}</p>
</section>
${aiSummarySections(paper)}
${discussion ?? ''}
</div>
<aside class="paper-side" aria-label="Paper details">
${sideLinks(paper, viewer, canEditLinks, lastLinkChange)}
${citeBox(paper)}
${upvoters ? upvotersCard(paper, upvoters) : ''}
${moderation ?? ''}
${
  featuredDays.length > 0
    ? html`<section class="side-card" aria-labelledby="featured-heading">
<h2 id="featured-heading">Featured on Daily Papers</h2>
<ul class="day-list">${featuredDays.map((day) => html`<li><a href="${dayUrl(day)}"><time datetime="${day}">${formatDay(day)}</time></a></li>`)}</ul>
${
  paper.submittedOnDailyBy
    ? html`<p class="side-note submitted-by">Submitted by <a href="${memberUrl(paper.submittedOnDailyBy.name)}">${avatar(
        paper.submittedOnDailyBy.fullname || paper.submittedOnDailyBy.name,
        paper.submittedOnDailyBy.avatarUrl,
        'sm',
      )}<span>${paper.submittedOnDailyBy.fullname || paper.submittedOnDailyBy.name}</span></a></p>`
    : ''
}
</section>`
    : ''
}
</aside>
</div>
</article>
${
  similar.length > 0
    ? html`<section class="similar" aria-labelledby="similar-heading">
<h2 id="similar-heading" class="section-heading">Similar papers</h2>
${cardGrid(similar, { viewer })}
</section>`
    : ''
}`;
  return {
    title: paper.title,
    description,
    canonical,
    head: paperHead(paper, { url: canonical, description, image: thumbnail && `${publicUrl}${thumbnail}` }),
    clientScript: true,
    nav: 'papers',
    navCurrent: 'true',
    viewer,
    subscribeBox: true,
    body,
  };
}

/** A valid arXiv id that is not here (or hidden): the arXiv link and a button that submits it. */
export function missingPaperPage(id: string): PageOptions {
  return {
    title: `arXiv ${id} is not on Paperboy`,
    nav: 'papers',
    navCurrent: 'true',
    body: html`<div class="missing-paper"><h1 class="sr-only">arXiv ${id} is not on Paperboy</h1>${missingPaper(id)}</div>`,
  };
}

function authorList(paper: Paper, authorship: PaperAuthorship): Html {
  if (paper.authors.length === 0) return html``;
  // A verified member's name leads to their papers; one the source ties to a Hugging Face account, to that account's.
  const item = ({ name, position, hfUser }: { name: string; position: number; hfUser: string | undefined }) => {
    const member = authorship.verified.get(position);
    if (member)
      return html`<li class="author-verified"><a href="${verifiedAuthorUrl(name, member)}">${name}</a>${verifiedBadge(member)}</li>`;
    return html`<li><a href="${hfUser ? hfAuthorUrl(name, hfUser) : authorUrl(name)}">${name}</a></li>`;
  };
  const names = paper.authors.map((a, position) => ({ name: a.name, position, hfUser: a.hfUser }));
  const shown = names.length > AUTHORS_SHOWN + 3 ? names.slice(0, AUTHORS_SHOWN) : names;
  const rest = names.slice(shown.length);
  return html`<div class="paper-authors" id="authors">
<h2 class="sr-only">Authors</h2>
<ul class="author-list">${shown.map(item)}</ul>
${rest.length > 0 ? html`<details class="more-authors"><summary>Show ${rest.length} more authors</summary><ul class="author-list">${rest.map(item)}</ul></details>` : ''}
</div>`;
}

/** Members who upvoted here, by name where they allow it; the others counted; imported upvotes apart. */
function upvotersCard(paper: Paper, upvoters: PaperUpvoters): Html {
  const imported = Math.max(0, paper.upvotes - upvoters.total);
  const unnamed = upvoters.total - upvoters.members.length - upvoters.private;
  return html`<section class="side-card upvoters" aria-labelledby="upvoters-heading">
<h2 id="upvoters-heading">Upvoted by</h2>
${
  upvoters.total === 0
    ? html`<p class="side-note">No member has upvoted this paper here yet.</p>`
    : html`${
        upvoters.members.length > 0
          ? html`<ul class="upvoter-list">${upvoters.members.map(
              (m) =>
                html`<li><a href="${memberUrl(m.name)}">${avatar(m.fullname || m.name, m.avatarUrl, 'sm')}<span>${m.fullname || m.name}</span></a></li>`,
            )}</ul>`
          : ''
      }${unnamed > 0 ? html`<p class="side-note">and ${plural(unnamed, 'more member')}</p>` : ''}${
        upvoters.private > 0
          ? html`<p class="side-note">${plural(upvoters.private, 'member')} who ${upvoters.private === 1 ? 'keeps' : 'keep'} their upvotes private</p>`
          : ''
      }`
}
${imported > 0 ? html`<p class="side-note">${plural(imported, 'upvote')} imported from Hugging Face</p>` : ''}
</section>`;
}

function sideLinks(
  paper: Paper,
  viewer: Viewer | undefined,
  canEditLinks: boolean,
  lastLinkChange: LinkChange | undefined,
): Html {
  const github = safeUrl(paper.githubRepo);
  const project = safeUrl(paper.projectPage);
  return html`<section class="side-card" aria-labelledby="stats-heading">
<h2 id="stats-heading" class="sr-only">Votes and links</h2>
<div class="paper-stats">
${voteButton(paper, viewer, 'large')}
${
  paper.numComments > 0
    ? html`<p class="stat-line"><span class="icon icon-comment" aria-hidden="true"></span><a href="#discussion">${plural(paper.numComments, 'comment')}</a></p>`
    : ''
}${paper.hfComments > 0 ? html`<p class="stat-line stat-line-hf"><span class="icon icon-comment" aria-hidden="true"></span>${hfCommentsLink(paper, 'long')}</p>` : ''}
</div>
${saveControl(paper, viewer, 'page')}
<ul class="link-list">
<li><a class="link-button" href="${arxivAbsUrl(paper.id)}"><span class="icon icon-doc" aria-hidden="true"></span>arXiv page</a></li>
<li><a class="link-button" href="${arxivPdfUrl(paper.id)}"><span class="icon icon-pdf" aria-hidden="true"></span>PDF</a></li>
${
  github
    ? html`<li><a class="link-button" href="${github}"><span class="icon icon-code" aria-hidden="true"></span><span class="link-text">${shortRepoName(github)}</span>${
        paper.githubStars !== null
          ? html`<span class="link-extra" title="${plural(paper.githubStars, 'GitHub star')}"><span class="icon icon-star" aria-hidden="true"></span>${formatCount(paper.githubStars)}<span class="sr-only"> stars</span></span>`
          : ''
      }</a></li>`
    : ''
}
${project ? html`<li><a class="link-button" href="${project}"><span class="icon icon-globe" aria-hidden="true"></span>Project page</a></li>` : ''}
</ul>
${
  lastLinkChange
    ? html`<p class="side-note links-edited">Links edited by ${
        lastLinkChange.editorDeleted
          ? lastLinkChange.editor
          : html`<a href="${memberUrl(lastLinkChange.editor)}">@${lastLinkChange.editor}</a>`
      } on <time datetime="${lastLinkChange.at}">${formatDay(lastLinkChange.at)}</time></p>`
    : ''
}
${canEditLinks ? html`<p class="side-note"><a href="${paperLinksUrl(paper.id)}">Edit project page and repository</a></p>` : ''}
</section>`;
}

/**
 * The summary and keywords imported with the paper (Hugging Face's), or else those a language model wrote
 * here, labelled with the model and the date (src/summaries/).
 */
function aiSummarySections(paper: Paper): Html {
  const generated = paper.aiSummary ? null : paper.generatedSummary;
  const text = paper.aiSummary ?? generated?.text ?? null;
  const keywords = paper.aiKeywords.length > 0 ? paper.aiKeywords : (generated?.keywords ?? []);
  return html`${
    text
      ? html`<section class="paper-section ai-summary" aria-labelledby="ai-summary-heading">
<h2 id="ai-summary-heading">AI-generated summary</h2>
<p>${text}</p>
${generated ? html`<p class="ai-note">${generatedLabel('Summary', generated)}</p>` : ''}
</section>`
      : ''
  }
${
  keywords.length > 0
    ? html`<section class="paper-section" aria-labelledby="keywords-heading">
<h2 id="keywords-heading">Keywords</h2>
<ul class="chips">${keywords.map((k) => html`<li class="chip">${k}</li>`)}</ul>
${generated && paper.aiKeywords.length === 0 ? html`<p class="ai-note">${generatedLabel('Keywords', generated)}</p>` : ''}
</section>`
    : ''
}`;
}
