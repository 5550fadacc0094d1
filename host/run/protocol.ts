// The worker protocol: what a worker is asked to run, and what it reports back. Shared by the pool (the
// parent's side, cpu-worker.ts and pool.ts) and worker-main.ts (the child's); every field survives
// postMessage. What a reader runs (ReaderJob) is a scenario's to say, so it lives in host/types.ts.

import type { ReaderJob } from "../types.ts";

/** An updater kills and revives a device every killPeriodNs until stopped, each of `devices` (their numbers)
 *  in turn, timing each grace period; with null it never kills (the update-rate sweep's baseline). */
export interface UpdaterJob {
  role: "updater";
  killPeriodNs: number | null;
  devices: number[];
}

/** rcutorture's fake writer: grace periods back to back until stopped, beside the updater. */
export interface FakeWriterJob {
  role: "fake-writer";
}

export type WorkerJob = ReaderJob | UpdaterJob | FakeWriterJob;

export interface JobResult {
  ops: number;
  /** process.hrtime.bigint() around the measured batches: one monotonic clock for every thread. */
  startNs: bigint;
  endNs: bigint;
  /** How long, between startNs and endNs, this thread was ready to run but waited for a CPU (the kernel's
   *  schedstat run_delay); undefined where the system does not report it. */
  runQueueWaitNs: number | undefined;
  /** The updater's grace periods (synchronize within kill_dev_dax(), as the core timed them), one per kill. */
  gracePeriodsNs: number[];
  /** A fake writer's grace periods, counted; 0 for every other job. */
  fakeGracePeriods: number;
}

/** Indices into the pool's run-control Int32Array: the start barrier (go), the stop flag, and the running
 *  barrier that the readers pass together once released (how many are running, and how many there are). */
export const CONTROL_GO = 0;
export const CONTROL_STOP = 1;
export const CONTROL_RUNNING = 2;
export const CONTROL_READERS = 3;
export const CONTROL_WORDS = 4;

/** How long DAXBENCH_INJECT=late:<cpu> keeps that CPU from joining its run once released (worker-main.ts). */
export const INJECTED_LATENESS_MS = 100;

export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The pool's run-control words (CONTROL_*): go and stop. */
  control: SharedArrayBuffer;
  cpu: number;
  seed: bigint;
}

export type WorkerRequest =
  | { id: number; kind: "call"; fn: string; args: unknown[] }
  | { id: number; kind: "run"; job: WorkerJob };

/** A worker says "ready" once, when it has instantiated the core and attached as its CPU; a run request is
 *  answered twice: "arrived" at the start barrier, then its result. */
export type WorkerReply =
  | { ready: true }
  | { id: number; arrived: true }
  | { id: number; value: unknown }
  | { id: number; error: string };
