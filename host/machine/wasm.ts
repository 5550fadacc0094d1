// Loads the wasm core (building it when stale) and creates its shared memory, on the main thread; workers
// receive both and only instantiate (instance.ts).

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { buildIfStale } from "./build.ts";

// Node 20's baseline wasm compiler (Liftoff) loses a live value across memory.atomic.wait32 in SRCU's wait
// loop: once an updater has slept, its scans never see the readers' counters balance and the grace period
// never ends (reproduced 5 runs of 5 with Liftoff, 0 of 5 without). Compiling with the optimizing tier only
// avoids it, and also keeps tier-up from landing in the middle of a measurement. V8 flags are per process,
// so this covers the workers too; it must run before the first module is compiled.
setFlagsFromString("--no-liftoff");

export const WASM_PAGE = 65536;

const builds = { release: "daxbench.wasm", debug: "daxbench.debug.wasm" } as const;
export type BuildTarget = keyof typeof builds;
export const BUILD_TARGETS = Object.keys(builds) as BuildTarget[];

export function wasmPath(target: BuildTarget = "release"): string {
  return fileURLToPath(new URL(`../../build/${builds[target]}`, import.meta.url));
}

const compiled = new Map<BuildTarget, { module: WebAssembly.Module; limits: MemoryLimits }>();

/** Compiles the core once per process, first building it if build/ lacks it or it is stale (build.ts); the
 *  Module can be posted to workers, which then skip compiling. */
export function loadModule(target: BuildTarget = "release"): { module: WebAssembly.Module; limits: MemoryLimits } {
  let entry = compiled.get(target);
  if (!entry) {
    buildIfStale(target, wasmPath(target));
    const bytes = new Uint8Array(readFileSync(wasmPath(target)));
    entry = { module: new WebAssembly.Module(bytes), limits: importedMemoryLimits(bytes) };
    compiled.set(target, entry);
  }
  return entry;
}

export interface MemoryLimits {
  initial: number;
  maximum: number;
}

/** The limits the module declares for its imported memory, read from the binary's import section, since
 *  the JS API does not expose them and a copy in the host would drift from asconfig.json. */
export function importedMemoryLimits(bytes: Uint8Array): MemoryLimits {
  let pos = 8; // magic and version
  const u32 = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  };
  const name = (): void => {
    const length = u32(); // read before pos is used: `pos += u32()` would add to the old pos
    pos += length;
  };
  const limits = (): MemoryLimits => {
    const flags = bytes[pos++];
    const initial = u32();
    return { initial, maximum: flags & 1 ? u32() : 65536 };
  };
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const end = u32() + pos;
    if (id === 2) {
      for (let count = u32(); count > 0; count--) {
        name(); // module
        name(); // field
        const kind = bytes[pos++];
        if (kind === 2) return limits(); // memory
        if (kind === 0) {
          u32(); // function: type index
        } else if (kind === 1) {
          pos++; // table: element type, then limits
          limits();
        } else if (kind === 3) {
          pos += 2; // global: value type, mutability
        }
      }
    }
    pos = end;
  }
  throw new Error("the wasm module imports no memory; it must import a shared one");
}

/** A shared memory the module accepts, able to grow to the module's declared maximum. */
/** The shared memory reserves its maximum (4 GiB) of address space at once: a process limited below that
 *  (ulimit -v) cannot have it, and is told so in one line naming the size. */
export function createSharedMemory(limits: MemoryLimits): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory({ initial: limits.initial, maximum: limits.maximum, shared: true });
  } catch (error) {
    const gib = (limits.maximum * WASM_PAGE) / 2 ** 30;
    throw new Error(
      `cannot allocate the shared memory (up to ${gib} GiB of address space; is ulimit -v lower?): ` +
        `${error instanceof Error ? error.message : error}`,
    );
  }
}
