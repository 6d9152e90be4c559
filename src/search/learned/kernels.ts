/**
 * The few numeric kernels that training spends its time in, over one flat heap of float32/int32 data:
 * a WebAssembly module with 128-bit SIMD (assembled here from opcodes, no toolchain and no binary blob),
 * and plain TypeScript versions of the same kernels used where WebAssembly SIMD is missing and in tests.
 *
 * All pointers are byte offsets into the heap, aligned to 16 bytes; row lengths `d` are in floats and must
 * be multiples of 16 (the SIMD loops handle 16 floats per step). The two implementations agree to float32
 * rounding, not bit for bit: a model is reproducible for a given seed on a given implementation.
 * The heap layout, the module's calling convention and the helper-thread protocol are in README.md here.
 */

import { Worker } from 'node:worker_threads';
import {
  addLocal,
  addTo,
  assemble,
  type Code,
  F32,
  F32_LOAD,
  F32_STORE,
  F32X4_ADD,
  F32X4_DIV,
  F32X4_MUL,
  F32X4_SPLAT,
  F32X4_SQRT,
  F32X4_SUB,
  type FnDef,
  get,
  hsum,
  I32,
  I32_ADD,
  I32_LOAD,
  I32_MUL,
  i32c,
  PAGE,
  set,
  tee,
  V_LOAD,
  V_STORE,
  V_ZERO,
  V128,
  WebAssemblyApi,
  whileLt,
} from '../../wasm/assembler.ts';

export type KernelKind = 'wasm-simd' | 'js';

export interface Kernels {
  readonly kind: KernelKind;
  /** The heap: views are recreated by `views()` because nothing here grows it after creation. */
  readonly buffer: ArrayBuffer;
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  /** Reserves `bytes` (rounded up to 16) and returns the byte offset. */
  alloc(bytes: number): number;
  /** out[0..d) = Σ_i w[i] · table[ids[i]] */
  gather(ids: number, w: number, n: number, table: number, out: number, d: number): void;
  /** table[ids[i]] += w[i] · g for each i */
  scatter(ids: number, w: number, n: number, table: number, g: number, d: number): void;
  /** out[i] = table[ids[i]] · g */
  dots(ids: number, n: number, table: number, g: number, d: number, out: number): void;
  /** C[i·ldc + j] = A_i · B_j for i < m, j < n, rows of length d; ldc in floats. */
  gemmNT(a: number, b: number, c: number, m: number, n: number, d: number, ldc: number): void;
  /**
   * Adam on the listed rows of `param`, then zeroes those rows of `grad`. Bias correction is the caller's
   * (fold it into lr and eps).
   */
  adam(
    rows: number,
    nRows: number,
    param: number,
    m1: number,
    m2: number,
    grad: number,
    d: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
  ): void;
  /** `gather` for `count` texts: text t has `lens[t]` ids/weights from index `starts[t]`, its sum goes to out row t. */
  gatherRows(
    starts: number,
    lens: number,
    count: number,
    ids: number,
    w: number,
    table: number,
    out: number,
    d: number,
  ): void;
  /** Threads the kernels run on (the caller's and helpers). */
  readonly threads: number;
  /** Stops helper threads (the kernels keep working on the calling thread alone). */
  close(): void;
}

export const KERNEL_WIDTH = 16;

/** Most threads kernels run on (the control blocks of helpers sit below the first allocation). */
export const MAX_THREADS = 8;

/**
 * Kernels over a fresh zeroed heap of at least `bytes` bytes. `prefer: 'auto'` takes WebAssembly SIMD if it
 * works. With `threads` > 1 (WebAssembly only) the heap is shared with helper threads that take a share of
 * gemmNT, adam and gatherRows; every output element is computed by the same code whichever thread runs it,
 * so results do not depend on the number of threads. Call `close()` when done.
 */
export function createKernels(bytes: number, prefer: 'auto' | KernelKind = 'auto', threads = 1): Kernels {
  if (prefer !== 'js') {
    const wasm = tryWasm(bytes, Math.min(MAX_THREADS, Math.max(1, Math.floor(threads))));
    if (wasm) return wasm;
    if (prefer === 'wasm-simd') throw new Error('WebAssembly SIMD is not available');
  }
  return jsKernels(bytes);
}

const wasmModules = new Map<boolean, object | null>();

/** The compiled kernel module (for a shared or a private memory), or null without WebAssembly SIMD. */
export function kernelModule(shared: boolean): object | null {
  let m = wasmModules.get(shared);
  if (m === undefined) {
    try {
      const bytes = assembleModule(shared);
      m = WebAssemblyApi?.validate(bytes) ? new WebAssemblyApi.Module(bytes) : null;
    } catch {
      m = null;
    }
    wasmModules.set(shared, m);
  }
  return m;
}

/** Whether this runtime runs the WebAssembly SIMD kernels. */
export function wasmSimdAvailable(): boolean {
  return kernelModule(false) !== null;
}

export type WasmExports = Record<'gather' | 'scatter' | 'dots' | 'nt4' | 'nt1' | 'adam', (...args: number[]) => number>;

/** Rows [from, to) of C = A·B^T (see Kernels.gemmNT), in blocks of 4 rows. */
export function gemmRows(
  e: WasmExports,
  a: number,
  b: number,
  c: number,
  from: number,
  to: number,
  n: number,
  d: number,
  ldc: number,
): void {
  const rowBytes = d * 4;
  let i = from;
  for (; i + 4 <= to; i += 4) e.nt4(a + i * rowBytes, b, c + i * ldc * 4, n, rowBytes, ldc * 4);
  for (; i < to; i++) e.nt1(a + i * rowBytes, b, c + i * ldc * 4, n, rowBytes);
}

/** Texts [from, to) of Kernels.gatherRows. */
export function gatherTexts(
  e: WasmExports,
  i32: Int32Array,
  starts: number,
  lens: number,
  from: number,
  to: number,
  ids: number,
  w: number,
  table: number,
  out: number,
  d: number,
): void {
  for (let t = from; t < to; t++) {
    const start = i32[(starts >> 2) + t]!;
    e.gather(ids + start * 4, w + start * 4, i32[(lens >> 2) + t]!, table, out + t * d * 4, d * 4);
  }
}

/** Where the control blocks of helper threads live in a shared heap (128 bytes each from byte 16, below the first allocation). */
export const CONTROL = 16;
export const CONTROL_INTS = 32;
/** Control block fields (int32 index): command sequence, last finished sequence, operation, then arguments. */
export const SEQ = 0;
export const DONE = 1;
export const OP = 2;
export const ARGS = 3;
export const OP_GEMM = 1;
export const OP_ADAM = 2;
export const OP_GATHER = 3;
export const OP_STOP = 4;

function bumpAllocator(limit: number): (bytes: number) => number {
  let top = 1024; // keep 0 free so that a zero pointer is never valid data, and room for the control blocks
  return (bytes: number) => {
    const ptr = top;
    top += Math.ceil(bytes / 16) * 16;
    if (top > limit) throw new Error(`kernel heap exhausted (${top} > ${limit} bytes)`);
    return ptr;
  };
}

function checkD(d: number): void {
  if (d % KERNEL_WIDTH !== 0 || d <= 0)
    throw new Error(`row length ${d} is not a positive multiple of ${KERNEL_WIDTH}`);
}

function tryWasm(bytes: number, threads: number): Kernels | null {
  const shared = threads > 1;
  const module = kernelModule(shared);
  if (!module || !WebAssemblyApi) return null;
  const pages = Math.ceil((bytes + 1024 + 16) / PAGE);
  if (pages > 65536) return null;
  const memory = new WebAssemblyApi.Memory(
    shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages },
  );
  const instance = new WebAssemblyApi.Instance(module, { env: { memory } });
  const e = instance.exports as WasmExports;
  const buffer = memory.buffer;
  const f32 = new Float32Array(buffer);
  const i32 = new Int32Array(buffer);
  const helpers = shared ? startHelpers(module, memory, threads - 1) : null;
  const split = (count: number, align: number) => {
    // the calling thread takes the first share, helper h the share h + 1
    const per = Math.ceil(count / ((helpers?.count ?? 0) + 1) / align) * align;
    return per;
  };
  return {
    kind: 'wasm-simd',
    buffer,
    f32,
    i32,
    threads: (helpers?.count ?? 0) + 1,
    alloc: bumpAllocator(buffer.byteLength),
    gather(ids, w, n, table, out, d) {
      checkD(d);
      e.gather(ids, w, n, table, out, d * 4);
    },
    scatter(ids, w, n, table, g, d) {
      checkD(d);
      e.scatter(ids, w, n, table, g, d * 4);
    },
    dots(ids, n, table, g, d, out) {
      checkD(d);
      e.dots(ids, n, table, g, d * 4, out);
    },
    gemmNT(a, b, c, m, n, d, ldc) {
      checkD(d);
      if (!helpers || m < 32) return gemmRows(e, a, b, c, 0, m, n, d, ldc);
      const per = split(m, 4);
      helpers.run(OP_GEMM, (h) => [a, b, c, Math.min(m, per * (h + 1)), Math.min(m, per * (h + 2)), n, d, ldc], []);
      gemmRows(e, a, b, c, 0, Math.min(m, per), n, d, ldc);
      helpers.wait();
    },
    adam(rows, nRows, param, m1, m2, grad, d, lr, beta1, beta2, eps) {
      checkD(d);
      if (!helpers || nRows < 64) {
        e.adam(rows, nRows, param, m1, m2, grad, d * 4, lr, beta1, 1 - beta1, beta2, 1 - beta2, eps);
        return;
      }
      const per = split(nRows, 1);
      helpers.run(
        OP_ADAM,
        (h) => {
          const from = Math.min(nRows, per * (h + 1));
          return [rows + from * 4, Math.min(nRows, per * (h + 2)) - from, param, m1, m2, grad, d * 4];
        },
        [lr, beta1, 1 - beta1, beta2, 1 - beta2, eps],
      );
      e.adam(rows, Math.min(nRows, per), param, m1, m2, grad, d * 4, lr, beta1, 1 - beta1, beta2, 1 - beta2, eps);
      helpers.wait();
    },
    gatherRows(starts, lens, count, ids, w, table, out, d) {
      checkD(d);
      if (!helpers || count < 16) return gatherTexts(e, i32, starts, lens, 0, count, ids, w, table, out, d);
      const per = split(count, 1);
      helpers.run(
        OP_GATHER,
        (h) => [starts, lens, Math.min(count, per * (h + 1)), Math.min(count, per * (h + 2)), ids, w, table, out, d],
        [],
      );
      gatherTexts(e, i32, starts, lens, 0, Math.min(count, per), ids, w, table, out, d);
      helpers.wait();
    },
    close() {
      helpers?.stop();
    },
  };
}

interface Helpers {
  count: number;
  /** Posts an operation to every helper: int arguments per helper index, float arguments shared. */
  run(op: number, ints: (helper: number) => number[], floats: number[]): void;
  /** Blocks until every helper has finished the last operation. */
  wait(): void;
  stop(): void;
}

/**
 * Helper threads on the shared heap. Each has its own control block (at CONTROL + 128·h); the calling
 * thread posts with Atomics.notify and blocks in Atomics.wait until all are done: a few microseconds
 * per operation, against milliseconds of work.
 */
function startHelpers(module: object, memory: { buffer: ArrayBuffer }, count: number): Helpers {
  const i32 = new Int32Array(memory.buffer);
  const f32 = new Float32Array(memory.buffer);
  const blocks: number[] = [];
  const workers: Worker[] = [];
  for (let h = 0; h < count; h++) {
    const control = (CONTROL >> 2) + h * CONTROL_INTS;
    blocks.push(control);
    const worker = new Worker(new URL('./kernel-worker.ts', import.meta.url), {
      workerData: { module, memory, control },
    });
    worker.unref();
    workers.push(worker);
  }
  let seq = 0;
  let stopped = false;
  return {
    count,
    run(op, ints, floats) {
      seq++;
      blocks.forEach((control, h) => {
        i32[control + OP] = op;
        ints(h).forEach((v, k) => {
          i32[control + ARGS + k] = v;
        });
        floats.forEach((v, k) => {
          f32[control + ARGS + 16 + k] = v;
        });
        Atomics.store(i32, control + SEQ, seq);
        Atomics.notify(i32, control + SEQ);
      });
    },
    wait() {
      for (const control of blocks) {
        for (;;) {
          const done = Atomics.load(i32, control + DONE);
          if (done === seq) break;
          Atomics.wait(i32, control + DONE, done, 1000);
        }
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      seq++;
      for (const control of blocks) {
        i32[control + OP] = OP_STOP;
        Atomics.store(i32, control + SEQ, seq);
        Atomics.notify(i32, control + SEQ);
      }
      for (const w of workers) void w.terminate();
    },
  };
}

function jsKernels(bytes: number): Kernels {
  const buffer = new ArrayBuffer(Math.ceil((bytes + 1024 + 16) / 16) * 16);
  const f32 = new Float32Array(buffer);
  const i32 = new Int32Array(buffer);
  /** f32[into..into+d) += wi · f32[from..from+d) (float indices): gather and scatter, like rowsAxpyFn. */
  const addScaled = (into: number, wi: number, from: number, d: number) => {
    for (let k = 0; k < d; k++) f32[into + k] = f32[into + k]! + wi * f32[from + k]!;
  };
  return {
    kind: 'js',
    buffer,
    f32,
    i32,
    alloc: bumpAllocator(buffer.byteLength),
    gather(ids, w, n, table, out, d) {
      checkD(d);
      const o = out >> 2;
      f32.fill(0, o, o + d);
      for (let i = 0; i < n; i++) addScaled(o, f32[(w >> 2) + i]!, (table >> 2) + i32[(ids >> 2) + i]! * d, d);
    },
    scatter(ids, w, n, table, g, d) {
      checkD(d);
      for (let i = 0; i < n; i++) addScaled((table >> 2) + i32[(ids >> 2) + i]! * d, f32[(w >> 2) + i]!, g >> 2, d);
    },
    dots(ids, n, table, g, d, out) {
      checkD(d);
      const go = g >> 2;
      for (let i = 0; i < n; i++) {
        const row = (table >> 2) + i32[(ids >> 2) + i]! * d;
        let s = 0;
        for (let k = 0; k < d; k++) s += f32[row + k]! * f32[go + k]!;
        f32[(out >> 2) + i] = s;
      }
    },
    gemmNT(a, b, c, m, n, d, ldc) {
      checkD(d);
      for (let i = 0; i < m; i++) {
        const ai = (a >> 2) + i * d;
        for (let j = 0; j < n; j++) {
          const bj = (b >> 2) + j * d;
          let s = 0;
          for (let k = 0; k < d; k++) s += f32[ai + k]! * f32[bj + k]!;
          f32[(c >> 2) + i * ldc + j] = s;
        }
      }
    },
    threads: 1,
    close() {},
    gatherRows(starts, lens, count, ids, w, table, out, d) {
      for (let t = 0; t < count; t++) {
        const start = i32[(starts >> 2) + t]!;
        this.gather(ids + start * 4, w + start * 4, i32[(lens >> 2) + t]!, table, out + t * d * 4, d);
      }
    },
    adam(rows, nRows, param, m1, m2, grad, d, lr, beta1, beta2, eps) {
      checkD(d);
      for (let r = 0; r < nRows; r++) {
        const off = i32[(rows >> 2) + r]! * d;
        for (let k = 0; k < d; k++) {
          const g = f32[(grad >> 2) + off + k]!;
          const m = beta1 * f32[(m1 >> 2) + off + k]! + (1 - beta1) * g;
          const v = beta2 * f32[(m2 >> 2) + off + k]! + (1 - beta2) * g * g;
          f32[(m1 >> 2) + off + k] = m;
          f32[(m2 >> 2) + off + k] = v;
          f32[(param >> 2) + off + k] = f32[(param >> 2) + off + k]! - (lr * m) / (Math.sqrt(v) + eps);
          f32[(grad >> 2) + off + k] = 0;
        }
      }
    },
  };
}

/** Loads 16 floats at (base + k) as four v128 with offsets 0..48 and applies `each(slot, loadCode)`. */
const UNROLL = [0, 16, 32, 48];

/**
 * gather and scatter are one loop read in two directions: for each listed row i,
 * `into[0..d) += w[i] · from[0..d)`, 16 floats (four v128) per step. gather adds table rows into the
 * vector `out` (zeroed first: it returns a fresh sum); scatter adds the vector `g` into table rows.
 * Both take (ids, w, n, table, vector, dBytes) and share their locals, so the two bodies differ only in
 * which address is read and which is written.
 */
function rowsAxpyFn(kernel: 'gather' | 'scatter'): FnDef {
  const [ids, w, n, table, vector, dBytes] = [0, 1, 2, 3, 4, 5];
  const [p, pEnd, q, row, k, into, wv, from] = [6, 7, 8, 9, 10, 11, 12, 13];
  const intoVector = kernel === 'gather';
  const [intoBase, fromBase] = intoVector ? [vector, row] : [row, vector];
  const zeroVector: Code = intoVector
    ? [
        ...i32c(0),
        ...set(k),
        ...whileLt(
          k,
          dBytes,
          [...get(vector), ...get(k), ...I32_ADD, ...set(into)],
          ...UNROLL.map((o) => [...get(into), ...V_ZERO, ...V_STORE(o)]),
          addTo(k, 64),
        ),
      ]
    : [];
  const body: Code = [
    ...zeroVector,
    ...get(ids),
    ...set(p),
    ...get(w),
    ...set(q),
    ...get(ids),
    ...get(n),
    ...i32c(4),
    ...I32_MUL,
    ...I32_ADD,
    ...set(pEnd),
    ...whileLt(
      p,
      pEnd,
      [...get(table), ...get(p), ...I32_LOAD(), ...get(dBytes), ...I32_MUL, ...I32_ADD, ...set(row)],
      [...get(q), ...F32_LOAD, ...F32X4_SPLAT, ...set(wv)],
      [...i32c(0), ...set(k)],
      whileLt(
        k,
        dBytes,
        [...get(intoBase), ...get(k), ...I32_ADD, ...set(into)],
        [...get(fromBase), ...get(k), ...I32_ADD, ...set(from)],
        ...UNROLL.map((o) => [
          ...get(into),
          ...get(into),
          ...V_LOAD(o),
          ...get(from),
          ...V_LOAD(o),
          ...get(wv),
          ...F32X4_MUL,
          ...F32X4_ADD,
          ...V_STORE(o),
        ]),
        addTo(k, 64),
      ),
      addTo(p, 4),
      addTo(q, 4),
    ),
  ];
  return {
    name: kernel,
    params: [I32, I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, I32, I32, I32, V128, I32],
    body,
  };
}

function dotsFn(): FnDef {
  // params: ids 0, n 1, table 2, g 3, dBytes 4, out 5
  const [ids, n, table, g, dBytes, out] = [0, 1, 2, 3, 4, 5];
  const [p, pEnd, row, k, q, acc] = [6, 7, 8, 9, 10, 11];
  const body: Code = [
    ...get(ids),
    ...set(p),
    ...get(out),
    ...set(q),
    ...get(ids),
    ...get(n),
    ...i32c(4),
    ...I32_MUL,
    ...I32_ADD,
    ...set(pEnd),
    ...whileLt(
      p,
      pEnd,
      [...get(table), ...get(p), ...I32_LOAD(), ...get(dBytes), ...I32_MUL, ...I32_ADD, ...set(row)],
      [...V_ZERO, ...set(acc), ...i32c(0), ...set(k)],
      whileLt(
        k,
        dBytes,
        ...UNROLL.map((o) => [
          ...get(acc),
          ...get(row),
          ...get(k),
          ...I32_ADD,
          ...V_LOAD(o),
          ...get(g),
          ...get(k),
          ...I32_ADD,
          ...V_LOAD(o),
          ...F32X4_MUL,
          ...F32X4_ADD,
          ...set(acc),
        ]),
        addTo(k, 64),
      ),
      [...get(q), ...hsum(acc), ...F32_STORE()],
      addTo(p, 4),
      addTo(q, 4),
    ),
  ];
  return { name: 'dots', params: [I32, I32, I32, I32, I32, I32], locals: [I32, I32, I32, I32, I32, V128], body };
}

function nt4Fn(): FnDef {
  // params: a 0, b 1, c 2, n 3, dBytes 4, ldcBytes 5
  const [a, b, c, n, dBytes, ldc] = [0, 1, 2, 3, 4, 5];
  const [a1, a2, a3, bp, bEnd, c0, c1, c2, c3, k, x0, x1, x2, x3, bk] = [
    6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
  ];
  const [acc0, acc1, acc2, acc3, bv] = [21, 22, 23, 24, 25];
  const aRows = [x0, x1, x2, x3];
  const accs = [acc0, acc1, acc2, acc3];
  const body: Code = [
    ...get(a),
    ...get(dBytes),
    ...I32_ADD,
    ...set(a1),
    ...get(a1),
    ...get(dBytes),
    ...I32_ADD,
    ...set(a2),
    ...get(a2),
    ...get(dBytes),
    ...I32_ADD,
    ...set(a3),
    ...get(c),
    ...set(c0),
    ...get(c0),
    ...get(ldc),
    ...I32_ADD,
    ...set(c1),
    ...get(c1),
    ...get(ldc),
    ...I32_ADD,
    ...set(c2),
    ...get(c2),
    ...get(ldc),
    ...I32_ADD,
    ...set(c3),
    ...get(b),
    ...set(bp),
    ...get(b),
    ...get(n),
    ...get(dBytes),
    ...I32_MUL,
    ...I32_ADD,
    ...set(bEnd),
    ...whileLt(
      bp,
      bEnd,
      accs.flatMap((acc) => [...V_ZERO, ...set(acc)]),
      [...i32c(0), ...set(k)],
      whileLt(
        k,
        dBytes,
        [...get(a), ...get(k), ...I32_ADD, ...set(x0)],
        [...get(a1), ...get(k), ...I32_ADD, ...set(x1)],
        [...get(a2), ...get(k), ...I32_ADD, ...set(x2)],
        [...get(a3), ...get(k), ...I32_ADD, ...set(x3)],
        [...get(bp), ...get(k), ...I32_ADD, ...set(bk)],
        ...UNROLL.map((o) => [
          ...get(bk),
          ...V_LOAD(o),
          ...set(bv),
          ...accs.flatMap((acc, r) => [
            ...get(acc),
            ...get(aRows[r]!),
            ...V_LOAD(o),
            ...get(bv),
            ...F32X4_MUL,
            ...F32X4_ADD,
            ...set(acc),
          ]),
        ]),
        addTo(k, 64),
      ),
      [...get(c0), ...hsum(acc0), ...F32_STORE()],
      [...get(c1), ...hsum(acc1), ...F32_STORE()],
      [...get(c2), ...hsum(acc2), ...F32_STORE()],
      [...get(c3), ...hsum(acc3), ...F32_STORE()],
      addTo(c0, 4),
      addTo(c1, 4),
      addTo(c2, 4),
      addTo(c3, 4),
      addLocal(bp, dBytes),
    ),
  ];
  return {
    name: 'nt4',
    params: [I32, I32, I32, I32, I32, I32],
    locals: [...new Array<number>(15).fill(I32), V128, V128, V128, V128, V128],
    body,
  };
}

function nt1Fn(): FnDef {
  // params: a 0, b 1, c 2, n 3, dBytes 4
  const [a, b, c, n, dBytes] = [0, 1, 2, 3, 4];
  const [bp, bEnd, cp, k, x, bk] = [5, 6, 7, 8, 9, 10];
  const accs = [11, 12, 13, 14];
  const sum = 15;
  const body: Code = [
    ...get(c),
    ...set(cp),
    ...get(b),
    ...set(bp),
    ...get(b),
    ...get(n),
    ...get(dBytes),
    ...I32_MUL,
    ...I32_ADD,
    ...set(bEnd),
    ...whileLt(
      bp,
      bEnd,
      accs.flatMap((acc) => [...V_ZERO, ...set(acc)]),
      [...i32c(0), ...set(k)],
      whileLt(
        k,
        dBytes,
        [...get(a), ...get(k), ...I32_ADD, ...set(x)],
        [...get(bp), ...get(k), ...I32_ADD, ...set(bk)],
        ...UNROLL.map((o, u) => [
          ...get(accs[u]!),
          ...get(x),
          ...V_LOAD(o),
          ...get(bk),
          ...V_LOAD(o),
          ...F32X4_MUL,
          ...F32X4_ADD,
          ...set(accs[u]!),
        ]),
        addTo(k, 64),
      ),
      [
        ...get(accs[0]!),
        ...get(accs[1]!),
        ...F32X4_ADD,
        ...get(accs[2]!),
        ...get(accs[3]!),
        ...F32X4_ADD,
        ...F32X4_ADD,
        ...set(sum),
      ],
      [...get(cp), ...hsum(sum), ...F32_STORE()],
      addTo(cp, 4),
      addLocal(bp, dBytes),
    ),
  ];
  return {
    name: 'nt1',
    params: [I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, I32, I32, I32, V128, V128, V128, V128, V128],
    body,
  };
}

function adamFn(): FnDef {
  // params: rows 0, nRows 1, param 2, m1 3, m2 4, grad 5, dBytes 6, lr 7, b1 8, omb1 9, b2 10, omb2 11, eps 12
  const [rows, nRows, param, m1, m2, grad, dBytes, lr, b1, omb1, b2, omb2, eps] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
  ];
  const [p, pEnd, off, k, o] = [13, 14, 15, 16, 17];
  const [vlr, vb1, vomb1, vb2, vomb2, veps, g, m, v] = [18, 19, 20, 21, 22, 23, 24, 25, 26];
  const at = (base: number): Code => [...get(base), ...get(o), ...I32_ADD];
  const body: Code = [
    ...get(lr),
    ...F32X4_SPLAT,
    ...set(vlr),
    ...get(b1),
    ...F32X4_SPLAT,
    ...set(vb1),
    ...get(omb1),
    ...F32X4_SPLAT,
    ...set(vomb1),
    ...get(b2),
    ...F32X4_SPLAT,
    ...set(vb2),
    ...get(omb2),
    ...F32X4_SPLAT,
    ...set(vomb2),
    ...get(eps),
    ...F32X4_SPLAT,
    ...set(veps),
    ...get(rows),
    ...set(p),
    ...get(rows),
    ...get(nRows),
    ...i32c(4),
    ...I32_MUL,
    ...I32_ADD,
    ...set(pEnd),
    ...whileLt(
      p,
      pEnd,
      [...get(p), ...I32_LOAD(), ...get(dBytes), ...I32_MUL, ...set(off)],
      [...i32c(0), ...set(k)],
      whileLt(
        k,
        dBytes,
        [...get(off), ...get(k), ...I32_ADD, ...set(o)],
        [...at(grad), ...V_LOAD(), ...set(g)],
        [
          ...at(m1),
          ...get(vb1),
          ...at(m1),
          ...V_LOAD(),
          ...F32X4_MUL,
          ...get(vomb1),
          ...get(g),
          ...F32X4_MUL,
          ...F32X4_ADD,
          ...tee(m),
          ...V_STORE(),
        ],
        [
          ...at(m2),
          ...get(vb2),
          ...at(m2),
          ...V_LOAD(),
          ...F32X4_MUL,
          ...get(vomb2),
          ...get(g),
          ...get(g),
          ...F32X4_MUL,
          ...F32X4_MUL,
          ...F32X4_ADD,
          ...tee(v),
          ...V_STORE(),
        ],
        [
          ...at(param),
          ...at(param),
          ...V_LOAD(),
          ...get(vlr),
          ...get(m),
          ...F32X4_MUL,
          ...get(v),
          ...F32X4_SQRT,
          ...get(veps),
          ...F32X4_ADD,
          ...F32X4_DIV,
          ...F32X4_SUB,
          ...V_STORE(),
        ],
        [...at(grad), ...V_ZERO, ...V_STORE()],
        addTo(k, 16),
      ),
      addTo(p, 4),
    ),
  ];
  return {
    name: 'adam',
    params: [I32, I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32],
    locals: [I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128, V128, V128],
    body,
  };
}

/** The kernel module's bytes. */
export function assembleModule(shared = false): Uint8Array<ArrayBuffer> {
  return assemble([rowsAxpyFn('gather'), rowsAxpyFn('scatter'), dotsFn(), nt4Fn(), nt1Fn(), adamFn()], shared);
}
