import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseCache } from './response-cache.ts';

test('the page cache forgets entries after their time and drops the oldest when full', () => {
  const cache = new ResponseCache(1000, 2);
  cache.set('a', 'A', 0);
  assert.equal(cache.get('a', 999), 'A');
  assert.equal(cache.get('a', 1000), undefined);
  cache.set('a', 'A', 0);
  cache.set('b', 'B', 0);
  cache.set('c', 'C', 0);
  assert.equal(cache.get('a', 1), undefined);
  assert.equal(cache.get('c', 1), 'C');
  cache.clear();
  assert.equal(cache.get('c', 1), undefined);
  const off = new ResponseCache(0);
  off.set('a', 'A');
  assert.equal(off.get('a'), undefined);
});
