// What a worker is asked to run in one measured run, and what it reports back. Shared by the pool (parent)
// and worker-main.ts (child); every field survives postMessage.

import type { CoreFunctionName } from "../machine/core.ts";

/** Readers run a batch entry point of the core: once (fixed work) or again and again until stopped. */
export interface ReaderJob {
  role: "reader";
  fn: Extract<CoreFunctionName, "populate" | "touch_random" | "readside" | "mmap_mix" | "touch_random_tlb">;
  args: bigint[];
  untilStopped: boolean;
  /** Torture: the first violation this reader sees stops every worker. */
  stopOnViolation: boolean;
}

/** The updater kills and revives the device every killPeriodNs until stopped, timing each grace period;
 *  with null it never kills (the update-rate sweep's baseline). */
export interface UpdaterJob {
  role: "updater";
  killPeriodNs: number | null;
}

export type WorkerJob = ReaderJob | UpdaterJob;

export interface JobResult {
  ops: number;
  /** process.hrtime.bigint() around the measured batches: one monotonic clock for every thread. */
  startNs: bigint;
  endNs: bigint;
  /** The updater's grace periods (synchronize within kill_dev_dax(), as the core timed them), one per kill. */
  gracePeriodsNs: number[];
}

/** Indices into the pool's run-control Int32Array. */
export const CONTROL_GO = 0;
export const CONTROL_STOP = 1;
export const CONTROL_WORDS = 2;
