// A matrix: lists of values for the dimensions of a run, expanded to every combination over the dimensions
// each scenario uses. Its values are typed: the command line's are parsed and checked in cli/options.ts, and
// the suites below (--quick, --full, --sweep) are written in them.

import { SKYLAKE_TLB, type DaxMachine } from "../machine/dax.ts";
import { MiB, GiB } from "../units.ts";
import { churn, populate, random, readside, tlb } from "../registry/scenarios.ts";
import type { AlignName, Configuration, Dimension, Scenario, TlbGeometry } from "../types.ts";
import type { SchemeName, SrcuDomain } from "../schemes.ts";
import type { PolicyName } from "../core-codes.ts";

/** What every fault pays before the dax handler, for a page size, and where the figure came from ("" for none). */
export interface FaultCost {
  ns(align: AlignName): number;
  source: string;
}

export const NO_FAULT_COST: FaultCost = { ns: () => 0, source: "" };

/** What each grace period costs beyond the model's own wait, and where the figure came from ("" for none). */
export interface GpCost {
  ns: number;
  source: string;
}

export const NO_GP_COST: GpCost = { ns: 0, source: "" };

/** The type of each dimension's values. */
export interface DimensionValues {
  protection: SchemeName;
  align: AlignName;
  policy: PolicyName;
  workers: number;
  size: bigint;
  /** Time between kills in ns; null: never. */
  killPeriod: number | null;
  /** Extra read-side length in ns. */
  readDelay: number;
  faultCost: FaultCost;
  gpCost: GpCost;
  devices: number;
  srcuDomain: SrcuDomain;
}

/** The dimensions a matrix may leave out for their defaults. */
type DefaultedDimension = "policy" | "killPeriod" | "readDelay" | "faultCost" | "gpCost" | "devices" | "srcuDomain";

/** A list of values for each dimension; those after size may be left out for their defaults. */
export type Matrix = { scenario: Scenario[] } & {
  [D in "protection" | "align" | "workers" | "size"]: DimensionValues[D][];
} & { [D in DefaultedDimension]?: DimensionValues[D][] };

/** What a matrix leaves out takes these: a kill every millisecond, where a scenario kills at all. */
const MATRIX_DEFAULTS = {
  policy: ["device"],
  killPeriod: [1e6],
  readDelay: [0],
  faultCost: [NO_FAULT_COST],
  gpCost: [NO_GP_COST],
  devices: [1],
  srcuDomain: ["shared"],
} satisfies Pick<Required<Matrix>, DefaultedDimension>;

/** The value a dimension keeps in a scenario that does not use it (the machine still needs one). */
export const DIMENSION_DEFAULTS: DimensionValues = {
  protection: "rcu",
  align: "4k",
  policy: "device",
  workers: 1,
  size: 64n * MiB,
  killPeriod: null,
  readDelay: 0,
  faultCost: NO_FAULT_COST,
  gpCost: NO_GP_COST,
  devices: 1,
  srcuDomain: "shared",
};

/** How every configuration of a run is timed, seeded and modelled. */
export interface Timing {
  durationNs: number;
  /** Fixed-work scenarios: the least time a repetition is timed for, in passes of the work. */
  minTimeNs: number;
  tlbGeometry: TlbGeometry;
  /** Torture's random delays at step boundaries, up to this long (0 for none). */
  randomDelayNs: number;
  longReadDelays: boolean;
  fakeWriters: number;
  updaters: number;
  migratingReaders: boolean;
  seed: bigint;
}

/** pyperf's minimum time per value: a fixed-work repetition lasts at least this long unless --min-time says. */
export const DEFAULT_MIN_TIME_NS = 100e6;

/** A run's timing, defaults filled in where `given` has none (or undefined). */
export function timing(given: Partial<Timing> & { durationNs: number }): Timing {
  return {
    durationNs: given.durationNs,
    minTimeNs: given.minTimeNs ?? DEFAULT_MIN_TIME_NS,
    tlbGeometry: given.tlbGeometry ?? SKYLAKE_TLB,
    randomDelayNs: given.randomDelayNs ?? 0,
    longReadDelays: given.longReadDelays ?? false,
    fakeWriters: given.fakeWriters ?? 0,
    updaters: given.updaters ?? 1,
    migratingReaders: given.migratingReaders ?? false,
    seed: given.seed ?? 1n,
  };
}

/** The most readers a run takes, whatever the machine: the core lays out MAX_CPUS CPUs, CPU 0 is the main
 *  thread and churn adds an updater CPU, so readers get the rest. */
export function maxWorkers(machine: DaxMachine): number {
  return machine.core.constant("MAX_CPUS") - 2;
}

/** Every combination of the matrix's lists over the dimensions each scenario uses (a dimension it ignores keeps
 *  its default, so readside runs once per scheme and worker count whatever the matrix's alignments). */
export function expandMatrix(matrix: Matrix, timing: Timing): Configuration[] {
  const lists: { [D in Dimension]: DimensionValues[D][] } = {
    ...matrix,
    policy: matrix.policy ?? MATRIX_DEFAULTS.policy,
    killPeriod: matrix.killPeriod ?? MATRIX_DEFAULTS.killPeriod,
    readDelay: matrix.readDelay ?? MATRIX_DEFAULTS.readDelay,
    faultCost: matrix.faultCost ?? MATRIX_DEFAULTS.faultCost,
    gpCost: matrix.gpCost ?? MATRIX_DEFAULTS.gpCost,
    devices: matrix.devices ?? MATRIX_DEFAULTS.devices,
    srcuDomain: matrix.srcuDomain ?? MATRIX_DEFAULTS.srcuDomain,
  };
  const configs: Configuration[] = [];
  for (const scenario of matrix.scenario) {
    const used = <D extends Dimension>(dimension: D): DimensionValues[D][] =>
      scenario.dimensions.includes(dimension) ? lists[dimension] : [DIMENSION_DEFAULTS[dimension]];
    for (const protection of used("protection"))
      for (const align of used("align"))
        for (const policy of used("policy"))
          for (const workers of used("workers"))
            for (const size of used("size"))
              for (const killPeriodNs of used("killPeriod"))
                for (const readDelayNs of used("readDelay"))
                  for (const faultCost of used("faultCost"))
                    for (const gpCost of used("gpCost"))
                      for (const devices of used("devices"))
                        for (const srcuDomain of domainsOf(devices, used("srcuDomain"))) {
                          configs.push({
                            scenario,
                            protection,
                            align,
                            policy,
                            workers,
                            size,
                            durationNs: timing.durationNs,
                            minTimeNs: timing.minTimeNs,
                            killPeriodNs,
                            readDelayNs,
                            faultCostNs: faultCost.ns(align),
                            faultCostSource: faultCost.source,
                            gpCostNs: gpCost.ns,
                            gpCostSource: gpCost.source,
                            devices,
                            srcuDomain,
                            tlbGeometry: timing.tlbGeometry,
                            randomDelayNs: timing.randomDelayNs,
                            longReadDelays: timing.longReadDelays,
                            fakeWriters: timing.fakeWriters,
                            updaters: timing.updaters,
                            migratingReaders: timing.migratingReaders,
                            seed: timing.seed,
                          });
                        }
  }
  return configs;
}

/** The SRCU domains a configuration of `devices` devices runs under: with one device, one domain for all and one
 *  each are the same domain, run once and recorded as shared. */
function domainsOf(devices: number, domains: SrcuDomain[]): SrcuDomain[] {
  return devices === 1 ? ["shared"] : domains;
}

/** `daxbench run --quick` (and `npm run bench`): the pte-vs-pmd and rcu-vs-mutex questions in seconds. */
export const QUICK_MATRICES: Matrix[] = [
  { scenario: [populate], protection: ["rcu", "mutex"], align: ["4k", "2m"], workers: [1, 2], size: [GiB] },
  { scenario: [churn], protection: ["rcu", "mutex"], align: ["4k"], workers: [1, 2], size: [64n * MiB] },
];

/** `daxbench run --full`: the reference matrix published in results/ (a few minutes on 2 cores). */
export const FULL_MATRICES: Matrix[] = [
  { scenario: [populate], protection: ["rcu", "mutex"], align: ["4k", "2m", "1g"], workers: [1, 2], size: [2n * GiB] },
  { scenario: [random], protection: ["rcu", "mutex"], align: ["4k", "2m"], workers: [1, 2], size: [GiB] },
  {
    scenario: [churn],
    protection: ["rcu", "mutex", "rwlock", "qsbr"],
    align: ["4k", "2m"],
    workers: [1, 2],
    size: [64n * MiB],
  },
  {
    scenario: [readside],
    protection: ["none", "rcu", "mutex", "rwlock", "qsbr"],
    align: ["4k"],
    workers: [1, 2],
    size: [64n * MiB],
  },
];

const SWEPT_SCHEMES: SchemeName[] = ["rcu", "mutex", "rwlock", "qsbr"];

/** `daxbench run --sweep NAME`: liburcu's benchmark sweeps (tests/benchmark/runall.sh), one dimension each. */
export const SWEEPS: Record<string, { summary: string; matrices: Matrix[] }> = {
  readers: {
    summary: "reader scalability: empty read sides on 1..N workers, no updater",
    matrices: [
      {
        scenario: [readside],
        protection: ["none", ...SWEPT_SCHEMES],
        align: ["4k"],
        workers: [1, 2],
        size: [64n * MiB],
      },
    ],
  },
  "update-rate": {
    summary: "update rate: churn with kill periods from never to continuous",
    matrices: [
      {
        scenario: [churn],
        protection: SWEPT_SCHEMES,
        align: ["4k"],
        workers: [2],
        size: [64n * MiB],
        killPeriod: [null, 10e6, 1e6, 100e3, 0],
      },
    ],
  },
  "tlb-reach": {
    summary: "TLB reach: misses and walk levels per 1,000 random touches, 4k vs 2m vs 1g, working sets 1 MiB to 64 GiB",
    matrices: [
      {
        scenario: [tlb],
        protection: ["rcu"],
        align: ["4k"],
        workers: [1],
        size: [...[1n, 4n, 16n, 64n, 256n].map((n) => n * MiB), ...[1n, 4n, 16n, 64n].map((n) => n * GiB)],
      },
      {
        scenario: [tlb],
        protection: ["rcu"],
        align: ["2m"],
        workers: [1],
        size: [...[4n, 16n, 64n, 256n].map((n) => n * MiB), ...[1n, 4n, 16n, 64n].map((n) => n * GiB)],
      },
      {
        scenario: [tlb],
        protection: ["rcu"],
        align: ["1g"],
        workers: [1],
        size: [1n, 4n, 16n, 64n].map((n) => n * GiB),
      },
    ],
  },
  "cs-length": {
    summary: "read-side critical-section length: churn with read delays from 0 to 10 us",
    matrices: [
      {
        scenario: [churn],
        protection: SWEPT_SCHEMES,
        align: ["4k"],
        workers: [2],
        size: [64n * MiB],
        readDelay: [0, 100, 1000, 10000],
      },
    ],
  },
};

/** The I-th of N slices of a matrix (1-based), dealt round-robin so that slices take about as long. */
export function shard<T>(configs: T[], { index, count }: { index: number; count: number }): T[] {
  return configs.filter((_, k) => k % count === index - 1);
}
