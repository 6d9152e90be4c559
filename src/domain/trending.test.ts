import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trendingScore, ageInHours, trendingReference, trendingWindow } from './trending.ts';

test('trending score has exact values for fixed inputs', () => {
  // (10 + 2*3 + 1) / (22 + 2)^1.5 = 17 / 117.575...
  assert.equal(trendingScore(10, 3, 22).toFixed(6), (17 / 24 ** 1.5).toFixed(6));
  assert.equal(trendingScore(10, 3, 22).toFixed(6), '0.144588');
  assert.equal(trendingScore(0, 0, 0).toFixed(6), '0.353553');
});

test('a fresh paper with some votes overtakes an old one with slightly more', () => {
  const fresh = trendingScore(20, 0, 3);
  const old = trendingScore(25, 0, 48);
  assert.ok(fresh > old, `${fresh} should exceed ${old}`);
});

test('age is measured in hours from submission', () => {
  assert.equal(ageInHours('2026-01-01T00:00:00.000Z', new Date('2026-01-02T06:00:00Z')), 30);
});

test('the trending window is the seven days ending with the latest day that has papers', () => {
  assert.deepEqual(trendingWindow('2026-03-02'), { firstDay: '2026-02-24', lastDay: '2026-03-02' });
});

test('a past period is judged at the end of its last day; the current one now', () => {
  const now = Date.parse('2026-03-02T09:30:00.000Z');
  assert.equal(trendingReference('2026-02-28', now), '2026-02-28T23:59:59.999Z');
  assert.equal(trendingReference('2026-03-02', now), '2026-03-02T09:30:00.000Z');
});
