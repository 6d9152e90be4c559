/**
 * A tiny WebAssembly assembler: opcodes as byte arrays, a few structured helpers (loops, local updates) and
 * a module builder. Kernels are written with these and assembled at start-up, so there is no toolchain and no
 * binary blob. Ground level: the learned-model kernels (search/) and the vector scan (store/) both build on it.
 */

export type Code = number[];
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export function uleb(n: number): Code {
  const out: Code = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): Code {
  const out: Code = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export const name = (s: string): Code => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
export const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
export const section = (id: number, body: Code): Code => [id, ...uleb(body.length), ...body];

export const get = (i: number): Code => [0x20, ...uleb(i)];
export const set = (i: number): Code => [0x21, ...uleb(i)];
export const tee = (i: number): Code => [0x22, ...uleb(i)];
export const i32c = (v: number): Code => [0x41, ...sleb(v)];
export const I32_ADD: Code = [0x6a];
export const I32_MUL: Code = [0x6c];
export const I32_SHL: Code = [0x74];
export const I32_SUB: Code = [0x6b];
export const I32_AND: Code = [0x71];
export const I32_EQZ: Code = [0x45];
export const I32_EQ: Code = [0x46];
export const I32_LT_U: Code = [0x49];
export const I32_GT_S: Code = [0x4a];
export const I32_GT_U: Code = [0x4b];
export const I32_LE_U: Code = [0x4d];
export const I32_GE_U: Code = [0x4f];
export const I32_LOAD = (offset = 0): Code => [0x28, 2, ...uleb(offset)];
export const I32_STORE = (offset = 0): Code => [0x36, 2, ...uleb(offset)];
export const I32_STORE16 = (offset = 0): Code => [0x3b, 1, ...uleb(offset)];
export const I32_LOAD16_U = (offset = 0): Code => [0x2f, 1, ...uleb(offset)];
export const F32_LOAD: Code = [0x2a, 2, 0];
export const F32_STORE = (offset = 0): Code => [0x38, 2, ...uleb(offset)];
export const F32_ADD: Code = [0x92];
export const V_LOAD = (offset = 0): Code => [0xfd, 0x00, 0, ...uleb(offset)];
export const V_STORE = (offset = 0): Code => [0xfd, 0x0b, 0, ...uleb(offset)];
export const V_ZERO: Code = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
export const V_XOR: Code = [0xfd, 0x51];
export const V_ANY_TRUE: Code = [0xfd, 0x53];
export const I16X8_SPLAT: Code = [0xfd, 0x10];
export const I16X8_LE_U: Code = [0xfd, 0x34];
export const F32X4_SPLAT: Code = [0xfd, 0x13];
export const LANE = (i: number): Code => [0xfd, 0x1f, i];
export const I32X4_LANE = (i: number): Code => [0xfd, 0x1b, i];
export const F32X4_ADD: Code = [0xfd, 0xe4, 0x01];
export const F32X4_SUB: Code = [0xfd, 0xe5, 0x01];
export const F32X4_MUL: Code = [0xfd, 0xe6, 0x01];
export const F32X4_DIV: Code = [0xfd, 0xe7, 0x01];
export const F32X4_SQRT: Code = [0xfd, 0xe3, 0x01];
export const I8X16_POPCNT: Code = [0xfd, 0x62];
export const I8X16_ADD: Code = [0xfd, 0x6e];
export const I16X8_EXTADD_PAIRWISE_I8X16_U: Code = [0xfd, 0x7d];
export const I32X4_EXTADD_PAIRWISE_I16X8_U: Code = [0xfd, 0x7f];
export const I16X8_EXTEND_LOW_I8X16_S: Code = [0xfd, 0x87, 0x01];
export const I16X8_EXTEND_HIGH_I8X16_S: Code = [0xfd, 0x88, 0x01];
export const I32X4_ADD: Code = [0xfd, 0xae, 0x01];
export const I32X4_DOT_I16X8_S: Code = [0xfd, 0xba, 0x01];

/** if (condition on the stack) { then } else { otherwise } */
export const ifElse = (then: Code, otherwise: Code = []): Code => [
  0x04,
  0x40,
  ...then,
  ...(otherwise.length > 0 ? [0x05, ...otherwise] : []),
  0x0b,
];
/** block { loop { body } }: in the body, br 1 leaves and br 0 goes round again (add the depth of enclosing ifs). */
export const blockLoop = (...body: Code[]): Code => [0x02, 0x40, 0x03, 0x40, ...body.flat(), 0x0b, 0x0b];
export const BR = (depth: number): Code => [0x0c, ...uleb(depth)];
export const BR_IF = (depth: number): Code => [0x0d, ...uleb(depth)];
/** while (local[i] < local[limit]) { body } (unsigned compare; the body advances i). */
export const whileLt = (i: number, limit: number, ...body: Code[]): Code =>
  blockLoop([...get(i), ...get(limit), ...I32_GE_U, ...BR_IF(1)], ...body, BR(0));
export const addTo = (i: number, step: number): Code => [...get(i), ...i32c(step), ...I32_ADD, ...set(i)];
/** The address of element local[index] of 2^log2Size-byte elements from local[base], on the stack. */
export const elementAt = (base: number, index: number, log2Size: number): Code => [
  ...get(base),
  ...get(index),
  ...i32c(log2Size),
  ...I32_SHL,
  ...I32_ADD,
];
export const addLocal = (i: number, j: number): Code => [...get(i), ...get(j), ...I32_ADD, ...set(i)];
/** The four lanes of a v128 local, read by `lane` and added by `add`: their sum on the stack. */
const lanesSum =
  (lane: (i: number) => Code, add: Code) =>
  (v: number): Code =>
    [0, 1, 2, 3].flatMap((i) => [...get(v), ...lane(i), ...(i === 0 ? [] : add)]);
/** Horizontal sum of a v128 local of four f32 as one f32 on the stack. */
export const hsum = lanesSum(LANE, F32_ADD);
/** Horizontal sum of a v128 local of four i32 as one i32 on the stack. */
export const hsumI32 = lanesSum(I32X4_LANE, I32_ADD);

/** A function of a module: parameters, results (none by default) and locals by value type. */
export interface FnDef {
  name: string;
  params: number[];
  results?: number[];
  locals: number[];
  body: Code;
}

function localGroups(locals: number[]): Code {
  const groups: Code[] = [];
  for (let i = 0; i < locals.length; ) {
    let j = i;
    while (j < locals.length && locals[j] === locals[i]) j++;
    groups.push([...uleb(j - i), locals[i]!]);
    i = j;
  }
  return vec(groups);
}

/** The bytes of a module that imports its memory as env.memory (shared or not) and exports `fns` by name. */
export function assemble(fns: FnDef[], shared = false): Uint8Array<ArrayBuffer> {
  const types = fns.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec((f.results ?? []).map((t) => [t]))]);
  // memory limits: flags 0x00 = min only; 0x03 = min, max, shared
  const limits = shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const imports = vec([[...name('env'), ...name('memory'), 0x02, ...limits]]);
  const exports = vec(fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]));
  const codes = vec(
    fns.map((f) => {
      const body = [...localGroups(f.locals), ...f.body, 0x0b];
      return [...uleb(body.length), ...body];
    }),
  );
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(7, exports),
    ...section(10, codes),
  ]);
}

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
export interface WasmApi {
  validate(bytes: Uint8Array<ArrayBuffer>): boolean;
  Module: new (bytes: Uint8Array<ArrayBuffer>) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }) => { buffer: ArrayBuffer; grow(pages: number): number };
}
export const WebAssemblyApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Bytes of a WebAssembly memory page. */
export const PAGE = 65536;
