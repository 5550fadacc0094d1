// The micro-benchmark cases (`daxbench micro`): single-threaded, each a batch of BATCH operations in one
// JS-to-wasm call, timed by benchmark.js.

import type { DaxMachine } from "../machine/dax.ts";
import { simpleMapping, ALIGNMENTS, PHYS_BASE } from "../machine/dax.ts";
import type { AlignName } from "../types.ts";
import type { MicroCaseName } from "../results/micro.ts";
import type { SchemeName } from "../schemes.ts";

/** Operations per JS-to-wasm call. */
export const BATCH = 4096n;
const MiB = 1n << 20n;

export interface MicroCase extends MicroCaseName {
  /** Sets the machine up for the case and returns the batch to time. */
  prepare(machine: DaxMachine): () => void;
}

function mapped(machine: DaxMachine, align: AlignName, protection: SchemeName, extents = 1, bytes = 64n * MiB): void {
  const { vma } = simpleMapping(ALIGNMENTS[align], bytes);
  const size = bytes / BigInt(extents);
  // Extents of equal size, each 1 GiB apart in physical memory: pgoff_to_phys walks them in order.
  machine.createDevice({
    align: ALIGNMENTS[align],
    extents: Array.from({ length: extents }, (_, i) => ({
      start: PHYS_BASE + BigInt(i) * (1n << 30n),
      end: PHYS_BASE + BigInt(i) * (1n << 30n) + size - 1n,
    })),
  });
  machine.setProtection(protection);
  machine.mmap(vma);
}

const readside = (protection: SchemeName): MicroCase => ({
  name: "micro-readside",
  protection,
  align: "4k",
  mappingBytes: 64n * MiB,
  installsPerOp: 0,
  prepare(machine) {
    mapped(machine, "4k", protection);
    return () => machine.core.exports.readside(BATCH);
  },
});

/** 128 MiB in `extents` extents: 64 of them are 2 MiB each, the smallest a 2 MiB region allows. */
const pgoffToPhys = (extents: number): MicroCase => ({
  name: `micro-pgoff_to_phys-${extents}`,
  protection: "none",
  align: "2m",
  mappingBytes: 128n * MiB,
  installsPerOp: 0,
  prepare(machine) {
    mapped(machine, "2m", "none", extents, 128n * MiB);
    return () => machine.core.exports.bench_pgoff_to_phys(BATCH, (128n * MiB) >> 12n);
  },
});

const faultZap = (align: AlignName): MicroCase => ({
  name: `micro-${align === "4k" ? "pte" : "pmd"}_fault_zap`,
  protection: "rcu",
  align,
  mappingBytes: 64n * MiB,
  installsPerOp: 1,
  prepare(machine) {
    mapped(machine, align, "rcu");
    return () => machine.core.exports.bench_fault_zap(BATCH, ALIGNMENTS[align]);
  },
});

/** One uncontended compare-and-swap on the CPU's own line: the least an install costs. */
export const casCase: MicroCase = {
  name: "micro-cas",
  protection: "none",
  align: "4k",
  mappingBytes: 64n * MiB,
  installsPerOp: 0,
  prepare(machine) {
    mapped(machine, "4k", "none");
    return () => machine.core.exports.bench_cas(BATCH);
  },
};

/** A random touch of a populated 64 MiB mapping of 4 KiB pages: every touch a hit (no read side runs). */
export const randomHitCase: MicroCase = {
  name: "micro-random_hit",
  protection: "rcu",
  align: "4k",
  mappingBytes: 64n * MiB,
  installsPerOp: 0,
  prepare(machine) {
    mapped(machine, "4k", "rcu");
    machine.core.exports.populate(0n, 64n * MiB);
    return () => machine.core.exports.touch_random(BATCH);
  },
};

/** Every case, with a read-side case for each of `schemes`. */
export function microCases(schemes: readonly SchemeName[]): MicroCase[] {
  return [
    {
      name: "micro-empty_batch",
      protection: "none",
      align: "4k",
      mappingBytes: 64n * MiB,
      installsPerOp: 0,
      prepare(machine) {
        mapped(machine, "4k", "none");
        return () => machine.core.exports.bench_empty(BATCH);
      },
    },
    ...schemes.map(readside),
    {
      name: "micro-check_vma",
      protection: "none",
      align: "2m",
      mappingBytes: 64n * MiB,
      installsPerOp: 0,
      prepare(machine) {
        mapped(machine, "2m", "none");
        return () => machine.core.exports.bench_check_vma(BATCH);
      },
    },
    pgoffToPhys(1),
    pgoffToPhys(16),
    pgoffToPhys(64),
    faultZap("4k"),
    faultZap("2m"),
    casCase,
    randomHitCase,
  ];
}
