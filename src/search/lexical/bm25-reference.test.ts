/**
 * The compressed index ranks exactly as before: against saved references of the previous index's top 10 (that
 * of commit dc107ad, before the compressed layout), over the committed demo papers everywhere and over the first
 * 20k real papers where the shared corpus is present; and against a plain BM25F written out term by term from
 * the formula, on a synthetic corpus. Full scoring, MaxScore (accumulate with k) and block-max topK all give
 * the references exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { analyze } from '../../domain/analyzer.ts';
import { Bm25Builder, Bm25Index, DEFAULT_BM25, TopK, type AnalyzedDocument } from './bm25-index.ts';
import { demoPapers } from '../../../test/fixtures/lexical/demo-corpus.ts';

const REPO = join(import.meta.dirname, '../../..');
const CORPUS = join(REPO, '../shared/data/arxiv-papers-133k.jsonl.gz');
const REFERENCE = join(REPO, 'test/fixtures/lexical/bm25-top10-first20k.json');
const DEMO_REFERENCE = join(REPO, 'test/fixtures/lexical/bm25-top10-demo.json');

interface Reference {
  papers: number;
  firstId?: string;
  lastId?: string;
  cases: { q: string; weights: { title: number; authors: number; abstract: number }; top: [string, number][] }[];
}

function top(
  index: Bm25Index,
  terms: string[],
  weights: Reference['cases'][number]['weights'],
  k: number,
  prune: number,
) {
  const scores = new Float32Array(index.maxDoc + 1);
  const touched: number[] = [];
  index.accumulate(terms, weights, scores, touched, prune);
  const best = new TopK(k);
  for (const doc of touched) best.offer({ doc, id: index.id(doc)!, score: scores[doc]! });
  return best.sorted().map((h) => [h.id, h.score] as [string, number]);
}

/** Every case of a reference, by full scoring, MaxScore and block-max top k; returns how many have hits. */
function assertReference(index: Bm25Index, reference: Reference): number {
  let nonEmpty = 0;
  for (const c of reference.cases) {
    const terms = [...new Set(analyze(c.q))];
    assert.deepEqual(top(index, terms, c.weights, 10, 0), c.top, c.q);
    assert.deepEqual(top(index, terms, c.weights, 10, 10), c.top, c.q);
    assert.deepEqual(
      index.topK(terms, c.weights, 10).map((h) => [h.id, h.score]),
      c.top,
      c.q,
    );
    if (c.top.length > 0) nonEmpty++;
  }
  return nonEmpty;
}

test('the top 10 of 300 queries over the demo papers are those of the previous index, score for score', async () => {
  const reference = JSON.parse(readFileSync(DEMO_REFERENCE, 'utf8')) as Reference;
  const papers = await demoPapers();
  assert.deepEqual(
    [papers.length, papers[0]?.id, papers.at(-1)?.id],
    [reference.papers, reference.firstId, reference.lastId],
    'the demo archive the reference was written from',
  );
  const builder = new Bm25Builder();
  for (const p of papers) builder.addText(p.doc, p.id, [p.title, p.authors, p.summary]);
  const index = builder.build();
  assert.equal(reference.cases.length, 600);
  assert.ok(assertReference(index, reference) >= 590);
});

test('the top 10 of 304 real queries over 20k real papers are those of the previous index, score for score', async (t) => {
  if (!existsSync(CORPUS)) {
    t.skip(`no shared corpus at ${CORPUS}`);
    return;
  }
  const reference = JSON.parse(readFileSync(REFERENCE, 'utf8')) as Reference;
  const builder = new Bm25Builder();
  const input = createReadStream(CORPUS).pipe(createGunzip());
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const p = JSON.parse(line) as { arxiv_id: string; title: string; authors: string[]; abstract: string };
    builder.addText(builder.size + 1, p.arxiv_id, [p.title, p.authors.join(' '), p.abstract]);
    if (builder.size >= reference.papers) break;
  }
  const index = builder.build();
  assert.equal(reference.cases.length, 608);
  const nonEmpty = assertReference(index, reference);
  assert.ok(nonEmpty > 600, `${nonEmpty} queries with hits`);
  // A few hundred bytes per paper, not kilobytes.
  assert.ok(index.memoryBytes / reference.papers < 600, `${index.memoryBytes / reference.papers} bytes per paper`);
});

test('scores equal BM25F computed from the formula, with rare frequencies and sparse document numbers', () => {
  let seed = 7;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  const vocabulary = Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? `wörd${i}` : `w${i}`));
  const word = () => vocabulary[Math.floor(vocabulary.length * (rand(1000) / 1000) ** 2)]!;
  const documents: AnalyzedDocument[] = [];
  let doc = 0;
  for (let i = 0; i < 2_000; i++) {
    // Gaps of up to a million between document numbers: multi-byte varints; repeated words: escaped tf codes.
    doc += 1 + (i % 50 === 0 ? rand(1_000_000) : rand(3));
    const repeated = word();
    documents.push({
      doc,
      id: `paper-${doc}`,
      title: [word(), word(), ...(i % 9 === 0 ? Array.from({ length: 5 }, () => repeated) : [])],
      authors: [word()],
      abstract: [
        ...Array.from({ length: 30 }, word),
        ...(i % 11 === 0 ? Array.from({ length: 300 }, () => repeated) : []),
      ],
    });
  }
  const index = Bm25Index.build(documents);
  const weights = { title: 3, authors: 2, abstract: 1 };
  const fields = ['title', 'authors', 'abstract'] as const;
  const n = documents.length;
  const avg = fields.map((f) => documents.reduce((s, d) => s + d[f].length, 0) / n);
  const avgdl = weights.title * avg[0]! + weights.authors * avg[1]! + weights.abstract * avg[2]!;
  const { k1, b } = DEFAULT_BM25;
  for (let q = 0; q < 50; q++) {
    const terms = [...new Set(Array.from({ length: 1 + rand(4) }, word))];
    const dfs = new Map(
      terms.map((term) => [term, documents.filter((x) => fields.some((f) => x[f].includes(term))).length]),
    );
    const expected = documents
      .map((d) => {
        const dl =
          weights.title * d.title.length + weights.authors * d.authors.length + weights.abstract * d.abstract.length;
        let score = 0;
        for (const term of terms) {
          const df = dfs.get(term)!;
          const tf = fields.reduce((s, f) => s + weights[f] * Math.min(255, d[f].filter((w) => w === term).length), 0);
          const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
          if (tf > 0) score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * dl) / avgdl));
        }
        return { id: d.id, score };
      })
      .filter((h) => h.score > 0)
      .sort((x, y) => y.score - x.score);
    const got = top(index, terms, weights, 10, 0);
    assert.equal(got.length, Math.min(10, expected.length));
    got.forEach(([id, score], i) => {
      assert.ok(
        Math.abs(score - expected[i]!.score) < 1e-3 * expected[i]!.score,
        `${terms} #${i}: ${score} vs ${expected[i]!.score}`,
      );
      // Ties aside, the same papers in the same order.
      if (Math.abs(expected[i]!.score - (expected[i + 1]?.score ?? -1)) > 1e-3) assert.equal(id, expected[i]!.id);
    });
  }
  for (const d of documents.slice(0, 100)) assert.equal(index.id(d.doc), d.id);
  assert.equal(index.id(documents[0]!.doc - 1), undefined);
  assert.deepEqual(
    index.expandPrefix('wö', 100).sort(),
    vocabulary.filter((w) => w.startsWith('wö') && index.documentFrequency(w) > 0).sort(),
  );
  assert.equal(index.documentFrequency('w'), 0);
});
