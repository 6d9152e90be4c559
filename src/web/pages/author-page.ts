/**
 * An author: their papers newest first, with totals. Where members have verified themselves as authors of this
 * name, the page stops merging them: each verified person is listed apart (with their papers behind
 * ?member=HANDLE), and the papers nobody claimed are listed as such (they may still be several people).
 */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import type { ClaimMember } from '../../store/claim-store.ts';
import type { PageOptions } from '../layout.ts';
import type { Html } from '../html.ts';
import { profileBody } from '../components/profile.ts';
import { authorUrl, memberUrl } from '../../domain/urls.ts';
import { authorFeed, feedAlternates } from '../../feeds/links.ts';
import { followButton } from '../components/follow-button.ts';
import { avatar } from '../components/avatar.ts';
import { hfAuthorUrl, verifiedAuthorUrl, verifiedBadge } from '../components/authorship.ts';
import { csrfField } from '../csrf.ts';
import { plural } from '../../domain/format.ts';
import type { Viewer } from '../../http/viewer.ts';

export interface AuthorView {
  name: string;
  /** Totals of what the page lists (one person's papers, the unclaimed ones, or all). */
  totals: { papers: number; upvotes: number };
  papers: Paper[];
  page: number;
  viewer: Viewer;
  following: boolean;
  /** Members verified as authors of this name, with how many of its papers are theirs. */
  people: { member: ClaimMember; papers: number }[];
  /** Hugging Face accounts the imported records tie to this name, with their numbers of papers. */
  hfPeople: { hfUser: string; papers: number }[];
  /** Papers of the name nobody claimed. */
  unclaimed: number;
  /** The person whose papers are listed (?member=), if one. */
  member: ClaimMember | null;
  /** The Hugging Face account whose papers are listed (?hf=), if one. */
  hfUser: string | null;
  /** Of the papers listed, those the signed-in viewer may claim from here. */
  claimable: Paper[];
}

export function authorPage(view: AuthorView): PageOptions {
  const { name, member, hfUser, viewer } = view;
  const grouped = view.people.length > 0 || view.hfPeople.length > 0;
  const path = member ? verifiedAuthorUrl(name, member) : hfUser ? hfAuthorUrl(name, hfUser) : authorUrl(name);
  const who = member ? ` (@${member.name})` : hfUser ? ` (${hfUser} on Hugging Face)` : '';
  const feeds = feedAlternates(authorFeed(name), name);
  return {
    title: `${name}${who}${view.page > 1 ? ` (page ${view.page})` : ''}`,
    description: `Research papers by ${name} featured on Daily Papers.`,
    alternates: feeds,
    nav: 'papers',
    navCurrent: 'true',
    body: html`${followButton('author', name, name, viewer, view.following)}${profileBody({
      kind: 'Author',
      name,
      handle: member
        ? html`verified as <a href="${memberUrl(member.name)}">@${member.name}</a>`
        : hfUser
          ? html`tied to ${hfUser} on Hugging Face`
          : undefined,
      avatarUrl: member?.avatarUrl ?? null,
      totals: view.totals,
      papers: view.papers,
      page: view.page,
      path,
      heading: member
        ? `Papers of @${member.name} as ${name}`
        : hfUser
          ? `Papers of ${hfUser} as ${name}`
          : grouped
            ? 'Papers nobody has claimed yet'
            : 'Papers',
      before: grouped ? peopleSection(view) : undefined,
      after: view.claimable.length > 0 ? claimForm(name, view.claimable, viewer) : undefined,
      feeds,
      cards: { viewer: viewer.account ? viewer : undefined },
    })}`,
  };
}

function peopleSection(view: AuthorView): Html {
  const current = view.member?.id ?? null;
  const all = current === null && view.hfUser === null;
  return html`<section class="author-people" aria-labelledby="people-heading">
<h2 id="people-heading" class="section-heading">People named ${view.name}</h2>
<p class="muted">Members who verified that they are an author listed under this name, and Hugging Face accounts the imported records tie to it. Papers nobody claimed may be by any of them, or by others of the same name.</p>
<ul class="people-list">
${view.people.map(
  ({ member, papers }) =>
    html`<li${member.id === current ? html` aria-current="page"` : ''}><a href="${verifiedAuthorUrl(view.name, member)}">${avatar(member.fullname || member.name, member.avatarUrl, 'md')}<span class="people-name"><strong>${member.fullname || member.name}</strong> ${verifiedBadge(member)} <span class="muted">@${member.name}</span></span><span class="people-count">${plural(papers, 'paper')}</span></a></li>`,
)}
${view.hfPeople.map(
  ({ hfUser, papers }) =>
    html`<li${hfUser === view.hfUser ? html` aria-current="page"` : ''}><a href="${hfAuthorUrl(view.name, hfUser)}"><span class="people-name"><strong>${hfUser}</strong> <span class="muted">on Hugging Face</span></span><span class="people-count">${plural(papers, 'paper')}</span></a></li>`,
)}
${
  view.unclaimed > 0
    ? html`<li${all ? html` aria-current="page"` : ''}><a href="${authorUrl(view.name)}"><span class="people-name"><strong>Not claimed yet</strong></span><span class="people-count">${plural(view.unclaimed, 'paper')}</span></a></li>`
    : ''
}
</ul>
</section>`;
}

function claimForm(name: string, papers: Paper[], viewer: Viewer): Html {
  return html`<details class="claim-box">
<summary>Are you ${name}? Claim your papers</summary>
<form method="post" action="${authorUrl(name)}/claims" class="stack-form">
${csrfField(viewer.csrfToken)}
<fieldset><legend>Papers on this page where you are ${name}</legend>
${papers.map((p) => html`<label class="check"><input type="checkbox" name="paper" value="${p.id}"> ${p.title}</label>`)}
</fieldset>
<p class="form-hint">A moderator checks each claim, unless the administrators tied the paper’s organization to the domain of your address.</p>
<button type="submit" class="button button-primary">Claim the chosen papers</button>
</form>
</details>`;
}
