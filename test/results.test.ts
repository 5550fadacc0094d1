// What reads result files: compare, the JSON and Markdown exports, merge, and the checks on a CSV.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syntheticRows } from "./synthetic.ts";
import { compareRuns, compareWithin } from "../host/compare.ts";
import { csvText } from "../host/export/csv.ts";
import { jsonText } from "../host/export/json.ts";
import { markdownText } from "../host/export/markdown.ts";
import { readResultFile } from "../host/resultfile.ts";
import { byConfiguration } from "../host/configurations.ts";

const bin = new URL("../bin/daxbench.js", import.meta.url).pathname;
const daxbench = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
const ten = [100, 101, 99, 102, 98, 100, 103, 97, 100, 101];

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-results-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test("compare: identical samples are ~, a sample twice as slow with n = 10 is about +100% with p < 0.05", () => {
  const base = syntheticRows([{ align: "4k", nsPerOp: ten }, { align: "2m", nsPerOp: ten }]);
  const next = syntheticRows([{ align: "4k", nsPerOp: ten }, { align: "2m", nsPerOp: ten.map((v) => 2 * v) }]);
  const table = compareRuns({ name: "base", rows: base }, { name: "new", rows: next }, 0.05);
  const [same, slower] = table.deltas;
  assert.equal(same.significant, false);
  assert.equal(same.percent, 0);
  assert.equal(slower.significant, true);
  assert.ok(slower.p < 0.05, `p = ${slower.p}`);
  assert.ok(Math.abs(slower.percent - 100) < 1, `${slower.percent}%`);
  assert.ok(Math.abs(table.geomeanPercent - (Math.SQRT2 - 1) * 100) < 1, `geomean ${table.geomeanPercent}`);
});

test("compare through the CLI prints ~ and the change, and --by protection compares within one file", () => {
  const dir = scratch({
    "base.csv": csvText(syntheticRows([{ align: "4k", nsPerOp: ten }, { align: "2m", nsPerOp: ten }])),
    "new.csv": csvText(syntheticRows([{ align: "4k", nsPerOp: ten }, { align: "2m", nsPerOp: ten.map((v) => 2 * v) }])),
    "both.csv": csvText(syntheticRows([{ protection: "rcu", nsPerOp: ten }, { protection: "mutex", nsPerOp: ten.map((v) => 3 * v) }])),
  });
  const two = daxbench("compare", join(dir, "base.csv"), join(dir, "new.csv"));
  assert.equal(two.status, 0, two.stderr);
  assert.match(two.stdout, /populate rcu 4k 1w 1g .*~ \(p=1\.000 n=10\+10\)/);
  assert.match(two.stdout, /populate rcu 2m 1w 1g .*\+100\.00% \(p=0\.000 n=10\+10\)/);
  assert.match(two.stdout, /geomean .*\+41\.42%/);
  const within = daxbench("compare", join(dir, "both.csv"), "--by", "protection");
  assert.equal(within.status, 0, within.stderr);
  assert.match(within.stdout, /protection rcu ns\/op .* protection mutex ns\/op/);
  assert.match(within.stdout, /populate 4k 1w 1g .*\+200\.00%/);
  const tables = compareWithin("both.csv", readResultFile(join(dir, "both.csv")).rows, "protection", 0.05);
  assert.equal(tables[0].deltas[0].percent, 200);
});

test("compare: files with no configuration in common exit 2 with a clear message", () => {
  const dir = scratch({
    "a.csv": csvText(syntheticRows([{ align: "4k", nsPerOp: ten }])),
    "b.csv": csvText(syntheticRows([{ align: "2m", nsPerOp: ten }])),
  });
  const result = daxbench("compare", join(dir, "a.csv"), join(dir, "b.csv"));
  assert.equal(result.status, 2);
  assert.match(result.stderr, /have no configuration in common/);
});

test("a CSV with a missing column, a non-numeric figure or a foreign header exits 2 naming file, line and column", () => {
  const good = csvText(syntheticRows([{ nsPerOp: [1, 2, 3] }]));
  const lines = good.trim().split("\n");
  const header = lines[0].split(",");
  const dropAt = header.indexOf("faults");
  const dropped = lines.map((line) => line.split(",").filter((_, i) => i !== dropAt).join(",")).join("\n");
  const dir = scratch({
    "missing.csv": dropped,
    "text.csv": [lines[0], lines[1], lines[2].replace(/^(([^,]*,){9})[^,]*/, "$1fast"), lines[3]].join("\n"),
    "foreign.csv": "name,value\nx,1\n",
  });
  const missing = daxbench("compare", join(dir, "missing.csv"), "--by", "align");
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /missing\.csv: line 1: missing column faults/);
  const text = daxbench("report", join(dir, "text.csv"));
  assert.equal(text.status, 2);
  assert.match(text.stderr, /text\.csv: line 3, column ns_per_op: "fast" is not a number/);
  const foreign = daxbench("merge", join(dir, "foreign.csv"), join(dir, "missing.csv"), "--out", join(dir, "all.csv"));
  assert.equal(foreign.status, 2);
  assert.match(foreign.stderr, /foreign\.csv: line 1, column 1: "name" is not a daxbench result header/);
  assert.equal(existsSync(join(dir, "all.csv")), false);
});

test("the JSON export carries every repetition's figures and the machine metadata", () => {
  const rows = syntheticRows([{ align: "4k", nsPerOp: [10, 11, 12] }, { align: "2m", nsPerOp: [1, 2] }]);
  const json = JSON.parse(jsonText(rows));
  assert.deepEqual(json.machines, [{ node: "v20.0.0", cpu: "test cpu", commit: "abc", started_at: "2026-01-01T00:00:00.000Z", daxbench_version: "0.1.0" }]);
  assert.equal(json.configurations.length, 2);
  assert.deepEqual(json.configurations.flatMap((c: { repetitions: unknown[] }) => c.repetitions), rows);
  assert.equal(json.configurations[0].summary.ns_per_op.mean, 11);
});

test("the Markdown export round-trips the summaries, with a Relative column against the fastest", () => {
  const rows = syntheticRows([{ align: "4k", nsPerOp: [10, 11, 12] }, { align: "2m", nsPerOp: [1, 1, 1] }]);
  const table = markdownText(rows).split("\n").filter((line) => line.startsWith("| rcu"));
  const cells = table.map((line) => line.split("|").map((cell) => cell.trim()));
  assert.deepEqual(cells.map((c) => c[1]), ["rcu 4k 1w 1g", "rcu 2m 1w 1g"]);
  assert.deepEqual(cells.map((c) => c[3]), ["11 ± 1", "1 ± 0"]);
  assert.deepEqual(cells.map((c) => c[8]), ["11.00 ± 1.00", "1.00"]);
  const [fourK] = byConfiguration(rows);
  assert.equal(Number(cells[0][2]), fourK.nsPerOp.n);
});

test("a CSV read back is written out again byte for byte", () => {
  const text = csvText(syntheticRows([{ nsPerOp: [10.5, 11.25, 12] }]));
  const dir = scratch({ "run.csv": text });
  assert.equal(csvText(readResultFile(join(dir, "run.csv")).rows), text);
});

test("merge joins shards and refuses files whose columns or versions differ", () => {
  const a = csvText(syntheticRows([{ align: "4k", nsPerOp: [1, 2] }]));
  const b = csvText(syntheticRows([{ align: "2m", nsPerOp: [3, 4] }]));
  const other = csvText(syntheticRows([{ align: "1g", nsPerOp: [5] }], "0.2.0"));
  const [header, ...body] = b.trim().split("\n");
  const swap = (line: string) => { const cells = line.split(","); [cells[1], cells[2]] = [cells[2], cells[1]]; return cells.join(","); };
  const dir = scratch({ "a.csv": a, "b.csv": b, "other.csv": other, "reordered.csv": [swap(header), ...body.map(swap)].join("\n") + "\n" });
  const merged = daxbench("merge", join(dir, "a.csv"), join(dir, "b.csv"), "--out", join(dir, "all.csv"));
  assert.equal(merged.status, 0, merged.stderr);
  assert.equal(readResultFile(join(dir, "all.csv")).rows.length, 4);
  const versions = daxbench("merge", join(dir, "a.csv"), join(dir, "other.csv"), "--out", join(dir, "bad.csv"));
  assert.equal(versions.status, 2);
  assert.match(versions.stderr, /different daxbench versions: 0\.1\.0 .*, 0\.2\.0/);
  const columns = daxbench("merge", join(dir, "a.csv"), join(dir, "reordered.csv"), "--out", join(dir, "bad.csv"));
  assert.equal(columns.status, 2);
  assert.match(columns.stderr, /reordered\.csv: its columns differ/);
  assert.deepEqual(readdirSync(dir).sort(), ["a.csv", "all.csv", "b.csv", "other.csv", "reordered.csv"]);
});
