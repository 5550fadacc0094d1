// The daxbench command line: `run` a matrix, `list` what can be run.
// Exit status: 0 done, 1 a worker failed or hung, 2 bad input (nothing started, nothing written), 130 Ctrl-C.

import yargs, { type Argv, type MiddlewareFunction } from "yargs";
import { hideBin } from "yargs/helpers";
import { SCENARIOS, type Dimension } from "../registry/scenarios.ts";
import { DaxMachine, ALIGNMENTS, SKYLAKE_TLB, parseTlbGeometry, formatTlbGeometry } from "../machine/dax.ts";
import {
  expandMatrix, ignoredDimensionNotes, parseDurationOption, OPTION_NAMES, maxWorkers, shard, splitList, QUICK_MATRICES, FULL_MATRICES, SWEEPS,
  type MatrixSpec,
} from "../run/matrix.ts";
import { UsageError } from "../errors.ts";
import { measureConfiguration, describeConfiguration, type Configuration } from "../run/runner.ts";
import { toRow, type ResultRow } from "../results/schema.ts";
import { runMetadata, daxbenchVersion } from "../results/metadata.ts";
import { renderRun, parseFormats, writeFormats, pathFor, writeText, type FormatName } from "../export/formats.ts";
import { writeFileAtomic, checkWritable, lockOutput } from "../export/files.ts";
import { summaryTable, summaryWarnings, comparisons } from "../print/summary.ts";
import { byConfiguration } from "../results/configurations.ts";
import { Progress } from "../print/progress.ts";
import { tortureConfigurations, runTorture } from "../run/torture.ts";
import { tortureReport } from "../print/torture.ts";
import { readResultFile } from "../results/file.ts";
import { compareRuns, compareWithin } from "../results/compare.ts";
import { comparisonText } from "../print/compare.ts";
import { writeReport } from "../export/report.ts";
import { mergeFiles } from "../results/merge.ts";
import { runMicro, microRow, renderMicro } from "../run/micro.ts";
import { microTable, harnessOverhead } from "../print/micro.ts";
import { runNative, nativeCells, nativeMarkdown, nativeCsv } from "../run/native.ts";
import { runKernel, renderKernel, kernelMarkdown, kernelResults, kernelWarnings, reserveHugePages } from "../run/kernel.ts";
import { parseSize } from "../units.ts";
import { wholeNumberOption, alphaOption, secondsOption, seedOption, MAX_TIMER_NS } from "./options.ts";
import { interruptible } from "./interrupt.ts";
import { formatDuration } from "../units.ts";

interface RunArgs {
  scenario?: string[];
  protection?: string[];
  align?: string[];
  workers?: string[];
  size?: string[];
  duration?: string;
  "kill-period"?: string[];
  "read-delay"?: string[];
  "fault-cost"?: string[];
  policy?: string[];
  "tlb-geometry"?: string;
  sweep?: string;
  repeat?: string;
  warmup?: string;
  timeout: string;
  out?: string;
  format: string[];
  shard?: string;
  quick: boolean;
  full: boolean;
  quiet: boolean;
  alpha: string;
  seed?: string;
}

const MATRIX_DEFAULTS: MatrixSpec = {
  scenario: ["populate"],
  protection: ["rcu,mutex"],
  align: ["4k,2m"],
  workers: ["1"],
  size: ["1g"],
};

function defaultOutPath(startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/\.\d+Z$/, "").replace(/:/g, "-");
  return `results/${stamp}.csv`;
}


/** Turns the flags into configurations, or throws UsageError: all of it before any worker starts. */
interface RunPlan {
  configs: Configuration[];
  repeat: number;
  warmup: number;
  timeoutNs: number;
  formats: FormatName[];
  alpha: number;
  /** Values given on the command line that some scenario of the matrix does not use. */
  notes: string[];
}

/** --timeout, checked with --duration: the watchdog waits for both, and one timer must hold their sum. */
function watchdog(duration: string, timeout: string): number {
  const timeoutNs = parseDurationOption("timeout", timeout);
  if (parseDurationOption("duration", duration) + timeoutNs > MAX_TIMER_NS) {
    throw new UsageError(`--duration ${duration} with --timeout ${timeout} is longer than ${formatDuration(MAX_TIMER_NS)} (what a timer holds)`);
  }
  return timeoutNs;
}

/** The dimensions typed on the command line (presets' lists are not the user's choice, so they get no note). */
function givenDimensions(args: RunArgs): Set<Dimension> {
  const flags: [Dimension, unknown][] = [
    ["protection", args.protection], ["align", args.align], ["workers", args.workers], ["size", args.size],
    ["killPeriod", args["kill-period"]], ["readDelay", args["read-delay"]], ["policy", args.policy], ["faultCost", args["fault-cost"]],
  ];
  return new Set(flags.filter(([, value]) => value !== undefined).map(([dimension]) => dimension));
}


function planRun(args: RunArgs, probe: DaxMachine): RunPlan {
  const matrixGiven = [args.scenario, args.protection, args.align, args.workers, args.size, args["kill-period"], args["read-delay"], args.policy]
    .some((v) => v !== undefined);
  const presets = [args.quick && "--quick", args.full && "--full", args.sweep !== undefined && "--sweep"].filter(Boolean);
  if (presets.length > 1) throw new UsageError(`${presets.join(" and ")} name different suites: give one`);
  if (args.sweep !== undefined && !(args.sweep in SWEEPS)) {
    throw new UsageError(`--sweep ${args.sweep} is not one of: ${Object.keys(SWEEPS).join(", ")}`);
  }
  const tlbGeometry = args["tlb-geometry"] === undefined ? undefined : parseTlbGeometry(args["tlb-geometry"]);
  if (tlbGeometry === null) {
    throw new UsageError(`--tlb-geometry ${args["tlb-geometry"]} is not five entries/ways pairs (L1 4k, L1 2m, L1 1g, STLB, STLB 1g), e.g. ${formatTlbGeometry(SKYLAKE_TLB)}`);
  }
  const timing = { duration: args.duration ?? (args.quick ? "300ms" : "1s"), tlbGeometry, seed: seedOption(args.seed, 1n) };
  const preset = args.quick ? QUICK_MATRICES : args.full ? FULL_MATRICES : args.sweep ? SWEEPS[args.sweep].matrices : undefined;
  // --fault-cost is a cost the model carries, not a matrix of its own: it applies to the suites too.
  const withFaultCost = (matrix: MatrixSpec): MatrixSpec => (args["fault-cost"] ? { ...matrix, faultCost: args["fault-cost"] } : matrix);
  const matrices = (preset && !matrixGiven
    ? preset
    : [{
        scenario: args.scenario ?? MATRIX_DEFAULTS.scenario,
        protection: args.protection ?? MATRIX_DEFAULTS.protection,
        align: args.align ?? MATRIX_DEFAULTS.align,
        workers: args.workers ?? MATRIX_DEFAULTS.workers,
        size: args.size ?? MATRIX_DEFAULTS.size,
        killPeriod: args["kill-period"],
        readDelay: args["read-delay"],
        policy: args.policy,
      }]).map(withFaultCost);
  const formats = parseFormats(args.format);
  if (args.out === "-" && formats.length > 1) throw new UsageError(`--out - takes one format; got --format ${formats.join(",")}`);
  const configs = matrices.flatMap((matrix) => expandMatrix(matrix, timing, probe));
  return {
    configs: args.shard === undefined ? configs : shard(configs, args.shard),
    formats,
    alpha: alphaOption(args.alpha),
    notes: matrices.flatMap((matrix) => ignoredDimensionNotes(matrix, preset && !matrixGiven ? new Set() : givenDimensions(args))),
    // 5 repetitions a side is the least at which Mann-Whitney can call a difference significant at 0.05 with
    // one overlap allowed; 3 never can (its smallest p is 0.1), so --quick runs 5 too, only shorter.
    repeat: wholeNumberOption("repeat", args.repeat, 5, 1, 1_000_000),
    warmup: wholeNumberOption("warmup", args.warmup, 1, 0, 1_000_000),
    timeoutNs: watchdog(timing.duration, args.timeout),
  };
}

async function run(args: RunArgs): Promise<number> {
  const startedAt = new Date();
  const plan = planRun(args, new DaxMachine());
  for (const note of plan.notes) console.error(note);
  const out = args.out ?? defaultOutPath(startedAt);
  if (out !== "-") for (const format of plan.formats) checkWritable("--out", pathFor(out, format));
  const release = out === "-" ? () => {} : lockOutput("--out", out);
  const meta = runMetadata(startedAt);
  const progress = new Progress();
  const rows: ResultRow[] = [];
  /** Rows in the files as they stand: what an aborted run really leaves. */
  let saved = 0;
  const save = () => {
    if (out === "-") return;
    writeFormats(out, plan.formats, (format) => renderRun(format, rows, plan.alpha));
    saved = rows.length;
  };
  const abort = new AbortController();
  const onInterrupt = () => abort.abort();
  process.once("SIGINT", onInterrupt);
  process.once("SIGTERM", onInterrupt);
  let failure: string | undefined;
  let current = "";
  try {
    // A shard with no configuration still writes its (header-only) files, so that merge finds every shard.
    if (plan.configs.length === 0) {
      console.error("note: this shard holds no configuration of the matrix: writing the header only");
      save();
    }
    for (const [index, config] of plan.configs.entries()) {
      current = describeConfiguration(config);
      const label = `[${index + 1}/${plan.configs.length}] ${current}`;
      const timedNs = config.scenario.timed ? config.durationNs : 0;
      const measurements = await measureConfiguration(
        config,
        // The watchdog allows --timeout beyond the run's own --duration.
        { repeat: plan.repeat, warmup: plan.warmup, timeoutMs: (timedNs + plan.timeoutNs) / 1e6, signal: abort.signal },
        (rep) => args.quiet || progress.update(`${label} ${rep < 0 ? "warm-up" : `rep ${rep + 1}/${plan.repeat}`}`),
      );
      rows.push(...measurements.map((m) => toRow(m, meta)));
      // Rewritten whole after every configuration: an aborted run leaves only finished configurations.
      save();
    }
  } catch (error) {
    const done = saved ? `finished configurations (${saved} rows) are in ${out}` : "nothing written";
    if (abort.signal.aborted) {
      progress.clear();
      console.error(`daxbench: interrupted; ${done}`);
      return 130;
    }
    failure = `in ${current}: ${error instanceof Error ? error.message : String(error)}; ${done}`;
  } finally {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onInterrupt);
    progress.clear();
    release();
  }
  if (failure !== undefined) {
    console.error(`daxbench: run aborted: ${failure}`);
    return 1;
  }
  if (out === "-") writeText(process.stdout, renderRun(plan.formats[0], rows, plan.alpha));
  if (!args.quiet) {
    const print = out === "-" ? console.error : console.log;
    const results = byConfiguration(rows);
    print(summaryTable(results));
    for (const line of [...comparisons(results, plan.alpha), ...summaryWarnings(results)]) print(line);
    if (out !== "-") print(`wrote ${rows.length} rows to ${plan.formats.map((format) => pathFor(out, format)).join(", ")}`);
  }
  return 0;
}

interface TortureArgs {
  protection: string;
  seconds: string;
  workers: string;
  "read-delay": string;
  "kill-period": string;
  align: string;
  size: string;
  "stop-on-violation": boolean;
  timeout: string;
  out?: string;
  seed?: string;
  "random-delay": string;
}

async function tortureCommand(args: TortureArgs): Promise<number> {
  const seconds = secondsOption("seconds", args.seconds);
  // A seed not given is drawn and printed, so that any run, a failing one above all, can be made again.
  const seed = seedOption(args.seed, BigInt(Math.floor(Math.random() * 2 ** 31)));
  if (args.out) checkWritable("--out", args.out);
  const configs = tortureConfigurations({
    protection: args.protection,
    seconds,
    workers: args.workers,
    readDelay: args["read-delay"],
    killPeriod: args["kill-period"],
    align: args.align,
    size: args.size,
    seed,
    randomDelay: args["random-delay"],
  });
  const timeoutNs = watchdog(`${seconds}s`, args.timeout);
  const abort = new AbortController();
  const onInterrupt = () => abort.abort();
  process.once("SIGINT", onInterrupt);
  process.once("SIGTERM", onInterrupt);
  try {
    const options = { stopOnViolation: args["stop-on-violation"], timeoutNs, out: args.out, signal: abort.signal };
    let printed = 0;
    const verdicts = await runTorture(configs, options, (verdict) => console.log(`${printed++ ? "\n" : ""}${tortureReport(verdict)}`));
    if (verdicts.length > 1) {
      console.log(`\n${verdicts.map((v) => `${v.measurement.config.protection} ${v.outcome}`).join(", ")}`);
    }
    return verdicts.every((v) => v.outcome === "SUCCESS") ? 0 : 1;
  } catch (error) {
    if (abort.signal.aborted) {
      console.error("daxbench: interrupted; nothing written");
      return 130;
    }
    console.error(`daxbench: torture aborted: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onInterrupt);
  }
}

interface CompareArgs {
  files: string[];
  by?: string;
  alpha: string;
}

function compareCommand(args: CompareArgs): void {
  const alpha = alphaOption(args.alpha);
  if (args.by !== undefined && args.by !== "protection" && args.by !== "align" && args.by !== "policy") {
    throw new UsageError(`--by ${args.by} is not one of: protection, align, policy`);
  }
  const files = args.files.map(readResultFile);
  let tables;
  if (args.by !== undefined) {
    if (files.length !== 1) throw new UsageError(`--by compares within one file; got ${files.length}`);
    tables = compareWithin(files[0].path, files[0].rows, args.by, alpha);
  } else {
    if (files.length !== 2) throw new UsageError(`compare takes BASE.csv NEW.csv (or one file with --by); got ${files.length} files`);
    tables = [compareRuns({ name: files[0].path, rows: files[0].rows }, { name: files[1].path, rows: files[1].rows }, alpha)];
  }
  console.log(tables.map((t) => comparisonText(t, alpha)).join("\n\n"));
}

interface MicroArgs {
  /** Seconds, as typed: checked here so that the error shows the value as given. */
  "max-time": string;
  out?: string;
  format: string[];
  quiet: boolean;
}

function microCommand(args: MicroArgs): void {
  const maxTime = Number(args["max-time"]);
  if (args["max-time"].trim() === "" || !Number.isFinite(maxTime) || !(maxTime > 0)) {
    throw new UsageError(`--max-time ${args["max-time"]} is not a positive number of seconds`);
  }
  const formats = parseFormats(args.format);
  if (args.out === "-" && formats.length > 1) throw new UsageError(`--out - takes one format; got --format ${formats.join(",")}`);
  const progress = new Progress();
  const meta = runMetadata();
  const out = args.out ?? defaultOutPath(new Date(meta.started_at)).replace("results/", "results/micro-");
  if (out !== "-") for (const format of formats) checkWritable("--out", pathFor(out, format));
  const results = runMicro(maxTime, (name) => args.quiet || progress.update(`micro ${name}`));
  progress.clear();
  const rows = results.map((result) => microRow(result, meta));
  const written = out === "-" ? [] : writeFormats(out, formats, (format) => renderMicro(format, rows));
  if (out === "-") process.stdout.write(renderMicro(formats[0], rows));
  if (args.quiet) return;
  const print = out === "-" ? console.error : console.log;
  print(microTable(results));
  print(harnessOverhead(results));
  if (out !== "-") print(`wrote ${rows.length} rows to ${written.join(", ")}`);
}

interface NativeArgs {
  workers: string[];
  duration: string;
  /** Repetitions per side of every cell, as typed. */
  repeat: string;
  out?: string;
}

async function nativeCommand(args: NativeArgs): Promise<number> {
  const probe = new DaxMachine();
  const workers = splitList(args.workers).map((text) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1 || n > maxWorkers(probe)) throw new UsageError(`--workers ${text} is not a whole number from 1 to ${maxWorkers(probe)}`);
    return n;
  });
  if (workers.length === 0) throw new UsageError("--workers is empty: give at least one thread count");
  const workerCounts = [...new Set(workers)];
  const durationNs = parseDurationOption("duration", args.duration);
  const repeat = wholeNumberOption("repeat", args.repeat, 5, 1, 1000);
  if (args.out === "-") throw new UsageError("--out - is not accepted: native writes two files, NAME.md and NAME.csv; give a path");
  const base = args.out ? args.out.replace(/\.(md|csv)$/, "") : undefined;
  if (base !== undefined) for (const path of [`${base}.md`, `${base}.csv`]) checkWritable("--out", path);
  const progress = new Progress();
  const meta = runMetadata();
  const run = await interruptible((signal) =>
    runNative(workerCounts, durationNs, repeat, (line) => console.error(`daxbench native: ${line}`), (label) => progress.update(label), signal));
  progress.clear();
  if (run.interrupted) {
    console.error("daxbench: interrupted; nothing written");
    return 130;
  }
  const samples = run.value;
  const table = nativeMarkdown(nativeCells(samples));
  if (base !== undefined) {
    writeFileAtomic(`${base}.md`, table);
    writeFileAtomic(`${base}.csv`, nativeCsv(samples, meta));
  }
  console.log(table.trimEnd());
  if (base !== undefined) console.log(`wrote the table to ${base}.md and its ${samples.length} samples to ${base}.csv`);
  return 0;
}

interface KernelArgs {
  size: string;
  repeat: string;
  "reserve-hugepages"?: string;
  out?: string;
  format: string[];
  quiet: boolean;
}

async function kernelCommand(args: KernelArgs): Promise<number> {
  const size = parseSize(args.size);
  if (size === null || size === 0n || size % ALIGNMENTS["2m"] !== 0n) {
    throw new UsageError(`--size ${args.size} is not a positive multiple of 2m (every case maps it in 4 KiB or 2 MiB pages)`);
  }
  const repeat = wholeNumberOption("repeat", args.repeat, 5, 1, 1000);
  const reserve = args["reserve-hugepages"];
  if (reserve !== undefined && (!/^\d+$/.test(reserve.trim()) || Number(reserve) < 1)) {
    throw new UsageError(`--reserve-hugepages ${reserve} is not a whole number >= 1`);
  }
  const formats = parseFormats(args.format);
  if (args.out === "-" && formats.length > 1) throw new UsageError(`--out - takes one format; got --format ${formats.join(",")}`);
  const meta = runMetadata();
  const out = args.out ?? defaultOutPath(new Date(meta.started_at)).replace("results/", "results/kernel-");
  if (out !== "-") for (const format of formats) checkWritable("--out", pathFor(out, format));
  const reserved = reserve === undefined ? undefined : reserveHugePages(Number(reserve));
  const progress = new Progress();
  // The huge-page pool is put back however the run ends: done, failed, or interrupted.
  try {
    if (reserved) console.error(`daxbench kernel: ${reserved.message}`);
    const run = await interruptible((signal) => runKernel({ size, repeat, signal }, meta, (line) => console.error(`daxbench kernel: ${line}`),
      (name) => args.quiet || progress.update(`kernel ${name}`)));
    progress.clear();
    if (run.interrupted) {
      console.error("daxbench: interrupted; nothing written");
      return 130;
    }
    const rows = run.value;
    if (out === "-") process.stdout.write(renderKernel(formats[0], rows));
    const written = out === "-" || rows.length === 0 ? [] : writeFormats(out, formats, (format) => renderKernel(format, rows));
    if (args.quiet) return 0;
    const print = out === "-" ? console.error : console.log;
    print(kernelMarkdown(rows).trimEnd());
    for (const warning of kernelWarnings(kernelResults(rows))) print(warning);
    if (written.length) print(`wrote ${rows.length} rows to ${written.join(", ")}`);
    return 0;
  } finally {
    progress.clear();
    reserved?.restore();
  }
}

function list(): void {
  const probe = new DaxMachine();
  const schemes: Record<string, string> = {
    rcu: "SRCU's per-CPU lock/unlock counters; teardown waits for a grace period",
    mutex: "a futex mutex held around every fault; teardown takes it once",
    none: "no protection: teardown does not wait (unsafe; the baseline torture must catch)",
    rwlock: "a futex reader-writer lock around every fault; teardown takes it for writing",
    qsbr: "liburcu's QSBR: free read side, readers offline between batches; grace periods wait for batches",
    "rcu-pointer": "SRCU guarding a pointer to a copy of the device state: updates publish a copy, free the old after a grace period",
    "rcu-skip-scan2": "SRCU whose grace period skips its second scan: too short on purpose (torture must catch it)",
    "rcu-pointer-free-early": "rcu-pointer freeing the old copy before the grace period: broken on purpose (torture must catch it)",
    "rcu-check-outside": "SRCU, but a fault checks alive before entering the read side: broken on purpose (torture must catch it)",
    "rcu-zap-early": "SRCU, but teardown zaps the mappings before the grace period: broken on purpose (torture must catch it)",
  };
  const alignments: Record<string, string> = {
    "4k": "every fault installs a pte (4 KiB)",
    "2m": "every fault installs a pmd (2 MiB)",
    "1g": "every fault installs a pud (1 GiB)",
  };
  console.log("scenarios (each measured by its headline figure, over the dimensions it uses):");
  for (const s of SCENARIOS) {
    console.log(`  ${s.name.padEnd(10)} ${s.summary}`);
    console.log(`  ${"".padEnd(10)}   headline: ${s.headline.meaning}; varies: ${s.dimensions.map((d) => `--${OPTION_NAMES[d]}`).join(", ")}`);
  }
  console.log("protections:");
  for (const name of probe.schemes()) console.log(`  ${name.padEnd(10)} ${schemes[name] ?? ""}`);
  console.log("alignments:");
  for (const name of Object.keys(ALIGNMENTS)) console.log(`  ${name.padEnd(10)} ${alignments[name]}`);
  console.log("policies:");
  console.log(`  ${"device".padEnd(10)} Device-DAX: every mapping matches the region's alignment; misaligned mmaps are refused`);
  console.log(`  ${"fs".padEnd(10)} fs-dax: any vma is accepted; a pmd where one fits, ptes elsewhere (opportunistic)`);
  console.log(`workers: 1 to ${maxWorkers(probe)}`);
  console.log("sweeps (run --sweep NAME):");
  for (const [name, sweep] of Object.entries(SWEEPS)) console.log(`  ${name.padEnd(12)} ${sweep.summary}`);
}

function runOptions(y: Argv) {
  return y
    .option("scenario", { type: "string", array: true, describe: `workloads: ${SCENARIOS.map((s) => s.name).join(", ")}` })
    .option("protection", { type: "string", array: true, describe: "schemes guarding alive (see `daxbench list`)" })
    .option("align", { type: "string", array: true, describe: "region alignments: 4k, 2m, 1g" })
    .option("workers", { type: "string", array: true, describe: "reader workers (one per CPU)" })
    .option("size", { type: "string", array: true, describe: "mapping sizes, e.g. 64m, 1g" })
    .option("duration", { type: "string", describe: "how long timed scenarios run per repetition [default: 1s, --quick 300ms]" })
    .option("kill-period", { type: "string", array: true, describe: "churn: time between kills, or never [default: 1ms]" })
    .option("read-delay", { type: "string", array: true, describe: "extra read-side length of every fault (ns, or 1us...) [default: 0]" })
    .option("policy", { type: "string", array: true, describe: "mapping policies: device (Device-DAX), fs (fs-dax, opportunistic pmds) [default: device]" })
    .option("fault-cost", {
      type: "string", array: true,
      describe: "what each fault pays before the dax handler, outside the read side: 0, a duration (1.3us), kernel (the newest results/kernel*.csv) or kernel:PATH [default: 0]",
    })
    .option("tlb-geometry", { type: "string", describe: `tlb scenario: entries/ways of L1 4k, L1 2m, L1 1g, STLB, STLB 1g [default: Skylake, ${formatTlbGeometry(SKYLAKE_TLB)}]` })
    .option("sweep", { type: "string", describe: `one of liburcu's sweeps: ${Object.keys(SWEEPS).join(", ")}` })
    .option("repeat", { type: "string", describe: "measured repetitions per configuration [default: 5]" })
    .option("alpha", { type: "string", default: "0.05", describe: "significance level of every \"faster\" claim; ~ marks pairs above it" })
    .option("seed", { type: "string", describe: "seed of every worker's random generator [default: 1]" })
    .option("warmup", { type: "string", describe: "uncounted runs before measuring [default: 1]" })
    .option("timeout", { type: "string", default: "60s", describe: "watchdog: a run longer than this (beyond --duration) is aborted" })
    .option("out", { type: "string", nargs: 1, describe: "CSV file, or - for stdout [default: results/<date-time>.csv]" })
    .option("format", { type: "string", array: true, default: ["csv"], describe: "csv, json, md (comma list): one file each, named after --out" })
    .option("shard", { type: "string", describe: "run only the I-th of N slices of the matrix, e.g. 2/4 (merge them after)" })
    .option("quick", { type: "boolean", default: false, describe: "the quick suite: populate and churn, short runs" })
    .option("full", { type: "boolean", default: false, describe: "the reference suite published in results/" })
    .option("quiet", { type: "boolean", default: false, describe: "print no table and no progress" })
    .example("$0 run --quick", "the quick suite (what `npm run bench` runs)")
    .example("$0 run --scenario populate --align 4k,2m --protection rcu,mutex --workers 1,2 --size 1g", "pte vs pmd")
    .example("$0 run --scenario churn --protection rcu,mutex --workers 1,2 --duration 2s --kill-period 500us", "rcu vs mutex");
}

function tortureOptions(y: Argv) {
  return y
    .option("protection", { type: "string", default: "rcu", describe: "the schemes to torture, one after another (comma list; see `daxbench list`)" })
    .option("seconds", { type: "string", default: "10", describe: "how long to run" })
    .option("workers", { type: "string", default: "2", describe: "reader workers; one more kills and revives" })
    .option("read-delay", { type: "string", default: "1000", describe: "extra read-side length of every fault (ns, or 1us...)" })
    .option("kill-period", { type: "string", default: "200us", describe: "time between kills (0: back to back; never is refused: it tests nothing)" })
    .option("align", { type: "string", default: "4k", describe: "region alignment: 4k, 2m, 1g" })
    .option("size", { type: "string", default: "64m", describe: "mapping size" })
    .option("stop-on-violation", { type: "boolean", default: false, describe: "stop at the first violation" })
    .option("random-delay", { type: "string", default: "5us", describe: "random delays at every step boundary of a fault and of teardown, up to this long (0: none)" })
    .option("seed", { type: "string", describe: "seed of every worker's random generator (touches, delays) [default: drawn, and printed]" })
    .option("timeout", { type: "string", default: "60s", describe: "watchdog beyond --seconds" })
    .option("out", { type: "string", nargs: 1, describe: "write the summary as a CSV row in the run schema" })
    .example("$0 torture --protection rcu --seconds 10 --workers 2", "must end SUCCESS")
    .example("$0 torture --protection none --seconds 5", "must end FAILURE");
}

/** A flag given twice takes its last value (`--duration 60ms --duration 50ms` is 50ms); flags that take lists
 *  gather every value (`--workers 1 --workers 2` is both, as `--workers 1,2` is). */
function lastValueWins(argv: Record<string, unknown>, parser: unknown): void {
  // yargs passes its parser, whose getOptions() the published types leave out: the options of this command.
  const lists = new Set((parser as { getOptions(): { array: string[] } }).getOptions().array);
  for (const [key, value] of Object.entries(argv)) {
    if (key !== "_" && Array.isArray(value) && !lists.has(key)) argv[key] = value.at(-1);
  }
}

async function main(argv: string[]): Promise<number> {
  let status = 0;
  await yargs(argv)
    .scriptName("daxbench")
    .middleware(lastValueWins as unknown as MiddlewareFunction, true)
    .version(daxbenchVersion())
    .strict()
    .showHelpOnFail(false)
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    })
    .command("run", "run a matrix of configurations, print a table and write a CSV", runOptions, async (args) => {
      status = await run(args as unknown as RunArgs);
    })
    .command("torture", "check the teardown guarantee under kills; prints SUCCESS (exit 0), or FAILURE or UNTESTED (exit 1)", tortureOptions, async (args) => {
      status = await tortureCommand(args as unknown as TortureArgs);
    })
    .command(
      "compare <files..>",
      "compare BASE.csv NEW.csv per configuration (benchstat), or one file --by protection|align|policy",
      (y) => y
        .positional("files", { type: "string", array: true, demandOption: true })
        .option("by", { type: "string", describe: "compare within one file along protection, align or policy" })
        .option("alpha", { type: "string", default: "0.05", describe: "significance level; ~ marks changes above it" }),
      (args) => compareCommand(args as unknown as CompareArgs),
    )
    .command(
      "report <file>",
      "write a Markdown report and SVG charts beside RUN.csv (and other --format exports)",
      (y) => y
        .positional("file", { type: "string", demandOption: true })
        .option("format", { type: "string", array: true, default: ["md"], describe: "md, json, csv (comma list)" })
        .option("readme", { type: "string", describe: "also rewrite a section of this file (between its markers)" })
        .option("section", { type: "string", default: "results", describe: "with --readme: the section's marker name" })
        .option("alpha", { type: "string", default: "0.05", describe: "significance level of every \"faster\" claim" }),
      async (args) => {
        const written = await writeReport(args.file as string, {
          formats: parseFormats(args.format as string[]), readme: args.readme as string | undefined, section: args.section as string,
          alpha: alphaOption(args.alpha as string),
        });
        console.log(`wrote ${written.join(", ")}`);
      },
    )
    .command(
      "merge <files..>",
      "join the CSVs of one sharded matrix into one (--out); refuses files of other columns or versions",
      (y) => y
        .positional("files", { type: "string", array: true, demandOption: true })
        .option("out", { type: "string", demandOption: true, nargs: 1, describe: "the merged CSV" })
        .option("allow-mixed", { type: "boolean", default: false, describe: "merge runs of different commits or machines" }),
      (args) => {
        const rows = mergeFiles(args.files as string[], args.out as string, { allowMixed: args["allow-mixed"] as boolean });
        console.log(`wrote ${rows} rows to ${args.out}`);
      },
    )
    .command(
      "kernel",
      "this machine's kernel: 4 KiB, 2 MiB (and 1 GiB) write faults on memory that exists, populate time per GiB, a hit",
      (y) => y
        .option("size", { type: "string", default: "128m", describe: "mapping size of the 4 KiB and 2 MiB cases (1 GiB pages map 1g)" })
        .option("repeat", { type: "string", default: "5", describe: "timed passes per case, after one warm-up" })
        .option("reserve-hugepages", { type: "string", describe: "root: make N 2 MiB huge pages free for the run, and put the pool back after" })
        .option("out", { type: "string", nargs: 1, describe: "result file, or - for stdout (one format) [default: results/kernel-<date-time>.csv]" })
        .option("format", { type: "string", array: true, default: ["csv"], describe: "csv, json, md (comma list): one file each, named after --out" })
        .option("quiet", { type: "boolean", default: false, describe: "print no table" })
        .example("$0 kernel --reserve-hugepages 64", "4 KiB and 2 MiB faults on 128 MiB (64 huge pages)"),
      async (args) => {
        status = await kernelCommand(args as unknown as KernelArgs);
      },
    )
    .command(
      "micro",
      "single-threaded micro-benchmarks of the core with benchmark.js: read-side pairs, check_vma, pgoff_to_phys, faults",
      (y) => y
        .option("max-time", { type: "string", default: "1", describe: "seconds benchmark.js spends on each case" })
        .option("out", { type: "string", nargs: 1, describe: "result file, or - for stdout (one format) [default: results/micro-<date-time>.csv]" })
        .option("format", { type: "string", array: true, default: ["csv"], describe: "csv, md, json (comma list): one file each, named after --out; micro's own schema" })
        .option("quiet", { type: "boolean", default: false, describe: "print no table" }),
      (args) => microCommand(args as unknown as MicroArgs),
    )
    .command(
      "native",
      "the read-side pairs in C (per-CPU counters, pthread mutex and rwlock, liburcu memb and qsbr) beside wasm",
      (y) => y
        .option("workers", { type: "string", array: true, default: ["1,2"], describe: "thread counts" })
        .option("duration", { type: "string", default: "500ms", describe: "per run" })
        .option("repeat", { type: "string", default: "5", describe: "measured runs per side (native and wasm) of every cell, after one warm-up" })
        .option("out", { type: "string", nargs: 1, describe: "also write the cells' Markdown table to NAME.md and every sample to NAME.csv" }),
      async (args) => {
        status = await nativeCommand(args as unknown as NativeArgs);
      },
    )
    .command("list", "list scenarios, protection schemes and alignments", {}, () => list())
    .demandCommand(1, "name a command: run, torture, compare, report, merge, micro, native, kernel or list")
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .parseAsync();
  return status;
}

// A reader that stops reading (`daxbench list | head`) is not an error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});

try {
  process.exitCode = await main(hideBin(process.argv));
} catch (error) {
  // Bad input is exit 2; anything else that escaped a command is exit 1: one line either way, the stack only
  // with DAXBENCH_DEBUG=1.
  if (process.env.DAXBENCH_DEBUG === "1") console.error(error);
  console.error(`daxbench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
