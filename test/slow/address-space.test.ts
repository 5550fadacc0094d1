// Under an address-space limit (ulimit -v), a command that has no room for its workers says so in one line and
// exits 1, before a run takes its lock; unchecked, V8 ends it with SIGTRAP (exit 133) and the lock stays behind.
// A limit with room is no reason to refuse. Each command runs in a shell that sets the limit, as a user's would.
// Slow tier: each command is a real process of its own (tsx, the CLI, a run), seconds of CPU in all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bin } from "../daxbench.ts";

const GIB_IN_KIB = 1 << 20;

/** `daxbench ARGS` under `ulimit -v` of `gib` GiB; status 99 when this machine's hard limit is lower. */
function limited(gib: number, args: string[]) {
  return spawnSync(
    "sh",
    ["-c", `ulimit -v ${gib * GIB_IN_KIB} 2>/dev/null || exit 99; exec "$0" "$@"`, process.execPath, bin, ...args],
    { encoding: "utf8" },
  );
}

// 32 GiB (the limit the issue was found under) holds the shared memory and the module loader's wasm memories,
// 10 GiB each, but not a worker more; were the loader's share larger, the shared memory would be refused instead.
const REFUSED = new RegExp(
  "^daxbench: cannot (reserve the address space of \\d+ worker CPUs? \\(.* GiB each.*\\): " +
    "ulimit -v 32\\.0 GiB leaves|allocate the shared memory)",
);

test(
  "under ulimit -v 32 GiB, run and torture refuse in one line naming what they could not reserve: " +
    "exit 1, no lock, no file",
  async (t) => {
    for (const args of [
      [
        "run",
        "--scenario",
        "churn",
        "--protection",
        "rcu",
        "--workers",
        "2",
        "--size",
        "8m",
        "--duration",
        "50ms",
        "--repeat",
        "1",
        "--warmup",
        "0",
        "--quiet",
      ],
      ["torture", "--protection", "rcu", "--seconds", "0.2"],
    ]) {
      const dir = mkdtempSync(join(tmpdir(), "daxbench-limit-"));
      const result = limited(32, [...args, "--out", join(dir, "out.csv")]);
      if (result.status === 99) return t.skip("the hard limit on address space here is below 32 GiB");
      assert.equal(result.status, 1, `${args[0]}: ${result.stderr}`);
      assert.match(result.stderr, REFUSED);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.deepEqual(readdirSync(dir), [], `${args[0]}: no lock, no file`);
    }
  },
);

test("under ulimit -v 64 GiB, which has room, a run of 2 readers and an updater runs", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-limit-"));
  const result = limited(64, [
    "run",
    "--scenario",
    "churn",
    "--protection",
    "rcu",
    "--workers",
    "2",
    "--size",
    "8m",
    "--duration",
    "50ms",
    "--repeat",
    "1",
    "--warmup",
    "0",
    "--quiet",
    "--out",
    join(dir, "run.csv"),
  ]);
  if (result.status === 99) return t.skip("the hard limit on address space here is below 64 GiB");
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(readdirSync(dir), ["run.csv"]);
});
