import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paperTsvector, quoteLexeme, rankWeights, textQuery } from './text-query.ts';
import { analyze } from '../../domain/analyzer.ts';
import type { TextQuery } from '../store.ts';

/** An analysed query, as search/query-parser.ts makes one from `terms "phrase" prefix*`. */
const query = (terms: string, phrases: string[] = [], prefixes: string[] = []): TextQuery => ({
  terms: analyze(terms),
  phrases: phrases.map(analyze),
  prefixes,
});

test("a paper's tsvector: analysed terms with positions, title A, authors B, abstract C, fields apart", () => {
  const tsv = paperTsvector('Sparse Attention', [{ name: 'Ada Lovelace' }], 'Attention is sparse.');
  // In the order the server keeps lexemes (by their bytes), so that it need not sort them.
  assert.equal(tsv, "'ada':13B 'attent':2A,25C 'is':26C 'lovelac':14B 'spars':1A,27C");
});

test('a tsvector keeps lexemes up to 2,047 bytes and 255 positions of each', () => {
  const wide = 'ж'.repeat(1_000); // 1,000 code units, 2,000 bytes: kept
  const tooWide = 'ж'.repeat(1_100); // 2,200 bytes: left out
  const tsv = paperTsvector(`${wide} ${tooWide}`, [], 'word '.repeat(300));
  const lexemes = tsv.split(' ');
  assert.equal(lexemes.length, 2);
  assert.equal(lexemes[1], `'${wide}':1A`);
  const positions = lexemes[0]!.split(':')[1]!.split(',');
  assert.equal(positions.length, 255);
  assert.deepEqual([positions[0], positions.at(-1)], ['23C', '277C']);
});

test('lexemes are quoted, so that no text is tsquery or tsvector syntax', () => {
  assert.equal(quoteLexeme("o'brien"), "'o''brien'");
  assert.equal(quoteLexeme('back\\slash'), "'back\\\\slash'");
});

test('terms match any of them; phrases are required in order; prefixes match starts of words', () => {
  assert.deepEqual(textQuery(query('graph neural networks')), {
    match: "'graph' | 'neural' | 'network'",
    rank: "'graph' | 'neural' | 'network'",
  });
  assert.deepEqual(textQuery(query('kernels', ['sparse attention'])), {
    match: "('spars' <-> 'attent')",
    rank: "'kernel' | 'spars' | 'attent'",
  });
  assert.deepEqual(textQuery(query('models', [], ['transfor'])), {
    match: "'model' | 'transfor':*",
    rank: "'model' | 'transfor':*",
  });
  assert.equal(textQuery({ terms: [], phrases: [], prefixes: [] }), null);
});

test('-words exclude the papers that hold them', () => {
  assert.deepEqual(textQuery({ ...query('diffusion'), exclusions: analyze('video') }), {
    match: "('diffus') & !'video'",
    rank: "'diffus'",
  });
});

test('common terms leave the match while a rarer term remains, and still rank', () => {
  const common = new Map([
    ['model', 0.3],
    ['languag', 0.12],
    ['learn', 0.2],
    ['data', 0.1],
  ]);
  assert.deepEqual(textQuery(query('language model protein folding'), common), {
    match: "'protein' | 'fold'",
    rank: "'languag' | 'model' | 'protein' | 'fold'",
  });
  // Only common terms: a paper must hold two of the least common four.
  assert.deepEqual(textQuery(query('large language model learning data'), new Map([...common, ['larg', 0.05]])), {
    match:
      "('larg' & 'data') | ('larg' & 'languag') | ('larg' & 'learn') | ('data' & 'languag') | ('data' & 'learn') | ('languag' & 'learn')",
    rank: "'larg' | 'languag' | 'model' | 'learn' | 'data'",
  });
  // One common term alone is matched as it is.
  assert.deepEqual(textQuery(query('model'), common), { match: "'model'", rank: "'model'" });
});

test("rank weights are ts_rank's {D, C, B, A}, scaled into 0..1", () => {
  assert.deepEqual(rankWeights({ title: 3, authors: 2, abstract: 1 }), [0, 1 / 3, 2 / 3, 1]);
});
