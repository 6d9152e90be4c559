import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paperTsvector, quoteLexeme, rankWeights, textQuery } from './text-query.ts';
import { parseQuery } from '../../search/query-parser.ts';

test('a paper\'s tsvector: analysed terms with positions, title A, authors B, abstract C, fields apart', () => {
  const tsv = paperTsvector('Sparse Attention', [{ name: 'Ada Lovelace' }], 'Attention is sparse.');
  assert.equal(tsv, "'spars':1A,27C 'attent':2A,25C 'ada':13B 'lovelac':14B 'is':26C");
});

test('lexemes are quoted, so that no text is tsquery or tsvector syntax', () => {
  assert.equal(quoteLexeme("o'brien"), "'o''brien'");
  assert.equal(quoteLexeme('back\\slash'), "'back\\\\slash'");
});

test('terms match any of them; phrases are required in order; prefixes match starts of words', () => {
  assert.deepEqual(textQuery(parseQuery('graph neural networks')), {
    match: "'graph' | 'neural' | 'network'", rank: "'graph' | 'neural' | 'network'",
  });
  assert.deepEqual(textQuery(parseQuery('"sparse attention" kernels')), {
    match: "('spars' <-> 'attent')", rank: "'kernel' | 'spars' | 'attent'",
  });
  assert.deepEqual(textQuery(parseQuery('transfor* models')), {
    match: "'model' | 'transfor':*", rank: "'model' | 'transfor':*",
  });
  assert.equal(textQuery({ terms: [], phrases: [], prefixes: [] }), null);
});

test('common terms leave the match while a rarer term remains, and still rank', () => {
  const common = new Map([['model', 0.3], ['languag', 0.12], ['learn', 0.2], ['data', 0.1]]);
  assert.deepEqual(textQuery(parseQuery('language model protein folding'), common), {
    match: "'protein' | 'fold'", rank: "'languag' | 'model' | 'protein' | 'fold'",
  });
  // Only common terms: a paper must hold two of the least common four.
  assert.deepEqual(textQuery(parseQuery('large language model learning data'), new Map([...common, ['larg', 0.05]])), {
    match: "('larg' & 'data') | ('larg' & 'languag') | ('larg' & 'learn') | ('data' & 'languag') | ('data' & 'learn') | ('languag' & 'learn')",
    rank: "'larg' | 'languag' | 'model' | 'learn' | 'data'",
  });
  // One common term alone is matched as it is.
  assert.deepEqual(textQuery(parseQuery('model'), common), { match: "'model'", rank: "'model'" });
});

test('rank weights are ts_rank\'s {D, C, B, A}, scaled into 0..1', () => {
  assert.deepEqual(rankWeights({ title: 3, authors: 2, abstract: 1 }), [0, 1 / 3, 2 / 3, 1]);
});
