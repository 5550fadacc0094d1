// The workloads daxbench measures (README, "Running a matrix"): what each reader CPU runs, whether an updater
// kills and revives the device meanwhile, which dimensions of a matrix change what it measures, and the
// figure it is judged by. The matrix, the printers, the exports, the report and the charts read this table;
// nothing else decides what a scenario is.

import type { ReaderJob } from "../run/protocol.ts";
import type { Scale } from "../results/stats.ts";

export interface ScenarioConfig {
  workers: number;
  size: bigint;
  align: bigint;
  stopOnViolation: boolean;
}

/** The dimensions of a matrix (the flags that take comma lists). */
export type Dimension = "protection" | "align" | "policy" | "workers" | "size" | "killPeriod" | "readDelay" | "faultCost";

/** The figure a scenario is judged by: a cost, so lower is better. */
export interface Headline {
  /** The result column it is read from. */
  column: "ns_per_op" | "tlb_walk_levels_per_1k";
  /** How two configurations are set against each other: times (a time, always positive), or a difference (a
   *  count per 1,000 touches, which may be zero: "2,500,000 times fewer walks" says nothing). */
  scale: Scale;
  /** Its short name, for table headers: "ns/touch". */
  unit: string;
  /** What one unit is, in words: "ns per completed touch, per CPU". */
  meaning: string;
  /** The claim when `better`'s figure is lower than `worse`'s by `amount` ("1.38×" or "2,497"). */
  claim(better: string, worse: string, amount: string): string;
}

/** Figures a scenario's tables show beside its headline (host/results/figures.ts draws them). */
export type FigureName =
  | "ops_per_sec" | "faults" | "sigbus_share" | "kill_period" | "grace_period" | "mmaps" | "ns_per_vma"
  | "tlb_l1_misses" | "tlb_walks" | "simulator_ns";

export interface Scenario {
  name: string;
  /** One line for `daxbench list`. */
  summary: string;
  /** What `ops` counts for this scenario, for the README and `list`. */
  operation: string;
  /** Runs for --duration and stops (true), or runs a fixed amount of work (false). */
  timed: boolean;
  /** One extra worker kills and revives the device every --kill-period; every install then checks the
   *  teardown guarantee (torture.ts), so these rows fill the violations column. */
  updater: boolean;
  /** The dimensions that change what this scenario measures: the matrix expands only these; the others keep
   *  DIMENSION_DEFAULTS, are left out of the description and are empty in the result row. */
  dimensions: readonly Dimension[];
  headline: Headline;
  figures: readonly FigureName[];
  /** Populates the mapping from the main thread before each run, so that only hits are measured. */
  prepopulate?: boolean;
  /** Every touch also goes through the TLB model (assembly/tlb.ts). */
  tlb?: boolean;
  /** The job of reader `reader` (0-based) of config.workers. */
  readerJob(config: ScenarioConfig, reader: number): ReaderJob;
}

/** The value a dimension keeps in a scenario that does not use it (the machine still needs one). */
export const DIMENSION_DEFAULTS = {
  protection: "rcu", align: "4k", policy: "device", workers: "1", size: "64m", killPeriod: "never", readDelay: "0", faultCost: "0",
} as const satisfies Record<Dimension, string>;

const FAULT_PATH: readonly Dimension[] = ["protection", "align", "workers", "size", "readDelay", "faultCost"];

const nsPerTouch: Headline = {
  column: "ns_per_op",
  scale: "ratio",
  unit: "ns/touch",
  meaning: "ns per completed touch (a hit or an install; refused touches are not operations), per CPU",
  claim: (better, worse, amount) => `${better} is ${amount} faster than ${worse} per completed touch`,
};

/** Timed readers call their batch entry point with this many operations between looks at the stop flag. */
export const BATCH_OPS = 4096n;

const populate: Scenario = {
  name: "populate",
  summary: "each worker touches every 4 KiB of its slice once: faults = size / align (pte vs pmd vs pud)",
  operation: "a touch of a 4 KiB page that ended mapped",
  timed: false,
  updater: false,
  dimensions: FAULT_PATH,
  headline: nsPerTouch,
  figures: ["ops_per_sec", "faults", "sigbus_share"],
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
  operation: "a random touch that ended mapped",
  timed: true,
  updater: false,
  dimensions: FAULT_PATH,
  headline: nsPerTouch,
  figures: ["ops_per_sec", "faults", "sigbus_share"],
  readerJob: timedJob("touch_random"),
};

const churn: Scenario = {
  name: "churn",
  summary: "random touches while an updater kills and revives the device every --kill-period (grace-period latency)",
  operation: "a random touch that ended mapped (touches refused while the device is dead count as sigbus)",
  timed: true,
  updater: true,
  dimensions: [...FAULT_PATH, "killPeriod"],
  headline: nsPerTouch,
  figures: ["ops_per_sec", "faults", "sigbus_share", "kill_period", "grace_period"],
  readerJob: timedJob("touch_random"),
};

const readside: Scenario = {
  name: "readside",
  summary: "empty read-side critical sections that load alive: ns per lock/unlock pair (refscale)",
  operation: "a read-side lock/unlock pair around a load of alive",
  timed: true,
  updater: false,
  // No fault, no page table: the alignment, the size and the read delay (which lengthens faults) change nothing.
  dimensions: ["protection", "workers"],
  headline: {
    column: "ns_per_op",
    scale: "ratio",
    unit: "ns/pair",
    meaning: "ns per read-side lock/unlock pair, per CPU",
    claim: (better, worse, amount) => `${better} is ${amount} faster than ${worse} per read-side pair`,
  },
  figures: ["ops_per_sec"],
  readerJob: timedJob("readside"),
};

const tlb: Scenario = {
  name: "tlb",
  summary: "random touches over a populated mapping through a TLB model (--tlb-geometry): misses and page-walk levels per 1,000",
  operation: "a random touch of the populated mapping, looked up in the TLB model",
  timed: true,
  updater: false,
  // Every touch hits a populated mapping on one CPU's TLB: no read side runs, so the scheme changes nothing.
  dimensions: ["align", "size"],
  // The time per touch is the simulator's own cost, not a machine's: the model's counts are the result.
  headline: {
    column: "tlb_walk_levels_per_1k",
    scale: "difference",
    unit: "walk levels/1k",
    meaning: "page-table levels walked per 1,000 touches (TLB model)",
    claim: (better, worse, amount) => `${better} walks ${amount} fewer page-table levels per 1,000 touches than ${worse}`,
  },
  figures: ["tlb_l1_misses", "tlb_walks", "simulator_ns"],
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
  operation: "a touch of a page of an accepted vma (a refused mmap maps nothing and is counted apart)",
  timed: false,
  updater: false,
  // One vma at a time on one CPU: workers are not a dimension.
  dimensions: ["protection", "align", "policy", "size", "readDelay", "faultCost"],
  headline: {
    column: "ns_per_op",
    scale: "ratio",
    unit: "ns/page",
    meaning: "ns per page mapped and touched in an accepted vma",
    claim: (better, worse, amount) => `${better} is ${amount} faster than ${worse} per mapped page`,
  },
  figures: ["mmaps", "ns_per_vma", "faults"],
  readerJob: ({ size }) => ({
    role: "reader", fn: "mmap_mix", args: [MMAP_MIX_VMAS, size, MMAP_MIX_ALIGNED_PERMILLE], untilStopped: false, stopOnViolation: false,
  }),
};

/** Churn judged by its Reader Pipe: `daxbench torture` runs it and says SUCCESS or FAILURE. */
export const torture: Scenario = {
  name: "torture",
  summary: "churn checked against the teardown guarantee (rcutorture's Reader Pipe); see `daxbench torture`",
  operation: churn.operation,
  timed: true,
  updater: true,
  dimensions: churn.dimensions,
  headline: nsPerTouch,
  figures: churn.figures,
  readerJob: timedJob("touch_random"),
};

export const SCENARIOS: readonly Scenario[] = [populate, random, churn, readside, torture, mmapMix, tlb];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((scenario) => scenario.name === name);
}

/** The scenario a result row names; throws on a name this version does not know. */
export function scenarioNamed(name: string): Scenario {
  const scenario = findScenario(name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario;
}
