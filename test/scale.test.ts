// Many CPUs: the grace periods scan only the CPUs a run attaches (nr_cpu_ids, assembly/percpu.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { DaxMachine } from "../host/machine/dax.ts";
import { WorkerPool } from "../host/run/pool.ts";
import { buildC, runProgram } from "../host/run/cc.ts";

test("a pool's workers raise the CPUs the grace periods scan to cover them, and stopping it leaves CPU 0 alone", async () => {
  const machine = new DaxMachine();
  assert.equal(machine.cpusInUse(), 1, "CPU 0, the main thread");
  const pool = await WorkerPool.start(machine, 3);
  assert.equal(machine.cpusInUse(), 4, "CPUs 0 to 3");
  await pool.stop();
  assert.equal(machine.cpusInUse(), 1);
  const smaller = await WorkerPool.start(machine, 1);
  assert.equal(machine.cpusInUse(), 2, "a smaller pool after a bigger one scans only its own CPUs");
  await smaller.stop();
});

// `daxbench native` takes the same --workers: its C read sides once had room for 64 threads.
test("the native read sides run as many threads as --workers takes, beyond the 64 they once had room for", async (t) => {
  const built = buildC("readside.c", "readside-scale-test");
  if (built.path === undefined) return t.skip(built.skipped);
  for (const scheme of ["percpu", "mutex"]) {
    const result = await runProgram(built.path, [scheme, "100", "10"]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(Number(result.stdout) > 0, `${scheme}: ns per pair ${result.stdout}`);
  }
});
