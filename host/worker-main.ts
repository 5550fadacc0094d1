// A worker is one CPU: it instantiates the core on the shared memory, attaches as its CPU, then runs the
// batch calls its parent sends. Instantiating writes nothing shared (see wasm.ts).

import { parentPort, workerData } from "node:worker_threads";
import { instantiate } from "./wasm.ts";
import type { WorkerInit, WorkerRequest, WorkerReply } from "./cpu.ts";

const init = workerData as WorkerInit;
const core = instantiate(init.module, init.memory);
if (core.exports.attach(init.cpu, init.seed) !== 0) throw new Error(`cpu ${init.cpu} is out of range`);

const functions = core.exports as unknown as Record<string, (...args: unknown[]) => unknown>;
parentPort!.on("message", (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const fn = functions[request.fn];
    if (typeof fn !== "function") throw new Error(`the wasm core has no function ${request.fn}`);
    reply = { id: request.id, value: fn(...request.args) as bigint | number | undefined };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
