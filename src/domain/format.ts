/** Text shown on pages: dates in English (UTC), counts, excerpts, initials. Pure functions, no HTML. */
import type { Period } from './periods.ts';

const MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "2026-07-24" or "2026-07-24T10:00:00Z" -> "Jul 24, 2026". The date part is read as-is: instants are UTC. */
export function formatDay(dayOrInstant: string): string {
  const year = dayOrInstant.slice(0, 4);
  const month = MONTHS_SHORT[Number(dayOrInstant.slice(5, 7)) - 1] ?? '';
  return `${month} ${Number(dayOrInstant.slice(8, 10))}, ${year}`;
}

/** "2026-07-24" -> "Jul 24" (for ranges within a year). */
export function formatDayShort(day: string): string {
  return `${MONTHS_SHORT[Number(day.slice(5, 7)) - 1] ?? ''} ${Number(day.slice(8, 10))}`;
}

/** The heading of a feed period: "Jul 24, 2026", "Week 30, 2026" or "July 2026". */
export function formatPeriod(period: Period): string {
  if (period.kind === 'day') return formatDay(period.firstDay);
  if (period.kind === 'week') return `Week ${Number(period.label.slice(6))}, ${period.label.slice(0, 4)}`;
  return `${MONTHS_LONG[Number(period.label.slice(5, 7)) - 1] ?? ''} ${period.label.slice(0, 4)}`;
}

/** The days a week covers: "Jul 20 – Jul 26, 2026", with both years when it spans two. */
export function formatRange(firstDay: string, lastDay: string): string {
  return firstDay.slice(0, 4) === lastDay.slice(0, 4)
    ? `${formatDayShort(firstDay)} – ${formatDay(lastDay)}`
    : `${formatDay(firstDay)} – ${formatDay(lastDay)}`;
}

/** 1234 -> "1,234"; 12345 -> "12.3k" (compact where space is tight). No Intl: this runs for every card. */
export function formatCount(n: number): string {
  if (n >= 1_000_000) return `${Math.round(n / 100_000) / 10}M`;
  if (n >= 10_000) return `${Math.round(n / 100) / 10}k`;
  return groupThousands(n);
}

/** 1234567 -> "1,234,567". */
export function groupThousands(n: number): string {
  const digits = String(Math.trunc(Math.abs(n)));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? `-${out}` : out;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** The first `max` characters of a text, cut at a word boundary, with an ellipsis when cut. */
export function excerpt(text: string, max = 300): string {
  // Only the head of a long abstract is looked at: this runs for every card.
  const head = text.length > max * 2 ? text.slice(0, max * 2) : text;
  const clean = collapseWhitespace(head).trim();
  if (clean.length <= max) return head === text ? clean : `${clean}…`;
  const cut = clean.slice(0, max + 1);
  const lastSpace = cut.lastIndexOf(' ');
  const body = lastSpace > max * 0.6 ? cut.slice(0, lastSpace) : clean.slice(0, max);
  return `${body.replace(/[\s,.;:!?-]+$/, '')}…`;
}

/** Line breaks and runs of spaces become one space (two cheap passes: /\s+/g costs a match per space). */
export function collapseWhitespace(text: string): string {
  const spaced = text.replace(/[\t\n\r\f\v]/g, ' ');
  return spaced.includes('  ') ? spaced.replace(/ {2,}/g, ' ') : spaced;
}

/** Up to two letters standing for a name: "ByteDance Seed" -> "BS", "Qwen" -> "Q". */
export function initials(name: string): string {
  const words = name.split(/[\s_-]+/).filter((w) => /\p{L}|\p{N}/u.test(w));
  const letters = words.slice(0, 2).map((w) => Array.from(w.replace(/^[^\p{L}\p{N}]+/u, ''))[0] ?? '');
  return letters.join('').toUpperCase() || '?';
}

/** Only http(s) URLs from imported data become links or images (no javascript:, data:, …). */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** "https://github.com/qwenpilot/FIPO" -> "qwenpilot/FIPO"; other hosts keep their host. */
export function shortRepoName(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '');
  return parsed.hostname === 'github.com' && path ? path : `${parsed.hostname}${path ? `/${path}` : ''}`;
}
