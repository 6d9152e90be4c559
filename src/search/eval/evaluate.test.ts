import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBeir } from './beir.ts';
import { compareReports, evaluateCollection, misspell } from './evaluate.ts';
import { StaticEmbedder, trainStaticModel } from '../learned/index.ts';
import { tempDir } from '../../../test/helpers.ts';

const TOPICS = {
  astro: ['galaxy', 'stellar', 'redshift', 'telescope', 'cosmic', 'supernova', 'dark', 'matter', 'halo', 'luminosity'],
  bio: ['protein', 'gene', 'cell', 'enzyme', 'sequence', 'mutation', 'folding', 'receptor', 'tissue', 'expression'],
  ml: [
    'neural',
    'network',
    'training',
    'gradient',
    'transformer',
    'attention',
    'dataset',
    'benchmark',
    'layer',
    'loss',
  ],
};

/** A small BEIR collection the test writes: 3 topics, 60 documents, queries made of each document's rarer words. */
function writeFixture(dir: string): void {
  mkdirSync(join(dir, 'qrels'));
  const docs: string[] = [];
  const queries: string[] = [];
  const qrels = ['query-id\tcorpus-id\tscore'];
  let seed = 3;
  const pick = (words: string[]) => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return words[seed % words.length]!;
  };
  Object.entries(TOPICS).forEach(([topic, words]) => {
    for (let i = 0; i < 20; i++) {
      const id = `${topic}-${i}`;
      const text = `${Array.from({ length: 30 }, () => pick(words)).join(' ')} unique${topic}${i}`;
      docs.push(JSON.stringify({ _id: id, title: `${pick(words)} ${pick(words)} study ${i}`, text }));
      if (i < 5) {
        queries.push(JSON.stringify({ _id: `q-${id}`, text: `unique${topic}${i} ${pick(words)}` }));
        qrels.push(`q-${id}\t${id}\t1`);
      }
    }
  });
  writeFileSync(join(dir, 'corpus.jsonl'), docs.join('\n'));
  writeFileSync(join(dir, 'queries.jsonl'), queries.join('\n'));
  writeFileSync(join(dir, 'qrels', 'test.tsv'), qrels.join('\n'));
}

test('reads a BEIR collection and reports metrics for lexical, vector and hybrid runs', async () => {
  const dir = tempDir();
  writeFixture(dir);
  const collection = await readBeir(dir);
  assert.equal(collection.corpus.length, 60);
  assert.equal(collection.queries.length, 15);
  const report = await evaluateCollection(collection, {
    embedder: async (corpus) =>
      new StaticEmbedder(
        await trainStaticModel(corpus, { dimensions: 16, epochs: 2, minSteps: 0, seed: 1, minCount: 1 }),
      ),
    vectorWeights: [0.3],
    rrfK: 60,
    candidates: 100,
  });
  // Each query names its document's unique word: BM25 must put it first.
  assert.equal(report.lexical.mrr10, 1);
  assert.equal(report.lexical.queries, 15);
  assert.ok(report.vector, 'a vector run was made');
  assert.ok(report.vector.recall100 > 0);
  assert.deepEqual(
    report.fusions.map((f) => f.fusion.method),
    ['convex', 'rrf'],
  );
  assert.equal(report.shippedDefault.mode, 'hybrid');
  // Nonsense (random letters, Finnish words) has no word of this corpus: nothing lexical, nothing by similarity.
  assert.equal(report.nonsense.queries, 100);
  assert.equal(report.nonsense.answered, 0);
  assert.equal(report.nonsense.bySimilarity, 0);
  for (const value of [report.lexical.ndcg10, report.vector.ndcg10, ...report.fusions.map((f) => f.metrics.ndcg10)]) {
    assert.ok(value >= 0 && value <= 1);
  }
  // Per-query nDCG@10 in qrels order, whose means are the reported ones.
  const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
  assert.equal(report.perQuery.queries.length, report.queries);
  assert.ok(Math.abs(mean(report.perQuery.vector!) - report.vector.ndcg10) < 1e-12);
  assert.ok(Math.abs(mean(report.perQuery.lexical) - report.lexical.ndcg10) < 1e-12);
  assert.ok(Math.abs(mean(report.perQuery.shipped) - report.shippedDefault.metrics.ndcg10) < 1e-12);
});

test('compareReports: paired tests against another run on the same queries, none on other queries', () => {
  const queries = Array.from({ length: 40 }, (_, i) => `q${i}`);
  const worse = {
    queries,
    lexical: queries.map(() => 0.5),
    vector: queries.map(() => 0.5),
    shipped: queries.map(() => 0.9),
  };
  const better = { ...worse, vector: queries.map(() => 0.8) };
  const result = compareReports({ perQuery: better }, { perQuery: worse })!;
  assert.equal(result.length, 2);
  const [vector, shipped] = result as [(typeof result)[0], (typeof result)[0]];
  assert.equal(vector.run, 'vector');
  assert.ok(Math.abs(vector.difference - 0.3) < 1e-12);
  assert.ok(vector.p < 0.01, `p ${vector.p}`);
  assert.equal(shipped.difference, 0);
  assert.equal(shipped.p, 1);
  assert.equal(compareReports({ perQuery: better }, { perQuery: { ...worse, queries: queries.slice(1) } }), null);
});

test('a broken collection is reported with file and line', async () => {
  const dir = tempDir();
  writeFixture(dir);
  writeFileSync(join(dir, 'corpus.jsonl'), '{"_id": "a", "text": "x"}\n{"title": "no id"}\n');
  await assert.rejects(readBeir(dir), /corpus\.jsonl:2/);
});

test('misspell: one edit in the chosen long words, first and last letters kept, deterministic', () => {
  const queries = [{ id: 'a', text: 'Attention mechanisms for graph transformers' }];
  assert.deepEqual(misspell(queries, 0, 1), queries);
  const all = misspell(queries, 1, 1)[0]!;
  assert.equal(all.id, 'a');
  assert.deepEqual(misspell(queries, 1, 1), misspell(queries, 1, 1));
  const before = queries[0]!.text.split(' ');
  const after = all.text.split(' ');
  assert.equal(after.length, before.length);
  for (const [i, word] of before.entries()) {
    const typo = after[i]!;
    if (word.length < 5) {
      assert.equal(typo, word);
      continue;
    }
    // A swap of two equal letters would leave the word as it is; none of these words has one.
    assert.notEqual(typo, word);
    assert.ok(Math.abs(typo.length - word.length) <= 1);
    assert.equal(typo[0], word[0]);
    assert.equal(typo.at(-1), word.at(-1));
  }
});
