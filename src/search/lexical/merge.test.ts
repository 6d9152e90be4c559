/**
 * Merging papers into an index (Bm25Index.merged) gives the index a build from scratch over the same papers
 * gives: the same arrays byte for byte, so the same scores and top k.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bm25Index, documentTerms, type AnalyzedDocument } from './bm25-index.ts';

function papers(from: number, count: number, seed: number): AnalyzedDocument[] {
  let state = seed;
  const rand = (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const word = () => `w${Math.floor(400 * (rand(1000) / 1000) ** 2)}${rand(9) === 0 ? 'é' : ''}`;
  return Array.from({ length: count }, (_, i) => ({
    doc: from + i * 2,
    id: `p${from + i * 2}-${seed}`,
    title: Array.from({ length: 2 + rand(6) }, word),
    authors: Array.from({ length: rand(3) }, word),
    abstract: Array.from({ length: 10 + rand(300) }, () => (rand(40) === 0 ? 'repeated' : word())),
  }));
}

test('an index with papers merged in equals one built from scratch over the same papers', () => {
  const base = papers(1, 1_500, 1);
  const index = Bm25Index.build(base);
  // Papers written since: new ones (document numbers past and between the indexed ones), new versions of
  // indexed ones (same document number, new text), and words the index has never seen.
  const fresh = papers(3_000, 300, 2).map((p, i) => (i % 5 === 0 ? { ...p, title: [...p.title, `new${i}`] } : p));
  const replacements = papers(1, 200, 3).map((p, i) => ({ ...p, doc: base[i * 7]!.doc }));
  const between = papers(2, 50, 4);
  const added = [...fresh, ...replacements, ...between];
  for (const p of replacements) index.remove(p.doc);
  // A paper removed for good.
  index.remove(base[3]!.doc);
  const merged = index.merged(added.map(documentTerms));
  const replacedDocs = new Set(replacements.map((p) => p.doc));
  const expected = Bm25Index.build(
    [...base.filter((p) => !replacedDocs.has(p.doc) && p.doc !== base[3]!.doc), ...added].sort((a, b) => a.doc - b.doc),
  );
  assert.deepEqual(merged.parts(), expected.parts());
  assert.equal(merged.documentCount, base.length - 1 + fresh.length + between.length);
  const weights = { title: 3, authors: 2, abstract: 1 };
  for (const terms of [['w1'], ['w3', 'new5'], ['repeated', 'w10', 'w200é'], ['absent']]) {
    assert.deepEqual(merged.topK(terms, weights, 20), expected.topK(terms, weights, 20));
  }
  assert.ok(merged.topK(['new5'], weights, 5).length > 0);
  assert.equal(merged.id(base[3]!.doc), undefined);
  assert.equal(merged.documentFrequency('new5'), 1);
  // Merging nothing gives the same index again.
  assert.deepEqual(expected.merged([]).parts(), expected.parts());
});
