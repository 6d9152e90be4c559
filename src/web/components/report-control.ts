/**
 * The Report control of a comment or a paper: a <details> with a reason field, so it works without JavaScript
 * and takes no room until asked for. Shown to signed-in members other than the author.
 */
import { html } from 'hono/html';
import type { Html } from '../html.ts';
import type { ReportTarget } from '../../store/report-store.ts';
import { csrfField } from '../csrf.ts';
import { paperUrl } from '../../domain/urls.ts';
import { REPORT_REASON_MAX } from '../../community/reports.ts';

export function reportUrl(target: ReportTarget): string {
  return target.kind === 'comment' ? `/comments/${target.id}/report` : `${paperUrl(target.id)}/report`;
}

/** The Report control of a comment or a paper, for signed-in members other than its author. */
export function reportControl(target: ReportTarget, csrfToken: string | null, className = 'comment-action'): Html {
  const field = `report-${target.kind}-${target.id.replace(/[^A-Za-z0-9]/g, '-')}`;
  return html`<details class="${className} report-control">
<summary>${target.kind === 'paper' ? 'Report this paper' : 'Report'}</summary>
<form method="post" action="${reportUrl(target)}" class="comment-confirm">
${csrfField(csrfToken)}
<label for="${field}">What is wrong with this ${target.kind}? The moderators see your report and your handle.</label>
<input id="${field}" name="reason" required maxlength="${REPORT_REASON_MAX}" placeholder="Spam, abuse, off topic…">
<button type="submit" class="button">Send report</button>
</form>
</details>`;
}
