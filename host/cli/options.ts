// Turns what was typed into validated, typed options, before any work (as hyperfine's options.rs does for
// its cli.rs): every refusal is a UsageError that quotes the value as typed and says what is accepted, and
// every bound is one the run can honour. The commands (commands/) take what these functions return.

import { UsageError } from "../errors.ts";
import { MAX_TIMER_MS, MAX_TIMER_NS, formatDuration, parseSize } from "../units.ts";
import { DaxMachine, ALIGNMENTS, SKYLAKE_TLB, parseTlbGeometry, formatTlbGeometry } from "../machine/dax.ts";
import {
  expandMatrix,
  ignoredDimensionNotes,
  parseDurationOption,
  parseWorkers,
  shard,
  splitList,
  QUICK_MATRICES,
  FULL_MATRICES,
  SWEEPS,
  type MatrixSpec,
} from "../run/matrix.ts";
import { parseFormats } from "../export/formats.ts";
import type { HistoryOptions } from "../results/history.ts";
import { RUN_ORDERS } from "../run/schedule.ts";
import type { Configuration, Dimension, FormatName, RunOrder } from "../types.ts";

/** "5" -> 5; "abc", "1.5", "-1" or a value out of [least, most] is refused, quoting the text. */
export function wholeNumberOption(
  option: string,
  text: string | undefined,
  fallback: number,
  least: number,
  most = Number.MAX_SAFE_INTEGER,
): number {
  if (text === undefined) return fallback;
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || value < least || value > most) {
    throw new UsageError(`--${option} ${text} is not a whole number from ${least} to ${most.toLocaleString("en-US")}`);
  }
  return value;
}

/** A significance level: strictly between 0 and 1. */
export function alphaOption(text: string): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !(value > 0 && value < 1))
    throw new UsageError(`--alpha ${text} is not a number between 0 and 1 (exclusive), e.g. 0.05`);
  return value;
}

/** A seed: a whole number that a result row can hold exactly (below 2^53). */
export function seedOption(text: string | undefined, fallback: bigint): bigint {
  return text === undefined ? fallback : BigInt(wholeNumberOption("seed", text, 0, 0, Number.MAX_SAFE_INTEGER));
}

/** A positive number of seconds that a timer can hold. */
export function secondsOption(option: string, text: string): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !(value > 0) || value * 1000 > MAX_TIMER_MS) {
    throw new UsageError(
      `--${option} ${text} is not a positive number of seconds up to ` +
        `${Math.floor(MAX_TIMER_MS / 1000).toLocaleString("en-US")} (what a timer holds)`,
    );
  }
  return value;
}

/** --timeout, checked with the run's own length: the watchdog waits for both, and one timer must hold their sum. */
export function watchdogOption(duration: string, timeout: string): number {
  const timeoutNs = parseDurationOption("timeout", timeout);
  if (parseDurationOption("duration", duration) + timeoutNs > MAX_TIMER_NS) {
    throw new UsageError(
      `--duration ${duration} with --timeout ${timeout} is longer than ${formatDuration(MAX_TIMER_NS)} ` +
        "(what a timer holds)",
    );
  }
  return timeoutNs;
}

/** `--out -` writes one format to stdout: a second format would have nowhere to go. */
export function formatsOption(out: string | undefined, format: string[]): FormatName[] {
  const formats = parseFormats(format);
  if (out === "-" && formats.length > 1)
    throw new UsageError(`--out - takes one format; got --format ${formats.join(",")}`);
  return formats;
}

/** For a command whose --out can only be a file: `--out -` would otherwise write a file named "-". */
export function fileOutOption(out: string | undefined, why: string): void {
  if (out === "-") throw new UsageError(`--out - is not accepted: ${why}; give a path`);
}

/** results/<date-time>.csv, or results/<prefix>-<date-time>.csv: a run never overwrites another by default. */
export function defaultOutPath(startedAt: Date, prefix = ""): string {
  const stamp = startedAt
    .toISOString()
    .replace(/\.\d+Z$/, "")
    .replace(/:/g, "-");
  return `results/${prefix ? `${prefix}-` : ""}${stamp}.csv`;
}

/** Thread counts from 1 to what the machine holds, each once, in the order given. */
export function workerCountsOption(values: string[], most: number): number[] {
  const counts = splitList(values).map((text) => parseWorkers(text, most));
  if (counts.length === 0) throw new UsageError("--workers is empty: give at least one thread count");
  return [...new Set(counts)];
}

/** A positive number of seconds, for benchmark.js's --max-time. */
export function maxTimeOption(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || !(value > 0))
    throw new UsageError(`--max-time ${text} is not a positive number of seconds`);
  return value;
}

/** The kernel probe's mapping: every case maps it in 4 KiB or 2 MiB pages. */
export function kernelSizeOption(text: string): bigint {
  const size = parseSize(text);
  if (size === null || size === 0n || size % ALIGNMENTS["2m"] !== 0n) {
    throw new UsageError(
      `--size ${text} is not a positive multiple of 2m (every case maps it in 4 KiB or 2 MiB pages)`,
    );
  }
  return size;
}

/** --reserve-hugepages N: at least one page, or the flag makes no sense. */
export function hugePagesOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1)
    throw new UsageError(`--reserve-hugepages ${text} is not a whole number >= 1`);
  return Number(text);
}

/** What `run` was given, as typed. */
export interface RunArgs {
  scenario?: string[];
  protection?: string[];
  align?: string[];
  workers?: string[];
  size?: string[];
  duration?: string;
  "min-time"?: string;
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
  order: string;
}

/** What `run` will do, checked whole before any worker starts. */
export interface RunPlan {
  configs: Configuration[];
  repeat: number;
  warmup: number;
  /** The order of the repetitions, and the seed that shuffles them (the run's --seed). */
  order: RunOrder;
  seed: bigint;
  timeoutNs: number;
  out: string;
  formats: FormatName[];
  alpha: number;
  /** Values given on the command line that some scenario of the matrix does not use. */
  notes: string[];
}

const MATRIX_DEFAULTS: MatrixSpec = {
  scenario: ["populate"],
  protection: ["rcu,mutex"],
  align: ["4k,2m"],
  workers: ["1"],
  size: ["1g"],
};

/** The dimensions typed on the command line (presets' lists are not the user's choice, so they get no note). */
function givenDimensions(args: RunArgs): Set<Dimension> {
  const flags: [Dimension, unknown][] = [
    ["protection", args.protection],
    ["align", args.align],
    ["workers", args.workers],
    ["size", args.size],
    ["killPeriod", args["kill-period"]],
    ["readDelay", args["read-delay"]],
    ["policy", args.policy],
    ["faultCost", args["fault-cost"]],
  ];
  return new Set(flags.filter(([, value]) => value !== undefined).map(([dimension]) => dimension));
}

/** Turns run's flags into configurations, or throws UsageError: all of it before any worker starts. */
export function runPlan(args: RunArgs, probe: DaxMachine, startedAt: Date): RunPlan {
  const matrixGiven = [
    args.scenario,
    args.protection,
    args.align,
    args.workers,
    args.size,
    args["kill-period"],
    args["read-delay"],
    args.policy,
  ].some((v) => v !== undefined);
  const presets = [args.quick && "--quick", args.full && "--full", args.sweep !== undefined && "--sweep"].filter(
    Boolean,
  );
  if (presets.length > 1) throw new UsageError(`${presets.join(" and ")} name different suites: give one`);
  if (args.sweep !== undefined && !(args.sweep in SWEEPS)) {
    throw new UsageError(`--sweep ${args.sweep} is not one of: ${Object.keys(SWEEPS).join(", ")}`);
  }
  const tlbGeometry = args["tlb-geometry"] === undefined ? undefined : parseTlbGeometry(args["tlb-geometry"]);
  if (tlbGeometry === null) {
    throw new UsageError(
      `--tlb-geometry ${args["tlb-geometry"]} is not five entries/ways pairs (L1 4k, L1 2m, L1 1g, STLB, STLB 1g), ` +
        `e.g. ${formatTlbGeometry(SKYLAKE_TLB)}`,
    );
  }
  const timing = {
    duration: args.duration ?? (args.quick ? "300ms" : "1s"),
    minTime: args["min-time"],
    tlbGeometry,
    seed: seedOption(args.seed, 1n),
  };
  const preset = args.quick
    ? QUICK_MATRICES
    : args.full
      ? FULL_MATRICES
      : args.sweep
        ? SWEEPS[args.sweep].matrices
        : undefined;
  // --fault-cost is a cost the model carries, not a matrix of its own: it applies to the suites too.
  const withFaultCost = (matrix: MatrixSpec): MatrixSpec =>
    args["fault-cost"] ? { ...matrix, faultCost: args["fault-cost"] } : matrix;
  const matrices = (
    preset && !matrixGiven
      ? preset
      : [
          {
            scenario: args.scenario ?? MATRIX_DEFAULTS.scenario,
            protection: args.protection ?? MATRIX_DEFAULTS.protection,
            align: args.align ?? MATRIX_DEFAULTS.align,
            workers: args.workers ?? MATRIX_DEFAULTS.workers,
            size: args.size ?? MATRIX_DEFAULTS.size,
            killPeriod: args["kill-period"],
            readDelay: args["read-delay"],
            policy: args.policy,
          },
        ]
  ).map(withFaultCost);
  const formats = formatsOption(args.out, args.format);
  const configs = matrices.flatMap((matrix) => expandMatrix(matrix, timing, probe));
  return {
    configs: args.shard === undefined ? configs : shard(configs, args.shard),
    out: args.out ?? defaultOutPath(startedAt),
    formats,
    alpha: alphaOption(args.alpha),
    notes: matrices.flatMap((matrix) =>
      ignoredDimensionNotes(matrix, preset && !matrixGiven ? new Set() : givenDimensions(args)),
    ),
    // 5 repetitions a side is the least at which Mann-Whitney can call a difference significant at 0.05 with
    // one overlap allowed; 3 never can (its smallest p is 0.1), so --quick runs 5 too, only shorter.
    repeat: wholeNumberOption("repeat", args.repeat, 5, 1, 1_000_000),
    warmup: wholeNumberOption("warmup", args.warmup, 1, 0, 1_000_000),
    order: orderOption(args.order),
    seed: timing.seed,
    timeoutNs: watchdogOption(timing.duration, args.timeout),
  };
}

export function orderOption(text: string): RunOrder {
  const order = RUN_ORDERS.find((name) => name === text.trim());
  if (order === undefined) throw new UsageError(`--order ${text} is not one of: ${RUN_ORDERS.join(", ")}`);
  return order;
}

/** A share in percent, 0 or more: "5" or "5%". */
export function percentOption(option: string, text: string): number {
  const value = Number(text.trim().replace(/%$/, ""));
  if (text.trim() === "" || !Number.isFinite(value) || value < 0)
    throw new UsageError(`--${option} ${text} is not a percentage of 0 or more, e.g. 5 or 5%`);
  return value;
}

/** History's statistics, checked: enough shuffles for a p below alpha to be possible at all. */
export function historyOptions(typed: {
  alpha: number;
  permutations: string;
  seed: string | undefined;
  allowMixed: boolean;
}): HistoryOptions {
  const permutations = wholeNumberOption("permutations", typed.permutations, 199, 1, 1_000_000);
  if (1 / (permutations + 1) >= typed.alpha) {
    throw new UsageError(
      `--permutations ${typed.permutations} cannot give a p below --alpha ${typed.alpha} ` +
        `(the smallest is 1/${permutations + 1}); give at least ${Math.ceil(1 / typed.alpha)}`,
    );
  }
  // The shuffles' generator (xoroshiro128+ from pure-rand) is seeded with 32 bits: a larger seed would repeat a
  // smaller one's.
  return {
    alpha: typed.alpha,
    permutations,
    seed: wholeNumberOption("seed", typed.seed, 1, 0, 2 ** 32 - 1),
    allowMixed: typed.allowMixed,
  };
}
