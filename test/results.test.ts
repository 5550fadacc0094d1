// What reads result files: compare, the JSON and Markdown exports, merge, and the checks on a CSV.
import { test } from "node:test";
import assert from "node:assert/strict";
import { daxbench } from "./daxbench.ts";
import { mkdtempSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syntheticRows } from "./synthetic.ts";
import { compareRuns, compareWithin } from "../host/results/compare.ts";
import { csvText } from "../host/export/csv.ts";
import { jsonText } from "../host/export/json.ts";
import { markdownText } from "../host/export/markdown.ts";
import { readResultFile } from "../host/results/file.ts";
import { byConfiguration } from "../host/results/configurations.ts";
import { comparisons, summaryWarnings } from "../host/print/summary.ts";
import { expandMatrix, timing } from "../host/run/matrix.ts";
import { churn } from "../host/registry/scenarios.ts";

const ten = [100, 101, 99, 102, 98, 100, 103, 97, 100, 101];

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-results-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test("compare: identical samples are ~, a sample twice as slow with n = 10 is about +100% with p < 0.05", async () => {
  const base = syntheticRows([
    { align: "4k", nsPerOp: ten },
    { align: "2m", nsPerOp: ten },
  ]);
  const next = syntheticRows([
    { align: "4k", nsPerOp: ten },
    { align: "2m", nsPerOp: ten.map((v) => 2 * v) },
  ]);
  const table = compareRuns({ name: "base", rows: base }, { name: "new", rows: next }, 0.05);
  const [same, slower] = table.deltas;
  assert.equal(same.significant, false);
  assert.equal(same.change, 0);
  assert.equal(slower.significant, true);
  assert.ok(slower.p < 0.05, `p = ${slower.p}`);
  assert.ok(Math.abs(slower.change! - 100) < 1, `${slower.change}%`);
  assert.ok(Math.abs(table.geomeanPercent - (Math.SQRT2 - 1) * 100) < 1, `geomean ${table.geomeanPercent}`);
});

test("compare through the CLI prints ~ and the change, and --by protection compares within one file", async () => {
  const dir = scratch({
    "base.csv": csvText(
      syntheticRows([
        { align: "4k", nsPerOp: ten },
        { align: "2m", nsPerOp: ten },
      ]),
    ),
    "new.csv": csvText(
      syntheticRows([
        { align: "4k", nsPerOp: ten },
        { align: "2m", nsPerOp: ten.map((v) => 2 * v) },
      ]),
    ),
    "both.csv": csvText(
      syntheticRows([
        { protection: "rcu", nsPerOp: ten },
        { protection: "mutex", nsPerOp: ten.map((v) => 3 * v) },
      ]),
    ),
  });
  const two = await daxbench("compare", join(dir, "base.csv"), join(dir, "new.csv"));
  assert.equal(two.status, 0, two.stderr);
  assert.match(two.stdout, /populate rcu 4k 1w 1g .*~ \(p=1\.000 n=10\+10\)/);
  assert.match(two.stdout, /populate rcu 2m 1w 1g .*\+100\.00% \(p<0\.001 n=10\+10\)/);
  assert.match(two.stdout, /geomean .*\+41\.42%/);
  const within = await daxbench("compare", join(dir, "both.csv"), "--by", "protection");
  assert.equal(within.status, 0, within.stderr);
  assert.match(within.stdout, /│ protection rcu │ protection mutex │/);
  assert.match(within.stdout, /populate 4k 1w 1g .*\+200\.00%/);
  const tables = compareWithin("both.csv", readResultFile(join(dir, "both.csv")).rows, "protection", 0.05);
  assert.equal(tables[0].deltas[0].change, 200);
});

test("compare --by over runs judges pairs with the run as the unit: a small change all runs show", async () => {
  // Within a run, 1% is lost in the repetitions' ±3% (each run says ~); six runs that all show it are a verdict.
  const run = (factor: number) =>
    csvText(
      syntheticRows([
        { protection: "rcu", align: "4k", nsPerOp: ten },
        { protection: "mutex", align: "4k", nsPerOp: ten.map((v) => v * factor) },
        { protection: "rcu", align: "2m", nsPerOp: ten },
        { protection: "mutex", align: "2m", nsPerOp: ten.map((v) => v * 3) },
      ]),
    );
  const steady = [1, 2, 3, 4, 5, 6].map((i) => [`steady-${i}.csv`, run(1.01)]);
  const split = [1, 2, 3, 4, 5, 6].map((i) => [`split-${i}.csv`, run(i % 2 ? 1.01 : 1 / 1.01)]);
  const dir = scratch(Object.fromEntries([...steady, ...split]));
  const files = (names: string[][]) => names.map(([name]) => join(dir, name));
  const six = await daxbench("compare", "--by", "protection", ...files(steady));
  assert.equal(six.status, 0, six.stderr);
  assert.match(six.stdout, /│ protection mutex vs protection rcu, runs │ runs: lower · higher · ~ │ across runs/);
  assert.match(
    six.stdout,
    /populate 4k 1w 1g \(ns\/touch\) +│ +1\.01 \(1\.01…1\.01\) │ +0 · 0 · 6 │ \+1\.00% \(p=0\.031, 6 runs\)/,
  );
  assert.match(
    six.stdout,
    /populate 2m 1w 1g \(ns\/touch\) +│ +3\.00 \(3\.00…3\.00\) │ +0 · 6 · 0 │ \+200\.00% \(p=0\.031, 6 runs\)/,
  );
  const five = await daxbench("compare", "--by", "protection", ...files(steady.slice(0, 5)));
  assert.match(five.stdout, /populate 4k 1w 1g .*│ ~ \(p=0\.063, 5 runs\)/);
  assert.match(
    five.stdout,
    /note: 5 runs: no p below 0\.05 is possible \(smallest 0\.063\); 6\+ runs that differ are needed/,
  );
  const contradicting = await daxbench("compare", "--by", "protection", ...files(split));
  assert.match(
    contradicting.stdout,
    /populate 4k 1w 1g .*│ +1\.00 \(0\.99…1\.01\) │ +0 · 0 · 6 │ ~ \(p=1\.000, 6 runs\)/,
  );
  // A run whose rcu median is zero has no ratio: that pair gets no verdict, and says why.
  writeFileSync(
    join(dir, "zero.csv"),
    csvText(
      syntheticRows([
        { protection: "rcu", align: "4k", nsPerOp: ten.map(() => 0) },
        { protection: "mutex", align: "4k", nsPerOp: ten },
      ]),
    ),
  );
  const zero = await daxbench("compare", "--by", "protection", ...files(steady), join(dir, "zero.csv"));
  assert.match(zero.stdout, /populate 4k 1w 1g \(ns\/touch\) +│ +– │ +0 · 1 · 6 │ ~ \(p=1\.000, 7 runs\)/);
  assert.match(zero.stdout, /note: populate 4k 1w 1g: a run's median is not positive, so the runs have no ratio/);
  // Each run's base is the first value in its own file: runs without rcu have no pair against rcu to lend.
  const values = (protections: string[]) =>
    csvText(syntheticRows(protections.map((protection, i) => ({ protection, nsPerOp: ten.map((v) => v * (i + 1)) }))));
  writeFileSync(join(dir, "three.csv"), values(["rcu", "mutex", "qsbr"]));
  writeFileSync(join(dir, "no-rcu.csv"), values(["mutex", "qsbr"]));
  const mixed = await daxbench("compare", "--by", "protection", join(dir, "three.csv"), join(dir, "no-rcu.csv"));
  assert.equal(mixed.status, 2, mixed.stdout);
  assert.match(mixed.stderr, /no pair along protection is in every run: nothing to compare across them\n$/);
  writeFileSync(join(dir, "rcu-only.csv"), csvText(syntheticRows([{ protection: "rcu", nsPerOp: ten }])));
  const none = await daxbench("compare", "--by", "protection", join(dir, "steady-1.csv"), join(dir, "rcu-only.csv"));
  assert.equal(none.status, 2);
  assert.match(
    none.stderr,
    /^daxbench: .*rcu-only\.csv: every row has protection rcu; --by protection needs two or more\n$/,
  );
});

test("compare: files with no configuration in common exit 2 with a clear message", async () => {
  const dir = scratch({
    "a.csv": csvText(syntheticRows([{ align: "4k", nsPerOp: ten }])),
    "b.csv": csvText(syntheticRows([{ align: "2m", nsPerOp: ten }])),
  });
  const result = await daxbench("compare", join(dir, "a.csv"), join(dir, "b.csv"));
  assert.equal(result.status, 2);
  assert.match(result.stderr, /have no configuration in common/);
});

test(
  "a CSV with a missing column, a non-numeric figure or a foreign header " + "exits 2 naming file, line and column",
  async () => {
    const good = csvText(syntheticRows([{ nsPerOp: [1, 2, 3] }]));
    const lines = good.trim().split("\n");
    const header = lines[0].split(",");
    const dropAt = header.indexOf("faults");
    const dropped = lines
      .map((line) =>
        line
          .split(",")
          .filter((_, i) => i !== dropAt)
          .join(","),
      )
      .join("\n");
    const dir = scratch({
      "missing.csv": dropped,
      "text.csv": [lines[0], lines[1], lines[2].replace(/^(([^,]*,){9})[^,]*/, "$1fast"), lines[3]].join("\n"),
      "foreign.csv": "name,value\nx,1\n",
    });
    const missing = await daxbench("compare", join(dir, "missing.csv"), "--by", "align");
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /missing\.csv: line 1: missing column faults/);
    const text = await daxbench("report", join(dir, "text.csv"));
    assert.equal(text.status, 2);
    assert.match(text.stderr, /text\.csv: line 3, column ns_per_op: "fast" is not a number/);
    const foreign = await daxbench(
      "merge",
      join(dir, "foreign.csv"),
      join(dir, "missing.csv"),
      "--out",
      join(dir, "all.csv"),
    );
    assert.equal(foreign.status, 2);
    assert.match(foreign.stderr, /foreign\.csv: line 1, column 1: "name" is not a daxbench result header/);
    assert.equal(existsSync(join(dir, "all.csv")), false);
  },
);

test(
  "the JSON export carries every repetition's figures, " + "the machine metadata and the headline's summary",
  async () => {
    const rows = syntheticRows([
      { align: "4k", nsPerOp: [10, 11, 12] },
      { align: "2m", nsPerOp: [1, 2] },
    ]);
    const json = JSON.parse([...jsonText(rows)].join(""));
    assert.deepEqual(json.machines, [
      {
        node: "v20.0.0",
        cpu: "test cpu",
        cpu_count: 8,
        load_avg_1m: 0.5,
        cpu_governor: "",
        thp_enabled: "",
        thp_defrag: "",
        commit: "abc",
        started_at: "2026-01-01T00:00:00.000Z",
        daxbench_version: "0.1.0",
      },
    ]);
    assert.equal(json.configurations.length, 2);
    assert.deepEqual(
      json.configurations.flatMap((c: { repetitions: unknown[] }) => c.repetitions),
      rows,
    );
    const [fourK] = json.configurations;
    assert.equal(fourK.headline.column, "ns_per_op");
    assert.equal(fourK.headline.summary.mean, 11);
    assert.ok(fourK.headline.summary.ci95[0] > 0 && fourK.headline.summary.ci95[1] > 12);
  },
);

test("the Markdown export: the headline summarised, and Relative only claims what the data support", async () => {
  const rows = syntheticRows([
    { align: "4k", nsPerOp: [10, 11, 12, 10.5, 11.5] },
    { align: "2m", nsPerOp: [1, 1.1, 0.9, 1.05, 0.95] },
    { align: "1g", nsPerOp: [0.9, 1.2, 1] },
  ]);
  const table = markdownText(rows)
    .split("\n")
    .filter((line) => line.startsWith("| rcu"));
  const header = markdownText(rows)
    .split("\n")
    .find((line) => line.startsWith("| configuration"))!
    .split("|")
    .map((cell) => cell.trim());
  const cells = table.map((line) => line.split("|").map((cell) => cell.trim()));
  const column = (name: string) => cells.map((c) => c[header.indexOf(name)]);
  assert.deepEqual(column("configuration"), ["rcu 4k 1w 1g", "rcu 2m 1w 1g", "rcu 1g 1w 1g"]);
  assert.deepEqual(column("n"), ["5", "5", "3"]);
  assert.deepEqual(column("ns/touch median"), ["11", "1", "1"]);
  const [fourK, twoM, oneG] = column("relative");
  assert.equal(twoM, "1.00", "the best of the table");
  assert.match(fourK, /^11\.00 \(\d+\.\d+…\d+\.\d+\)$/, "significant: the ratio with its interval");
  assert.match(oneG, /^~ 1\.00$/, "3 repetitions cannot be significant: ~");
  assert.ok(column("geomean (95% CI)").every((cell) => /^[\d.]+ \([\d.]+…[\d.]+\)$/.test(cell)));
});

test("a CSV read back is written out again byte for byte", async () => {
  const text = csvText(syntheticRows([{ nsPerOp: [10.5, 11.25, 12] }]));
  const dir = scratch({ "run.csv": text });
  assert.equal(csvText(readResultFile(join(dir, "run.csv")).rows), text);
});

test("merge joins shards and refuses files whose columns or versions differ", async () => {
  const a = csvText(syntheticRows([{ align: "4k", nsPerOp: [1, 2] }]));
  const b = csvText(syntheticRows([{ align: "2m", nsPerOp: [3, 4] }]));
  const other = csvText(syntheticRows([{ align: "1g", nsPerOp: [5] }], "0.2.0"));
  const [header, ...body] = b.trim().split("\n");
  const swap = (line: string) => {
    const cells = line.split(",");
    [cells[1], cells[2]] = [cells[2], cells[1]];
    return cells.join(",");
  };
  const dir = scratch({
    "a.csv": a,
    "b.csv": b,
    "other.csv": other,
    "reordered.csv": [swap(header), ...body.map(swap)].join("\n") + "\n",
  });
  const merged = await daxbench("merge", join(dir, "a.csv"), join(dir, "b.csv"), "--out", join(dir, "all.csv"));
  assert.equal(merged.status, 0, merged.stderr);
  assert.equal(readResultFile(join(dir, "all.csv")).rows.length, 4);
  const versions = await daxbench("merge", join(dir, "a.csv"), join(dir, "other.csv"), "--out", join(dir, "bad.csv"));
  assert.equal(versions.status, 2);
  assert.match(versions.stderr, /different daxbench versions: 0\.1\.0 .*, 0\.2\.0/);
  const columns = await daxbench(
    "merge",
    join(dir, "a.csv"),
    join(dir, "reordered.csv"),
    "--out",
    join(dir, "bad.csv"),
  );
  assert.equal(columns.status, 2);
  assert.match(columns.stderr, /reordered\.csv: its columns differ/);
  assert.deepEqual(readdirSync(dir).sort(), ["a.csv", "all.csv", "b.csv", "other.csv", "reordered.csv"]);
});

test("merge refuses the same repetitions twice, and other commits or machines unless --allow-mixed", async () => {
  const a = syntheticRows([{ align: "4k", nsPerOp: [1, 2, 3] }]);
  const laterCommit = syntheticRows([
    { align: "2m", nsPerOp: [1, 2, 3], cells: { commit: "def", started_at: "2026-01-02T00:00:00.000Z" } },
  ]);
  const otherMachine = syntheticRows([{ align: "2m", nsPerOp: [1, 2, 3], cells: { cpu: "other cpu" } }]);
  const dir = scratch({ "a.csv": csvText(a), "later.csv": csvText(laterCommit), "other.csv": csvText(otherMachine) });
  const twice = await daxbench("merge", join(dir, "a.csv"), join(dir, "a.csv"), "--out", join(dir, "x.csv"));
  assert.equal(twice.status, 2);
  assert.match(
    twice.stderr,
    /a\.csv: repetition 1 of a configuration of the run started 2026-01-01T00:00:00\.000Z is also in .*a\.csv/,
  );
  assert.equal(twice.stderr.trim().split("\n").length, 1);
  const commits = await daxbench("merge", join(dir, "a.csv"), join(dir, "later.csv"), "--out", join(dir, "x.csv"));
  assert.equal(commits.status, 2);
  assert.match(commits.stderr, /different commits: abc \(.*a\.csv\); def \(.*later\.csv\); give --allow-mixed/);
  const machines = await daxbench("merge", join(dir, "a.csv"), join(dir, "other.csv"), "--out", join(dir, "x.csv"));
  assert.equal(machines.status, 2);
  assert.match(machines.stderr, /different machines: test cpu x8, Node v20\.0\.0 \(.*\); other cpu x8/);
  assert.deepEqual(readdirSync(dir).sort(), ["a.csv", "later.csv", "other.csv"], "nothing written");
  const mixed = await daxbench(
    "merge",
    join(dir, "a.csv"),
    join(dir, "later.csv"),
    join(dir, "other.csv"),
    "--out",
    join(dir, "x.csv"),
    "--allow-mixed",
  );
  assert.equal(mixed.status, 0, mixed.stderr);
  assert.equal(readResultFile(join(dir, "x.csv")).rows.length, 9);
});

test("compare says when samples are too small for any p below --alpha, and how many repetitions would do", async () => {
  const dir = scratch({
    "base.csv": csvText(syntheticRows([{ nsPerOp: [10, 11, 12] }])),
    "new.csv": csvText(syntheticRows([{ nsPerOp: [20, 21, 22] }])),
  });
  const result = await daxbench("compare", join(dir, "base.csv"), join(dir, "new.csv"));
  assert.equal(result.status, 0, result.stderr);
  assert.match(
    result.stdout,
    /populate rcu 4k 1w 1g \(ns\/touch\) .* ~ \(p=0\.100 n=3\+3\)/,
    "twice as slow, yet no verdict is possible",
  );
  assert.match(
    result.stdout,
    /note: n=3\+3: no p below 0\.05 is possible \(smallest 0\.100\); 4\+ repetitions each are needed/,
  );
});

test(
  "pairs: a claim only with significance and its interval, " + "~ inside the noise, never along an unused dimension",
  async () => {
    const rows = syntheticRows([
      { protection: "rcu", nsPerOp: [10, 10.2, 9.9, 10.1, 10.05] },
      { protection: "mutex", nsPerOp: [20, 20.4, 19.8, 20.2, 20.1] },
      { protection: "rwlock", nsPerOp: [10.1, 9.8, 10.3, 9.95, 10.15] },
      {
        scenario: "readside",
        protection: "rcu",
        align: "",
        nsPerOp: [5, 5.1, 4.9, 5.05, 4.95],
        cells: { mapping_bytes: "", read_delay_ns: "" },
      },
      {
        scenario: "readside",
        protection: "mutex",
        align: "",
        nsPerOp: [5.02, 5.12, 4.92, 5.07, 4.97],
        cells: { mapping_bytes: "", read_delay_ns: "" },
      },
    ]);
    const lines = comparisons(byConfiguration(rows), 0.05);
    assert.ok(
      lines.includes(
        "populate 4k 1w 1g: rcu is 2.00× faster than mutex per completed touch (95% CI 1.96…2.04, p=0.008, n=5+5)",
      ),
      lines.join("\n"),
    );
    assert.ok(
      lines.some((line) => /^populate 4k 1w 1g: rcu ~ rwlock \(p=0\.\d+, n=5\+5\)$/.test(line)),
      lines.join("\n"),
    );
    assert.ok(
      lines.some((line) => /^readside 1w: rcu ~ mutex \(p=/.test(line)),
      "readside pairs along protection only",
    );
    assert.equal(lines.length, 3 + 1, "three populate pairs, one readside pair; no pair along align or policy");
  },
);

test(
  "warnings: oversubscribed CPUs, a loaded machine, " + "and an updater slower than asked come from the rows",
  async () => {
    const churn = { scenario: "churn", workers: 2, nsPerOp: [10, 11, 12, 10.5, 11.5] };
    const rows = syntheticRows([
      {
        ...churn,
        cells: {
          cpu_count: 2,
          load_avg_1m: 1.5,
          kill_period_ns: 200_000,
          kill_period_achieved_ns: 800_000,
          kills: 10,
          violations: 0,
        },
      },
      {
        ...churn,
        cells: {
          cpu_count: 4,
          load_avg_1m: 0.5,
          kill_period_ns: 1_000_000,
          kill_period_achieved_ns: 1_200_000,
          kills: 10,
          violations: 0,
          started_at: "2026-01-02T00:00:00.000Z",
        },
      },
    ]);
    const warnings = summaryWarnings(byConfiguration(rows));
    assert.deepEqual(warnings, [
      "warning: run started 2026-01-01T00:00:00.000Z: load average 1.5 on 2 CPUs (above half of them): " +
        "other work, or a run that had just ended (the average covers the last minute), was using the CPUs",
      "warning: churn rcu 4k 2w 1g kill 200us: 2 readers + 1 updater on 2 CPUs: " +
        "threads take turns, so the figures include time spent waiting for a CPU",
      "warning: churn rcu 4k 2w 1g kill 200us: the updater killed every 800us (median), not every 200us as asked: " +
        "a kill (grace period, zap, revive) takes longer than the period",
    ]);
  },
);

test("tlb is judged by the difference in walk levels, not by a ratio to a figure that may be zero", async () => {
  const tlb = (align: string, levels: number[]) => ({
    scenario: "tlb",
    protection: "",
    align,
    nsPerOp: levels.map(() => 20),
    cells: { tlb_walk_levels_per_1k: "" as number | "" },
  });
  const rows = [
    ...syntheticRows([tlb("4k", [])]),
    ...[
      [2500, 2501, 2499, 2502, 2498],
      [0.001, 0, 0.002, 0.001, 0],
    ].flatMap((levels, k) =>
      syntheticRows([{ ...tlb(k ? "2m" : "4k", levels), nsPerOp: levels.map(() => 20) }]).map((row, i) => ({
        ...row,
        tlb_walk_levels_per_1k: levels[i],
      })),
    ),
  ];
  const [line] = comparisons(byConfiguration(rows), 0.05);
  assert.match(
    line,
    new RegExp(
      "^tlb 1w 1g: 2m walks 2,500 fewer page-table levels per 1,000 touches than 4k " +
        "\\(95% CI 2,500…2,500, p=0\\.0\\d\\d, n=5\\+5\\)$",
    ),
  );
  const table = markdownText(rows);
  assert.match(table, /\| vs best \|/);
  assert.match(table, /^\| 4k 1w 1g \| 5 \| 2,500 \|.*\| \+2,500 \(\+2,500…\+2,500\) \|/m);
  assert.match(table, /^\| 2m 1w 1g \| 5 \| 0\.001 \|.*\| best \|/m);
});

test("a result row of a scenario this version does not know is refused, naming the file, line and value", async () => {
  const text = csvText(syntheticRows([{ nsPerOp: [1, 2, 3] }])).replace(/\npopulate,/, "\nwarp,");
  const dir = scratch({ "future.csv": text });
  assert.throws(
    () => readResultFile(join(dir, "future.csv")),
    /future\.csv: line 2, column scenario: "warp" is not one of: populate, random/,
  );
});

test("several devices: their SRCU domains are compared as any dimension is, named shared and per-device", () => {
  const churn = (srcuDomain: string, nsPerOp: number[]) => ({
    scenario: "churn",
    nsPerOp,
    cells: { devices: 4, srcu_domain: srcuDomain, kill_period_ns: 1e6, duration_ns: 1e9, min_time_ns: "" as const },
  });
  const rows = syntheticRows([churn("shared", [20, 21, 22, 21, 20]), churn("per-device", [10, 11, 10, 12, 11])]);
  const [line] = comparisons(byConfiguration(rows), 0.05);
  assert.match(
    line,
    /^churn rcu 4k 1w 1g kill 1ms 4 devices: per-device is 1\.\d\d× faster than shared per completed touch \(95% CI /,
  );
});

test("one device has one SRCU domain: a matrix of both domains runs it once, as shared", () => {
  const configs = expandMatrix(
    {
      scenario: [churn],
      protection: ["rcu"],
      align: ["4k"],
      workers: [1],
      size: [64n << 20n],
      devices: [1, 4],
      srcuDomain: ["shared", "per-device"],
    },
    timing({ durationNs: 1e9 }),
  );
  assert.deepEqual(
    configs.map((c) => [c.devices, c.srcuDomain]),
    [
      [1, "shared"],
      [4, "shared"],
      [4, "per-device"],
    ],
  );
});
