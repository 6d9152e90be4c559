import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dayPeriod, parseWeek } from './periods.ts';
import { authorUrl, organizationUrl, paperUrl, periodUrl } from './urls.ts';

test('addresses', () => {
  assert.equal(paperUrl('2608.19880'), '/papers/2608.19880');
  assert.equal(paperUrl('hep-th/9901001'), '/papers/hep-th/9901001');
  assert.equal(organizationUrl('ByteDance-Seed'), '/orgs/ByteDance-Seed');
  assert.equal(authorUrl('Alan/Turing Jr.'), '/authors/Alan%2FTuring%20Jr.');
  assert.equal(periodUrl(parseWeek('2026-W30')!, 2), '/papers/week/2026-W30?p=2');
  assert.equal(periodUrl(dayPeriod('2026-07-24')), '/papers/date/2026-07-24');
});
