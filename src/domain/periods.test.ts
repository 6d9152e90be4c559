import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDay, parseWeek, parseMonth, weekOf, shiftPeriod, monthOf, toIsoInstant } from './periods.ts';

test('parseDay accepts real days and rejects impossible ones', () => {
  assert.equal(parseDay('2026-07-24'), '2026-07-24');
  assert.equal(parseDay('2024-02-29'), '2024-02-29');
  assert.equal(parseDay('2025-02-29'), null);
  assert.equal(parseDay('2025-13-40'), null);
  assert.equal(parseDay('2025-1-4'), null);
  assert.equal(parseDay('yesterday'), null);
});

test('ISO weeks start on Monday and week 1 holds January 4th', () => {
  assert.deepEqual(parseWeek('2026-W01'), {
    kind: 'week',
    label: '2026-W01',
    firstDay: '2025-12-29',
    lastDay: '2026-01-04',
  });
  assert.equal(parseWeek('2026-W30')?.firstDay, '2026-07-20');
  assert.equal(parseWeek('2020-W53')?.lastDay, '2021-01-03');
  assert.equal(parseWeek('2021-W53'), null);
  assert.equal(parseWeek('2026-W00'), null);
  assert.equal(weekOf('2026-07-24').label, '2026-W30');
  assert.equal(weekOf('2021-01-01').label, '2020-W53');
  assert.equal(weekOf('2024-12-30').label, '2025-W01');
});

test('months cover their whole range, and periods shift by one', () => {
  assert.deepEqual(parseMonth('2024-02'), {
    kind: 'month',
    label: '2024-02',
    firstDay: '2024-02-01',
    lastDay: '2024-02-29',
  });
  assert.equal(parseMonth('2024-13'), null);
  assert.equal(shiftPeriod(monthOf('2026-01-15'), -1).label, '2025-12');
  assert.equal(shiftPeriod(weekOf('2025-12-31'), 1).label, '2026-W02');
  assert.equal(
    shiftPeriod({ kind: 'day', label: '2026-03-01', firstDay: '2026-03-01', lastDay: '2026-03-01' }, -1).label,
    '2026-02-28',
  );
});

test('toIsoInstant always ends in Z', () => {
  assert.equal(toIsoInstant('2026-08-20T00:00:00+02:00'), '2026-08-19T22:00:00.000Z');
  assert.equal(toIsoInstant('2025-09-12'), '2025-09-12T00:00:00.000Z');
  assert.equal(toIsoInstant('not a date'), null);
});

test('periods run from 1900 to 2999; the neighbours of both ends still have four-digit labels', () => {
  for (const text of ['0999-01-01', '1899-12-31', '3000-01-01', '0000-01-01']) assert.equal(parseDay(text), null, text);
  for (const text of ['0001-W01', '0000-W01', '3000-W01']) assert.equal(parseWeek(text), null, text);
  for (const text of ['0000-01', '1899-12', '3000-01']) assert.equal(parseMonth(text), null, text);
  assert.equal(parseDay('1900-01-01'), '1900-01-01');
  assert.equal(weekOf('1900-01-01').label, '1900-W01');
  assert.equal(shiftPeriod(parseWeek('1900-W01')!, -1).label, '1899-W52');
  assert.equal(shiftPeriod(parseMonth('1900-01')!, -1).label, '1899-12');
  assert.equal(weekOf('2999-12-31').label, '3000-W01');
  assert.equal(shiftPeriod(parseMonth('2999-12')!, 1).label, '3000-01');
});
