// The parent's handle on one worker CPU: start it on a machine's memory, send it batch calls, stop it.

import { Worker } from "node:worker_threads";
import type { DaxMachine } from "./dax.ts";
import type { DaxExports } from "./wasm.ts";

export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  cpu: number;
  seed: bigint;
}

export interface WorkerRequest {
  id: number;
  fn: string;
  args: unknown[];
}

export interface WorkerReply {
  id: number;
  value?: bigint | number;
  error?: string;
}

type Pending = { resolve: (value: bigint | number | undefined) => void; reject: (error: Error) => void };

export class CpuWorker {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;

  private constructor(
    readonly cpu: number,
    private readonly worker: Worker,
  ) {
    worker.on("message", (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(`cpu ${cpu}: ${reply.error}`));
      else waiter?.resolve(reply.value);
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const waiter of this.pending.values()) waiter.reject(this.failure);
      this.pending.clear();
    };
    worker.on("error", (error) => fail(new Error(`cpu ${cpu} failed: ${error.message}`)));
    worker.on("exit", (code) => fail(new Error(`cpu ${cpu} exited (code ${code})`)));
  }

  /** Starts a worker as CPU `cpu` (1 and up: CPU 0 is the main thread) and waits until it is ready. */
  static async start(machine: DaxMachine, cpu: number, seed = BigInt(cpu) * 0x9e3779b97f4a7c15n): Promise<CpuWorker> {
    const init: WorkerInit = { module: machine.module, memory: machine.memory, cpu, seed: BigInt.asUintN(64, seed) };
    const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: init });
    const handle = new CpuWorker(cpu, worker);
    await new Promise<void>((resolve, reject) => {
      worker.once("online", resolve);
      worker.once("error", reject);
    });
    return handle;
  }

  /** Runs one exported core function (a batch) on this CPU. */
  call<K extends keyof DaxExports>(fn: K, ...args: Parameters<DaxExports[K]>): Promise<ReturnType<DaxExports[K]>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as Pending["resolve"], reject });
      this.worker.postMessage({ id, fn, args } satisfies WorkerRequest);
    });
  }

  async stop(): Promise<void> {
    this.failure ??= new Error(`cpu ${this.cpu} was stopped`);
    await this.worker.terminate();
  }
}
