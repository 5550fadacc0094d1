// The workloads daxbench measures (README, "Running a matrix"): what each reader CPU runs, whether an updater
// kills and revives the device meanwhile, which dimensions of a matrix change what it measures, and the
// figure it is judged by. The matrix, the printers, the exports, the report and the charts read this table;
// nothing else decides what a scenario is.

import type { Dimension, Headline, ReaderJob, Scenario } from "../types.ts";

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

export const populate: Scenario = {
  name: "populate",
  summary:
    "each worker touches every 4 KiB of its slice once a pass: faults per pass = size / align (pte vs pmd vs pud)",
  operation: "a touch of a 4 KiB page that ended mapped",
  timed: false,
  updater: false,
  dimensions: FAULT_PATH,
  headline: nsPerTouch,
  figures: ["ops_per_sec", "faults_per_pass", "sigbus_share"],
  populatesMapping: true,
  charts: ["populate-time"],
  readerJob({ workers, size, align }, reader) {
    // Slices end on an alignment boundary, so two workers never fault on the same entry.
    const units = size / align;
    const from = (units * BigInt(reader)) / BigInt(workers);
    const to = (units * BigInt(reader + 1)) / BigInt(workers);
    return {
      role: "reader",
      fn: "populate",
      args: [from * align, to * align],
      untilStopped: false,
      stopOnViolation: false,
    };
  },
};

/** A timed job that runs `fn` in batches of BATCH_OPS until stopped. */
function timedJob(fn: ReaderJob["fn"]): Scenario["readerJob"] {
  return ({ stopOnViolation }) => ({ role: "reader", fn, args: [BATCH_OPS], untilStopped: true, stopOnViolation });
}

export const random: Scenario = {
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

export const churn: Scenario = {
  name: "churn",
  summary: "random touches while an updater kills and revives the device every --kill-period (grace-period latency)",
  operation: "a random touch that ended mapped (touches refused while the device is dead count as sigbus)",
  timed: true,
  updater: true,
  dimensions: [...FAULT_PATH, "killPeriod", "gpCost", "devices", "srcuDomain"],
  headline: nsPerTouch,
  figures: ["ops_per_sec", "faults", "sigbus_share", "kill_period", "grace_period"],
  charts: ["churn-throughput"],
  readerJob: timedJob("touch_random"),
};

export const readside: Scenario = {
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

export const tlb: Scenario = {
  name: "tlb",
  summary:
    "random touches over a populated mapping through a TLB model (--tlb-geometry): " +
    "misses and page-walk levels per 1,000",
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
    claim: (better, worse, amount) =>
      `${better} walks ${amount} fewer page-table levels per 1,000 touches than ${worse}`,
  },
  figures: ["tlb_l1_misses", "tlb_walks", "simulator_ns"],
  prepopulate: true,
  tlb: true,
  charts: ["tlb-reach"],
  readerJob: timedJob("touch_random_tlb"),
};

/** How many vmas one mmap-mix run maps, and what share of them start aligned. */
export const MMAP_MIX_VMAS = 64n;
export const MMAP_MIX_ALIGNED_PERMILLE = 500n;

const mmapMix: Scenario = {
  name: "mmap-mix",
  summary:
    "maps 64 vmas of --size, half of them at misaligned starts, and touches them: " +
    "rejected mmaps, pmds vs ptes (--policy)",
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
  figures: ["mmaps", "ns_per_vma", "faults_per_pass"],
  vmasPerRun: MMAP_MIX_VMAS,
  readerJob: ({ size }) => ({
    role: "reader",
    fn: "mmap_mix",
    args: [MMAP_MIX_VMAS, size, MMAP_MIX_ALIGNED_PERMILLE],
    untilStopped: false,
    stopOnViolation: false,
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
