import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  excerpt,
  formatCount,
  formatDay,
  formatPeriod,
  formatRange,
  initials,
  plural,
  safeUrl,
  shortRepoName,
} from './format.ts';
import { parseMonth, parseWeek, dayPeriod } from './periods.ts';

test('dates are English and read in UTC', () => {
  assert.equal(formatDay('2026-07-24'), 'Jul 24, 2026');
  assert.equal(formatDay('2026-01-02T23:59:59.000Z'), 'Jan 2, 2026');
  assert.equal(formatPeriod(dayPeriod('2026-07-24')), 'Jul 24, 2026');
  assert.equal(formatPeriod(parseWeek('2026-W30')!), 'Week 30, 2026');
  assert.equal(formatPeriod(parseWeek('2026-W01')!), 'Week 1, 2026');
  assert.equal(formatPeriod(parseMonth('2026-07')!), 'July 2026');
  assert.equal(formatRange('2026-07-20', '2026-07-26'), 'Jul 20 – Jul 26, 2026');
  assert.equal(formatRange('2025-12-29', '2026-01-04'), 'Dec 29, 2025 – Jan 4, 2026');
});

test('counts', () => {
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(999), '999');
  assert.equal(formatCount(1234), '1,234');
  assert.equal(formatCount(9999), '9,999');
  assert.equal(formatCount(12_345), '12.3k');
  assert.equal(formatCount(234_567), '234.6k');
  assert.equal(formatCount(1_234_567), '1.2M');
  assert.equal(plural(1, 'comment'), '1 comment');
  assert.equal(plural(2, 'comment'), '2 comments');
});

test('excerpts cut at a word boundary and collapse whitespace', () => {
  assert.equal(excerpt('Short text.'), 'Short text.');
  assert.equal(excerpt('Line one\nline  two.'), 'Line one line two.');
  const long = 'word '.repeat(100);
  const cut = excerpt(long, 50);
  assert.ok(cut.length <= 51);
  assert.ok(cut.endsWith('word…'));
  assert.equal(excerpt('a'.repeat(80), 50), `${'a'.repeat(50)}…`);
  assert.equal(excerpt('The end, of it. More words follow here', 16), 'The end, of it…');
});

test('initials stand in for a missing avatar', () => {
  assert.equal(initials('ByteDance Seed'), 'BS');
  assert.equal(initials('Qwen'), 'Q');
  assert.equal(initials('MMLab-CUHK'), 'MC');
  assert.equal(initials('élan vital'), 'ÉV');
  assert.equal(initials('---'), '?');
});

test('only http(s) URLs from data become links', () => {
  assert.equal(safeUrl('https://github.com/a/b'), 'https://github.com/a/b');
  assert.equal(safeUrl('javascript:alert(1)'), null);
  assert.equal(safeUrl('data:text/html,hi'), null);
  assert.equal(safeUrl('not a url'), null);
  assert.equal(safeUrl(null), null);
  assert.equal(shortRepoName('https://github.com/qwenpilot/FIPO'), 'qwenpilot/FIPO');
  assert.equal(shortRepoName('https://gitlab.com/x/y.git'), 'gitlab.com/x/y');
});
