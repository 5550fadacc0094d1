// Room for the worker CPUs under an address-space limit (ulimit -v). V8 cannot tell a process that it has no room
// for a new thread's isolate: reserving the isolate's code range fails, and V8 ends the whole process with SIGTRAP
// ("Fatal process OOM in Failed to reserve virtual memory for CodeRange", exit 133), a run's lock left behind.
// Reservations are large here, though little of them is ever touched: every wasm memory reserves its guard regions
// (10 GiB: the shared memory, and each wasm lexer of the TypeScript loader), and every worker CPU is an isolate
// that reserves a code range (512 MiB on x64), a stack and a malloc arena. So a command that starts workers checks
// first, before a run takes its lock, that the limit leaves room for its largest set of them, and refuses in one
// line when it does not. Without a limit (or off Linux) nothing is checked and nothing costs.

import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";

const GIB = 2 ** 30;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(bytes < 10 * GIB ? 2 : 1)} GiB`;

/** The soft address-space limit (RLIMIT_AS) in bytes, from /proc/self/limits; undefined when there is none or it
 *  cannot be read. */
export function addressSpaceLimit(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max address space"));
    const soft = line?.slice("Max address space".length).trim().split(/\s+/)[0];
    const bytes = Number(soft);
    return soft === undefined || soft === "unlimited" || !Number.isFinite(bytes) ? undefined : bytes;
  } catch {
    return undefined;
  }
}

/** What this process has reserved (VmSize), in bytes; undefined when it cannot be read. */
export function addressSpaceUsed(): number | undefined {
  try {
    const kib = Number(/^VmSize:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1]);
    return Number.isFinite(kib) ? kib * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const PROBE_WORKER_CODE = "require('node:worker_threads').parentPort.postMessage(0); setInterval(() => {}, 1e6)";

/** Measures, in a child process of this Node under the same limit, what one more worker thread adds to a
 *  process's address space: the growth from its second worker (the first also gives V8's own threads their
 *  malloc arenas, which a command has already). V8 does not say what it reserves, and it differs with its
 *  version and the architecture; a worker's code is the same whatever it runs. */
const PROBE = `
const { Worker } = require("node:worker_threads");
const { readFileSync } = require("node:fs");
const size = () => Number(/^VmSize:\\s+(\\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"))[1]) * 1024;
const start = () => new Promise((resolve, reject) => {
  const worker = new Worker("${PROBE_WORKER_CODE}", { eval: true });
  worker.once("message", () => resolve(worker)).once("error", reject);
});
start().then(async () => {
  const before = size();
  await start();
  process.stdout.write(String(size() - before));
  process.exit(0);
});
`;

let perWorker: number | null | undefined;

/** What a worker CPU adds to the address space, measured once per process (null: a process under this limit
 *  cannot start two workers at all). */
function workerAddressSpace(): number | null {
  if (perWorker === undefined) {
    const probe = spawnSync(process.execPath, ["-e", PROBE], { encoding: "utf8", timeout: 60_000 });
    const bytes = Number(probe.stdout);
    perWorker = probe.status === 0 && Number.isFinite(bytes) && bytes > 0 ? bytes : null;
  }
  return perWorker;
}

/** Refuses (an Error: exit 1, one line) to go on when this process's address-space limit leaves no room for
 *  `cpus` worker CPUs at once. */
export function checkAddressSpace(cpus: number): void {
  const limit = addressSpaceLimit();
  const used = addressSpaceUsed();
  if (cpus <= 0 || limit === undefined || used === undefined) return;
  const each = workerAddressSpace();
  const free = Math.max(0, limit - used);
  const held =
    `ulimit -v ${gib(limit)} leaves ${gib(free)} beside the ${gib(used)} this process holds ` +
    "(its shared memory and the loader's wasm memories reserve 10 GiB each)";
  if (each === null)
    throw new Error(
      "cannot reserve the address space of a worker CPU (a V8 isolate: its code range, a stack, a malloc arena): " +
        `a process under ulimit -v ${gib(limit)} could not start one`,
    );
  if (cpus * each > free) {
    throw new Error(
      `cannot reserve the address space of ${cpus} worker CPU${cpus > 1 ? "s" : ""} ` +
        `(${gib(each)} each, a V8 isolate's code range, stack and malloc arena): ${held}`,
    );
  }
}
