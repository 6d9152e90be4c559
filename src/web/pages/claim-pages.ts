/** The moderators' queue of authorship claims, and the administrators' page that ties email domains to organizations. */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import type { AuthorClaim, DomainTie } from '../../store/claim-store.ts';
import type { ClaimOutcome } from '../../community/author-claims.ts';
import { formatDay } from '../../domain/format.ts';
import { authorUrl, memberUrl, organizationUrl, paperUrl } from '../../domain/urls.ts';
import type { Viewer } from '../../http/viewer.ts';
import type { PageOptions } from '../layout.ts';
import { csrfField } from '../csrf.ts';
import { avatar } from '../components/avatar.ts';

export interface QueuedClaim {
  claim: AuthorClaim;
  paper: Paper | undefined;
  /** The domain of the claimant's address (moderators judge by it; the address itself stays private). */
  domain: string | null;
  /** Other members' pending claims on the same entry. */
  rivals: number;
}

export function claimQueuePage(viewer: Viewer, queue: QueuedClaim[], error?: string): PageOptions {
  return {
    title: 'Author claims',
    viewer,
    body: html`<h1 class="page-title">Author claims</h1>
<p class="lead">Members who say they are one of a paper’s authors. Approve a claim when you are satisfied it is theirs (their address, their homepage, the paper itself); approving one rejects the other claims on the same author. Every decision goes to the <a href="/moderation">moderation log</a> with its reason.</p>
${error ? html`<p class="notice notice-error" role="alert">${error}</p>` : ''}
${
  queue.length === 0
    ? html`<p class="muted">No claims are waiting.</p>`
    : html`<ul class="claim-queue">${queue.map(({ claim, paper, domain, rivals }) => {
        const who = claim.member.fullname || claim.member.name;
        return html`<li class="claim-card" id="claim-${claim.id}">
<p class="claim-who"><a href="${memberUrl(claim.member.name)}">${avatar(who, claim.member.avatarUrl, 'md')}<strong>${who}</strong> <span class="muted">@${claim.member.name}</span></a>${
          domain ? html` <span class="muted">· address at @${domain}</span>` : ''
        }</p>
<p class="claim-what">claims to be <a href="${authorUrl(claim.authorName)}"><strong>${claim.authorName}</strong></a> (author ${claim.position + 1}${paper ? ` of ${paper.authors.length}` : ''}) on
<a href="${paperUrl(claim.paperId)}">${paper?.title ?? claim.paperId}</a>${paper?.organization ? html` <span class="muted">· ${paper.organization.fullname}</span>` : ''}</p>
<p class="muted claim-when">Filed <time datetime="${claim.createdAt}">${formatDay(claim.createdAt)}</time>${rivals > 0 ? html` · <strong>${rivals} other ${rivals === 1 ? 'member claims' : 'members claim'} this author</strong>` : ''}</p>
<form method="post" action="/moderation/claims/${claim.id}" class="claim-decide">
${csrfField(viewer.csrfToken)}
<label for="reason-${claim.id}">Reason (kept in the moderation log; needed to reject)</label>
<input id="reason-${claim.id}" name="reason" maxlength="500" placeholder="e.g. address at the lab’s domain">
<div class="claim-buttons">
<button type="submit" name="decision" value="approve" class="button button-primary">Approve</button>
<button type="submit" name="decision" value="reject" class="button button-danger">Reject</button>
</div>
</form>
</li>`;
      })}</ul>`
}`,
  };
}

export function claimDomainsPage(
  viewer: Viewer,
  ties: DomainTie[],
  options: { error?: string | undefined; organization?: string; domain?: string } = {},
): PageOptions {
  return {
    title: 'Email domains of organizations',
    viewer,
    body: html`<h1 class="page-title">Email domains of organizations</h1>
<p class="lead">A member whose address is at a domain tied to an organization is verified at once when they claim to be an author of one of that organization’s papers; every other claim waits for a moderator. Members sign in by a link sent to their address, so the address is theirs. The papers carry no affiliations: this is a rule you set, so tie only domains whose holders are the organization’s people. Changes go to the <a href="/moderation">moderation log</a>.</p>
${options.error ? html`<p class="notice notice-error" role="alert">${options.error}</p>` : ''}
<section class="profile-section" aria-labelledby="ties-heading">
<h2 id="ties-heading" class="section-heading">Tied domains</h2>
${
  ties.length === 0
    ? html`<p class="muted">No domains are tied: every claim goes to the moderators.</p>`
    : html`<ul class="moderation-list">${ties.map(
        (t) => html`<li>
<span><strong>@${t.domain}</strong> → <a href="${organizationUrl(t.organization)}">${t.organizationFullname}</a></span> <span class="muted">${t.organization} · tied ${formatDay(t.createdAt)}${t.createdBy ? ` by @${t.createdBy}` : ''}</span>
<form method="post" action="/admin/claim-domains/remove" class="inline-form">${csrfField(viewer.csrfToken)}
<input type="hidden" name="organization" value="${t.organization}"><input type="hidden" name="domain" value="${t.domain}">
<button type="submit" class="button">Untie</button></form>
</li>`,
      )}</ul>`
}
</section>
<section class="profile-section" aria-labelledby="tie-heading">
<h2 id="tie-heading" class="section-heading">Tie a domain to an organization</h2>
<form method="post" action="/admin/claim-domains" class="stack-form">
${csrfField(viewer.csrfToken)}
<label for="tie-organization">Organization (its handle, as in /orgs/<em>handle</em>)</label>
<input id="tie-organization" name="organization" required maxlength="100" value="${options.organization ?? ''}" placeholder="google">
<label for="tie-domain">Email domain</label>
<input id="tie-domain" name="domain" required maxlength="253" value="${options.domain ?? ''}" placeholder="lab.example">
<button type="submit" class="button button-primary">Tie domain</button>
</form>
</section>`,
  };
}

export function claimResultsPage(
  viewer: Viewer,
  name: string,
  results: { paper: Paper; outcome: ClaimOutcome }[],
): PageOptions {
  const text = (outcome: ClaimOutcome) =>
    outcome.status === 'refused'
      ? outcome.message
      : outcome.status === 'approved'
        ? 'verified: your address is at a domain tied to the paper’s organization'
        : 'waiting for a moderator';
  return {
    title: 'Your claims',
    viewer,
    body: html`<section class="form-page">
<h1>Your claims as ${name}</h1>
<ul class="claim-list">${results.map(
      ({ paper, outcome }) =>
        html`<li class="claim-item claim-${outcome.status}"><div class="claim-text"><a href="${paperUrl(paper.id)}">${paper.title}</a> <span class="muted">${text(outcome)}</span></div></li>`,
    )}</ul>
<p><a class="button" href="${authorUrl(name)}">Back to ${name}</a>${viewer.account ? html` <a class="button" href="${memberUrl(viewer.account.name)}#claims-heading">Your claims</a>` : ''}</p>
</section>`,
  };
}
