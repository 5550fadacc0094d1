// Instantiates the wasm core on a shared memory: on the main thread or in a worker. The worker's code is
// bundled from this file and what it imports (host/run/cpu-worker.ts), so it imports nothing that runs a build or
// reads files. The module's constants (layout offsets, codes, schemes) are read from its exports by the names
// core.ts declares, never repeated here.

import type { CoreConstant, CoreExports } from "./core.ts";

export interface DaxInstance {
  exports: CoreExports;
  memory: WebAssembly.Memory;
  /** Reads an exported constant (a wasm global) by its name in assembly/; offsets, codes and flags below 2^53. */
  constant(name: CoreConstant): number;
  /** Reads an exported u64 constant exactly. */
  bigConstant(name: CoreConstant): bigint;
}

/** Instantiating re-runs the module's start function, which sets only this instance's globals: it writes
 *  nothing to the shared memory (the module has no data segments above the control region). */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): DaxInstance {
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      // The core's one clock (assembly/clock.ts): teardown times its grace period with it, the calibration its
      // wake-ups.
      clock_ns: () => process.hrtime.bigint(),
      abort(_message: number, _file: number, line: number, column: number): never {
        throw new Error(`wasm core aborted at line ${line}:${column}`);
      },
    },
  });
  const raw = instance.exports as Record<string, unknown>;
  const bigConstant = (name: CoreConstant): bigint => {
    const value = raw[name];
    if (!(value instanceof WebAssembly.Global)) throw new Error(`the wasm core exports no constant ${name}`);
    return BigInt(value.value);
  };
  const constant = (name: CoreConstant): number => Number(bigConstant(name));
  return { exports: raw as unknown as CoreExports, memory, constant, bigConstant };
}
