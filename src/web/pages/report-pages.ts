/**
 * Reports: the page that answers a member's report, and the moderators' queue (/moderation/reports); the form
 * members use is components/report-control.ts.
 */
import { html, raw } from 'hono/html';
import type { PageOptions } from '../layout.ts';
import type { Html } from '../html.ts';
import type { Viewer } from '../../http/viewer.ts';
import type { Account } from '../../store/community-store.ts';
import type { ReportCase } from '../../store/report-store.ts';
import { csrfField } from '../csrf.ts';
import { formatDay, plural } from '../../domain/format.ts';
import { memberUrl, paperUrl } from '../../domain/urls.ts';
import { renderMarkdown } from '../../community/markdown.ts';
import { allowedDecisions, type Decision } from '../../community/reports.ts';

export function reportAnswerPage(
  viewer: Viewer,
  back: string,
  answer: { title: string; message: string; ok: boolean },
): PageOptions {
  return {
    title: answer.title,
    viewer,
    body: html`<h1 class="page-title">${answer.title}</h1>
<p class="notice ${answer.ok ? 'notice-ok' : 'notice-error'}" role="${answer.ok ? 'status' : 'alert'}">${answer.message}</p>
<p><a href="${back}">Back</a></p>`,
  };
}

const DECISION_LABELS: Record<Decision, string> = {
  hide: 'Hide it',
  warn: 'Warn its author',
  dismiss: 'Dismiss the reports',
};

function caseItem(item: ReportCase, viewer: Viewer, moderator: Account): Html {
  const decisions = allowedDecisions(moderator, item);
  const { target } = item;
  const where =
    target.kind === 'comment'
      ? html`Comment on <a href="${paperUrl(item.paperId)}#comment-${target.id}">${item.paperTitle}</a>`
      : html`Paper <a href="${paperUrl(item.paperId)}">${item.paperTitle}</a>`;
  const owner = item.owner
    ? html`by <a href="${memberUrl(item.owner.name)}">@${item.owner.name}</a>${item.owner.role !== 'member' ? html` <span class="role-tag">${item.owner.role}</span>` : ''}`
    : target.kind === 'paper'
      ? 'imported, no local submitter'
      : '';
  const field = `${target.kind}-${target.id.replace(/[^A-Za-z0-9]/g, '-')}`;
  return html`<li class="report-case" id="report-${field}">
<p class="report-what"><strong>${where}</strong> <span class="muted">${owner}</span></p>
${item.commentBody !== null ? html`<blockquote class="report-quote">${raw(renderMarkdown(item.commentBody))}</blockquote>` : ''}
<p class="report-count">${plural(item.reports.length, 'report')}, first <time datetime="${item.firstAt}">${formatDay(item.firstAt)}</time></p>
<ul class="report-reasons">${item.reports.map((r) => html`<li><a href="${memberUrl(r.reporter)}">@${r.reporter}</a>: ${r.reason}</li>`)}</ul>
${
  decisions.length === 0
    ? html`<p class="muted">This is content of a moderator or an administrator (or your own): those above them decide.</p>`
    : html`<form method="post" action="/moderation/reports/resolve" class="stack-form report-resolve">
${csrfField(viewer.csrfToken)}
<input type="hidden" name="kind" value="${target.kind}"><input type="hidden" name="id" value="${target.id}">
<label for="reason-${field}">Reason (public, in the moderation log)</label>
<input id="reason-${field}" name="reason" required maxlength="500">
<div class="report-decisions">${decisions.map((d) => html`<button type="submit" name="decision" value="${d}" class="button${d === 'hide' ? ' button-danger' : ''}">${DECISION_LABELS[d]}</button>`)}</div>
</form>`
}
</li>`;
}

export function reportQueuePage(
  viewer: Viewer,
  moderator: Account,
  cases: ReportCase[],
  total: number,
  notice: string | undefined,
): PageOptions {
  return {
    title: total > 0 ? `Reports (${total})` : 'Reports',
    viewer,
    body: html`<h1 class="page-title">Reports${total > 0 ? html` <span class="title-count">${total} open</span>` : ''}</h1>
<p class="lead">What members reported, one entry per comment or paper, oldest first. Each decision goes to the <a href="/moderation">public moderation log</a> with its reason: hiding hides the item, a warning tells its author, dismissing closes the reports.</p>
${notice ? html`<p class="notice notice-ok" role="status">${notice}</p>` : ''}
${cases.length === 0 ? html`<p class="muted">No open reports.</p>` : html`<ol class="report-queue">${cases.map((item) => caseItem(item, viewer, moderator))}</ol>`}`,
  };
}
