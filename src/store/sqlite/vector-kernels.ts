/**
 * Where the vectors of a BinaryQuantizedIndex live, and the two loops of its scan in WebAssembly SIMD: the
 * sign-bit codes and int8 vectors sit in one WebAssembly memory (grown with the index), so a query's pass over
 * every code (XOR, i8x16.popcnt, a Uint16 distance per vector) and the int8 dot
 * products of the kept candidates (sign-extended to i16, i32x4.dot_i16x8_s against the query quantized to
 * i16) run over them in place. Node 24 has WebAssembly SIMD unconditionally.
 *
 * The SIMD loops take 16 bytes per step: codes of a multiple of 128 bits (dimensions a multiple of 128, up to
 * 3,968: a byte lane sums at most 31 popcounts) and vectors of a multiple of 16 dimensions (simdFits). Other
 * sizes keep the plain TypeScript loops of binary-index.ts over the same memory.
 */
import {
  addTo,
  assemble,
  blockLoop,
  elementAt,
  BR,
  BR_IF,
  type Code,
  type FnDef,
  get,
  hsumI32,
  I16X8_EXTADD_PAIRWISE_I8X16_U,
  I16X8_EXTEND_HIGH_I8X16_S,
  I16X8_EXTEND_LOW_I8X16_S,
  I16X8_LE_U,
  I16X8_SPLAT,
  I32,
  I32_ADD,
  I32_AND,
  I32_EQ,
  I32_EQZ,
  I32_GE_U,
  I32_GT_S,
  I32_GT_U,
  I32_LE_U,
  I32_LOAD,
  I32_LOAD16_U,
  I32_LT_U,
  I32_MUL,
  I32_STORE,
  I32_SUB,
  I32_STORE16,
  I32X4_ADD,
  I32X4_DOT_I16X8_S,
  I32X4_EXTADD_PAIRWISE_I16X8_U,
  i32c,
  I8X16_ADD,
  I8X16_POPCNT,
  ifElse,
  PAGE,
  set,
  V_ANY_TRUE,
  V_LOAD,
  V_XOR,
  V_ZERO,
  V128,
  WebAssemblyApi,
  whileLt,
} from '../../wasm/assembler.ts';

/** Candidates scored per call of the dot-product kernel. */
export const DOT_BATCH = 4096;

/** Whether the SIMD loops take vectors of these dimensions (see the header). */
export function simdFits(dimensions: number): boolean {
  return dimensions > 0 && dimensions % 128 === 0 && dimensions <= 31 * 128;
}

/**
 * hamming(codes, n, strideBytes, query, out): for each of n codes of strideBytes (a multiple of 16) from
 * `codes`, out[i] (u16) = popcount(code XOR query). With `chunks` given, the function is for codes of exactly
 * that many 16-byte chunks: unrolled, the query held in locals. The histogram of the distances is counted in
 * TypeScript afterwards: in this loop it doubled its time (~3.5 → ~7.5 ms per 1M codes, even with four
 * histograms taken in turn), where a TypeScript pass over the u16 distances takes ~1.2 ms.
 */
function hammingFn(chunks?: number): FnDef {
  const [codes, n, stride, query, out] = [0, 1, 2, 3, 4];
  const [p, end, k, acc] = [5, 6, 7, 8];
  const q = (c: number) => 9 + c;
  const popcount = (load: Code, queryChunk: Code): Code => [
    ...get(acc),
    ...load,
    ...queryChunk,
    ...V_XOR,
    ...I8X16_POPCNT,
    ...I8X16_ADD,
    ...set(acc),
  ];
  const fixed = chunks !== undefined;
  const perCode: Code = fixed
    ? Array.from({ length: chunks }, (_, c) => popcount([...get(p), ...V_LOAD(c * 16)], get(q(c)))).flat()
    : [
        ...i32c(0),
        ...set(k),
        ...whileLt(
          k,
          stride,
          popcount(
            [...get(p), ...get(k), ...I32_ADD, ...V_LOAD()],
            [...get(query), ...get(k), ...I32_ADD, ...V_LOAD()],
          ),
          addTo(k, 16),
        ),
      ];
  const body: Code = [
    ...(fixed ? Array.from({ length: chunks }, (_, c) => [...get(query), ...V_LOAD(c * 16), ...set(q(c))]).flat() : []),
    ...get(codes),
    ...set(p),
    ...get(codes),
    ...get(n),
    ...get(stride),
    ...I32_MUL,
    ...I32_ADD,
    ...set(end),
    ...whileLt(
      p,
      end,
      [...V_ZERO, ...set(acc)],
      perCode,
      [...get(acc), ...I16X8_EXTADD_PAIRWISE_I8X16_U, ...I32X4_EXTADD_PAIRWISE_I16X8_U, ...set(acc)],
      [...get(out), ...hsumI32(acc), ...I32_STORE16()],
      addTo(out, 2),
      [...get(p), ...get(stride), ...I32_ADD, ...set(p)],
    ),
  ];
  return {
    name: fixed ? `hamming${chunks}` : 'hamming',
    params: [I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, V128, ...new Array<number>(chunks ?? 0).fill(V128)],
    body,
  };
}

/**
 * dots(slots, n, vectors, dims, query, out): for each of n slots (i32), out[i] (i32) = the dot product of the
 * int8 vector at vectors + slot·dims with the i16 query (dims a multiple of 16).
 */
function dotsFn(rows: 1 | 4): FnDef {
  const [slots, n, vectors, dims, query, out] = [0, 1, 2, 3, 4, 5];
  const [p, end, k, q] = [6, 7, 8, 9];
  const row = (r: number) => 10 + r;
  const acc = (r: number) => 10 + rows + r;
  const [v, qlo, qhi] = [10 + 2 * rows, 11 + 2 * rows, 12 + 2 * rows];
  const each = (f: (r: number) => Code): Code => Array.from({ length: rows }, (_, r) => f(r)).flat();
  const body: Code = [
    ...get(slots),
    ...set(p),
    ...elementAt(slots, n, 2),
    ...set(end),
    ...whileLt(
      p,
      end,
      each((r) => [
        ...get(vectors),
        ...get(p),
        ...I32_LOAD(4 * r),
        ...get(dims),
        ...I32_MUL,
        ...I32_ADD,
        ...set(row(r)),
        ...V_ZERO,
        ...set(acc(r)),
      ]),
      [...i32c(0), ...set(k), ...get(query), ...set(q)],
      whileLt(
        k,
        dims,
        [...get(q), ...V_LOAD(), ...set(qlo), ...get(q), ...V_LOAD(16), ...set(qhi)],
        each((r) => [
          ...get(row(r)),
          ...get(k),
          ...I32_ADD,
          ...V_LOAD(),
          ...set(v),
          ...get(acc(r)),
          ...get(v),
          ...I16X8_EXTEND_LOW_I8X16_S,
          ...get(qlo),
          ...I32X4_DOT_I16X8_S,
          ...I32X4_ADD,
          ...get(v),
          ...I16X8_EXTEND_HIGH_I8X16_S,
          ...get(qhi),
          ...I32X4_DOT_I16X8_S,
          ...I32X4_ADD,
          ...set(acc(r)),
        ]),
        addTo(k, 16),
        addTo(q, 32),
      ),
      each((r) => [...get(out), ...hsumI32(acc(r)), ...I32_STORE(4 * r)]),
      addTo(p, 4 * rows),
      addTo(out, 4 * rows),
    ),
  ];
  return {
    name: rows === 1 ? 'dots' : `dots${rows}`,
    params: [I32, I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, I32, ...new Array<number>(rows).fill(I32), ...new Array<number>(rows + 3).fill(V128)],
    body,
  };
}

/**
 * select(distances, from, to, cutoff, out, max, state) → the next slot: from slot `from` on (up to `to`),
 * writes to `out` (i32) each slot whose u16 distance is below `cutoff`, and each at `cutoff` while the count
 * at state[0] (i32, read and written back) is above zero, taking one from it; stops after `max` slots written
 * and returns where to go on; state[1] = how many were written. Eight distances are compared at a time
 * (i16x8.le_u), so the ~98% of slots beyond the cutoff cost one SIMD step per eight.
 */
function selectFn(): FnDef {
  const [distances, from, to, cutoff, out, max, state] = [0, 1, 2, 3, 4, 5, 6];
  const [slot, n, atCutoff, d, chunkEnd, cutoffs] = [7, 8, 9, 10, 11, 12];
  const emit: Code = [...elementAt(out, n, 2), ...get(slot), ...I32_STORE(), ...addTo(n, 1)];
  const distanceAt = elementAt(distances, slot, 1);
  const body: Code = [
    ...get(cutoff),
    ...I16X8_SPLAT,
    ...set(cutoffs),
    ...get(from),
    ...set(slot),
    ...get(state),
    ...I32_LOAD(),
    ...set(atCutoff),
    ...blockLoop(
      [...get(slot), ...get(to), ...I32_GE_U, ...BR_IF(1)],
      [...get(n), ...get(max), ...I32_GE_U, ...BR_IF(1)],
      // Eight whole distances left, none of them within the cutoff: skip them (the usual case).
      [...get(slot), ...i32c(8), ...I32_ADD, ...get(to), ...I32_LE_U],
      ifElse([
        ...distanceAt,
        ...V_LOAD(),
        ...get(cutoffs),
        ...I16X8_LE_U,
        ...V_ANY_TRUE,
        ...I32_EQZ,
        ...ifElse([...addTo(slot, 8), ...BR(2)]),
      ]),
      // Else one at a time to the end of the eight (or of the range).
      [...get(slot), ...i32c(8), ...I32_ADD, ...set(chunkEnd)],
      [...get(chunkEnd), ...get(to), ...I32_GT_U, ...ifElse([...get(to), ...set(chunkEnd)])],
      blockLoop(
        [...get(slot), ...get(chunkEnd), ...I32_GE_U, ...BR_IF(1)],
        [...get(n), ...get(max), ...I32_GE_U, ...BR_IF(1)],
        [...distanceAt, ...I32_LOAD16_U(), ...set(d)],
        [...get(d), ...get(cutoff), ...I32_LT_U],
        ifElse(emit, [
          ...get(d),
          ...get(cutoff),
          ...I32_EQ,
          ...get(atCutoff),
          ...i32c(0),
          ...I32_GT_S,
          ...I32_AND,
          ...ifElse([...emit, ...get(atCutoff), ...i32c(1), ...I32_SUB, ...set(atCutoff)]),
        ]),
        addTo(slot, 1),
        BR(0),
      ),
      BR(0),
    ),
    ...get(state),
    ...get(atCutoff),
    ...I32_STORE(),
    ...get(state),
    ...get(n),
    ...I32_STORE(4),
    ...get(slot),
  ];
  return {
    name: 'select',
    params: [I32, I32, I32, I32, I32, I32, I32],
    results: [I32],
    locals: [I32, I32, I32, I32, I32, V128],
    body,
  };
}

let compiled: object | undefined;
function scanModule(): object {
  if (!WebAssemblyApi) throw new Error('WebAssembly is not available');
  compiled ??= new WebAssemblyApi.Module(assemble([hammingFn(), hammingFn(2), dotsFn(1), dotsFn(4), selectFn()]));
  return compiled;
}

type ScanExports = Record<'hamming' | 'hamming2' | 'dots' | 'dots4', (...args: number[]) => void> & {
  select: (...args: number[]) => number;
};

const up16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * The sign-bit codes and int8 vectors of `capacity` slots in one WebAssembly memory, with room for a query
 * and the scan's scratch: [query code | query i16 | candidate slots | sums | codes | vectors |
 * distances]. The typed-array views are replaced when the memory grows (growing detaches them): take them
 * from here each time, never keep them.
 */
export class VectorHeap {
  readonly dimensions: number;
  readonly words: number;
  readonly #memory: { buffer: ArrayBuffer; grow(pages: number): number };
  readonly #e: ScanExports;
  readonly #queryCode: number;
  readonly #query16: number;
  readonly #slots: number;
  readonly #sums: number;
  readonly #codesAt: number;
  #capacity = 0;
  #vectorsAt = 0;
  #distancesAt = 0;
  codes!: Uint32Array;
  vectors!: Int8Array;
  #u8!: Uint8Array;
  /** The query's sign-bit code (words words): written by the caller before `hamming`. */
  queryCode!: Uint32Array;
  #q16!: Int16Array;
  #slotView!: Int32Array;
  #sumView!: Int32Array;
  #distances!: Uint16Array;
  /** select's two counters, at address 0: the slots still to take at the cutoff, and how many it wrote. */
  #state!: Int32Array;

  constructor(dimensions: number, words: number, capacity: number) {
    this.dimensions = dimensions;
    this.words = words;
    this.#queryCode = 16;
    this.#query16 = this.#queryCode + up16(words * 4);
    this.#slots = this.#query16 + up16(dimensions * 2);
    this.#sums = this.#slots + DOT_BATCH * 4;
    this.#codesAt = this.#sums + DOT_BATCH * 4;
    if (!WebAssemblyApi) throw new Error('WebAssembly is not available');
    this.#memory = new WebAssemblyApi.Memory({ initial: Math.ceil(this.#bytesFor(capacity) / PAGE) });
    this.#e = new WebAssemblyApi.Instance(scanModule(), { env: { memory: this.#memory } }).exports as ScanExports;
    this.#layout(capacity);
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Bytes of the memory. */
  get byteLength(): number {
    return this.#memory.buffer.byteLength;
  }

  #bytesFor(capacity: number): number {
    return this.#codesAt + up16(capacity * this.words * 4) + up16(capacity * this.dimensions) + up16(capacity * 2);
  }

  #layout(capacity: number): void {
    const buffer = this.#memory.buffer;
    this.#capacity = capacity;
    this.#vectorsAt = this.#codesAt + up16(capacity * this.words * 4);
    this.#distancesAt = this.#vectorsAt + up16(capacity * this.dimensions);
    this.#u8 = new Uint8Array(buffer);
    this.codes = new Uint32Array(buffer, this.#codesAt, capacity * this.words);
    this.vectors = new Int8Array(buffer, this.#vectorsAt, capacity * this.dimensions);
    this.queryCode = new Uint32Array(buffer, this.#queryCode, this.words);
    this.#q16 = new Int16Array(buffer, this.#query16, this.dimensions);
    this.#slotView = new Int32Array(buffer, this.#slots, DOT_BATCH);
    this.#sumView = new Int32Array(buffer, this.#sums, DOT_BATCH);
    this.#distances = new Uint16Array(buffer, this.#distancesAt, capacity);
    this.#state = new Int32Array(buffer, 0, 2);
  }

  /** Room for `capacity` slots, the codes and vectors held kept (slots past the old capacity zero). */
  grow(capacity: number): void {
    if (capacity <= this.#capacity) return;
    const old = this.#capacity;
    const oldVectors = this.#vectorsAt;
    const missing = this.#bytesFor(capacity) - this.#memory.buffer.byteLength;
    if (missing > 0) this.#memory.grow(Math.ceil(missing / PAGE));
    this.#layout(capacity);
    // The vectors move up to make room for the codes; copyWithin copies overlapping ranges as a memmove.
    this.#u8.copyWithin(this.#vectorsAt, oldVectors, oldVectors + old * this.dimensions);
    this.#u8.fill(0, this.#codesAt + old * this.words * 4, this.#vectorsAt);
    this.#u8.fill(0, this.#vectorsAt + old * this.dimensions, this.#distancesAt);
  }

  /**
   * The Hamming distance of each of the first `count` codes to queryCode, and how many codes are at each
   * distance (the distances a view into the memory: valid until the next call or growth).
   */
  hamming(count: number): { distances: Uint16Array; histogram: Uint32Array } {
    const hamming = this.words === 8 ? this.#e.hamming2 : this.#e.hamming;
    hamming(this.#codesAt, count, this.words * 4, this.#queryCode, this.#distancesAt);
    const distances = this.#distances.subarray(0, count);
    const histogram = new Uint32Array(this.dimensions + 2);
    for (let slot = 0; slot < count; slot++) histogram[distances[slot]!]!++;
    return { distances, histogram };
  }

  /**
   * Sets the query of `dots`: quantized to i16 so that dims × 128 × the largest component stays within an
   * i32; returns the factor that turns an integer dot product back into one with the float query.
   */
  setQuery(query: Float32Array): number {
    let largest = 0;
    for (const x of query) largest = Math.max(largest, Math.abs(x));
    if (largest === 0) {
      this.#q16.fill(0);
      return 0;
    }
    const limit = Math.min(32767, Math.floor(0x7fffffff / (this.dimensions * 128)));
    const factor = largest / limit;
    for (let i = 0; i < this.dimensions; i++) this.#q16[i] = Math.round(query[i]! / factor);
    return factor;
  }

  /**
   * A scan's candidates, at most DOT_BATCH per call, into `slots`: from slot `from` up to `to`, those whose
   * distance (of the last `hamming`) is below `cutoff`, and as many at the cutoff as `atCutoff` says, in slot
   * order. Returns how many it wrote, where to go on, and atCutoff for that next call.
   */
  select(
    from: number,
    to: number,
    cutoff: number,
    atCutoff: number,
  ): { count: number; next: number; atCutoff: number } {
    this.#state[0] = atCutoff;
    const next = this.#e.select(this.#distancesAt, from, to, cutoff, this.#slots, DOT_BATCH, 0);
    return { count: this.#state[1]!, next, atCutoff: this.#state[0]! };
  }

  /** The slots to fill before `dots` (DOT_BATCH of them). */
  get slots(): Int32Array {
    return this.#slotView;
  }

  /** The integer dot products of the vectors of the first n `slots` with the query set last (a view). */
  dots(n: number): Int32Array {
    if (n > DOT_BATCH) throw new Error(`at most ${DOT_BATCH} slots per call`);
    // Four vectors at a time (their loads overlap: the candidates are scattered over the memory), then the rest.
    const four = n - (n % 4);
    this.#e.dots4(this.#slots, four, this.#vectorsAt, this.dimensions, this.#query16, this.#sums);
    this.#e.dots(
      this.#slots + four * 4,
      n - four,
      this.#vectorsAt,
      this.dimensions,
      this.#query16,
      this.#sums + four * 4,
    );
    return this.#sumView.subarray(0, n);
  }
}
