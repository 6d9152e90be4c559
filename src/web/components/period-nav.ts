/** The feed's toolbar: Daily / Weekly / Monthly tabs, previous / next period, and a date picker that needs no JS. */
import { html } from 'hono/html';
import type { Period, PeriodKind } from '../../domain/periods.ts';
import { formatPeriod, formatRange, plural } from '../../domain/format.ts';
import type { Html } from '../html.ts';

export interface PeriodNav {
  period: Period;
  /** Address of the same moment as a day, a week and a month. */
  tabs: Record<PeriodKind, string>;
  previous: { url: string; label: string } | null;
  next: { url: string; label: string } | null;
  /** The day the date picker shows. */
  pickerDay: string;
}

const TAB_LABELS: Record<PeriodKind, string> = { day: 'Daily', week: 'Weekly', month: 'Monthly' };
const KINDS: PeriodKind[] = ['day', 'week', 'month'];

export function datePicker(day: string): Html {
  return html`<form class="date-picker" action="/papers" method="get">
<label for="date-picker-input">Go to day</label>
<input id="date-picker-input" type="date" name="date" value="${day}" required>
<button class="button" type="submit">Go</button>
</form>`;
}

export function periodTabs(nav: PeriodNav): Html {
  return html`<nav class="tabs" aria-label="Feed period">${KINDS.map(
    (kind) => html`<a class="tab" href="${nav.tabs[kind]}"${
      kind === nav.period.kind ? html` aria-current="page"` : ''
    }>${TAB_LABELS[kind]}</a>
`,
  )}</nav>`;
}

export function periodHeading(nav: PeriodNav, count: number): Html {
  const { period } = nav;
  return html`<div class="period-bar">
${stepLink(nav.previous, 'prev')}
<div class="period-title">
<h2 id="period-heading">${formatPeriod(period)}</h2>
<p class="period-detail">${period.kind === 'day' ? '' : html`${formatRange(period.firstDay, period.lastDay)} · `}${plural(count, 'paper')}</p>
</div>
${stepLink(nav.next, 'next')}
</div>`;
}

function stepLink(step: { url: string; label: string } | null, rel: 'prev' | 'next'): Html {
  const arrow = rel === 'prev' ? '←' : '→';
  const text = rel === 'prev' ? 'Previous' : 'Next';
  if (!step) return html`<span class="step step-${rel} step-disabled" aria-hidden="true">${arrow}</span>`;
  return html`<a class="step step-${rel}" rel="${rel}" href="${step.url}" title="${text}: ${step.label}"><span aria-hidden="true">${arrow}</span><span class="sr-only">${text}: ${step.label}</span></a>`;
}
