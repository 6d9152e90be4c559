import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findArxivId, normalizeArxivId } from './arxiv-id.ts';

test('normalizeArxivId strips versions and rejects non-ids', () => {
  assert.equal(normalizeArxivId('2608.19880'), '2608.19880');
  assert.equal(normalizeArxivId('2608.19880v3'), '2608.19880');
  assert.equal(normalizeArxivId('0704.0001'), '0704.0001');
  assert.equal(normalizeArxivId('hep-th/9901001v2'), 'hep-th/9901001');
  assert.equal(normalizeArxivId('math.AG/0601001'), 'math.AG/0601001');
  assert.equal(normalizeArxivId('abc'), null);
  assert.equal(normalizeArxivId('2608.198'), null);
  assert.equal(normalizeArxivId('../../etc/passwd'), null);
});

test('findArxivId reads ids from URLs and prefixed text', () => {
  assert.equal(findArxivId('https://arxiv.org/abs/2608.19880v2'), '2608.19880');
  assert.equal(findArxivId('https://arxiv.org/pdf/2608.19880.pdf'), '2608.19880');
  assert.equal(findArxivId('arXiv:hep-th/9901001'), 'hep-th/9901001');
  assert.equal(findArxivId('see 2401.00001 for details'), '2401.00001');
  assert.equal(findArxivId('attention is all you need'), null);
});
