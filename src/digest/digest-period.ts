/**
 * What a digest covers. A daily digest is one feed day (YYYY-MM-DD); a weekly digest is one ISO week, written
 * YYYY-Www like the weekly feed (/papers/week/2026-W30). The ledger keys deliveries by "daily:2026-07-24" or
 * "weekly:2026-W30", so a period is sent to a subscriber at most once whatever day the run happens on.
 */
import { addDays, parseDay, parseWeek, weekOf } from '../domain/periods.ts';
import type { DigestFrequency } from '../store/subscription-store.ts';

export interface DigestPeriod {
  frequency: DigestFrequency;
  /** "2026-07-24" or "2026-W30". */
  label: string;
  /** Ledger key: "daily:2026-07-24". */
  key: string;
  firstDay: string;
  lastDay: string;
}

export function dailyPeriod(day: string): DigestPeriod {
  return { frequency: 'daily', label: day, key: `daily:${day}`, firstDay: day, lastDay: day };
}

export function weeklyPeriod(anyDayOfWeek: string): DigestPeriod {
  const week = weekOf(anyDayOfWeek);
  return {
    frequency: 'weekly',
    label: week.label,
    key: `weekly:${week.label}`,
    firstDay: week.firstDay,
    lastDay: week.lastDay,
  };
}

/** A period from an address or a flag: daily takes a day; weekly takes a week (2026-W30) or any day in it. */
export function parseDigestPeriod(frequency: DigestFrequency, text: string): DigestPeriod | null {
  const day = parseDay(text);
  if (frequency === 'daily') return day ? dailyPeriod(day) : null;
  if (day) return weeklyPeriod(day);
  const week = parseWeek(text);
  return week ? weeklyPeriod(week.firstDay) : null;
}

/**
 * The period a run sends when none is named. Daily: the latest feed day up to today (papers are featured on
 * weekdays; a day already sent is not sent again, so a run on a day without new papers sends nothing).
 * Weekly: the last complete ISO week, or the week of the latest papers when the feed stopped before it.
 */
export function defaultDigestPeriod(frequency: DigestFrequency, today: string, latestDay: string | null): DigestPeriod {
  const latest = latestDay !== null && latestDay <= today ? latestDay : today;
  if (frequency === 'daily') return dailyPeriod(latest);
  const lastComplete = weeklyPeriod(addDays(today, -7));
  return latest < lastComplete.firstDay ? weeklyPeriod(latest) : lastComplete;
}

/** Today's date (YYYY-MM-DD) in a time zone. */
export function todayIn(timeZone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
