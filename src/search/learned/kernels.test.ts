import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKernels, wasmSimdAvailable, type Kernels } from './kernels.ts';
import { symmetricEigen } from './linalg.ts';
import { Rng } from './prng.ts';

/** Runs every kernel on the same random data and returns the outputs. */
function runAll(k: Kernels): Float32Array[] {
  const rng = new Rng(42);
  const d = 48;
  const V = 50;
  const m = 7;
  const n = 9;
  const table = k.alloc(V * d * 4);
  const table2 = k.alloc(V * d * 4);
  const m1 = k.alloc(V * d * 4);
  const m2 = k.alloc(V * d * 4);
  const grad = k.alloc(V * d * 4);
  const ids = k.alloc(12 * 4);
  const w = k.alloc(12 * 4);
  const g = k.alloc(d * 4);
  const out = k.alloc(d * 4);
  const dots = k.alloc(12 * 4);
  const a = k.alloc(m * d * 4);
  const b = k.alloc(n * d * 4);
  const c = k.alloc(m * (n + 3) * 4);
  for (let i = 0; i < V * d; i++) {
    k.f32[(table >> 2) + i] = rng.gaussian();
    k.f32[(table2 >> 2) + i] = rng.gaussian();
    k.f32[(grad >> 2) + i] = rng.gaussian();
  }
  for (let i = 0; i < 12; i++) {
    k.i32[(ids >> 2) + i] = (i * 7) % V; // distinct rows
    k.f32[(w >> 2) + i] = rng.next();
  }
  for (let i = 0; i < d; i++) k.f32[(g >> 2) + i] = rng.gaussian();
  k.f32.fill(7, out >> 2, (out >> 2) + d); // gather overwrites its output, it does not add to it
  for (let i = 0; i < m * d; i++) k.f32[(a >> 2) + i] = rng.gaussian();
  for (let i = 0; i < n * d; i++) k.f32[(b >> 2) + i] = rng.gaussian();
  k.gather(ids, w, 12, table, out, d);
  k.dots(ids, 12, table, g, d, dots);
  k.scatter(ids, w, 12, table2, g, d);
  k.gemmNT(a, b, c, m, n, d, n + 3);
  for (let step = 0; step < 3; step++) k.adam(ids, 12, table, m1, m2, grad, d, 0.01, 0.9, 0.999, 1e-8);
  const view = (p: number, len: number) => k.f32.slice(p >> 2, (p >> 2) + len);
  return [
    view(out, d),
    view(dots, 12),
    view(table2, V * d),
    view(c, m * (n + 3)),
    view(table, V * d),
    view(grad, V * d),
  ];
}

test('the WebAssembly SIMD kernels agree with the TypeScript ones', {
  skip: !wasmSimdAvailable() && 'no WebAssembly SIMD',
}, () => {
  const js = runAll(createKernels(1 << 20, 'js'));
  const wasm = runAll(createKernels(1 << 20, 'wasm-simd'));
  const names = ['gather', 'dots', 'scatter', 'gemmNT', 'adam', 'adam zeroes grad'];
  js.forEach((expected, i) => {
    const actual = wasm[i]!;
    for (let j = 0; j < expected.length; j++) {
      assert.ok(
        Math.abs(actual[j]! - expected[j]!) <= 1e-4 * (1 + Math.abs(expected[j]!)),
        `${names[i]}[${j}]: ${actual[j]} vs ${expected[j]}`,
      );
    }
  });
  // untouched rows of the grad table are left alone, touched ones zeroed
  assert.equal(wasm[5]![0], 0);
  assert.notEqual(wasm[5]![48], 0);
});

const kinds = wasmSimdAvailable() ? (['js', 'wasm-simd'] as const) : (['js'] as const);

for (const kind of kinds) {
  test(`${kind}: gather sums weighted table rows, scatter adds a weighted vector to them`, () => {
    const k = createKernels(1 << 16, kind);
    const d = 16;
    const table = k.alloc(4 * d * 4);
    const ids = k.alloc(3 * 4);
    const w = k.alloc(3 * 4);
    const vector = k.alloc(d * 4);
    // row r, column c holds r + c/16 (exact in float32, as are the sums below)
    for (let r = 0; r < 4; r++) for (let c = 0; c < d; c++) k.f32[(table >> 2) + r * d + c] = r + c / 16;
    k.i32.set([3, 1, 3], ids >> 2); // a repeated row counts each time
    k.f32.set([0.5, 2, 0.25], w >> 2);
    k.f32.fill(-1, vector >> 2, (vector >> 2) + d);
    k.gather(ids, w, 3, table, vector, d);
    for (let c = 0; c < d; c++) {
      assert.equal(k.f32[(vector >> 2) + c], 0.5 * (3 + c / 16) + 2 * (1 + c / 16) + 0.25 * (3 + c / 16));
    }
    for (let c = 0; c < d; c++) k.f32[(vector >> 2) + c] = c;
    k.scatter(ids, w, 3, table, vector, d);
    for (let r = 0; r < 4; r++) {
      const added = r === 3 ? 0.75 : r === 1 ? 2 : 0;
      for (let c = 0; c < d; c++)
        assert.equal(k.f32[(table >> 2) + r * d + c], r + c / 16 + added * c, `row ${r}, column ${c}`);
    }
  });
}

test('row lengths must be multiples of 16', () => {
  const k = createKernels(1 << 16, 'js');
  assert.throws(() => k.gather(0, 0, 0, 0, 0, 10), /multiple of 16/);
});

test('symmetric eigen-decomposition reconstructs the matrix', () => {
  const rng = new Rng(3);
  for (const n of [1, 2, 7, 40]) {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = rng.gaussian();
        a[i * n + j] = v;
        a[j * n + i] = v;
      }
    }
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 1; i < n; i++) assert.ok(values[i - 1]! >= values[i]!);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let e = 0; e < n; e++) s += vectors[r * n + e]! * values[e]! * vectors[c * n + e]!;
        assert.ok(Math.abs(s - a[r * n + c]!) < 1e-9, `n=${n} (${r},${c})`);
      }
    }
  }
});

test('helper threads give the same numbers as one thread', {
  skip: !wasmSimdAvailable() && 'no WebAssembly SIMD',
}, () => {
  const run = (threads: number) => {
    const k = createKernels(8 << 20, 'wasm-simd', threads);
    try {
      assert.equal(k.threads, threads);
      const rng = new Rng(5);
      const d = 64;
      const m = 70;
      const n = 50;
      const V = 300;
      const a = k.alloc(m * d * 4);
      const b = k.alloc(n * d * 4);
      const c = k.alloc(m * n * 4);
      const table = k.alloc(V * d * 4);
      const m1 = k.alloc(V * d * 4);
      const m2 = k.alloc(V * d * 4);
      const grad = k.alloc(V * d * 4);
      const rows = k.alloc(V * 4);
      const ids = k.alloc(40 * 20 * 4);
      const w = k.alloc(40 * 20 * 4);
      const starts = k.alloc(40 * 4);
      const lens = k.alloc(40 * 4);
      const out = k.alloc(40 * d * 4);
      for (let i = 0; i < m * d; i++) k.f32[(a >> 2) + i] = rng.gaussian();
      for (let i = 0; i < n * d; i++) k.f32[(b >> 2) + i] = rng.gaussian();
      for (let i = 0; i < V * d; i++) {
        k.f32[(table >> 2) + i] = rng.gaussian();
        k.f32[(grad >> 2) + i] = rng.gaussian();
      }
      for (let i = 0; i < V; i++) k.i32[(rows >> 2) + i] = (i * 7) % V;
      for (let t = 0; t < 40; t++) {
        k.i32[(starts >> 2) + t] = t * 20;
        k.i32[(lens >> 2) + t] = t % 20;
        for (let j = 0; j < 20; j++) {
          k.i32[(ids >> 2) + t * 20 + j] = rng.int(V);
          k.f32[(w >> 2) + t * 20 + j] = rng.next();
        }
      }
      k.gemmNT(a, b, c, m, n, d, n);
      k.gatherRows(starts, lens, 40, ids, w, table, out, d);
      k.adam(rows, V, table, m1, m2, grad, d, 0.01, 0.9, 0.999, 1e-8);
      return [
        k.f32.slice(c >> 2, (c >> 2) + m * n),
        k.f32.slice(out >> 2, (out >> 2) + 40 * d),
        k.f32.slice(table >> 2, (table >> 2) + V * d),
      ];
    } finally {
      k.close();
    }
  };
  const one = run(1);
  const two = run(2);
  one.forEach((x, i) => {
    assert.deepEqual(two[i], x);
  });
});
