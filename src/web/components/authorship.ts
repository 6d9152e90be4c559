/**
 * Authorship on pages: the verified-author badge (paper author list, comments, author pages), the "Claim this
 * paper" box under a paper's authors, and the member's claims on their profile with the "show on profile" switch.
 * Forms work without JavaScript.
 */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import type { AuthorClaim, ClaimMember } from '../../store/claim-store.ts';
import { formatDay } from '../../domain/format.ts';
import { authorUrl, paperUrl, signInUrl } from '../../domain/urls.ts';
import type { Viewer } from '../../http/viewer.ts';
import type { Html } from '../html.ts';
import { csrfField } from '../csrf.ts';

/** What a paper page knows of its authors' claims. */
export interface PaperAuthorship {
  /** Verified authors by position in the author list. */
  verified: ReadonlyMap<number, ClaimMember>;
  /** The viewer's pending or approved claim on the paper, if any. */
  own: AuthorClaim | null;
}

/** A claim counts where its entry still holds the name claimed (a re-import may have changed the author list). */
export function paperAuthorship(
  paper: Paper,
  claims: readonly AuthorClaim[],
  viewer: Viewer | undefined,
): PaperAuthorship {
  const verified = new Map<number, ClaimMember>();
  for (const claim of claims)
    if (claim.status === 'approved' && paper.authors[claim.position]?.name === claim.authorName)
      verified.set(claim.position, claim.member);
  const own = claims.find((k) => k.member.id === viewer?.account?.id) ?? null;
  return { verified, own };
}

/** Where the name of a verified author leads: the author page of the name, that member's papers only. */
export function verifiedAuthorUrl(name: string, member: Pick<ClaimMember, 'name'>): string {
  return `${authorUrl(name)}?member=${encodeURIComponent(member.name)}`;
}

/** The author page of a name, the papers the imported records tie to one Hugging Face account only. */
export function hfAuthorUrl(name: string, hfUser: string): string {
  return `${authorUrl(name)}?hf=${encodeURIComponent(hfUser)}`;
}

export function verifiedBadge(member: Pick<ClaimMember, 'name'>, label = 'Verified author'): Html {
  return html`<span class="verified-author" title="${label}: @${member.name}"><span class="verified-mark" aria-hidden="true">✓</span><span class="sr-only">(${label.toLowerCase()})</span></span>`;
}

/** The badge beside a comment's author who is a verified author of the paper. */
export function commentAuthorBadge(): Html {
  return html`<span class="badge badge-author" title="A verified author of this paper">Author</span>`;
}

export function claimBox(paper: Paper, authorship: PaperAuthorship, viewer: Viewer | undefined): Html {
  if (paper.authors.length === 0) return html``;
  if (!viewer?.account) {
    return html`<p class="claim-hint">Are you an author? <a href="${signInUrl(paperUrl(paper.id))}">Sign in to claim this paper</a>.</p>`;
  }
  const own = authorship.own;
  if (own?.status === 'approved')
    return html`<p class="claim-hint claim-done">${verifiedBadge(viewer.account)} You are the verified author “${own.authorName}” of this paper.</p>`;
  if (own?.status === 'pending')
    return html`<p class="claim-hint">Your claim to be “${own.authorName}” is waiting for a moderator.</p>`;
  const open = paper.authors
    .map((a, position) => ({ name: a.name, position }))
    .filter((a) => !authorship.verified.has(a.position));
  if (open.length === 0) return html``;
  return html`<details class="claim-box">
<summary>Are you an author? Claim this paper</summary>
<form method="post" action="${paperUrl(paper.id)}/claims" class="stack-form">
${csrfField(viewer.csrfToken)}
<label for="claim-position">Which author are you?</label>
<select id="claim-position" name="position" required>
<option value="">Choose your name…</option>
${open.map((a) => html`<option value="${a.position}">${a.name}</option>`)}
</select>
<p class="form-hint">A moderator checks each claim. Where the administrators tied this paper’s organization to an email domain, an address at that domain is verified at once.</p>
<button type="submit" class="button button-primary">Claim authorship</button>
</form>
</details>`;
}

/** A member's profile: the papers they wrote (approved claims they show), and for themselves every claim. */
export function authoredSection(papers: Paper[], cards: (papers: Paper[]) => Html, own: boolean): Html {
  if (papers.length === 0 && !own) return html``;
  return html`<section class="profile-section" aria-labelledby="authored-heading">
<h2 id="authored-heading" class="section-heading">Papers as author</h2>
${papers.length > 0 ? cards(papers) : html`<p class="muted">No verified papers on your profile yet. Claim yours from a paper’s page, under its authors.</p>`}
</section>`;
}

const STATUS_TEXT = { pending: 'waiting for a moderator', approved: 'verified', rejected: 'rejected' } as const;

export function ownClaimsSection(claims: AuthorClaim[], titles: ReadonlyMap<string, string>, viewer: Viewer): Html {
  if (claims.length === 0) return html``;
  return html`<section class="profile-section" aria-labelledby="claims-heading">
<h2 id="claims-heading" class="section-heading">Your author claims <span class="section-note">only you see this list</span></h2>
<ul class="claim-list">${claims.map(
    (k) => html`<li class="claim-item claim-${k.status}">
<div class="claim-text"><a href="${paperUrl(k.paperId)}">${titles.get(k.paperId) ?? k.paperId}</a>
<span class="muted">as ${k.authorName} · ${STATUS_TEXT[k.status]}${k.decidedAt ? ` ${formatDay(k.decidedAt)}` : ''}${
      k.status === 'rejected' && k.reason ? html` · ${k.reason}` : ''
    }</span></div>
<div class="claim-actions">
${
  k.status === 'approved'
    ? html`<form method="post" action="/claims/${k.id}/profile" class="inline-form">${csrfField(viewer.csrfToken)}
<input type="hidden" name="show" value="${k.showOnProfile ? '0' : '1'}">
<button type="submit" class="button switch" role="switch" aria-checked="${k.showOnProfile ? 'true' : 'false'}" aria-label="Show on profile: ${titles.get(k.paperId) ?? k.paperId}"><span class="switch-track" aria-hidden="true"></span>Show on profile</button>
</form>`
    : ''
}${
  k.status === 'rejected'
    ? ''
    : html`<form method="post" action="/claims/${k.id}/withdraw" class="inline-form">${csrfField(viewer.csrfToken)}<button type="submit" class="button" aria-label="Withdraw your claim on ${titles.get(k.paperId) ?? k.paperId}">Withdraw</button></form>`
}
</div>
</li>`,
  )}</ul>
</section>`;
}

/** Moderators (on the paper page) take back a verified author's claim, with a reason for the log. */
export function verifiedAuthorsModeration(paper: Paper, authorship: PaperAuthorship, viewer: Viewer): Html {
  if (authorship.verified.size === 0) return html``;
  return html`<section class="side-card moderation-box" aria-labelledby="verified-moderation-heading">
<h2 id="verified-moderation-heading">Verified authors</h2>
${[...authorship.verified].map(
  ([position, member]) => html`<form method="post" action="/moderation/claims/revoke" class="stack-form">
${csrfField(viewer.csrfToken)}
<input type="hidden" name="paper" value="${paper.id}"><input type="hidden" name="position" value="${position}">
<label for="revoke-${position}">${paper.authors[position]?.name} is @${member.name}: reason to revoke</label>
<input id="revoke-${position}" name="reason" required maxlength="500">
<button type="submit" class="button button-danger">Revoke</button>
</form>`,
)}
</section>`;
}
