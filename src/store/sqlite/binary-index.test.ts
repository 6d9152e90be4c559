import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryQuantizedIndex } from './binary-index.ts';

function randomUnit(dimensions: number, seed: { s: number }): Float32Array {
  const v = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    seed.s = (Math.imul(seed.s, 1664525) + 1013904223) >>> 0;
    v[i] = seed.s / 2 ** 32 - 0.5;
    norm += v[i]! ** 2;
  }
  return v.map((x) => x / Math.sqrt(norm));
}

test('binary pre-selection finds what exact search finds (clustered data)', () => {
  const seed = { s: 7 };
  const index = new BinaryQuantizedIndex(64);
  const centres = Array.from({ length: 20 }, () => randomUnit(64, seed));
  for (let doc = 1; doc <= 4000; doc++) {
    const centre = centres[doc % 20]!;
    const noise = randomUnit(64, seed);
    const v = centre.map((x, i) => x + 0.35 * noise[i]!);
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    index.set(
      doc,
      v.map((x) => x / norm),
    );
  }
  let found = 0;
  for (let q = 0; q < 20; q++) {
    const query = index.get(q * 37 + 1)!;
    const exact = new Set(index.searchExact(query, 10).map((h) => h.doc));
    found += index.scan(query, 10, 20).filter((h) => exact.has(h.doc)).length;
  }
  assert.ok(found / 200 >= 0.95, `recall@10 ${found / 200}`);
});

test('set replaces, remove hides, admits filters, dimensions are checked', () => {
  const index = new BinaryQuantizedIndex(4, 1);
  index.set(1, new Float32Array([1, 0, 0, 0]));
  index.set(2, new Float32Array([0, 1, 0, 0]));
  index.set(3, new Float32Array([0, 0, 1, 0]));
  assert.equal(index.count, 3);
  const q = new Float32Array([0, 1, 0, 0]);
  assert.equal(index.searchExact(q, 1)[0]!.doc, 2);
  index.set(2, new Float32Array([0, 0, 0, 1]));
  assert.equal(
    index.searchExact(q, 3).every((h) => h.score <= 0),
    true,
  );
  index.remove(3);
  assert.deepEqual(
    index
      .searchExact(new Float32Array([0, 0, 1, 0]), 3)
      .map((h) => h.doc)
      .includes(3),
    false,
  );
  assert.deepEqual(
    index.searchExact(q, 3, (doc) => doc !== 1).map((h) => h.doc),
    [2],
  );
  assert.throws(() => index.set(9, new Float32Array(3)), /expected 4 dimensions/);
});

test('int8 vectors take a quarter of float32, and rescoring with the exact vectors gives the exact top k', () => {
  const seed = { s: 11 };
  const dimensions = 256;
  const count = 6_000;
  const index = new BinaryQuantizedIndex(dimensions, count);
  const exactVectors = new Map<number, Float32Array>();
  const centres = Array.from({ length: 30 }, () => randomUnit(dimensions, seed));
  for (let doc = 1; doc <= count; doc++) {
    const noise = randomUnit(dimensions, seed);
    const v = centres[doc % 30]!.map((x, i) => x + 0.5 * noise[i]!);
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    const unit = v.map((x) => x / norm);
    exactVectors.set(doc, unit);
    index.set(doc, unit);
  }
  // 256 int8 bytes + scale + 8 code words + slot + a u16 distance per vector (298), and the scan's scratch
  // and the WebAssembly memory's 64 KiB pages on top, against 1,024 bytes of float32 alone.
  assert.ok(index.memoryBytes / count < 320, `${index.memoryBytes / count} bytes per vector`);
  const held = index.get(5)!;
  const largest = Math.max(...exactVectors.get(5)!.map(Math.abs));
  assert.ok(held.every((x, i) => Math.abs(x - exactVectors.get(5)![i]!) <= largest / 254 + 1e-7));
  const read: number[] = [];
  const exact = (docs: readonly number[]) => {
    read.push(docs.length);
    return new Map(docs.map((doc) => [doc, exactVectors.get(doc)!]));
  };
  let same = 0;
  for (let q = 0; q < 20; q++) {
    const query = randomUnit(dimensions, seed).map((x, i) => x + centres[q]![i]!);
    const truth = [...exactVectors]
      .map(([doc, v]) => ({ doc, score: v.reduce((s, x, i) => s + x * query[i]!, 0) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 10);
    const hits = index.searchExact(query, 10, () => true, exact);
    assert.deepEqual(
      hits.map((h) => h.doc),
      truth.map((h) => h.doc),
    );
    for (const [i, h] of hits.entries()) assert.ok(Math.abs(h.score - truth[i]!.score) < 1e-5);
    const preselected = index.scan(query, 10, 20, () => true, 500, exact);
    same += preselected.filter((h) => truth.some((t) => t.doc === h.doc)).length;
  }
  assert.ok(same / 200 >= 0.95, `recall@10 ${same / 200}`);
  assert.ok(
    read.every((n) => n === 26),
    'only the best k + 16 are read from storage',
  );
});
