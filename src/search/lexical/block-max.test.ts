/**
 * Top k (Bm25Index.topK, and the term-at-a-time topKTermAtATime) against brute force: on random corpora with
 * common words spanning many blocks and documents spanning many windows, removed documents, papers with equal
 * scores and several weightings, its top k is exactly that of scoring every posting (same documents, same
 * float32 scores, same order; equal scores: the earlier document).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bm25Index, type AnalyzedDocument, type Hit } from './bm25-index.ts';

function random(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

/** Every posting scored (accumulate without k), then sorted: score descending, then document ascending. */
function bruteForce(index: Bm25Index, terms: string[], weights: AnalyzedWeights, k: number): Hit[] {
  const scores = new Float32Array(index.maxDoc + 1);
  const touched: number[] = [];
  index.accumulate(terms, weights, scores, touched);
  return touched
    .map((doc) => ({ doc, id: index.id(doc)!, score: scores[doc]! }))
    .sort((a, b) => b.score - a.score || a.doc - b.doc)
    .slice(0, k);
}
type AnalyzedWeights = { title: number; authors: number; abstract: number };

function corpus(
  seed: number,
  size: number,
  vocabularySize: number,
  maxGap = 5_000,
): { documents: AnalyzedDocument[]; word: () => string } {
  const rand = random(seed);
  const vocabulary = Array.from({ length: vocabularySize }, (_, i) => `w${i}`);
  // Zipf-like: a few words in most papers (lists of many blocks), most words rare.
  const word = () => vocabulary[Math.floor(vocabularySize * (rand(10_000) / 10_000) ** 3)]!;
  const documents: AnalyzedDocument[] = [];
  let doc = 0;
  for (let i = 0; i < size; i++) {
    doc += 1 + (i % 97 === 0 ? rand(maxGap) : rand(2));
    const previous = documents.at(-1);
    // Every 13th paper repeats the one before: equal scores for every query.
    if (previous && i % 13 === 0) {
      documents.push({ ...previous, doc, id: `p${doc}` });
      continue;
    }
    documents.push({
      doc,
      id: `p${doc}`,
      title: Array.from({ length: 3 + rand(8) }, word),
      authors: Array.from({ length: rand(3) }, word),
      abstract: [
        ...Array.from({ length: 20 + rand(120) }, word),
        ...(i % 17 === 0 ? Array.from({ length: 20 }, () => 'w3') : []),
      ],
    });
  }
  return { documents, word };
}

test('block-max top k equals scoring every posting, on random corpora, queries, k and weightings', () => {
  let compared = 0;
  let withSkips = 0;
  for (const seed of [1, 2, 3]) {
    const { documents, word } = corpus(seed, 6_000, 3_000);
    const index = Bm25Index.build(documents);
    const rand = random(seed * 7919);
    // Removed papers (deleted or replaced) never come back, whatever their score.
    for (let i = 0; i < 200; i++) index.remove(documents[rand(documents.length)]!.doc);
    for (const weights of [
      { title: 3, authors: 2, abstract: 1 },
      { title: 1, authors: 0, abstract: 1 },
      { title: 0, authors: 1, abstract: 0 },
    ]) {
      for (let q = 0; q < 60; q++) {
        const terms = [...new Set(Array.from({ length: 1 + rand(8) }, word))];
        if (q % 10 === 0) terms.push('unknown-word');
        for (const k of [1, 10, 50, 300]) {
          const expected = bruteForce(index, terms, weights, k);
          const got = index.topK(terms, weights, k);
          assert.deepEqual(got, expected, `seed ${seed} ${JSON.stringify(weights)} [${terms}] k=${k}`);
          assert.deepEqual(index.topKTermAtATime(terms, weights, k), expected, `term at a time, seed ${seed}`);
          compared++;
          if (expected.length === k) withSkips++;
        }
      }
    }
  }
  assert.equal(compared, 3 * 3 * 60 * 4);
  assert.ok(withSkips > 1_000, `${withSkips} comparisons with a full top k`);
});

test('windowed top k: long queries of common words over documents spanning many windows, some empty', () => {
  let compared = 0;
  for (const seed of [11, 12]) {
    // 15k papers, numbered up to ~250k: windows of 4,096 documents, some full, some sparse, some empty.
    const { documents, word } = corpus(seed, 15_000, 400, 40_000);
    assert.ok(documents.at(-1)!.doc > 40 * 4_096, `${documents.at(-1)!.doc}`);
    const index = Bm25Index.build(documents);
    const rand = random(seed * 31);
    for (let i = 0; i < 300; i++) index.remove(documents[rand(documents.length)]!.doc);
    for (const weights of [
      { title: 3, authors: 2, abstract: 1 },
      { title: 1, authors: 0, abstract: 2 },
    ]) {
      for (let q = 0; q < 25; q++) {
        // 4 to 12 words, most of them common: few essential terms, many looked up.
        const terms = [...new Set(Array.from({ length: 4 + rand(9) }, word))];
        for (const k of [1, 7, 50, 200]) {
          const expected = bruteForce(index, terms, weights, k);
          assert.equal(expected.length, k);
          assert.deepEqual(index.topK(terms, weights, k), expected, `seed ${seed} [${terms}] k=${k}`);
          compared++;
        }
      }
    }
  }
  assert.equal(compared, 2 * 2 * 25 * 4);
});

test('windowed top k: one or two common words, whose blocks that cannot reach the floor are passed over', () => {
  let compared = 0;
  for (const seed of [21, 22]) {
    const { documents } = corpus(seed, 15_000, 400, 40_000);
    const index = Bm25Index.build(documents);
    const rand = random(seed * 17);
    for (let i = 0; i < 300; i++) index.remove(documents[rand(documents.length)]!.doc);
    for (const weights of [
      { title: 3, authors: 2, abstract: 1 },
      { title: 0, authors: 1, abstract: 1 },
    ]) {
      // The commonest words (lists of up to ~100 blocks), alone and in pairs.
      for (let q = 0; q < 30; q++) {
        const terms = [...new Set([`w${rand(12)}`, ...(q % 2 === 0 ? [] : [`w${rand(40)}`])])];
        for (const k of [1, 5, 50]) {
          const expected = bruteForce(index, terms, weights, k);
          assert.equal(expected.length, k);
          assert.deepEqual(index.topK(terms, weights, k), expected, `seed ${seed} [${terms}] k=${k}`);
          compared++;
        }
      }
    }
  }
  assert.equal(compared, 2 * 2 * 30 * 3);
});

test('equal scores: the earlier documents are kept, whichever order they were offered in', () => {
  const same = (doc: number): AnalyzedDocument => ({
    doc,
    id: `d${doc}`,
    title: ['common'],
    authors: [],
    abstract: Array.from({ length: 10 }, () => 'filler'),
  });
  const index = Bm25Index.build(Array.from({ length: 1_000 }, (_, i) => same(i + 1)));
  const hits = index.topK(['common'], { title: 3, authors: 2, abstract: 1 }, 5);
  assert.deepEqual(
    hits.map((h) => h.id),
    ['d1', 'd2', 'd3', 'd4', 'd5'],
  );
  assert.ok(hits.every((h) => h.score === hits[0]!.score && h.score > 0));
  index.remove(2);
  assert.deepEqual(
    index.topK(['common'], { title: 3, authors: 2, abstract: 1 }, 2).map((h) => h.id),
    ['d1', 'd3'],
  );
  assert.deepEqual(index.topK(['absent'], { title: 3, authors: 2, abstract: 1 }, 5), []);
  assert.deepEqual(index.topK(['common'], { title: 3, authors: 2, abstract: 1 }, 0), []);
});

test('the match set of a counted search holds exactly the papers scoring touches, removed ones left out', () => {
  let compared = 0;
  for (const seed of [41, 42]) {
    const { documents, word } = corpus(seed, 6_000, 3_000);
    const index = Bm25Index.build(documents);
    const rand = random(seed * 13);
    for (let i = 0; i < 200; i++) index.remove(documents[rand(documents.length)]!.doc);
    const scores = new Float32Array(index.maxDoc + 1);
    // Weightings that ignore a field: a paper holding a word only there does not match.
    for (const weights of [
      { title: 3, authors: 2, abstract: 1 },
      { title: 0, authors: 1, abstract: 0 },
    ])
      for (let q = 0; q < 40; q++) {
        const terms = [...new Set(Array.from({ length: 1 + rand(5) }, word)), ...(q % 8 === 0 ? ['unknown-word'] : [])];
        const touched: number[] = [];
        index.accumulate(terms, weights, scores, touched);
        scores.fill(0);
        const expected = new Set(touched);
        const matched = index.matchSet(terms, weights);
        assert.equal(matched.count, expected.size, `seed ${seed} [${terms}]`);
        const held: number[] = [];
        for (let doc = 0; doc <= index.maxDoc + 40; doc++) if (matched.has(doc)) held.push(doc);
        assert.deepEqual(
          held,
          [...expected].sort((a, b) => a - b),
        );
        compared++;
      }
  }
  assert.equal(compared, 2 * 2 * 40);
});
