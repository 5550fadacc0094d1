// daxbench micro and native: every case runs and becomes a row of the run schema. Counts, not times.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { parse } from "csv-parse/sync";
import { ROW_COLUMNS } from "../host/results.ts";

const bin = new URL("../bin/daxbench.js", import.meta.url).pathname;
const daxbench = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

test("micro runs every case once per scheme and writes rows of the run schema", () => {
  const result = daxbench("micro", "--max-time", "0.02", "--out", "-", "--quiet");
  assert.equal(result.status, 0, result.stderr);
  const rows = parse(result.stdout, { columns: true }) as Record<string, string>[];
  assert.deepEqual(Object.keys(rows[0]), [...ROW_COLUMNS]);
  const cases = rows.map((r) => `${r.scenario} ${r.protection}`);
  for (const expected of [
    "micro-empty_batch none", "micro-readside none", "micro-readside rcu", "micro-readside mutex", "micro-readside rwlock",
    "micro-readside qsbr", "micro-check_vma none", "micro-pgoff_to_phys-1 none", "micro-pgoff_to_phys-16 none",
    "micro-pgoff_to_phys-64 none", "micro-pte_fault_zap rcu", "micro-pmd_fault_zap rcu",
  ]) assert.ok(cases.includes(expected), `missing ${expected}`);
  assert.ok(!cases.some((c) => c.includes("skip")), "schemes broken on purpose are not benchmarked");
  for (const row of rows) {
    assert.ok(Number(row.ns_per_op) > 0 && Number.isFinite(Number(row.rme_percent)), `${row.scenario}: ${row.ns_per_op}`);
    assert.equal(Number(row.faults), row.scenario.endsWith("fault_zap") ? Number(row.ops) : 0, row.scenario);
  }
});

test("native builds what this machine can and puts each native read side beside its wasm scheme", () => {
  const result = daxbench("native", "--duration", "50ms", "--workers", "1");
  assert.equal(result.status, 0, result.stderr);
  const rows = result.stdout.split("\n").filter((line) => /^\| \w/.test(line) && !line.startsWith("| native"));
  const skipped = result.stderr.split("\n").filter((line) => line.includes("skipped"));
  // Five native read sides; a flavour that cannot be built here (no cc, no liburcu-dev) is skipped with a note.
  if (skipped.length === 0) assert.equal(rows.length, 5, result.stdout);
  else assert.ok(rows.length < 5, `${result.stdout}\n${result.stderr}`);
  for (const row of rows) {
    const ratio = Number(row.split("|").at(-2)!.trim());
    assert.ok(ratio > 0, row);
  }
});
