// Short torture runs: correct schemes end with no violation, broken ones are caught. Counts, not times.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";

const bin = new URL("../bin/daxbench.js", import.meta.url).pathname;

function torture(args: string[]) {
  const result = spawnSync(process.execPath, [bin, "torture", ...args], { encoding: "utf8" });
  const lines = result.stdout.trim().split("\n");
  const violations = Number(/violations ([\d,]+)/.exec(result.stdout)?.[1].replace(/,/g, ""));
  const kills = Number(/kills ([\d,]+)/.exec(result.stdout)?.[1].replace(/,/g, ""));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, last: lines.at(-1), violations, kills };
}

for (const protection of ["rcu", "mutex", "rwlock", "qsbr", "rcu-pointer"]) {
  test(`${protection} survives torture: no violation, no stale entry, SUCCESS`, () => {
    const dir = mkdtempSync(join(tmpdir(), "daxbench-torture-"));
    const out = join(dir, "torture.csv");
    const run = torture(["--protection", protection, "--seconds", "2", "--workers", "2", "--read-delay", "1000", "--out", out]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.equal(run.last, "SUCCESS");
    assert.equal(run.violations, 0);
    assert.ok(run.kills > 0, "the device was killed");
    const [row] = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
    assert.equal(row.scenario, "torture");
    assert.equal(row.protection, protection);
    assert.equal(row.violations, "0");
    assert.equal(row.stale_entries, "0");
    assert.ok(Number(row.kills) > 0);
  });
}

// Run until the first violation, with a generous cap, so a slow machine cannot make these flake.
for (const protection of ["none", "rcu-skip-scan2", "rcu-pointer-free-early"]) {
  test(`${protection} is caught: violations > 0, FAILURE, exit 1`, () => {
    const run = torture(["--protection", protection, "--seconds", "60", "--stop-on-violation"]);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.equal(run.last, "FAILURE");
    assert.ok(run.violations > 0);
  });
}

test("torture: bad flags exit 2 with one line and write nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-torture-"));
  const out = join(dir, "x.csv");
  for (const [args, message] of [
    [["--protection", "hope"], /--protection hope is not one of: none, rcu, mutex, rwlock, qsbr, rcu-pointer, rcu-skip-scan2, rcu-pointer-free-early/],
    [["--seconds", "0"], /--seconds 0 is not a positive number of seconds/],
    [["--workers", "0"], /--workers 0 is not a whole number/],
    [["--read-delay", "soon"], /--read-delay soon is not a duration/],
    [["--kill-period", "-1"], /--kill-period -1 is not a duration/],
  ] as [string[], RegExp][]) {
    const run = torture([...args, "--out", out]);
    assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stderr.trim().split("\n").length, 1);
  }
  assert.deepEqual(readdirSync(dir), []);
});
