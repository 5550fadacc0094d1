// Writes docs/calibration.md's generated section from the committed results: the micro-benchmark and native tables
// (results/micro.md, results/native.md) and the speed goals' verdicts, each computed here from the data files
// (results/native.csv's samples, results/micro.csv, results/calibration-fault.csv, results/timing.csv,
// results/reference.csv's rows). No figure in it is typed by hand. It measures nothing: `npm run
// results:calibration` runs `daxbench micro`, `daxbench native`, the populate run and the suite timings first.
// `node --import tsx bench/calibration-docs.ts DIR` reads the files from DIR instead of results/. Every row
// and verdict is a pure function of the files' contents (CalibrationInputs), tested in test/docs.test.ts; only
// main() reads and writes.
//
// A bar's verdict comes from an interval, never from a point estimate (barVerdict, host/results/stats.ts): "met"
// only when the whole interval is on the right side of the bar, "missed" only when it is wholly on the
// wrong side, "inconclusive" otherwise, or when the data allow no interval (the table says why).

import "./usage-exit.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { median } from "simple-statistics";
import { replaceSection } from "../host/export/readme.ts";
import { formatInterval } from "../host/export/side-tables.ts";
import { comparePair, barVerdict, quotientInterval, summarize, type PairComparison } from "../host/results/stats.ts";
import { readMicroFile, type MicroRow } from "../host/run/micro.ts";
import { BATCH } from "../host/run/micro-cases.ts";
import { readResultFile } from "../host/results/file.ts";
import { configurationKey } from "../host/results/schema.ts";
import { nativeCells, parseNativeCsv, NATIVE_ALPHA, NATIVE_TABLE, type NativeCell } from "../host/run/native.ts";
import { readCsvText, readTable } from "../host/csv-table.ts";
import { churn as churnScenario } from "../host/registry/scenarios.ts";
import type { ResultRow } from "../host/results/schema.ts";
import { fileURLToPath } from "node:url";

type Row = Record<string, string | number>;

/** What the section is made from: the results files' contents. */
export interface CalibrationInputs {
  /** results/native.csv's samples, by cell, and its rows (for the machine they were measured on). */
  cells: NativeCell[];
  nativeRows: Row[];
  micro: MicroRow[];
  /** results/reference.csv's rows (the churn bars) and results/calibration-fault.csv's (the fault bar). */
  reference: ResultRow[];
  faultRows: ResultRow[];
  /** results/timing.csv: one timed run of each suite. */
  timing: Row[];
  /** The tables `daxbench micro` and `daxbench native` wrote: results/micro.md and results/native.md. */
  microTable: string;
  nativeTable: string;
}

/** Every file read, and refused if malformed, before anything is written. */
export function readInputs(dir: string): CalibrationInputs {
  const path = (name: string) => join(dir, name);
  const nativeText = readCsvText(path("native.csv"));
  return {
    cells: nativeCells(parseNativeCsv(nativeText, path("native.csv"))),
    nativeRows: readTable(path("native.csv"), nativeText, NATIVE_TABLE).map(({ row }) => row),
    micro: readMicroFile(path("micro.csv")),
    reference: readResultFile(path("reference.csv")).rows,
    faultRows: readResultFile(path("calibration-fault.csv")).rows,
    timing: readTable(path("timing.csv"), readCsvText(path("timing.csv")), {
      kind: "timing",
      columns: ["suite", "seconds"],
      text: new Set(["suite"]),
    }).map(({ row }) => row),
    microTable: readFileSync(path("micro.md"), "utf8").trim(),
    nativeTable: readFileSync(path("native.md"), "utf8").trim(),
  };
}

const confidence = `${Math.round((1 - NATIVE_ALPHA) * 100)}%`;
const fixed = (x: number, digits = 2) => x.toFixed(digits);
const ratioText = (c: PairComparison) => (c.estimate === undefined ? "–" : fixed(c.estimate, 3));

/** The verdict; without an interval "inconclusive (no interval)", the interval column saying why there is none. */
function verdictText(interval: readonly [number, number] | undefined, bar: Parameters<typeof barVerdict>[1]): string {
  const verdict = barVerdict(interval, bar);
  return interval ? verdict : `${verdict} (no interval)`;
}

/** A native cell a bar needs and results/native.csv lacks: an error that says how to get it, not a verdict. */
export class MissingCell extends Error {}

/** The native cell a bar reads; a missing one is an error, not a verdict. */
export function cell(cells: NativeCell[], native: string, workers: number): NativeCell {
  const found = cells.find((c) => c.native === native && c.workers === workers);
  if (!found) {
    // liburcu's flavours are the ones a machine may lack: native skips them, saying so, when liburcu-dev is missing.
    const how = native.startsWith("urcu")
      ? ": install liburcu-dev (apt-get install liburcu-dev) and run npm run results:calibration again"
      : "";
    throw new MissingCell(`results/native.csv has no ${native} samples at ${workers} workers${how}`);
  }
  return found;
}

/** One row of the speed-bar table for a wasm / native cell. */
export function nativeBar(label: string, c: NativeCell, atMost: number): string {
  const measured =
    `wasm ${c.wasm} ${fixed(c.wasmMedian)} / native ${c.native} ${fixed(c.nativeMedian)} ns/op ` +
    `(medians, n=${c.wasmNs.length}+${c.nativeNs.length})`;
  return (
    `| ${label} | ${measured} | ${ratioText(c.comparison)} | ${formatInterval(c.comparison)} | ` +
    `${verdictText(c.comparison.interval, { atMost })} |`
  );
}

/** ops_per_sec of the reference run's rcu churn rows on `align` with `workers` readers: its repetitions. */
function churn(reference: ResultRow[], align: string, workers: number): number[] {
  const rows = reference.filter(
    (r) => r.scenario === churnScenario.name && r.protection === "rcu" && r.align === align && r.workers === workers,
  );
  if (rows.length === 0) throw new Error(`results/reference.csv has no churn rcu ${align} rows at ${workers} workers`);
  // Repetitions of one configuration only: a second mapping size or kill period would mix two figures.
  if (new Set(rows.map(configurationKey)).size > 1)
    throw new Error(`results/reference.csv has more than one churn rcu ${align} configuration at ${workers} workers`);
  return rows.map((r) => r.ops_per_sec);
}

export function churnBar(reference: ResultRow[], align: string, atLeast: number): string {
  const one = churn(reference, align, 1);
  const two = churn(reference, align, 2);
  const c = comparePair(one, two, NATIVE_ALPHA);
  const measured =
    `${fixed(median(two) / 1e6, 1)}M / ${fixed(median(one) / 1e6, 1)}M touches/s ` +
    `(medians, n=${two.length}+${one.length})`;
  return (
    `| rcu churn at 2 workers ≥ ${atLeast} × at 1 worker (${align}) | ${measured} | ${ratioText(c)} | ` +
    `${formatInterval(c)} | ${verdictText(c.interval, { atLeast })} |`
  );
}

/** The harness overhead: the empty batch's ns/op over the cheapest real operation's, both benchmark.js means.
 *  Each mean comes with its relative margin of error (a 95% interval of the mean: mean × (1 ± rme/100)), not
 *  with samples, so comparePair cannot be used. The interval is the conservative one, from the ends of the two:
 *  [empty_lo / cheapest_hi, empty_hi / cheapest_lo]; it holds the true ratio whenever both means' intervals hold
 *  theirs, so at confidence at least 90% (Bonferroni), whatever the two intervals' dependence. */
export function overheadBar(micro: MicroRow[], atMost: number): string {
  const empty = micro.find((r) => r.case === "micro-empty_batch");
  if (!empty) throw new Error("results/micro.csv has no micro-empty_batch row");
  const others = micro.filter((r) => r !== empty);
  if (others.length === 0) throw new Error("results/micro.csv has no operation besides the empty batch");
  const cheapest = others.reduce((a, b) => (Number(a.ns_per_op) <= Number(b.ns_per_op) ? a : b));
  const bounds = (r: MicroRow): [number, number] => {
    const mean = Number(r.ns_per_op);
    const rme = Number(r.rme_percent) / 100;
    return [mean * (1 - rme), mean * (1 + rme)];
  };
  // No interval when the cheapest operation's lower end is not above zero (an rme of 100% or more).
  const interval = quotientInterval(bounds(empty), bounds(cheapest));
  const share = Number(empty.ns_per_op) / Number(cheapest.ns_per_op);
  const percent = (x: number) => `${fixed(x * 100, 3)}%`;
  const measured =
    `empty batch ${Number(empty.ns_per_op).toPrecision(3)} ± ${fixed(Number(empty.rme_percent))}% ns/op against ` +
    `${cheapest.case} ${cheapest.protection} ${Number(cheapest.ns_per_op).toPrecision(3)} ± ` +
    `${fixed(Number(cheapest.rme_percent))}% ns/op (means ± rme)`;
  const range = interval
    ? interval.map(percent).join("…") + " (≥ 90%, from the two rme intervals)"
    : "none: the cheapest operation's interval reaches zero";
  return (
    `| harness overhead ≤ ${Number((atMost * 100).toPrecision(6))}% of the cheapest operation | ${measured} | ` +
    `${percent(share)} | ${range} | ${verdictText(interval, { atMost })} |`
  );
}

/** One pte fault against what it is made of at least: the populate run's ns per touch (every touch of a 4 KiB
 *  populate faults) over the wasm rcu read-side pair plus one uncontended compare-and-swap, both from the
 *  native run's wasm samples. Each of the three has the 95% interval of its geometric mean; the sum's interval
 *  is the sum of the ends, and the ratio's is quotientInterval's, so it holds whenever all three hold theirs:
 *  at confidence at least 85% (Bonferroni). */
export function faultBar(faultRows: ResultRow[], cells: NativeCell[], atMost: number): string {
  const fault = summarize(faultRows.map((r) => Number(r.ns_per_op)));
  const pair = summarize(cell(cells, "percpu", 1).wasmNs);
  const cas = summarize(cell(cells, "cas", 1).wasmNs);
  const sum =
    pair.ci95 && cas.ci95 ? ([pair.ci95[0] + cas.ci95[0], pair.ci95[1] + cas.ci95[1]] as [number, number]) : undefined;
  const interval = quotientInterval(fault.ci95, sum);
  const ratio = fault.geomean! / (pair.geomean! + cas.geomean!);
  const measured =
    `populate rcu 4k 1w ${fixed(fault.geomean!)} ns/touch / ` +
    `(rcu pair ${fixed(pair.geomean!)} + cas ${fixed(cas.geomean!)}) ns ` +
    `(geometric means, n=${fault.n}, ${pair.n}, ${cas.n})`;
  const range = interval
    ? `${interval.map((x) => fixed(x, 3)).join("…")} (≥ 85%, from the three intervals)`
    : "none: too few repetitions";
  return (
    `| one pte fault ≤ ${atMost} × (its read-side pair + one uncontended compare-and-swap) | ${measured} | ` +
    `${fixed(ratio, 3)} | ${range} | ${verdictText(interval, { atMost })} |`
  );
}

/** A suite's time, from one timed run of it (results/timing.csv): a single measurement, so no interval; the
 *  verdict is the measurement's side of the bar. */
export function timeBar(timing: Row[], suite: string, atMostSeconds: number): string {
  const row = timing.find((r) => r.suite === suite);
  if (!row) throw new Error(`results/timing.csv has no row for ${suite}`);
  const seconds = Number(row.seconds);
  return (
    `| ${suite} ≤ ${atMostSeconds} s | ${seconds} s (one run, end to end) | – | none: one run | ` +
    `${seconds <= atMostSeconds ? "met" : "missed"} (one run) |`
  );
}

/** The speed goals' table. */
export function speedBar({ cells, micro, reference, faultRows, timing }: CalibrationInputs): string {
  return [
    `| goal | measured | ratio | interval (≥ ${confidence} unless said) | verdict |`,
    "|---|---|--:|--:|---|",
    nativeBar("rcu read-side pair ≤ 1.1 × native per-CPU seq-cst pair (1 worker)", cell(cells, "percpu", 1), 1.1),
    nativeBar("rcu read-side pair ≤ 1.1 × native per-CPU seq-cst pair (2 workers)", cell(cells, "percpu", 2), 1.1),
    nativeBar("qsbr pair ≤ 2 × liburcu qsbr (1 worker)", cell(cells, "urcu-qsbr", 1), 2),
    nativeBar("qsbr pair ≤ 2 × liburcu qsbr (2 workers)", cell(cells, "urcu-qsbr", 2), 2),
    nativeBar(
      "empty read side (none) ≤ 2 × a native loop of the same atomic load (1 worker)",
      cell(cells, "load", 1),
      2,
    ),
    nativeBar(
      "empty read side (none) ≤ 2 × a native loop of the same atomic load (2 workers)",
      cell(cells, "load", 2),
      2,
    ),
    nativeBar("2-worker contended mutex ≤ 1.1 × pthread mutex", cell(cells, "mutex", 2), 1.1),
    nativeBar("2-worker contended rwlock ≤ 1.1 × pthread rwlock", cell(cells, "rwlock", 2), 1.1),
    faultBar(faultRows, cells, 1.5),
    nativeBar("a random hit ≤ 1.5 × a native random load over the same footprint", cell(cells, "random-load", 1), 1.5),
    churnBar(reference, "2m", 1.8),
    churnBar(reference, "4k", 1.8),
    overheadBar(micro, 0.01),
    timeBar(timing, "npm run bench", 30),
    timeBar(timing, "daxbench run --full", 600),
  ].join("\n");
}

/** What the interleaved sampling costs: each matrix's time against the same matrix in the sequential order. */
function samplingCost(timing: Row[]): string {
  const seconds = (suite: string) => {
    const row = timing.find((r) => r.suite === suite);
    if (!row) throw new Error(`results/timing.csv has no row for ${suite}`);
    return Number(row.seconds);
  };
  const quick = seconds("npm run bench");
  const quickSequential = seconds("daxbench run --quick --order sequential");
  const full = seconds("daxbench run --full");
  const fullSequential = seconds("daxbench run --full --order sequential");
  return (
    `What the interleaved sampling costs (one timed run each): the quick suite ${quickSequential} s in the ` +
    `sequential order, ${quick} s interleaved with the build before it (\`npm run bench\`); the full suite ` +
    `${fullSequential} s sequential, ${full} s interleaved (${fixed(full / fullSequential, 2)}×): a set of workers ` +
    `started for every repetition, its warm-up, and fixed work repeated to 100 ms.`
  );
}

/** What the contended locks pay when a spin fails, from the handover cell: not a goal, the measurement behind
 *  what the contended mutex's verdict cannot close. */
function wakeupNote(cells: NativeCell[]): string {
  const c = cell(cells, "handover", 2);
  const micro = (ns: number) => `${fixed(ns / 1000, 1)} µs`;
  const pair = cell(cells, "mutex", 2);
  return [
    "A futex wake-up (the handover row: from one thread's move of the word to its sleeping partner's return) is what a",
    `contended mutex or rwlock pays each time its spin fails and it sleeps: ${micro(c.nativeMedian)} natively ` +
      "(FUTEX_WAIT/FUTEX_WAKE) and",
    `${micro(c.wasmMedian)} in wasm (memory.atomic.wait32/notify), medians, a ratio of ${ratioText(c.comparison)} ` +
      `(${formatInterval(c.comparison)}). The contended mutex pair's medians are`,
    `${fixed(pair.nativeMedian)} ns (native) and ${fixed(pair.wasmMedian)} ns (wasm): ` +
      "one native sleep costs as much as",
    `${Math.round(c.nativeMedian / pair.nativeMedian).toLocaleString("en-US")} such pairs, so how often each side's ` +
      "spin fails decides the contended figures more",
    "than the cost of its atomics does.",
  ].join("\n");
}

/** "AMD EPYC x2, Node v20.20.2, daxbench 0.1.0, commit ..., load 0.52, started ...": from a file's first row. */
function measuredOn(rows: Row[]): string {
  const r = rows[0];
  return (
    `${r.cpu} x${r.cpu_count}, Node ${r.node}, daxbench ${r.daxbench_version}, commit ${r.commit || "unknown"}, ` +
    `1-minute load ${r.load_avg_1m}, started ${r.started_at}`
  );
}
/** docs/calibration.md's generated section. */
export function calibrationSection(inputs: CalibrationInputs): string {
  const batch = Number(BATCH).toLocaleString("en-US");
  return [
    "Single-threaded micro-benchmarks (`daxbench micro`, benchmark.js; `results/micro.csv`): ns/op is benchmark.js's",
    `mean time of a batch of ${batch} operations, over ${batch}; ± rme its relative margin of error ` +
      "(the half-width of a 95%",
    "interval of the mean, in % of it); samples the number of timed batches.",
    `Measured on ${measuredOn(inputs.micro)}.`,
    "",
    inputs.microTable,
    "",
    "The same read-side pairs in C, on one thread a compare-and-swap and a random load beside the core's micro",
    "cases for them, and on two threads a futex wake-up, measured in the same session (`daxbench native`;",
    "`results/native.md`, every sample in `results/native.csv`): the median of each side's repetitions, " +
      "n of them per side.",
    `Measured on ${measuredOn(inputs.nativeRows)}.`,
    "",
    inputs.nativeTable,
    "",
    "The speed goals, computed from `results/native.csv`, `results/micro.csv`, `results/calibration-fault.csv`,",
    "`results/timing.csv` and `results/reference.csv`. A goal is met when its whole interval is on the right side of",
    "it, missed when the whole interval is on the wrong side, and inconclusive otherwise. Native and churn ratios are",
    "Hodges-Lehmann estimates with distribution-free intervals; the fault's is a ratio of geometric means, " +
      "its interval",
    "from theirs; the harness overhead is a ratio of two benchmark.js means, its interval bounded by their margins of",
    "error; the suites' times are one run each.",
    "",
    speedBar(inputs),
    "",
    samplingCost(inputs.timing),
    "",
    wakeupNote(inputs.cells),
  ].join("\n");
}

function main(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const inputs = readInputs(process.argv[2] ?? join(root, "results"));
  let section: string;
  try {
    section = calibrationSection(inputs);
  } catch (error) {
    if (!(error instanceof MissingCell)) throw error;
    console.error(`calibration-docs.ts: ${error.message}`);
    process.exit(1);
  }
  replaceSection(join(root, "docs", "calibration.md"), "calibration", section);
  console.log(
    "docs/calibration.md: its section written from results/micro.*, results/native.* and results/reference.csv",
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
