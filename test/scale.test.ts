// Many CPUs: the grace periods scan only the CPUs a run attaches (nr_cpu_ids, assembly/percpu.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DaxMachine } from "../host/machine/dax.ts";
import { WorkerPool } from "../host/run/pool.ts";
import { maxWorkers } from "../host/run/matrix.ts";
import { buildC, runProgram } from "../host/run/cc.ts";
import { daxbench } from "./daxbench.ts";

test(
  "a pool's workers raise the CPUs the grace periods scan to cover them, " + "and stopping it leaves CPU 0 alone",
  async () => {
    const machine = new DaxMachine();
    assert.equal(machine.cpusInUse(), 1, "CPU 0, the main thread");
    const pool = await WorkerPool.start(machine, 3);
    assert.equal(machine.cpusInUse(), 4, "CPUs 0 to 3");
    await pool.stop();
    assert.equal(machine.cpusInUse(), 1);
    const smaller = await WorkerPool.start(machine, 1);
    assert.equal(machine.cpusInUse(), 2, "a smaller pool after a bigger one scans only its own CPUs");
    await smaller.stop();
  },
);

test(
  "--workers above what the core lays out is refused: exit 2, " + "one line naming the value as typed and the range",
  async () => {
    const most = maxWorkers(new DaxMachine());
    assert.ok(most >= 256, `at least 256 readers, as servers have: ${most}`);
    const dir = mkdtempSync(join(tmpdir(), "daxbench-scale-"));
    try {
      for (const typed of [String(most + 1), `0${most + 1},2`]) {
        const result = await daxbench("run", "--scenario", "readside", "--workers", typed, "--out", join(dir, "x.csv"));
        assert.equal(result.status, 2);
        const value = typed.split(",")[0];
        assert.match(
          result.stderr,
          new RegExp(
            `^daxbench: --workers ${value} is not a whole number from 1 to ${most} ` +
              `\\(the core lays out ${most + 2} CPUs`,
          ),
        );
        assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      }
      assert.deepEqual(readdirSync(dir), [], "nothing written");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

// `daxbench native` takes the same --workers: its C read sides once had room for 64 threads.
test(
  "the native read sides run as many threads as --workers takes, " + "beyond the 64 they once had room for",
  async (t) => {
    const built = buildC("readside.c", "readside-scale-test");
    if (built.path === undefined) return t.skip(built.skipped);
    for (const scheme of ["percpu", "mutex"]) {
      const result = await runProgram(built.path, [scheme, "100", "10"]);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(Number(result.stdout) > 0, `${scheme}: ns per pair ${result.stdout}`);
    }
  },
);
