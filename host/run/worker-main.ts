// A worker is one CPU: it instantiates the core on the shared memory, attaches as its CPU, then runs the
// batch calls and measured jobs its parent sends. Instantiating writes nothing shared (see wasm.ts).
// Time is taken here, around the batches, so message passing never enters a measurement.

import { parentPort, workerData } from "node:worker_threads";
import { instantiate } from "../machine/wasm.ts";
import { CONTROL_GO, CONTROL_STOP } from "../types.ts";
import type { JobResult, ReaderJob, UpdaterJob, WorkerInit, WorkerReply, WorkerRequest } from "../types.ts";

const init = workerData as WorkerInit;
const core = instantiate(init.module, init.memory);
if (core.exports.attach(init.cpu, init.seed) !== 0) throw new Error(`cpu ${init.cpu} is out of range`);
const control = new Int32Array(init.control);
const functions = core.exports as unknown as Record<string, (...args: unknown[]) => unknown>;

function stopEveryone(): void {
  Atomics.store(control, CONTROL_STOP, 1);
  Atomics.notify(control, CONTROL_STOP);
}

function runReader(job: ReaderJob): JobResult {
  const batch = functions[job.fn] as (...args: bigint[]) => bigint;
  const startNs = process.hrtime.bigint();
  let ops = 0;
  do {
    ops += Number(batch(...job.args));
    if (job.stopOnViolation && core.exports.this_cpu_violations() > 0n) stopEveryone();
  } while (job.untilStopped && Atomics.load(control, CONTROL_STOP) === 0);
  return { ops, startNs, endNs: process.hrtime.bigint(), gracePeriodsNs: [] };
}

function runUpdater(job: UpdaterJob): JobResult {
  const gracePeriodsNs: number[] = [];
  const startNs = process.hrtime.bigint();
  // Sleeps a kill period on the stop word, so a stop ends the wait at once.
  const periodMs = job.killPeriodNs === null ? Infinity : job.killPeriodNs / 1e6;
  while (Atomics.wait(control, CONTROL_STOP, 0, periodMs) === "timed-out") {
    // The core's own teardown, whole (teardown.ts): it times its grace period where it runs.
    core.exports.kill_dev_dax();
    gracePeriodsNs.push(Number(core.exports.last_grace_period_ns()));
    core.exports.revive_dax();
  }
  return { ops: gracePeriodsNs.length, startNs, endNs: process.hrtime.bigint(), gracePeriodsNs };
}

/** DAXBENCH_INJECT=fail:<cpu> makes that CPU throw as its job starts, hang:<cpu> makes it spin once the job
 *  is released: how the tests prove that a failing or hanging worker aborts a run. */
function injected(fault: "fail" | "hang"): boolean {
  const [what, cpu] = (process.env.DAXBENCH_INJECT ?? "").split(":");
  return what === fault && Number(cpu) === init.cpu;
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
  return request.job.role === "reader" ? runReader(request.job) : runUpdater(request.job);
}

parentPort!.on("message", (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id: request.id, value: handle(request) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
