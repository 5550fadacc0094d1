// The workloads daxbench measures (DESIGN.md, "Workloads"): what each reader CPU runs, and whether an
// updater kills and revives the device meanwhile.

import type { ReaderJob } from "../host/jobs.ts";

export interface ScenarioConfig {
  workers: number;
  size: bigint;
  align: bigint;
  stopOnViolation: boolean;
}

export interface Scenario {
  name: string;
  /** One line for `daxbench list`. */
  summary: string;
  /** Runs for --duration and stops (true), or runs a fixed amount of work (false). */
  timed: boolean;
  /** One extra worker kills and revives the device every --kill-period; every install then checks the
   *  teardown guarantee (torture.ts), so these rows fill the violations column. */
  updater: boolean;
  /** Populates the mapping from the main thread before each run, so that only hits are measured. */
  prepopulate?: boolean;
  /** Every touch also goes through the TLB model (assembly/tlb.ts). */
  tlb?: boolean;
  /** The job of reader `reader` (0-based) of config.workers. */
  readerJob(config: ScenarioConfig, reader: number): ReaderJob;
}

/** Timed readers call their batch entry point with this many operations between looks at the stop flag. */
export const BATCH_OPS = 4096n;

const populate: Scenario = {
  name: "populate",
  summary: "each worker touches every 4 KiB of its slice once: faults = size / align (pte vs pmd vs pud)",
  timed: false,
  updater: false,
  readerJob({ workers, size, align }, reader) {
    // Slices end on an alignment boundary, so two workers never fault on the same entry.
    const units = size / align;
    const from = (units * BigInt(reader)) / BigInt(workers);
    const to = (units * BigInt(reader + 1)) / BigInt(workers);
    return { role: "reader", fn: "populate", args: [from * align, to * align], untilStopped: false, stopOnViolation: false };
  },
};

/** A timed job that runs `fn` in batches of BATCH_OPS until stopped. */
function timedJob(fn: ReaderJob["fn"]): Scenario["readerJob"] {
  return ({ stopOnViolation }) => ({ role: "reader", fn, args: [BATCH_OPS], untilStopped: true, stopOnViolation });
}

const random: Scenario = {
  name: "random",
  summary: "random touches over the whole mapping: faults until it is populated, then hits",
  timed: true,
  updater: false,
  readerJob: timedJob("touch_random"),
};

const churn: Scenario = {
  name: "churn",
  summary: "random touches while an updater kills and revives the device every --kill-period (grace-period latency)",
  timed: true,
  updater: true,
  readerJob: timedJob("touch_random"),
};

const readside: Scenario = {
  name: "readside",
  summary: "empty read-side critical sections that load alive: ns per lock/unlock pair (refscale)",
  timed: true,
  updater: false,
  readerJob: timedJob("readside"),
};

const tlb: Scenario = {
  name: "tlb",
  summary: "random touches over a populated mapping through a TLB model (--tlb-geometry): misses and page-walk levels per 1,000",
  timed: true,
  updater: false,
  prepopulate: true,
  tlb: true,
  readerJob: timedJob("touch_random_tlb"),
};

/** How many vmas one mmap-mix run maps, and what share of them start aligned. */
export const MMAP_MIX_VMAS = 64n;
export const MMAP_MIX_ALIGNED_PERMILLE = 500n;

const mmapMix: Scenario = {
  name: "mmap-mix",
  summary: "maps 64 vmas of --size, half of them at misaligned starts, and touches them: rejected mmaps, pmds vs ptes (--policy)",
  timed: false,
  updater: false,
  readerJob: ({ size }) => ({
    role: "reader", fn: "mmap_mix", args: [MMAP_MIX_VMAS, size, MMAP_MIX_ALIGNED_PERMILLE], untilStopped: false, stopOnViolation: false,
  }),
};

/** Churn judged by its Reader Pipe: `daxbench torture` runs it and says SUCCESS or FAILURE. */
export const torture: Scenario = {
  name: "torture",
  summary: "churn checked against the teardown guarantee (rcutorture's Reader Pipe); see `daxbench torture`",
  timed: true,
  updater: true,
  readerJob: timedJob("touch_random"),
};

export const SCENARIOS: readonly Scenario[] = [populate, random, churn, readside, torture, mmapMix, tlb];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((scenario) => scenario.name === name);
}
