/** Gathers what a feed page shows, in one round of store calls (no per-card queries). */
import { addDays, dayPeriod, monthOf, periodOf, shiftPeriod, weekOf, type Period } from '../domain/periods.ts';
import type { Store } from '../store/store.ts';
import { formatPeriod } from '../domain/format.ts';
import type { PeriodNav } from './components/period-nav.ts';
import type { DailyView } from './pages/daily-page.ts';
import { PAGE_SIZE, periodUrl } from '../domain/urls.ts';

/** The feed of a period, or null when the page number lies past the end. */
export async function loadFeed(store: Store, period: Period, page: number): Promise<DailyView | null> {
  const range = { firstDay: period.firstDay, lastDay: period.lastDay };
  const [entries, total, nav] = await Promise.all([
    store.listDaily({ ...range, sort: 'upvotes', offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE }),
    store.countDaily(range),
    navigation(store, period),
  ]);
  if (page > 1 && entries.length === 0) return null;
  return { ...nav, entries, total, page };
}

async function navigation(store: Store, period: Period): Promise<PeriodNav> {
  if (period.kind === 'day') {
    // Days skip over the days without papers (weekends, holidays).
    const { previous, next } = await store.neighbourDays(period.firstDay);
    return {
      period,
      tabs: tabsFor(period.firstDay),
      previous: previous ? step(dayPeriod(previous)) : null,
      next: next ? step(dayPeriod(next)) : null,
      pickerDay: period.firstDay,
    };
  }
  const [before, after, upToEnd] = await Promise.all([
    store.neighbourDays(period.firstDay),
    store.neighbourDays(period.lastDay),
    store.neighbourDays(addDays(period.lastDay, 1)),
  ]);
  // The Daily tab of a week or month opens its last day with papers.
  const lastWithPapers = upToEnd.previous !== null && upToEnd.previous >= period.firstDay ? upToEnd.previous : null;
  const representative = lastWithPapers ?? period.firstDay;
  return {
    period,
    tabs: { ...tabsFor(representative), [period.kind]: periodUrl(period) },
    previous: before.previous ? step(shiftPeriod(period, -1)) : null,
    next: after.next ? step(shiftPeriod(period, 1)) : null,
    pickerDay: representative,
  };
}

function tabsFor(day: string): PeriodNav['tabs'] {
  return { day: periodUrl(periodOf('day', day)), week: periodUrl(weekOf(day)), month: periodUrl(monthOf(day)) };
}

function step(period: Period): { url: string; label: string } {
  return { url: periodUrl(period), label: formatPeriod(period) };
}
