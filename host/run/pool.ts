// N worker CPUs on one machine's shared memory and one compiled module. A run hands each worker a job,
// releases them together from a barrier, stops timed jobs after the duration, and is watched: a worker that
// throws or does not finish in time aborts the run with an error naming it.

import { CpuWorker } from "./cpu-worker.ts";
import type { DaxMachine } from "../machine/dax.ts";
import { CONTROL_GO, CONTROL_READERS, CONTROL_RUNNING, CONTROL_STOP, CONTROL_WORDS } from "./protocol.ts";
import type { JobResult, WorkerJob } from "./protocol.ts";

/** The limits of one run of jobs on the pool. */
export interface JobLimits {
  /** Timed jobs are stopped after this long; fixed-work jobs ignore it. */
  durationNs?: number;
  /** The watchdog: the whole run, from sending the jobs to the last result, must fit in this. */
  timeoutMs: number;
}

export class WorkerHangError extends Error {
  override name = "WorkerHangError";
}

export class WorkerPool {
  private constructor(
    private readonly machine: DaxMachine,
    readonly workers: CpuWorker[],
    private readonly control: Int32Array,
  ) {}

  /** Starts `count` workers as CPUs 1..count (CPU 0 is the main thread), their generators from `seed`. Each
   *  raises the machine's CPUs in use as it attaches, so the grace periods of the run scan CPUs 0..count. */
  static async start(machine: DaxMachine, count: number, seed = 1n): Promise<WorkerPool> {
    const control = new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT);
    const started = await Promise.allSettled(
      Array.from({ length: count }, (_, i) => CpuWorker.start(machine, i + 1, control, seed)),
    );
    const workers = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    const failed = started.find((result) => result.status === "rejected");
    if (failed) {
      await stopAll(machine, workers);
      throw (failed as PromiseRejectedResult).reason;
    }
    return new WorkerPool(machine, workers, new Int32Array(control));
  }

  /** Runs jobs[i] on worker i, all released at once; resolves with their results in the same order. */
  async run(jobs: WorkerJob[], options: JobLimits): Promise<JobResult[]> {
    Atomics.store(this.control, CONTROL_GO, 0);
    Atomics.store(this.control, CONTROL_STOP, 0);
    Atomics.store(this.control, CONTROL_RUNNING, 0);
    Atomics.store(this.control, CONTROL_READERS, jobs.filter((job) => job.role === "reader").length);
    const runs = jobs.map((job, i) => this.workers[i].run(job));
    const arrived = new Set<number>();
    const finished = new Set<number>();
    runs.forEach((run, i) => {
      run.arrived.then(
        () => arrived.add(i),
        () => {},
      );
      run.done.then(
        () => finished.add(i),
        () => finished.add(i),
      );
    });
    let stopTimer: NodeJS.Timeout | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      watchdog = setTimeout(() => {
        const seconds = `${options.timeoutMs / 1000}s`;
        const late = jobs.map((_, i) => i).filter((i) => !arrived.has(i));
        const stuck = jobs.map((_, i) => i).filter((i) => !finished.has(i));
        const cpus = (indices: number[]) => indices.map((i) => this.workers[i].cpu).join(", ");
        reject(
          new WorkerHangError(
            late.length
              ? `cpu ${cpus(late)} did not reach the start barrier within ${seconds}`
              : `cpu ${cpus(stuck)} did not finish within ${seconds}`,
          ),
        );
      }, options.timeoutMs);
    });
    try {
      await Promise.race([Promise.all(runs.map((run) => run.arrived)), hung]);
      Atomics.store(this.control, CONTROL_GO, 1);
      Atomics.notify(this.control, CONTROL_GO);
      if (options.durationNs !== undefined) stopTimer = setTimeout(() => this.signalStop(), options.durationNs / 1e6);
      return await Promise.race([Promise.all(runs.map((run) => run.done)), hung]);
    } catch (error) {
      this.signalStop(); // the healthy workers leave their loops; stop() then ends them all
      throw error;
    } finally {
      clearTimeout(stopTimer);
      clearTimeout(watchdog);
    }
  }

  async stop(): Promise<void> {
    this.signalStop();
    await stopAll(this.machine, this.workers);
  }

  private signalStop(): void {
    Atomics.store(this.control, CONTROL_STOP, 1);
    Atomics.notify(this.control, CONTROL_STOP);
  }
}

/** Ends the workers, then forgets their CPUs once none is left, so that a smaller pool started next on the same
 *  machine scans only its own. */
async function stopAll(machine: DaxMachine, workers: CpuWorker[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.stop()));
  machine.forgetWorkerCpus();
}
