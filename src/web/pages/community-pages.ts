/** Pages of the community: submitting a paper, trending and how it is computed, a member's profile, moderation. */
import { html, raw } from 'hono/html';
import { renderMarkdown } from '../../community/markdown.ts';
import type { DailyEntry, Paper } from '../../domain/types.ts';
import {
  TRENDING_AGE_OFFSET_HOURS,
  TRENDING_COMMENT_WEIGHT,
  TRENDING_GRAVITY,
  TRENDING_WINDOW_DAYS,
} from '../../domain/trending.ts';
import type { Account, CommentRecord, ModerationEntry } from '../../store/community-store.ts';
import { formatDay, formatRange } from '../../domain/format.ts';
import type { Html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { avatar } from '../components/avatar.ts';
import { cardGrid } from '../components/paper-card.ts';
import { emptyState } from '../components/empty-state.ts';
import { csrfField } from '../csrf.ts';
import { dayUrl, memberUrl, paperUrl } from '../../domain/urls.ts';
import type { Viewer } from '../../http/viewer.ts';
import { feedLinks } from '../components/feed-links.ts';
import { TRENDING_FEED, feedAlternates } from '../../feeds/links.ts';

export function submitPage(
  viewer: Viewer,
  options: { value?: string | undefined; error?: string | undefined; windowDays: number },
): PageOptions {
  return {
    title: 'Submit a paper',
    viewer,
    body: html`<section class="form-page">
<h1>Submit a paper</h1>
<p class="lead">Found a paper the community should read? Give its arXiv identifier or link; it joins today's feed with your name. Papers can be submitted within ${options.windowDays} days of their first arXiv version.</p>
${options.error ? html`<p class="notice notice-error" role="alert">${options.error}</p>` : ''}
<form method="post" action="/submit" class="stack-form">
${csrfField(viewer.csrfToken)}
<label for="paper">arXiv identifier or link</label>
<input id="paper" name="paper" required maxlength="500" placeholder="2607.12345 or https://arxiv.org/abs/2607.12345" value="${options.value ?? ''}">
<button type="submit" class="button button-primary">Submit</button>
</form>
</section>`,
  };
}

export function submittedPage(viewer: Viewer, paper: Paper, day: string, added: boolean): PageOptions {
  return {
    title: added ? 'Paper submitted' : 'Already on Daily Papers',
    viewer,
    body: html`<section class="form-page">
<h1>${added ? 'Thank you: the paper is on today’s feed' : 'This paper is already on Daily Papers'}</h1>
<p class="lead">${
      added
        ? html`<a href="${paperUrl(paper.id)}">${paper.title}</a> is on the feed of <a href="${dayUrl(day)}">${formatDay(day)}</a>.`
        : html`<a href="${paperUrl(paper.id)}">${paper.title}</a> was featured on <a href="${dayUrl(day)}">${formatDay(day)}</a>. Upvote it there.`
    }</p>
<p><a class="button" href="/submit">Submit another paper</a></p>
</section>`,
  };
}

const TRENDING_FEEDS = feedAlternates(TRENDING_FEED, 'Trending papers');

export function trendingPage(
  entries: DailyEntry[],
  range: { firstDay: string; lastDay: string } | null,
  viewer: Viewer | undefined,
): PageOptions {
  return {
    title: 'Trending papers',
    description: 'The papers the community is reading now: votes and discussion, weighed against age.',
    alternates: TRENDING_FEEDS,
    nav: 'trending',
    viewer,
    body: html`<div class="feed-header"><div class="feed-title">
<h1>Trending papers</h1>
<p class="subtitle">${
      range
        ? html`Featured ${formatRange(range.firstDay, range.lastDay)}, ranked by votes and discussion weighed against age — <a href="/about/trending">how trending works</a>`
        : 'No papers yet'
    }</p>
${feedLinks(TRENDING_FEEDS)}
</div></div>
<section class="feed">
${
  entries.length > 0
    ? cardGrid(
        entries.map((e) => e.paper),
        { ranked: true, viewer },
      )
    : emptyState('Nothing trending yet', 'Papers appear here once they are on the feed.')
}
</section>`,
  };
}

export function aboutTrendingPage(): PageOptions {
  return {
    title: 'How trending works',
    nav: 'trending',
    navCurrent: 'true',
    body: html`<article class="prose">
<h1>How trending works</h1>
<p>Trending lists the papers of the last ${TRENDING_WINDOW_DAYS} days on the feed, ranked by one score:</p>
<pre class="formula"><code>score = (upvotes + ${TRENDING_COMMENT_WEIGHT} × comments + 1) / (hours since submission + ${TRENDING_AGE_OFFSET_HOURS}) ^ ${TRENDING_GRAVITY}</code></pre>
<p>In words: every upvote counts one point and every comment in the discussion here ${TRENDING_COMMENT_WEIGHT}, because a discussion says more than a click (comment counts imported from Hugging Face do not count). The one extra point lets a brand-new paper without votes have a score at all. The points are divided by the paper's age on the feed, raised to the power ${TRENDING_GRAVITY}: the older a paper, the more votes it needs to stay up. So a fresh paper with a few votes overtakes an old one with slightly more.</p>
<p>This is the “gravity” idea of Hacker News, with a gentler exponent (Hacker News uses 1.8) because papers are read over days rather than hours. Nobody's votes weigh more than anybody else's, and nothing else enters the score.</p>
<p>For example, a paper with 10 upvotes and 2 comments submitted 10 hours ago scores (10 + 4 + 1) / 12<sup>${TRENDING_GRAVITY}</sup> ≈ 0.361; one with 12 upvotes and no comments submitted 30 hours ago scores 13 / 32<sup>${TRENDING_GRAVITY}</sup> ≈ 0.072.</p>
<p>The same ranking is available as <code>sort=trending</code> on <code>/api/daily_papers</code>.</p>
<p><a class="button" href="/papers/trending">See trending papers</a></p>
</article>`,
  };
}

export interface MemberView {
  account: Account;
  submitted: Paper[];
  /** Null when the member keeps their upvotes private. */
  upvoted: Paper[] | null;
  comments: { comment: CommentRecord; paper: Paper | undefined }[];
  viewer: Viewer;
  /** Moderators see a ban form. */
  canModerate: boolean;
  /** Papers the member wrote (verified claims), and for the member their claims. */
  authorship?: Html | undefined;
}

export function memberPage(view: MemberView): PageOptions {
  const { account, viewer } = view;
  return {
    title: `${account.fullname} (@${account.name})`,
    viewer,
    body: html`<header class="profile">
${avatar(account.fullname || account.name, account.avatarUrl, 'lg')}
<div class="profile-text">
<p class="profile-kind">Member${account.role !== 'member' ? html` · <span class="badge">${account.role}</span>` : ''}</p>
<h1>${account.fullname}</h1>
<p class="profile-handle">@${account.name}${account.createdAt ? html` · joined ${formatDay(account.createdAt)}` : ''}</p>
${account.bannedAt ? html`<p class="badge badge-warning">Banned</p>` : ''}
</div>
</header>
${view.canModerate ? banForm(account, viewer) : ''}
${view.authorship ?? ''}
<section class="profile-section" aria-labelledby="submitted-heading">
<h2 id="submitted-heading" class="section-heading">Submitted papers</h2>
${view.submitted.length > 0 ? cardGrid(view.submitted, { viewer }) : html`<p class="muted">No submissions yet.</p>`}
</section>
${upvotedSection(view.upvoted, viewer, viewer.account?.id === account.id)}
<section class="profile-section" aria-labelledby="comments-heading">
<h2 id="comments-heading" class="section-heading">Comments</h2>
${
  view.comments.length > 0
    ? html`<ul class="comment-digest">${view.comments.map(
        ({ comment, paper }) => html`<li>
<a href="${paperUrl(comment.paperId)}#comment-${comment.id}">${paper?.title ?? comment.paperId}</a>
<div class="comment-excerpt">${raw(renderMarkdown(comment.body.length > 280 ? `${comment.body.slice(0, 280)}…` : comment.body))}</div>
<time datetime="${comment.createdAt}">${formatDay(comment.createdAt)}</time>
</li>`,
      )}</ul>`
    : html`<p class="muted">No comments yet.</p>`
}
</section>`,
  };
}

function upvotedSection(upvoted: Paper[] | null, viewer: Viewer, own: boolean): Html {
  if (upvoted === null) {
    return own
      ? html`<p class="muted">Your upvotes are private: nobody sees them here (<a href="/settings">Settings</a>).</p>`
      : html``;
  }
  return html`<section class="profile-section" aria-labelledby="upvoted-heading">
<h2 id="upvoted-heading" class="section-heading">Upvoted papers</h2>
${upvoted.length > 0 ? cardGrid(upvoted, { viewer }) : html`<p class="muted">No upvotes yet.</p>`}
</section>`;
}

function banForm(account: Account, viewer: Viewer): Html {
  const action = account.bannedAt ? 'unban' : 'ban';
  return html`<form method="post" action="${memberUrl(account.name)}/${action}" class="inline-form moderation-form">
${csrfField(viewer.csrfToken)}
<label for="ban-reason">${action === 'ban' ? 'Reason for the ban' : 'Reason for lifting it'}</label>
<input id="ban-reason" name="reason" required maxlength="500">
<button type="submit" class="button button-danger">${action === 'ban' ? 'Ban this member' : 'Lift the ban'}</button>
</form>`;
}

export function paperModerationBox(paperId: string, viewer: Viewer): Html {
  return html`<section class="side-card moderation-box" aria-labelledby="moderation-heading">
<h2 id="moderation-heading">Moderation</h2>
<form method="post" action="${paperUrl(paperId)}/hide" class="stack-form">
${csrfField(viewer.csrfToken)}
<label for="hide-reason">Reason for hiding</label>
<input id="hide-reason" name="reason" required maxlength="500">
<button type="submit" class="button button-danger">Hide this paper</button>
</form>
</section>`;
}

export function moderationPage(
  viewer: Viewer,
  hidden: { id: string; title: string; reason: string; at: string }[],
  log: ModerationEntry[],
): PageOptions {
  return {
    title: 'Moderation',
    viewer,
    body: html`<h1 class="page-title">Moderation</h1>
<p class="lead">Members’ claims to be a paper’s author wait in <a href="/moderation/claims">Author claims</a>.</p>
<section class="profile-section" aria-labelledby="hidden-heading">
<h2 id="hidden-heading" class="section-heading">Hidden papers</h2>
${
  hidden.length === 0
    ? html`<p class="muted">No hidden papers.</p>`
    : html`<ul class="moderation-list">${hidden.map(
        (p) => html`<li>
<strong>${p.title}</strong> <span class="muted">arXiv:${p.id} · hidden ${formatDay(p.at)} · ${p.reason}</span>
<form method="post" action="${paperUrl(p.id)}/unhide" class="inline-form">${csrfField(viewer.csrfToken)}<input type="hidden" name="reason" value="restored"><button type="submit" class="button">Show again</button></form>
</li>`,
      )}</ul>`
}
</section>
<section class="profile-section" aria-labelledby="log-heading">
<h2 id="log-heading" class="section-heading">Log</h2>
${
  log.length === 0
    ? html`<p class="muted">Nothing yet.</p>`
    : html`<div class="table-scroll"><table class="moderation-log"><thead><tr><th>When</th><th>Who</th><th>Action</th><th>Target</th><th>Reason</th></tr></thead><tbody>
${log.map((e) => html`<tr><td><time datetime="${e.at}">${formatDay(e.at)}</time></td><td>${e.moderatorDeleted ? e.moderator : `@${e.moderator}`}</td><td>${e.action}</td><td>${e.target}</td><td>${e.reason}</td></tr>`)}
</tbody></table></div>`
}
</section>`,
  };
}
