// Writes the README's calibration section from the committed results: the micro-benchmark and native tables
// (results/micro.md, results/native.md) and the speed-bar verdicts, computed from results/native.csv,
// results/micro.csv and results/reference.csv. No figure in it is typed by hand. It measures nothing:
// `npm run results:calibration` runs `daxbench micro` and `daxbench native` first.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { median } from "simple-statistics";
import { replaceSection } from "../host/export/readme.ts";
import { readResultFile } from "../host/resultfile.ts";

const root = new URL("..", import.meta.url).pathname;
const path = (name: string) => join(root, "results", name);
const read = (name: string) => readFileSync(path(name), "utf8").trim();

type NativeRow = { native: string; wasm: string; workers: string; native_ns: string; wasm_ns: string };
const native = parse(readFileSync(path("native.csv"), "utf8"), { columns: true }) as NativeRow[];
const micro = readResultFile(path("micro.csv")).rows;
const reference = readResultFile(path("reference.csv")).rows;

const fixed = (x: number, digits = 2) => x.toFixed(digits);
const verdict = (ok: boolean) => (ok ? "met" : "missed");

/** wasm / native of one native read side at `workers`. */
function ratio(scheme: string, workers: number): { wasm: number; native: number; ratio: number } {
  const row = native.find((r) => r.native === scheme && Number(r.workers) === workers);
  if (!row) throw new Error(`results/native.csv has no ${scheme} row for ${workers} workers`);
  return { wasm: Number(row.wasm_ns), native: Number(row.native_ns), ratio: Number(row.wasm_ns) / Number(row.native_ns) };
}

/** Median churn throughput of rcu on `align` with `workers` readers, in the reference run. */
function churn(align: string, workers: number): number {
  const reps = reference.filter((r) => r.scenario === "churn" && r.protection === "rcu" && r.align === align && r.workers === workers);
  return median(reps.map((r) => Number(r.ops_per_sec)));
}

const rcu1 = ratio("percpu", 1);
const rcu2 = ratio("percpu", 2);
const mutex2 = ratio("mutex", 2);
const scaling = ["2m", "4k"].map((align) => ({ align, one: churn(align, 1), two: churn(align, 2) }));
const empty = micro.find((r) => r.scenario === "micro-empty_batch")!;
const cheapest = micro.filter((r) => r !== empty).reduce((a, b) => (Number(a.ns_per_op) < Number(b.ns_per_op) ? a : b));
const overhead = Number(empty.ns_per_op) / Number(cheapest.ns_per_op);

const speedBar = [
  "| bar | measured | verdict |",
  "|---|---|---|",
  `| rcu read-side pair ≤ 1.1 × native per-CPU counters | ${fixed(rcu1.wasm)} / ${fixed(rcu1.native)} ns (${fixed(rcu1.ratio)}) at 1 worker, ` +
    `${fixed(rcu2.wasm)} / ${fixed(rcu2.native)} ns (${fixed(rcu2.ratio)}) at 2 | ${verdict(rcu1.ratio <= 1.1 && rcu2.ratio <= 1.1)} |`,
  `| 2-worker contended mutex ≤ 1.0 × pthread mutex | ${fixed(mutex2.wasm)} / ${fixed(mutex2.native)} ns (${fixed(mutex2.ratio)}) | ${verdict(mutex2.ratio <= 1)} |`,
  `| rcu churn at 2 workers ≥ 1.8 × at 1 worker | ` +
    scaling.map((s) => `${s.align}: ${fixed(s.two / 1e6, 1)}M / ${fixed(s.one / 1e6, 1)}M touches/s (${fixed(s.two / s.one)})`).join("; ") +
    ` | ${verdict(scaling.every((s) => s.two / s.one >= 1.8))} |`,
  `| harness overhead ≤ 1% of the cheapest operation | empty batch ${empty.ns_per_op} ns/op against ${cheapest.ns_per_op} ns/op ` +
    `(${cheapest.scenario} ${cheapest.protection}): ${fixed(overhead * 100)}% | ${verdict(overhead <= 0.01)} |`,
].join("\n");

replaceSection(join(root, "README.md"), "calibration", [
  "Single-threaded micro-benchmarks (`daxbench micro`, benchmark.js; `results/micro.csv`): ns per operation with the",
  "relative margin of error.",
  "",
  read("micro.md"),
  "",
  "The same read-side pairs in C, measured in the same session (`daxbench native`; `results/native.md`):",
  "",
  read("native.md"),
  "",
  "The speed bar, computed from `results/native.csv`, `results/micro.csv` and `results/reference.csv`:",
  "",
  speedBar,
].join("\n"));
console.log("README.md calibration section written from results/micro.*, results/native.* and results/reference.csv");
