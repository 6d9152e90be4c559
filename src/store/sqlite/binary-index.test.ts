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
    found += index.search(query, 10, 20).filter((h) => exact.has(h.doc)).length;
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
