/** The feed: papers of a day, an ISO week or a month, ranked by upvotes. */
import { html } from 'hono/html';
import type { DailyEntry } from '../../domain/types.ts';
import { formatPeriod } from '../../domain/format.ts';
import type { Html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { cardGrid } from '../components/paper-card.ts';
import { emptyState } from '../components/empty-state.ts';
import { pagination } from '../components/pagination.ts';
import { datePicker, periodHeading, periodTabs, type PeriodNav } from '../components/period-nav.ts';
import { PAGE_SIZE, periodUrl } from '../../domain/urls.ts';
import { DAILY_FEED, feedAlternates } from '../../feeds/links.ts';
import { anonymousViewer, type Viewer } from '../../http/viewer.ts';
import { feedLinks } from '../components/feed-links.ts';

export interface DailyView extends PeriodNav {
  entries: DailyEntry[];
  total: number;
  page: number;
  /** A signed-in viewer (their votes); pages for anonymous viewers are shared and cached. */
  viewer?: Viewer | undefined;
}

const FEEDS = feedAlternates(DAILY_FEED, 'Daily Papers');

function feedHeader(pickerDay: string, tabs: Html | string, feeds: Html | string = ''): Html {
  return html`<div class="feed-header">
<div class="feed-title">
<h1>Daily Papers</h1>
<p class="subtitle">by the research community</p>
${feeds}
</div>
${datePicker(pickerDay)}
</div>
${tabs}`;
}

export function dailyPage(view: DailyView): PageOptions {
  const totalPages = Math.max(1, Math.ceil(view.total / PAGE_SIZE));
  const label = formatPeriod(view.period);
  const body = html`${feedHeader(view.pickerDay, periodTabs(view), feedLinks(FEEDS))}
<section class="feed" aria-labelledby="period-heading">
${periodHeading(view, view.total)}
${
  view.entries.length > 0
    ? cardGrid(
        view.entries.map((e) => e.paper),
        {
          ranked: true,
          start: (view.page - 1) * PAGE_SIZE + 1,
          viewer: view.viewer ?? anonymousViewer(periodUrl(view.period, view.page)),
        },
      )
    : emptyState(
        view.period.kind === 'day' ? 'No papers on this day' : `No papers in this ${view.period.kind}`,
        'Papers are featured on weekdays; try the previous or next one.',
      )
}
${pagination(periodUrl(view.period), view.page, totalPages)}
</section>`;
  return {
    title: `Daily Papers — ${label}${view.page > 1 ? ` (page ${view.page})` : ''}`,
    description: `Research papers featured on Daily Papers for ${label}, ranked by community upvotes.`,
    alternates: FEEDS,
    nav: 'papers',
    viewer: view.viewer,
    subscribeBox: true,
    body,
  };
}

/** The home page of an instance that holds no papers yet. */
export function noPapersPage(today: string): PageOptions {
  return {
    title: 'Daily Papers',
    nav: 'papers',
    body: html`${feedHeader(today, '')}
${emptyState(
  'No papers yet',
  html`<p>This Paperboy instance has not imported any papers. Import Daily Papers files or an arXiv JSONL dump with:</p>
<pre class="command"><code>paperboy import PATH</code></pre>
<p>PATH can be a day file (<code>2026-07-24.json</code>), a folder or a <code>.tar.gz</code> of them, or a <code>.jsonl</code> file. Then reload this page.</p>`,
)}`,
  };
}
