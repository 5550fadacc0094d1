// A worker is one CPU: it instantiates the core on the shared memory, attaches as its CPU, then runs the
// batch calls and measured jobs its parent sends. Instantiating writes nothing shared (see wasm.ts).
// Time is taken here, around the batches, so message passing never enters a measurement.

import { parentPort, workerData } from "node:worker_threads";
import { instantiate } from "../machine/instance.ts";
import { runQueueWaitNs } from "../system.ts";
import { CONTROL_GO, CONTROL_READERS, CONTROL_RUNNING, CONTROL_STOP, INJECTED_LATENESS_MS } from "./protocol.ts";
import type { JobResult, UpdaterJob, WorkerInit, WorkerReply, WorkerRequest } from "./protocol.ts";
import type { ReaderJob } from "../types.ts";

const init = workerData as WorkerInit;
const core = instantiate(init.module, init.memory);
if (core.exports.attach(init.cpu, init.seed) !== 0) throw new Error(`cpu ${init.cpu} is out of range`);
const control = new Int32Array(init.control);
const functions = core.exports as unknown as Record<string, (...args: unknown[]) => unknown>;

function stopEveryone(): void {
  Atomics.store(control, CONTROL_STOP, 1);
  Atomics.notify(control, CONTROL_STOP);
}

/** Loads of the running count before a reader waiting for the others sleeps between looks instead. */
const RUNNING_SPINS = 100_000;

/** The running barrier: released readers start timing only once every reader of the run is on a CPU. Each
 *  says it is running, then spins until all are (liburcu's benchmarks spin on test_go the same way). Woken
 *  together from the start barrier, two readers may be queued on one CPU until the scheduler moves one (a
 *  tick, 4 ms here), and a reader timed from its release would be timed waiting for a CPU. Past
 *  RUNNING_SPINS it sleeps between looks, so that with more readers than CPUs the spinners let the others on. */
function startTogether(): void {
  Atomics.add(control, CONTROL_RUNNING, 1);
  Atomics.notify(control, CONTROL_RUNNING);
  const readers = Atomics.load(control, CONTROL_READERS);
  for (let spins = 0, running; (running = Atomics.load(control, CONTROL_RUNNING)) < readers; spins++) {
    if (Atomics.load(control, CONTROL_STOP) !== 0) return;
    if (spins > RUNNING_SPINS) Atomics.wait(control, CONTROL_RUNNING, running, 1);
  }
}

function runReader(job: ReaderJob): JobResult {
  const batch = functions[job.fn] as (...args: bigint[]) => bigint;
  startTogether();
  const waitedBefore = runQueueWaitNs();
  const startNs = process.hrtime.bigint();
  let ops = 0;
  do {
    ops += Number(batch(...job.args));
    if (job.stopOnViolation && core.exports.this_cpu_violations() > 0n) stopEveryone();
  } while (job.untilStopped && Atomics.load(control, CONTROL_STOP) === 0);
  const endNs = process.hrtime.bigint();
  const waitedAfter = runQueueWaitNs();
  const runQueueWait = waitedBefore === undefined || waitedAfter === undefined ? undefined : waitedAfter - waitedBefore;
  return { ops, startNs, endNs, runQueueWaitNs: runQueueWait, gracePeriodsNs: [], fakeGracePeriods: 0 };
}

function runUpdater(job: UpdaterJob): JobResult {
  const gracePeriodsNs: number[] = [];
  const startNs = process.hrtime.bigint();
  // Sleeps a kill period on the stop word, so a stop ends the wait at once.
  const periodMs = job.killPeriodNs === null ? Infinity : job.killPeriodNs / 1e6;
  while (Atomics.wait(control, CONTROL_STOP, 0, periodMs) === "timed-out") {
    // The core's own teardown, whole (teardown.ts), of each device in turn: it times its grace period where it
    // runs.
    core.exports.dax_select_device(job.devices[gracePeriodsNs.length % job.devices.length]);
    core.exports.kill_dev_dax();
    gracePeriodsNs.push(Number(core.exports.last_grace_period_ns()));
    core.exports.revive_dax();
  }
  return {
    ops: gracePeriodsNs.length,
    startNs,
    endNs: process.hrtime.bigint(),
    runQueueWaitNs: undefined,
    gracePeriodsNs,
    fakeGracePeriods: 0,
  };
}

/** Grace periods per call of a fake writer: few, so that a stop is seen within a few grace periods. */
const FAKE_WRITER_BATCH = 16n;

function runFakeWriter(): JobResult {
  const startNs = process.hrtime.bigint();
  let periods = 0;
  while (Atomics.load(control, CONTROL_STOP) === 0) periods += Number(core.exports.fake_writer(FAKE_WRITER_BATCH));
  return {
    ops: 0,
    startNs,
    endNs: process.hrtime.bigint(),
    runQueueWaitNs: undefined,
    gracePeriodsNs: [],
    fakeGracePeriods: periods,
  };
}

/** DAXBENCH_INJECT=fail:<cpu> makes that CPU throw as its job starts, hang:<cpu> makes it spin once the job
 *  is released, late:<cpu> makes it sleep INJECTED_LATENESS_MS once released: how the tests prove that a
 *  failing or hanging worker aborts a run, and that readers start timing together. */
function injected(fault: "fail" | "hang" | "late"): boolean {
  const [what, cpu] = (process.env.DAXBENCH_INJECT ?? "").split(":");
  return what === fault && Number(cpu) === init.cpu;
}

function sleepLate(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, INJECTED_LATENESS_MS);
}

function hangForever(): never {
  process.stderr.write(`cpu ${init.cpu}: hanging (DAXBENCH_INJECT)\n`);
  for (;;);
}

function handle(request: WorkerRequest): unknown {
  if (request.kind === "call") {
    const fn = functions[request.fn];
    if (typeof fn !== "function") throw new Error(`the wasm core has no function ${request.fn}`);
    return fn(...request.args);
  }
  if (injected("fail")) throw new Error("injected failure (DAXBENCH_INJECT)");
  parentPort!.postMessage({ id: request.id, arrived: true } satisfies WorkerReply);
  Atomics.wait(control, CONTROL_GO, 0);
  if (injected("hang")) hangForever();
  if (injected("late")) sleepLate();
  const job = request.job;
  return job.role === "reader" ? runReader(job) : job.role === "updater" ? runUpdater(job) : runFakeWriter();
}

parentPort!.postMessage({ ready: true } satisfies WorkerReply);
parentPort!.on("message", (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id: request.id, value: handle(request) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
