// Bad configurations are refused by the host wrapper with the bad value named, and nothing is installed.
import { test } from "node:test";
import type { CoreConstant } from "../host/machine/core.ts";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { DaxMachine, DaxConfigError, simpleMapping, ALIGNMENTS, PHYS_BASE, USER_BASE } from "../host/machine/dax.ts";
import { loadModule, createSharedMemory } from "../host/machine/wasm.ts";
import { instantiate } from "../host/machine/instance.ts";

const MiB = 1n << 20n;
const TiB = 1n << 40n;

function refuses(body: () => void, pattern: RegExp): void {
  assert.throws(body, (error: unknown) => error instanceof DaxConfigError && pattern.test(error.message));
}

test("the module imports a shared memory and nothing else writes to it on instantiation", () => {
  const { module, limits } = loadModule();
  const imports = WebAssembly.Module.imports(module).filter((entry) => entry.kind === "memory");
  assert.equal(imports.length, 1);
  assert.ok(limits.maximum > limits.initial);
  const unshared = new WebAssembly.Memory({ initial: limits.initial, maximum: limits.maximum });
  assert.throws(() => instantiate(module, unshared), WebAssembly.LinkError);
  const memory = createSharedMemory(limits);
  new Uint8Array(memory.buffer).fill(0xa5);
  instantiate(module, memory);
  assert.ok(
    new Uint8Array(memory.buffer).every((byte) => byte === 0xa5),
    "no data segment, no start-time store",
  );
});

test("every region used without growing the memory lies within the module's initial memory", () => {
  const memoryBase: number = JSON.parse(readFileSync(new URL("../asconfig.json", import.meta.url), "utf8")).options
    .memoryBase;
  for (const target of ["release", "debug"] as const) {
    const { module, limits } = loadModule(target);
    const core = instantiate(module, createSharedMemory(limits));
    const at = (name: CoreConstant): number => core.constant(name);
    assert.ok(
      at("CONTROL_END") <= memoryBase,
      `${target}: the control region ends at ${at("CONTROL_END")}, in static data (memoryBase ${memoryBase})`,
    );
    assert.ok(
      at("TLB_END") <= at("TABLES_BASE"),
      `${target}: the TLB arrays end at ${at("TLB_END")}, past TABLES_BASE ${at("TABLES_BASE")}`,
    );
    assert.ok(
      at("TABLES_BASE") <= limits.initial * 65536,
      `${target}: TABLES_BASE ${at("TABLES_BASE")} lies beyond asconfig.json's initialMemory ` +
        `of ${limits.initial} pages: raise it`,
    );
  }
});

test("an alignment other than 4 KiB, 2 MiB or 1 GiB is refused by name", () => {
  const machine = new DaxMachine();
  refuses(
    () => machine.createDevice({ align: 64n << 10n, extents: [{ start: PHYS_BASE, end: PHYS_BASE + MiB - 1n }] }),
    /align 64k is not one of 4k, 2m, 1g/,
  );
});

test("a device with no extents is refused", () => {
  refuses(() => new DaxMachine().createDevice({ align: ALIGNMENTS["2m"], extents: [] }), /no extents/);
});

test("overlapping extents are refused, naming the extent", () => {
  const extents = [
    { start: PHYS_BASE, end: PHYS_BASE + 4n * MiB - 1n },
    { start: PHYS_BASE + 2n * MiB, end: PHYS_BASE + 6n * MiB - 1n },
  ];
  refuses(
    () => new DaxMachine().createDevice({ align: ALIGNMENTS["2m"], extents }),
    /extent 1 \[0x10000200000, 0x100005fffff\] overlaps/,
  );
});

test("an extent that is not a multiple of the alignment is refused", () => {
  const extents = [{ start: PHYS_BASE, end: PHYS_BASE + MiB - 1n }];
  refuses(
    () => new DaxMachine().createDevice({ align: ALIGNMENTS["2m"], extents }),
    /extent 0 .*multiples of the region's 2m alignment/,
  );
});

test("a vma with start >= end is refused and nothing is installed", () => {
  const machine = new DaxMachine();
  const { device } = simpleMapping(ALIGNMENTS["2m"], 64n * MiB);
  machine.createDevice(device);
  refuses(
    () => machine.mmap({ start: USER_BASE, end: USER_BASE }),
    /vma start 0x7f0000000000 is not below its end 0x7f0000000000/,
  );
  assert.deepEqual(
    Object.values(machine.stats(0)).filter((value) => value !== 0n),
    [],
  );
});

test("a mapping whose page tables the shared memory cannot hold is refused by size", () => {
  const machine = new DaxMachine();
  const { device, vma } = simpleMapping(ALIGNMENTS["4k"], 4n * TiB);
  machine.createDevice(device);
  refuses(() => machine.mmap(vma), /a 4t mapping needs \S+ of shared memory .* at most 4g/);
  assert.equal(machine.memory.buffer.byteLength, loadModule().limits.initial * 65536, "the memory did not grow");
});

test("check_vma's refusal at mmap names the reason and errno", () => {
  const machine = new DaxMachine();
  const { device } = simpleMapping(ALIGNMENTS["2m"], 64n * MiB);
  machine.createDevice(device);
  refuses(
    () => machine.mmap({ start: USER_BASE + 4096n, end: USER_BASE + 64n * MiB }),
    /refused by check_vma: unaligned \(errno -22\)/,
  );
  const { core } = machine;
  assert.equal(
    core.exports.count_entries(core.constant("PTE_LEVEL")) + core.exports.count_entries(core.constant("PMD_LEVEL")),
    0n,
  );
});

test("an unknown protection scheme is refused with the accepted ones", () => {
  refuses(() => new DaxMachine().setProtection("brlock"), /protection "brlock" is not one of none, rcu, mutex/);
});
