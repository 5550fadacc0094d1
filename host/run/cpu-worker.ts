// The parent's handle on one worker CPU: start it on a machine's memory, send it batch calls or measured
// jobs, stop it. A worker that throws or exits fails every request still pending on it.

import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { DaxMachine } from "../machine/dax.ts";
import type { CoreExports, CoreFunctionName } from "../machine/core.ts";
import { CONTROL_WORDS } from "./protocol.ts";
import type { JobResult, WorkerInit, WorkerJob, WorkerReply, WorkerRequest } from "./protocol.ts";

let bundled: Promise<URL> | undefined;

/** The worker's program: worker-main.ts and what it imports, bundled once per process by esbuild into one ES
 *  module, given to each worker as a data: URL. A worker then loads plain JavaScript and starts in
 *  milliseconds; one that registered tsx to load TypeScript itself took about 130 ms of CPU, and each
 *  repetition of a run starts workers of its own (schedule.ts). esbuild's asynchronous API runs it as a child
 *  process; its synchronous one would start a thread of its own for the life of the process, another V8 isolate
 *  beside the workers, with its own share of the address space (address-space.ts). */
function workerCode(): Promise<URL> {
  bundled ??= build({
    entryPoints: [fileURLToPath(new URL("./worker-main.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    logLevel: "silent",
  }).then(
    (result) => new URL(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString("base64")}`),
    (error) => {
      bundled = undefined; // tried again by the next worker, as a synchronous build would be
      throw error;
    },
  );
  return bundled;
}

type Waiter = { arrived?: () => void; resolve: (value: unknown) => void; reject: (error: Error) => void };

export class CpuWorker {
  private nextId = 0;
  private readonly waiting = new Map<number, Waiter>();
  private failure: Error | undefined;

  private constructor(
    readonly cpu: number,
    private readonly worker: Worker,
  ) {
    worker.on("message", (reply: WorkerReply) => this.receive(reply));
    worker.on("error", (error) => this.fail(new Error(`cpu ${cpu} failed: ${error.message}`)));
    worker.on("exit", (code) => this.fail(new Error(`cpu ${cpu} exited (code ${code})`)));
  }

  /** Starts a worker as CPU `cpu` (1 and up: CPU 0 is the main thread) and waits until it is ready. Its random
   *  generator (touches, torture's delays) starts from the run's seed mixed with its CPU number. */
  static async start(
    machine: DaxMachine,
    cpu: number,
    control = new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT),
    runSeed = 1n,
  ): Promise<CpuWorker> {
    const seed = BigInt.asUintN(64, (runSeed * 0x100000001b3n + BigInt(cpu)) * 0x9e3779b97f4a7c15n);
    const init: WorkerInit = { module: machine.module, memory: machine.memory, control, cpu, seed };
    const worker = new Worker(await workerCode(), { workerData: init, execArgv: [] });
    const handle = new CpuWorker(cpu, worker);
    // Ready once the core is instantiated and attached: loading the worker's code is never part of a run.
    await new Promise<void>((resolve, reject) => {
      handle.onReady = resolve;
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`cpu ${cpu} exited (code ${code}) before it was ready`)));
    });
    return handle;
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  /** Runs one exported core function (a batch) on this CPU. */
  call<K extends CoreFunctionName>(fn: K, ...args: Parameters<CoreExports[K]>): Promise<ReturnType<CoreExports[K]>> {
    return this.request((id) => ({ id, kind: "call", fn, args })) as Promise<ReturnType<CoreExports[K]>>;
  }

  /** Sends a measured job: `arrived` settles when the worker waits at the start barrier, `done` with its result. */
  run(job: WorkerJob): { arrived: Promise<void>; done: Promise<JobResult> } {
    let arrived!: () => void;
    const atBarrier = new Promise<void>((resolve) => (arrived = resolve));
    const done = this.request((id) => ({ id, kind: "run", job }), arrived) as Promise<JobResult>;
    return { arrived: Promise.race([atBarrier, done.then(() => undefined)]), done };
  }

  async stop(): Promise<void> {
    this.failure ??= new Error(`cpu ${this.cpu} was stopped`);
    await this.worker.terminate();
  }

  private request(make: (id: number) => WorkerRequest, arrived?: () => void): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { arrived, resolve, reject });
      this.worker.postMessage(make(id));
    });
  }

  private onReady = () => {};

  private receive(reply: WorkerReply): void {
    if ("ready" in reply) return this.onReady();
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    if ("arrived" in reply) return waiter.arrived?.();
    this.waiting.delete(reply.id);
    if ("error" in reply) waiter.reject(new Error(`cpu ${this.cpu}: ${reply.error}`));
    else waiter.resolve(reply.value);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
  }
}
