/**
 * Feed periods: a day (YYYY-MM-DD), an ISO week (YYYY-Www) or a month (YYYY-MM).
 * Every period is an inclusive range of days; days are plain YYYY-MM-DD strings in UTC.
 *
 * Years run from 1900 to 2999: every day, week and month then has a four-digit year, and so do its
 * neighbours (the ISO week of 1900-01-01 and of 2999-12-31 included), so navigation never leaves the format.
 * Addresses outside (0999-01-01, 0001-W01) are refused like malformed ones.
 */
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 2999;

function inRange(year: number): boolean {
  return year >= FIRST_YEAR && year <= LAST_YEAR;
}

export type PeriodKind = 'day' | 'week' | 'month';

export interface Period {
  kind: PeriodKind;
  /** The canonical label: "2026-07-24", "2026-W30" or "2026-07". */
  label: string;
  firstDay: string;
  lastDay: string;
}

const DAY_MS = 86_400_000;

export function toDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function utcDate(year: number, monthIndex: number, day: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  return d;
}

export function addDays(day: string, n: number): string {
  return toDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** Parses YYYY-MM-DD strictly: 2025-13-40 and 2025-02-30 are rejected. */
export function parseDay(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!inRange(year)) return null;
  const d = utcDate(year, month - 1, day);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return toDay(d);
}

/** Monday of ISO week 1 of an ISO week-numbering year. */
function isoWeekOneMonday(year: number): Date {
  const jan4 = utcDate(year, 0, 4);
  const weekday = (jan4.getUTCDay() + 6) % 7; // Monday = 0
  return new Date(jan4.getTime() - weekday * DAY_MS);
}

function isoWeeksInYear(year: number): number {
  return Math.round((isoWeekOneMonday(year + 1).getTime() - isoWeekOneMonday(year).getTime()) / (7 * DAY_MS));
}

export function dayPeriod(day: string): Period {
  return { kind: 'day', label: day, firstDay: day, lastDay: day };
}

export function parseWeek(text: string): Period | null {
  const m = /^(\d{4})-W(\d{2})$/.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (!inRange(year) || week < 1 || week > isoWeeksInYear(year)) return null;
  return weekPeriod(year, week);
}

/** Week `week` of ISO year `year`, which the caller has checked (neighbours of the range's ends are allowed). */
function weekPeriod(year: number, week: number): Period {
  const monday = new Date(isoWeekOneMonday(year).getTime() + (week - 1) * 7 * DAY_MS);
  const firstDay = toDay(monday);
  return {
    kind: 'week',
    label: `${String(year).padStart(4, '0')}-W${String(week).padStart(2, '0')}`,
    firstDay,
    lastDay: addDays(firstDay, 6),
  };
}

export function parseMonth(text: string): Period | null {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (!inRange(year) || month < 1 || month > 12) return null;
  return monthPeriod(year, month);
}

function monthPeriod(year: number, month: number): Period {
  const firstDay = toDay(utcDate(year, month - 1, 1));
  const lastDay = toDay(utcDate(year, month, 0));
  return {
    kind: 'month',
    label: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`,
    firstDay,
    lastDay,
  };
}

export function parsePeriod(kind: PeriodKind, text: string): Period | null {
  if (kind === 'day') {
    const day = parseDay(text);
    return day ? dayPeriod(day) : null;
  }
  return kind === 'week' ? parseWeek(text) : parseMonth(text);
}

/** The ISO week containing a day. */
export function weekOf(day: string): Period {
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7;
  const thursday = new Date(d.getTime() + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.round((thursday.getTime() - isoWeekOneMonday(year).getTime() - 3 * DAY_MS) / (7 * DAY_MS));
  return weekPeriod(year, week);
}

export function monthOf(day: string): Period {
  const d = new Date(`${day}T00:00:00Z`);
  return monthPeriod(d.getUTCFullYear(), d.getUTCMonth() + 1);
}

export function periodOf(kind: PeriodKind, day: string): Period {
  if (kind === 'day') return dayPeriod(day);
  return kind === 'week' ? weekOf(day) : monthOf(day);
}

/** The period just before (step -1) or after (step 1) this one. */
export function shiftPeriod(period: Period, step: -1 | 1): Period {
  if (period.kind === 'day') return dayPeriod(addDays(period.firstDay, step));
  if (period.kind === 'week') return weekOf(addDays(period.firstDay, 7 * step));
  return monthOf(step < 0 ? addDays(period.firstDay, -1) : addDays(period.lastDay, 1));
}

/** Normalizes any parseable datetime to the ISO form clients expect: YYYY-MM-DDTHH:MM:SS.sssZ. */
export function toIsoInstant(text: string): string | null {
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}
