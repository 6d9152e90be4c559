/**
 * A helper thread of the WebAssembly kernels (see startHelpers in kernels.ts): it instantiates the kernel
 * module on the shared heap and runs the share of each posted operation it is given.
 */
import { workerData } from 'node:worker_threads';
import {
  ARGS,
  DONE,
  gatherTexts,
  gemmRows,
  OP,
  OP_ADAM,
  OP_GATHER,
  OP_GEMM,
  OP_STOP,
  SEQ,
  type WasmExports,
} from './kernels.ts';
import { WebAssemblyApi } from '../../wasm/assembler.ts';

const { module, memory, control } = workerData as { module: object; memory: { buffer: ArrayBuffer }; control: number };
const e = new WebAssemblyApi!.Instance(module, { env: { memory } }).exports as WasmExports;
const i32 = new Int32Array(memory.buffer);
const f32 = new Float32Array(memory.buffer);
const arg = (k: number) => i32[control + ARGS + k]!;
const farg = (k: number) => f32[control + ARGS + 16 + k]!;

let seen = 0; // a fresh heap starts at 0: a command posted before this thread got here is still seen
for (;;) {
  Atomics.wait(i32, control + SEQ, seen);
  seen = Atomics.load(i32, control + SEQ);
  const op = i32[control + OP];
  if (op === OP_STOP) break;
  if (op === OP_GEMM) gemmRows(e, arg(0), arg(1), arg(2), arg(3), arg(4), arg(5), arg(6), arg(7));
  else if (op === OP_ADAM) {
    if (arg(1) > 0)
      e.adam(
        arg(0),
        arg(1),
        arg(2),
        arg(3),
        arg(4),
        arg(5),
        arg(6),
        farg(0),
        farg(1),
        farg(2),
        farg(3),
        farg(4),
        farg(5),
      );
  } else if (op === OP_GATHER)
    gatherTexts(e, i32, arg(0), arg(1), arg(2), arg(3), arg(4), arg(5), arg(6), arg(7), arg(8));
  Atomics.store(i32, control + DONE, seen);
  Atomics.notify(i32, control + DONE);
}
