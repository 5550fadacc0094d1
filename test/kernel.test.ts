// daxbench kernel (the real kernel's fault costs and grace period) and --fault-cost and --gp-cost (carrying them
// in the model). Counts, codes and files; the figures compared are a time per operation that counts predict,
// and grace periods that cannot be shorter than the cost they were charged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { daxbenchWith } from "./daxbench.ts";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import {
  parseProbeOutput,
  parseGracePeriodOutput,
  readKernelFile,
  GRACE_PERIOD_CASE,
  KERNEL_COLUMNS,
  KERNEL_TABLE,
  NR_HUGEPAGES,
  HUGE_PAGE_POOL_LOCK,
  type KernelRow,
} from "../host/run/kernel.ts";
import { readResultFile } from "../host/results/file.ts";
import { writeTable } from "../host/csv-table.ts";

const daxbench = (args: string[], env: Record<string, string | undefined> = {}) => daxbenchWith(env, ...args);
const scratch = () => mkdtempSync(join(tmpdir(), "daxbench-kernel-"));
type Row = Record<string, string>;
const root = process.getuid?.() === 0;

test("the probe's output is read line by line, and anything else is refused", async () => {
  assert.deepEqual(parseProbeOutput("1000 4 4\n2000 4 3\n"), [
    { elapsedNs: 1000, touches: 4, minorFaults: 4 },
    { elapsedNs: 2000, touches: 4, minorFaults: 3 },
  ]);
  assert.throws(() => parseProbeOutput("1000 4\n"), /printed "1000 4", not "elapsed_ns touches minor_faults"/);
  assert.throws(() => parseProbeOutput("abc 4 4\n"), /printed "abc 4 4"/);
  assert.throws(() => parseProbeOutput("10 0 0\n"), /printed "10 0 0"/, "a pass of no touch");
  assert.deepEqual(parseGracePeriodOutput("16000000\n9800000\n"), [16e6, 9.8e6]);
  assert.throws(() => parseGracePeriodOutput("16000000 1\n"), /printed "16000000 1", not "elapsed_ns"/);
  assert.throws(() => parseGracePeriodOutput("0\n"), /printed "0"/, "a grace period of no time");
});

test(
  "kernel: a 4 KiB write fault per touch, no fault on a hit, " +
    "and huge pages either measured or skipped with how to get them",
  async (t) => {
    const result = await daxbench(["kernel", "--size", "4m", "--repeat", "2", "--out", "-", "--format", "csv"]);
    if (/no C compiler/.test(result.stderr)) return t.skip("no C compiler here");
    assert.equal(result.status, 0, result.stderr);
    const rows = parse(result.stdout, { columns: true }) as Row[];
    assert.deepEqual(Object.keys(rows[0]), [...KERNEL_COLUMNS]);
    const cases = (name: string) => rows.filter((r) => r.case === name);
    assert.equal(cases("4k populate").length, 2);
    for (const row of cases("4k populate")) {
      assert.equal(Number(row.touches), 1024);
      assert.equal(Number(row.minor_faults), 1024, "one minor fault per 4 KiB written: no fault-around, no THP");
      assert.ok(Number(row.ns_per_fault) > 0);
    }
    for (const row of cases("4k hit")) {
      assert.equal(Number(row.minor_faults), 0);
      assert.equal(row.ns_per_fault, "");
    }
    if (cases("2m fault").length) {
      for (const row of [...cases("2m fault"), ...cases("2m populate")])
        assert.equal(Number(row.minor_faults), 2, "one fault per 2 MiB page");
    } else {
      assert.match(
        result.stderr,
        /2m fault: skipped, \d+ free 2m huge pages, 2 needed: as root, run with --reserve-hugepages 2/,
      );
    }
    assert.match(rows[0].kernel, /^\d+\.\d+/);
    assert.match(rows[0].rcu_expedited, /^[01]?$/, "/sys/kernel/rcu_expedited, or empty where not readable");
    const gracePeriods = cases(GRACE_PERIOD_CASE);
    if (gracePeriods.length) {
      assert.equal(gracePeriods.length, 2, "one row per timed call");
      for (const row of gracePeriods) {
        assert.ok(Number(row.elapsed_ns) > 0);
        assert.deepEqual([row.mode, row.page, row.touches, row.ns_per_fault], ["grace-period", "", "", ""]);
      }
    } else {
      assert.match(result.stderr, new RegExp(`${GRACE_PERIOD_CASE}: skipped, .*membarrier`));
    }
  },
);

test("kernel: without a C compiler every case is skipped in one line, and nothing is written", async () => {
  const dir = scratch();
  const result = await daxbench(["kernel", "--size", "4m", "--out", join(dir, "k.csv")], {
    ...process.env,
    PATH: join(dir, "empty"),
  });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr.trim(), "daxbench kernel: every case skipped: no C compiler (cc)");
  assert.deepEqual(readdirSync(dir), []);
});

test("kernel --reserve-hugepages: root only; the pool is put back after the run", async (t) => {
  const result = await daxbench(["kernel", "--size", "4m", "--repeat", "1", "--reserve-hugepages", "2", "--out", "-"]);
  if (!root) {
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--reserve-hugepages 2 needs root/);
    return;
  }
  if (/no C compiler/.test(result.stderr)) return t.skip("no C compiler here");
  const before = readFileSync(NR_HUGEPAGES, "utf8");
  const again = await daxbench(["kernel", "--size", "4m", "--repeat", "1", "--reserve-hugepages", "2", "--out", "-"]);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(readFileSync(NR_HUGEPAGES, "utf8"), before, "nr_hugepages as it was");
  const rows = parse(again.stdout, { columns: true }) as Row[];
  assert.deepEqual(
    rows.filter((r) => r.case === "2m fault").map((r) => Number(r.minor_faults)),
    [2],
  );
});

test("--reserve-hugepages waits while another run holds the huge page pool, then takes it and frees it", async (t) => {
  if (!root) return t.skip("the pool is root's to change");
  // Another run's reservation, as its lock: a process that holds it for a second, then ends.
  const holder = spawn(process.execPath, [
    "-e",
    `require("fs").writeFileSync(${JSON.stringify(HUGE_PAGE_POOL_LOCK)}, String(process.pid)); ` +
      `console.log("held"); setTimeout(() => {}, 1000);`,
  ]);
  await once(holder.stdout, "data");
  const result = await daxbench(["kernel", "--size", "4m", "--repeat", "1", "--reserve-hugepages", "2", "--out", "-"]);
  if (/no C compiler/.test(result.stderr)) return t.skip("no C compiler here");
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, new RegExp(`waiting for daxbench pid ${holder.pid}, which holds the huge page pool\n`));
  assert.match(result.stderr, /put back to \d+ when the run ends|already free: none reserved/);
  assert.equal(existsSync(HUGE_PAGE_POOL_LOCK), false, "the pool's lock released with the pool");
});

test("kernel: bad flags exit 2 with one line, before any work", async () => {
  for (const [args, message] of [
    [["--size", "3m"], /--size 3m is not a positive multiple of 2m/],
    [["--repeat", "0"], /--repeat 0 is not a whole number from 1 to 1,000/],
    [["--reserve-hugepages", "lots"], /--reserve-hugepages lots is not a whole number >= 1/],
    [["--format", "xml"], /--format xml is not one of: csv, json, md/],
  ] as [string[], RegExp][]) {
    const result = await daxbench(["kernel", ...args]);
    assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split("\n").length, 1);
  }
});

test("--fault-cost 1us makes each fault about 1 us dearer, outside the read side; hits pay nothing", async () => {
  const result = await daxbench([
    "run",
    "--scenario",
    "populate",
    "--align",
    "4k,2m",
    "--protection",
    "rcu",
    "--size",
    "8m",
    "--fault-cost",
    "0,1us",
    "--repeat",
    "1",
    "--warmup",
    "1",
    "--out",
    "-",
    "--quiet",
  ]); // the warm-up maps the tables
  assert.equal(result.status, 0, result.stderr);
  const rows = parse(result.stdout, { columns: true }) as Row[];
  const row = (align: string, cost: string) => rows.find((r) => r.align === align && r.fault_cost_ns === cost)!;
  assert.deepEqual(
    rows.map((r) => [r.align, r.fault_cost_ns, r.fault_cost_source]),
    [
      ["4k", "0", ""],
      ["4k", "1000", "1us"],
      ["2m", "0", ""],
      ["2m", "1000", "1us"],
    ],
  );
  // The time per operation on the reader's CPU: ns_per_op less the reader's waits for a CPU (reader_parallelism is
  // its time on a CPU over the elapsed time), so that what a busy machine takes away from one side and not the
  // other is not read as a cost. The spin is calibrated the same way (dax.ts).
  const onCpu = (r: Row) => Number(r.ns_per_op) * (r.reader_parallelism === "" ? 1 : Number(r.reader_parallelism));
  // Every touch of a 4 KiB populate faults: the counts predict 1 us more per operation.
  const [plain, costly] = [row("4k", "0"), row("4k", "1000")];
  const predicted = (1000 * Number(costly.faults)) / Number(costly.ops);
  const added = onCpu(costly) - onCpu(plain);
  assert.ok(added > 0.5 * predicted && added < 2 * predicted, `${added} ns added per op, ${predicted} predicted`);
  // A 2 MiB populate faults once per 512 touches: the rest are hits and pay nothing, so far less is added.
  const added2m = onCpu(row("2m", "1000")) - onCpu(row("2m", "0"));
  assert.ok(added2m < 0.1 * added, `2m: ${added2m} ns added per op against 4k's ${added}`);
});

/** A kernel results file with a 4 KiB fault of `ns`, no 2 MiB measurement, and grace periods of `gracePeriodsNs`
 *  (none: a file of an older daxbench, or a kernel that refused membarrier). */
function kernelFile(dir: string, ns: number, gracePeriodsNs: number[] = []): string {
  const rows = [1, 2, 3].map(
    (rep) =>
      Object.assign(Object.fromEntries(KERNEL_COLUMNS.map((c) => [c, ""])), {
        case: "4k populate",
        page: "4k",
        mode: "fault",
        mapping_bytes: 4 << 20,
        stride_bytes: 4096,
        rep,
        elapsed_ns: ns * 1024,
        touches: 1024,
        minor_faults: 1024,
        ns_per_touch: ns,
        ns_per_fault: ns,
        kernel: "6.1.0",
        commit: "abc123",
        started_at: "2026-01-01T00:00:00.000Z",
        cpu_count: 2,
        load_avg_1m: 0.1,
        hugepages_2m: 0,
        hugepages_1g: 0,
      }) as KernelRow,
  );
  const gracePeriods = gracePeriodsNs.map(
    (elapsed, i) =>
      Object.assign(Object.fromEntries(KERNEL_COLUMNS.map((c) => [c, ""])), rows[0], {
        case: GRACE_PERIOD_CASE,
        page: "",
        mode: "grace-period",
        mapping_bytes: "",
        stride_bytes: "",
        rep: i + 1,
        elapsed_ns: elapsed,
        touches: "",
        minor_faults: "",
        ns_per_touch: "",
        ns_per_fault: "",
      }) as KernelRow,
  );
  rows.push(...gracePeriods);
  const path = join(dir, "kernel.csv");
  writeFileSync(path, writeTable(KERNEL_TABLE, rows));
  return path;
}

test(
  "--fault-cost kernel:PATH charges the kernel's fault of the region's page size " + "and says where it came from",
  async () => {
    const dir = scratch();
    const path = kernelFile(dir, 2500);
    const result = await daxbench([
      "run",
      "--scenario",
      "populate",
      "--align",
      "4k",
      "--size",
      "4m",
      "--fault-cost",
      `kernel:${path}`,
      "--repeat",
      "1",
      "--warmup",
      "0",
      "--out",
      "-",
      "--quiet",
    ]);
    assert.equal(result.status, 0, result.stderr);
    const [row] = parse(result.stdout, { columns: true }) as Row[];
    assert.equal(row.fault_cost_ns, "2500");
    assert.equal(row.fault_cost_source, `kernel ${path} (commit abc123, 2026-01-01T00:00:00.000Z)`);
    const missing = await daxbench([
      "run",
      "--scenario",
      "populate",
      "--align",
      "2m",
      "--size",
      "4m",
      "--fault-cost",
      `kernel:${path}`,
      "--out",
      join(dir, "x.csv"),
    ]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--fault-cost kernel:.*kernel\.csv has no 2m fault/);
    const none = await daxbench([
      "run",
      "--scenario",
      "populate",
      "--fault-cost",
      "kernel:/nonexistent.csv",
      "--out",
      join(dir, "x.csv"),
    ]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /\/nonexistent\.csv: cannot be read/);
    assert.deepEqual(readdirSync(dir), ["kernel.csv"]);
  },
);

/** Churn for `--duration 100ms` on one reader, killing back to back, with these extra flags: its one row. */
async function churnRow(...flags: string[]): Promise<{ status: number; stderr: string; row?: Row }> {
  const result = await daxbench([
    "run",
    "--scenario",
    "churn",
    "--protection",
    "rcu",
    "--align",
    "4k",
    "--workers",
    "1",
    "--size",
    "4m",
    "--duration",
    "100ms",
    "--kill-period",
    "0",
    "--repeat",
    "1",
    "--warmup",
    "0",
    "--out",
    "-",
    "--quiet",
    ...flags,
  ]);
  const rows = result.status === 0 ? (parse(result.stdout, { columns: true }) as Row[]) : [];
  return { status: result.status, stderr: result.stderr, row: rows[0] };
}

test("--gp-cost 2ms: every grace period lasts 2 ms or more, and the row says what was charged", async () => {
  const { status, stderr, row } = await churnRow("--gp-cost", "2ms");
  assert.equal(status, 0, stderr);
  assert.ok(Number(row!.kills) > 0);
  assert.deepEqual([row!.gp_cost_ns, row!.gp_cost_source], ["2000000", "2ms"]);
  // A lower bound only: a busy machine makes a grace period longer, never shorter than what it was charged.
  assert.ok(Number(row!.gp_p50_ns) >= 2e6, `grace period p50 ${row!.gp_p50_ns} ns, charged 2 ms`);
  const free = await churnRow();
  assert.deepEqual([free.row!.gp_cost_ns, free.row!.gp_cost_source], ["0", ""]);
  assert.ok(Number(free.row!.gp_p50_ns) < 2e6, "no cost charged: the model's own grace period");
});

test("--gp-cost kernel:PATH charges the kernel file's median grace period, and says where it came from", async () => {
  const dir = scratch();
  const path = kernelFile(dir, 2500, [3e6, 1e6, 1.5e6]);
  const { status, stderr, row } = await churnRow("--gp-cost", `kernel:${path}`);
  assert.equal(status, 0, stderr);
  assert.equal(row!.gp_cost_ns, "1500000", "the median of 3, 1 and 1.5 ms");
  assert.equal(row!.gp_cost_source, `kernel ${path} (commit abc123, 2026-01-01T00:00:00.000Z)`);
  const older = kernelFile(scratch(), 2500);
  const refused = await churnRow("--gp-cost", `kernel:${older}`);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /--gp-cost kernel:.*kernel\.csv has no grace period \(synchronize_rcu\)/);
  for (const [value, message] of [
    ["5x", /--gp-cost 5x is not a duration \(500us, 16ms\), 0, kernel or kernel:PATH/],
    ["11s", /--gp-cost 11s is longer than 10s/],
  ] as [string, RegExp][]) {
    const bad = await churnRow("--gp-cost", value);
    assert.equal(bad.status, 2, value);
    assert.match(bad.stderr, message);
  }
});

test("a result file from before --gp-cost reads as measured without one: 0 in churn, empty elsewhere", () => {
  // The reference run without the columns --gp-cost and --long-delays added, as files written before them are.
  const added = ["gp_cost_ns", "gp_cost_source", "long_read_delays"];
  const reference = readFileSync(new URL("../results/reference.csv", import.meta.url), "utf8");
  const older = (parse(reference, { columns: true }) as Record<string, string>[]).map((row) =>
    Object.fromEntries(Object.entries(row).filter(([column]) => !added.includes(column))),
  );
  const path = join(scratch(), "older.csv");
  writeFileSync(path, stringify(older, { header: true }));
  assert.ok(!readFileSync(path, "utf8").split("\n")[0].includes("gp_cost"), "the file still has the new columns");
  const rows = readResultFile(path).rows;
  const churnRows = rows.filter((r) => r.scenario === "churn");
  assert.ok(churnRows.length > 0 && churnRows.length < rows.length);
  for (const row of churnRows) assert.deepEqual([row.gp_cost_ns, row.gp_cost_source], [0, ""]);
  for (const row of rows.filter((r) => r.scenario !== "churn")) assert.equal(row.gp_cost_ns, "");
  for (const row of rows) assert.equal(row.long_read_delays, 0, "no benchmark takes torture's long delays");
});

test("a kernel file from before rcu_expedited was recorded still reads, the setting empty", () => {
  const dir = scratch();
  const path = kernelFile(dir, 2500, [1e6]);
  const lines = readFileSync(path, "utf8").split("\n");
  const at = lines[0].split(",").indexOf("rcu_expedited");
  const older = lines
    .map((line) =>
      line
        .split(",")
        .filter((_, i) => i !== at)
        .join(","),
    )
    .join("\n");
  writeFileSync(path, older);
  const rows = readKernelFile(path);
  assert.equal(rows.length, 4);
  assert.ok(rows.every((row) => row.rcu_expedited === ""));
});
