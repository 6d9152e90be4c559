import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery, isEmptyQuery } from './query-parser.ts';
import { analyze, titleKey } from '../domain/analyzer.ts';

test('terms are stemmed, stop words dropped, phrases and prefixes kept apart', () => {
  const q = parseQuery('the "diffusion models for video" Transformers transf* of');
  assert.deepEqual(q.terms, ['transform']);
  assert.deepEqual(q.phrases, [['diffus', 'model', 'for', 'video']]);
  assert.deepEqual(q.prefixes, ['transf']);
  assert.equal(q.onlyStopWords, false);
});

test('arXiv ids and URLs are recognised', () => {
  assert.equal(parseQuery('https://arxiv.org/abs/2608.19880v2').arxivId, '2608.19880');
  assert.equal(parseQuery('hep-th/9901001').arxivId, 'hep-th/9901001');
  assert.equal(parseQuery('graph neural networks').arxivId, null);
});

test('hostile and odd input gives plain terms or an empty query, never syntax', () => {
  for (const raw of [
    '"unbalanced quote',
    'NEAR(a b) OR * AND -x',
    "'; DROP TABLE papers; --",
    '<script>alert(1)</script>',
    '🚀🔥',
    '',
    '   ',
    '*',
    '"""',
    'a'.repeat(10_000),
    'title:foo^3 {bar}',
    '\u0000\u0001',
  ]) {
    const q = parseQuery(raw);
    for (const term of [...q.terms, ...q.prefixes, ...q.phrases.flat()])
      assert.match(term, /^[\p{L}\p{N}]+$/u, raw.slice(0, 20));
  }
  assert.equal(isEmptyQuery(parseQuery('🚀🔥')), true);
  assert.equal(parseQuery('the of and').onlyStopWords, true);
  assert.deepEqual(parseQuery('the of and').terms, ['the', 'of', 'and']);
});

test('analysis folds case and accents; title keys ignore punctuation', () => {
  assert.deepEqual(analyze('Schrödinger Équations, GPT-4'), ['schroding', 'equat', 'gpt', '4']);
  assert.equal(titleKey('EnvHarness: Awakening  Static Worlds!'), 'envharness awakening static worlds');
});
