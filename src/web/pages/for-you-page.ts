/** "For you": the member's recommendations with the reason for each, and the new papers of what they follow. */
import { html } from 'hono/html';
import type { RecommendationList } from '../../recs/recommender.ts';
import { formatRange, plural } from '../../domain/format.ts';
import type { Html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { csrfField } from '../csrf.ts';
import { emptyState } from '../components/empty-state.ts';
import { paperCard } from '../components/paper-card.ts';
import type { FollowSection } from '../../recs/member-feed.ts';
import { followTargetUrl, KIND_LABELS } from './following-page.ts';
import type { Viewer } from '../../http/viewer.ts';

export interface ForYouView {
  viewer: Viewer;
  list: RecommendationList;
  follows: { window: { firstDay: string; lastDay: string } | null; sections: FollowSection[] };
  dismissed: number;
  notice?: string | undefined;
}

const COLD_START_NOTES: Record<NonNullable<RecommendationList['coldStartReason']>, string> = {
  'no-history':
    'You have not upvoted or saved any papers yet, so this list is not personal: it is what is trending. Upvote or save papers you like and it learns from them.',
  'no-embedder':
    'This instance has no embedding model yet, so recommendations are not personal for now: here is what is trending.',
  'not-embedded':
    'The papers you liked are not embedded yet (that happens within minutes of their import); until then, here is what is trending.',
};

export function forYouPage(view: ForYouView): PageOptions {
  const { viewer, list } = view;
  const csrf = csrfField(viewer.csrfToken);
  const explanation = list.coldStart
    ? html`<p class="notice notice-info for-you-cold" role="note"><strong>Trending, not personal yet.</strong> ${COLD_START_NOTES[list.coldStartReason ?? 'no-history']}</p>`
    : html`<p class="for-you-how">Ranked by ${list.method === 'linear' ? 'a model trained on' : 'similarity to'} the ${plural(list.likesUsed, 'paper')} you upvoted or saved${list.window ? html`, over the papers published ${formatRange(list.window.firstDay, list.window.lastDay)}` : ''}. Papers you upvoted, saved or marked “Not interested” are left out.</p>`;
  const items = list.items.map(
    (item) => html`<li class="for-you-item">
${paperCard(item.paper, { viewer })}
<div class="for-you-why">
<p class="for-you-reason"><span class="sr-only">Why: </span>${item.reason.kind === 'trending' ? html`<span class="badge">Trending</span> ${item.reason.text}` : item.reason.text}</p>
<form method="post" action="/for-you/dismiss">${csrf}<input type="hidden" name="paper" value="${item.paper.id}"><button type="submit" class="button button-small" aria-label="Not interested in “${item.paper.title}”">Not interested</button></form>
</div>
</li>`,
  );
  const body = html`<section class="for-you">
<h1>For you</h1>
${view.notice ? html`<p class="notice notice-ok" role="status">${view.notice}</p>` : ''}
${explanation}
${list.items.length > 0 ? html`<ol class="for-you-list">${items}</ol>` : emptyState('Nothing to recommend yet', 'There are no papers in the recent window that you have not seen.')}
<section class="for-you-reset" aria-labelledby="reset-heading">
<h2 id="reset-heading" class="section-heading">Reset</h2>
<p>Reset brings back the ${plural(view.dismissed, 'paper')} you marked “Not interested”. Your upvotes and saved papers stay and keep shaping this list: to change what it learns from, take back an upvote or remove a paper from your <a href="/collections">collections</a>.</p>
<form method="post" action="/for-you/reset">${csrf}<button type="submit" class="button"${view.dismissed === 0 ? ' disabled' : ''}>Reset “Not interested”</button></form>
</section>
${followSections(view)}
</section>`;
  return { title: 'For you', viewer, body };
}

function followSections(view: ForYouView): Html {
  const { window, sections } = view.follows;
  if (sections.length === 0) {
    return html`<section class="for-you-follows" aria-labelledby="follows-heading">
<h2 id="follows-heading" class="section-heading">From what you follow</h2>
<p class="muted">Follow organizations, authors and searches (the “Follow” button on their pages) and their new papers show here. <a href="/following">What you follow</a></p>
</section>`;
  }
  return html`<section class="for-you-follows" aria-labelledby="follows-heading">
<h2 id="follows-heading" class="section-heading">From what you follow ${window ? html`<span class="section-note">published ${formatRange(window.firstDay, window.lastDay)}</span>` : ''}</h2>
${sections.map(
  ({ follow, papers }) => html`<section class="follow-section">
<h3 class="follow-section-title"><span class="muted">${KIND_LABELS[follow.kind]}</span> <a href="${followTargetUrl(follow)}">${follow.label}</a></h3>
${
  papers.length > 0
    ? html`<ul class="card-grid">${papers.map((p) => html`<li>${paperCard(p, { viewer: view.viewer })}</li>`)}</ul>`
    : html`<p class="muted">No new papers in these days.</p>`
}
</section>`,
)}
<p><a href="/following">Manage what you follow</a></p>
</section>`;
}
