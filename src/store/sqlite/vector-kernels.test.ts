import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BinaryQuantizedIndex, codeWords } from './binary-index.ts';
import { DOT_BATCH, VectorHeap, simdFits } from './vector-kernels.ts';

/** A deterministic generator in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The plain reference: popcount of the XOR of two codes. */
function referenceHamming(codes: Uint32Array, slot: number, query: Uint32Array): number {
  let d = 0;
  for (let w = 0; w < query.length; w++) {
    let x = (codes[slot * query.length + w]! ^ query[w]!) >>> 0;
    for (; x; x >>>= 1) d += x & 1;
  }
  return d;
}

function referenceDot(vectors: Int8Array, slot: number, query: Int16Array | Float32Array): number {
  let sum = 0;
  for (let i = 0; i < query.length; i++) sum += vectors[slot * query.length + i]! * query[i]!;
  return sum;
}

function filledHeap(dimensions: number, count: number, next: () => number, capacity = count): VectorHeap {
  const heap = new VectorHeap(dimensions, codeWords(dimensions), capacity);
  for (let i = 0; i < count * heap.words; i++) heap.codes[i] = Math.floor(next() * 2 ** 32);
  for (let i = 0; i < count * dimensions; i++) heap.vectors[i] = Math.floor(next() * 256) - 128;
  return heap;
}

test('the SIMD scan takes dimensions in multiples of 128 (up to 3,968), others keep the TypeScript loops', () => {
  for (const d of [128, 256, 384, 3968]) assert.equal(simdFits(d), true, `${d}`);
  for (const d of [0, 4, 64, 100, 200, 3968 + 128]) assert.equal(simdFits(d), false, `${d}`);
  assert.equal(new BinaryQuantizedIndex(256).kernels, 'wasm');
  assert.equal(new BinaryQuantizedIndex(64).kernels, 'js');
  assert.throws(() => new BinaryQuantizedIndex(64, 16, { kernels: 'wasm' }), /multiples of 128/);
});

test('Hamming distances and their histogram equal the reference (counts off the SIMD width too)', () => {
  const next = random(7);
  for (const dimensions of [128, 256, 384])
    for (const count of [1, 37, 1001]) {
      const heap = filledHeap(dimensions, count, next);
      for (let w = 0; w < heap.words; w++) heap.queryCode[w] = Math.floor(next() * 2 ** 32);
      const query = Uint32Array.from(heap.queryCode);
      const { distances, histogram } = heap.hamming(count);
      const expected = new Uint32Array(dimensions + 2);
      assert.equal(distances.length, count);
      for (let slot = 0; slot < count; slot++) {
        const d = referenceHamming(heap.codes, slot, query);
        assert.equal(distances[slot], d, `dimensions ${dimensions}, slot ${slot}`);
        expected[d]!++;
      }
      assert.deepEqual(histogram, expected);
      // Extremes: a code equal to the query, and its complement.
      heap.codes.set(query, 0);
      if (count > 1)
        heap.codes.set(
          query.map((x) => ~x >>> 0),
          heap.words,
        );
      const again = heap.hamming(count);
      assert.equal(again.distances[0], 0);
      if (count > 1) assert.equal(again.distances[1], dimensions);
    }
});

test('the SIMD select takes the slots within the cutoff, and only so many at it, in order, a batch at a time', () => {
  const next = random(29);
  const dimensions = 128;
  for (const count of [1, 7, 8, 9, 1001, 3 * DOT_BATCH + 5]) {
    const heap = filledHeap(dimensions, count, next);
    for (let w = 0; w < heap.words; w++) heap.queryCode[w] = Math.floor(next() * 2 ** 32);
    const distances = Uint16Array.from(heap.hamming(count).distances);
    const sorted = Uint16Array.from(distances).sort();
    // Cutoffs below every distance, at the median (more than a batch passes), at the top and beyond it; the
    // count allowed at the cutoff none, a few, more than there are.
    for (const cutoff of [0, sorted[count >> 1]!, sorted[count - 1]!, dimensions + 1])
      for (const allowed of [0, 3, count]) {
        // Started part-way (off the eight-lane step) and resumed batch after batch.
        const from = count > 9 ? 3 : 0;
        const got: number[] = [];
        let at = from;
        let atCutoff = allowed;
        while (at < count) {
          const batch = heap.select(at, count, cutoff, atCutoff);
          assert.ok(batch.count <= DOT_BATCH && batch.next > at);
          got.push(...heap.slots.subarray(0, batch.count));
          ({ next: at, atCutoff } = batch);
        }
        assert.deepEqual(
          got,
          expectedFrom(distances, from, count, cutoff, allowed),
          `count ${count}, cutoff ${cutoff}`,
        );
      }
  }
});

/** The reference selection from slot `from` on. */
function expectedFrom(distances: Uint16Array, from: number, count: number, cutoff: number, allowed: number): number[] {
  const out: number[] = [];
  for (let slot = from; slot < count; slot++)
    if (distances[slot]! < cutoff || (distances[slot] === cutoff && allowed-- > 0)) out.push(slot);
  return out;
}

test('int8 · i16 dot products equal the reference, in and across batches, for any slot order', () => {
  const next = random(13);
  for (const dimensions of [128, 256]) {
    const count = DOT_BATCH + 321;
    const heap = filledHeap(dimensions, count, next);
    // The extremes of both types: -128 · -32767 summed over every dimension must not overflow.
    heap.vectors.fill(-128, 0, dimensions);
    const query = Float32Array.from({ length: dimensions }, () => next() * 2 - 1);
    query.fill(-1, 0, dimensions);
    const factor = heap.setQuery(query);
    const q16 = Int16Array.from(query, (x) => Math.round(x / factor));
    assert.equal(Math.min(...q16), -32767);
    const slots = Array.from({ length: count }, (_, i) => (i * 7919) % count);
    for (let from = 0; from < count; from += DOT_BATCH) {
      const batch = slots.slice(from, from + DOT_BATCH);
      heap.slots.set(batch);
      const sums = heap.dots(batch.length);
      for (const [i, slot] of batch.entries()) {
        assert.equal(sums[i], referenceDot(heap.vectors, slot, q16), `slot ${slot}`);
        const exact = referenceDot(heap.vectors, slot, query);
        // The quantized query is off by at most half a step per component.
        assert.ok(Math.abs(sums[i]! * factor - exact) <= (128 * dimensions * factor) / 2, `slot ${slot}`);
      }
    }
    // Four at a time, then the rest: every remainder.
    for (const n of [1, 2, 3, 4, 5, 6, 7]) {
      heap.slots.set(slots.slice(0, n));
      assert.deepEqual(
        Array.from(heap.dots(n)),
        slots.slice(0, n).map((slot) => referenceDot(heap.vectors, slot, q16)),
      );
    }
    assert.equal(heap.dots(0).length, 0);
    assert.throws(() => heap.dots(DOT_BATCH + 1), /at most/);
  }
});

test('growing the memory keeps the codes and vectors, and zeroes the new slots', () => {
  const next = random(3);
  const heap = filledHeap(256, 100, next, 100);
  const codes = Uint32Array.from(heap.codes);
  const vectors = Int8Array.from(heap.vectors);
  heap.grow(5000);
  assert.equal(heap.capacity, 5000);
  assert.deepEqual(heap.codes.subarray(0, codes.length), codes);
  assert.deepEqual(heap.vectors.subarray(0, vectors.length), vectors);
  assert.ok(heap.codes.subarray(codes.length).every((x) => x === 0));
  assert.ok(heap.vectors.subarray(vectors.length).every((x) => x === 0));
});

function unit(v: Float32Array): Float32Array {
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / norm);
}

test('the SIMD scan finds what the TypeScript scan finds on clustered data, through growth and removals', () => {
  const next = random(21);
  const dimensions = 256;
  const count = 12_000;
  const gauss = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const centres = Array.from({ length: 40 }, () => unit(Float32Array.from({ length: dimensions }, gauss)));
  // Both start far below their final size: the SIMD one grows its WebAssembly memory several times.
  const simd = new BinaryQuantizedIndex(dimensions, 64, { kernels: 'wasm' });
  const js = new BinaryQuantizedIndex(dimensions, 64, { kernels: 'js' });
  const exact = new Map<number, Float32Array>();
  for (let doc = 0; doc < count; doc++) {
    const centre = centres[doc % centres.length]!;
    const v = unit(centre.map((x) => x + 0.08 * gauss()));
    exact.set(doc, v);
    simd.set(doc, v);
    js.set(doc, v);
  }
  for (let doc = 0; doc < count; doc += 97) {
    simd.remove(doc);
    js.remove(doc);
  }
  const exactVectors = (docs: readonly number[]) => new Map(docs.map((d) => [d, exact.get(d)!]));
  let sameTop10 = 0;
  const queries = 60;
  for (let q = 0; q < queries; q++) {
    const query = unit(centres[q % centres.length]!.map((x) => x + 0.3 * gauss()));
    const a = simd.search(query, 10, () => true, exactVectors);
    const b = js.search(query, 10, () => true, exactVectors);
    assert.equal(a.length, 10);
    assert.ok(
      a.every((h) => h.doc % 97 !== 0),
      'a removed document was found',
    );
    if (a.map((h) => h.doc).join() === b.map((h) => h.doc).join()) sameTop10++;
    // Without exact vectors: the same int8 scores (the head is scored again with the float query).
    assert.deepEqual(simd.search(query, 10), js.search(query, 10));
    assert.deepEqual(simd.search(query, 100), js.search(query, 100));
    // A filter is honoured the same way.
    const odd = (doc: number) => doc % 2 === 1;
    assert.deepEqual(
      simd.search(query, 10, odd, exactVectors).map((h) => h.doc),
      js.search(query, 10, odd, exactVectors).map((h) => h.doc),
    );
  }
  assert.equal(sameTop10, queries);
  // Saved and restored, the SIMD index still answers the same.
  const restored = BinaryQuantizedIndex.fromParts(simd.parts(), 16);
  const query = centres[0]!;
  assert.deepEqual(
    restored.search(query, 10, () => true, exactVectors),
    simd.search(query, 10, () => true, exactVectors),
  );
});
