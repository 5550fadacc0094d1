// The workloads daxbench measures (DESIGN.md, "Workloads"): what each reader CPU runs, and whether an
// updater kills and revives the device meanwhile.

import type { ReaderJob } from "../host/jobs.ts";

export interface ScenarioConfig {
  workers: number;
  size: bigint;
  align: bigint;
}

export interface Scenario {
  name: string;
  /** One line for `daxbench list`. */
  summary: string;
  /** Runs for --duration and stops (true), or runs a fixed amount of work (false). */
  timed: boolean;
  /** One extra worker kills and revives the device every --kill-period. */
  updater: boolean;
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
    return { role: "reader", fn: "populate", args: [from * align, to * align], untilStopped: false };
  },
};

const random: Scenario = {
  name: "random",
  summary: "random touches over the whole mapping: faults until it is populated, then hits",
  timed: true,
  updater: false,
  readerJob: () => ({ role: "reader", fn: "touch_random", args: [BATCH_OPS], untilStopped: true }),
};

const churn: Scenario = {
  name: "churn",
  summary: "random touches while an updater kills and revives the device every --kill-period (grace-period latency)",
  timed: true,
  updater: true,
  readerJob: () => ({ role: "reader", fn: "touch_random", args: [BATCH_OPS], untilStopped: true }),
};

const readside: Scenario = {
  name: "readside",
  summary: "empty read-side critical sections that load alive: ns per lock/unlock pair (refscale)",
  timed: true,
  updater: false,
  readerJob: () => ({ role: "reader", fn: "readside", args: [BATCH_OPS], untilStopped: true }),
};

export const SCENARIOS: readonly Scenario[] = [populate, random, churn, readside];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((scenario) => scenario.name === name);
}
