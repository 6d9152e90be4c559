import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bm25Builder, Bm25Index, TopK, type AnalyzedDocument } from './bm25-index.ts';

const W = { title: 3, authors: 2, abstract: 1 };

function top(index: Bm25Index, terms: string[], k: number, maxScoreK = 0, weights = W) {
  const scores = new Float32Array(index.maxDoc + 1);
  const touched: number[] = [];
  index.accumulate(terms, weights, scores, touched, maxScoreK);
  const best = new TopK(k);
  for (const doc of touched) best.offer({ doc, id: index.id(doc)!, score: scores[doc]! });
  return best.sorted();
}

test('BM25 by hand for a tiny corpus', () => {
  const docs: AnalyzedDocument[] = [
    { doc: 1, id: 'a', title: ['graph'], authors: [], abstract: ['graph', 'neural', 'network'] },
    { doc: 2, id: 'b', title: ['vision'], authors: [], abstract: ['image', 'network'] },
  ];
  const index = Bm25Index.build(docs);
  // Weights 0/0/1 make it plain BM25 over abstracts: N = 2, df(graph) = 1, avgdl = 2.5, dl(a) = 3.
  const idf = Math.log(1 + (2 - 1 + 0.5) / (1 + 0.5));
  const expected = (idf * 1 * 2.2) / (1 + 1.2 * (1 - 0.75 + (0.75 * 3) / 2.5));
  const [hit] = top(index, ['graph'], 1, 0, { title: 0, authors: 0, abstract: 1 });
  assert.equal(hit!.id, 'a');
  assert.ok(Math.abs(hit!.score - expected) < 1e-6, `${hit!.score} vs ${expected}`);
});

test('a title match outranks the same word in an abstract; removed documents disappear', () => {
  const index = Bm25Index.build([
    { doc: 1, id: 'in-abstract', title: ['other'], authors: [], abstract: ['retrieval', 'x', 'y'] },
    { doc: 2, id: 'in-title', title: ['retrieval'], authors: [], abstract: ['x', 'y', 'z'] },
  ]);
  assert.deepEqual(
    top(index, ['retrieval'], 2).map((h) => h.id),
    ['in-title', 'in-abstract'],
  );
  index.remove(2);
  assert.deepEqual(
    top(index, ['retrieval'], 2).map((h) => h.id),
    ['in-abstract'],
  );
  assert.equal(index.has(2), false);
});

test('building from raw text equals building from analysed terms', () => {
  const builder = new Bm25Builder();
  builder.addText(1, 'p', ['Graph Networks', 'Ada Lovelace', 'Networks of graphs, learned.']);
  const fromText = builder.build();
  const fromTerms = Bm25Index.build([
    {
      doc: 1,
      id: 'p',
      title: ['graph', 'network'],
      authors: ['ada', 'lovelac'],
      abstract: ['network', 'of', 'graph', 'learn'],
    },
  ]);
  assert.deepEqual(
    top(fromText, ['graph', 'network', 'lovelac'], 1),
    top(fromTerms, ['graph', 'network', 'lovelac'], 1),
  );
  assert.deepEqual(fromText.documentsWithAll(['graph', 'learn']), [1]);
  assert.deepEqual(fromText.documentsWithAll(['graph', 'absent']), []);
});

test('MaxScore skipping gives exactly the top k of full scoring', () => {
  let seed = 11;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  const vocabulary = Array.from({ length: 400 }, (_, i) => `w${i}`);
  // Zipf-like: low word numbers are common, so queries mix rare and very common terms.
  const word = () => vocabulary[Math.floor(vocabulary.length * (rand(1000) / 1000) ** 3)]!;
  const builder = new Bm25Builder();
  for (let doc = 1; doc <= 5_000; doc++) {
    builder.add({
      doc,
      id: `d${doc}`,
      title: Array.from({ length: 6 }, word),
      authors: [word()],
      abstract: Array.from({ length: 60 }, word),
    });
  }
  const index = builder.build();
  for (let q = 0; q < 100; q++) {
    const terms = Array.from({ length: 2 + rand(8) }, () => vocabulary[rand(vocabulary.length)]!);
    const full = top(index, terms, 20);
    const skipping = top(index, terms, 20, 20);
    assert.deepEqual(
      skipping.map((h) => h.id),
      full.map((h) => h.id),
      terms.join(' '),
    );
    skipping.forEach((h, i) => {
      assert.ok(Math.abs(h.score - full[i]!.score) < 1e-4);
    });
  }
});
