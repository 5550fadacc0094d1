// Turns what was typed into validated, typed options, before any work (as hyperfine's options.rs does for
// its cli.rs): every refusal is a UsageError that quotes the value as typed and says what is accepted, and
// every bound is one the run can honour. The commands (commands/) take what these functions return.

import { UsageError } from "../errors.ts";
import { ACCELERATORS, GUEST_ALIGNS, GUEST_STEPS, type AcceleratorChoice, type GuestPlan } from "../guest/boot.ts";
import { MAX_TIMER_MS, MAX_TIMER_NS, formatDuration, formatSize, parseDuration, parseSize } from "../units.ts";
import {
  DaxMachine,
  DaxConfigError,
  ALIGNMENTS,
  PHYS_BASE,
  SKYLAKE_TLB,
  parseTlbGeometry,
  formatTlbGeometry,
  simpleMapping,
} from "../machine/dax.ts";
import {
  expandMatrix,
  maxWorkers,
  shard,
  timing,
  NO_FAULT_COST,
  NO_GP_COST,
  QUICK_MATRICES,
  FULL_MATRICES,
  SWEEPS,
  type FaultCost,
  type GpCost,
  type Matrix,
  type Timing,
} from "../run/matrix.ts";
import { latestKernelFile, kernelFaultCosts, kernelGracePeriod, GRACE_PERIOD_CASE } from "../run/kernel.ts";
import { SCENARIOS, findScenario, torture } from "../registry/scenarios.ts";
import { FAKE_WRITER_SCHEMES, SRCU_SCHEMES, SCHEME_NAMES, SRCU_DOMAINS, type SchemeName } from "../schemes.ts";
import { POLICIES } from "../core-codes.ts";
import { parseFormats, type FormatName } from "../export/formats.ts";
import type { HistoryOptions } from "../results/history.ts";
import { RUN_ORDERS } from "../run/schedule.ts";
import type { AlignName, Configuration, Dimension, RunOrder, Scenario, TlbGeometry } from "../types.ts";

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

/** "a,b" and ["a", "b,c"] both become lists of single values. */
export function splitList(values: string[]): string[] {
  return values
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value !== "");
}

function oneOf<T extends string>(option: string, value: string, accepted: readonly T[]): T {
  if (!(accepted as readonly string[]).includes(value)) {
    throw new UsageError(`--${option} ${value} is not one of: ${accepted.join(", ")}`);
  }
  return value as T;
}

/** A duration as typed ("500ms", "2s"; a bare number is in `bareUnit`), at most `most` ns (by default what a
 *  timer holds). */
export function durationOption(
  option: string,
  text: string,
  { allowZero = false, bareUnit = "s" as "s" | "ns", most = MAX_TIMER_NS } = {},
): number {
  const ns = parseDuration(text, bareUnit);
  if (ns === null || (ns === 0 && !allowZero)) {
    throw new UsageError(
      `--${option} ${text} is not a ${allowZero ? "" : "positive "}duration: ` +
        `use e.g. 500ms, 2s, 100us${option === "kill-period" ? ", never" : ""}`,
    );
  }
  if (ns > most)
    throw new UsageError(
      `--${option} ${text} is longer than ${formatDuration(most)}` +
        `${most === MAX_TIMER_NS ? " (what a timer holds)" : ""}`,
    );
  return ns;
}

/** A read-side delay or a fault cost is a spin counted in a 32-bit word: beyond this it would wrap. */
export const MAX_SPIN_NS = 100e6;

/** The largest mapping the model can place: its extent starts at PHYS_BASE and pfns have 40 bits (MAX_PHYS). */
export const MAX_SIZE = (1n << 52n) - PHYS_BASE;

/** A reader count as typed, from 1 to `most` (maxWorkers). */
export function workersOption(text: string, most: number): number {
  const workers = Number(text);
  if (!/^\d+$/.test(text) || workers < 1 || workers > most) {
    throw new UsageError(
      `--workers ${text} is not a whole number from 1 to ${most} (the core lays out ${most + 2} CPUs: ` +
        "CPU 0 is the main thread, one is churn's updater)",
    );
  }
  return workers;
}

function sizeOption(text: string): bigint {
  const size = parseSize(text);
  if (size === null || size === 0n) throw new UsageError(`--size ${text} is not a size: use bytes or 4k, 2m, 64m, 1g`);
  if (size % ALIGNMENTS["4k"] !== 0n) throw new UsageError(`--size ${text} is not a multiple of 4k pages`);
  if (size > MAX_SIZE)
    throw new UsageError(
      `--size ${text} is beyond the model's physical memory: at most ${formatSize(MAX_SIZE)} ` +
        `(40-bit pfns above ${formatSize(PHYS_BASE)})`,
    );
  return size;
}

function killPeriodOption(text: string): number | null {
  return text === "never" ? null : durationOption("kill-period", text, { allowZero: true });
}

function readDelayOption(text: string): number {
  return durationOption("read-delay", text, { allowZero: true, bareUnit: "ns", most: MAX_SPIN_NS });
}

/** A cost flag's value: a duration (a bare number is nanoseconds; 0 for none) up to `most`, or the kernel results
 *  file it names: "kernel" (the newest daxbench kernel results in results/) or "kernel:PATH". */
function costOption(
  flag: string,
  text: string,
  examples: string,
  most: number,
): { ns: number; kernelFile?: undefined } | { kernelFile: string } {
  const kernel = /^kernel(?::(.+))?$/.exec(text);
  if (!kernel) {
    const ns = parseDuration(text, "ns");
    if (ns === null)
      throw new UsageError(`--${flag} ${text} is not a duration (${examples}), 0, kernel or kernel:PATH`);
    if (ns > most) throw new UsageError(`--${flag} ${text} is longer than ${formatDuration(most)}`);
    return { ns };
  }
  const path = kernel[1] ?? latestKernelFile("results");
  if (path === undefined) {
    throw new UsageError(
      `--${flag} ${text}: no daxbench kernel results in results/: run daxbench kernel first, or give kernel:PATH`,
    );
  }
  return { kernelFile: path };
}

/** --fault-cost: a duration for every page size ("1us"), or the kernel's fault of the region's page size. */
function faultCostOption(text: string): FaultCost {
  const cost = costOption("fault-cost", text, "500ns, 1.3us", MAX_SPIN_NS);
  if (cost.kernelFile === undefined) return cost.ns === 0 ? NO_FAULT_COST : { ns: () => cost.ns, source: text };
  const path = cost.kernelFile;
  const costs = kernelFaultCosts(path);
  return {
    ns: (align) => {
      const ns = costs.ns[align];
      if (ns === undefined) {
        throw new UsageError(
          `--fault-cost ${text}: ${path} has no ${align} fault (no ${align} huge pages when it was measured): ` +
            `measure one with daxbench kernel${align === "2m" ? " --reserve-hugepages 64" : ""}, ` +
            `or leave --align ${align} out`,
        );
      }
      return Math.round(ns);
    },
    source: costs.source,
  };
}

/** The longest grace-period cost taken: a kill is one grace period, and churn kills every --kill-period. */
export const MAX_GP_COST_NS = 10e9;

/** --gp-cost: a duration ("16ms"), or the median grace period a kernel results file timed. */
function gpCostOption(text: string): GpCost {
  const cost = costOption("gp-cost", text, "500us, 16ms", MAX_GP_COST_NS);
  if (cost.kernelFile === undefined) return cost.ns === 0 ? NO_GP_COST : { ns: cost.ns, source: text };
  const measured = kernelGracePeriod(cost.kernelFile);
  if (measured === undefined) {
    throw new UsageError(
      `--gp-cost ${text}: ${cost.kernelFile} has no grace period (${GRACE_PERIOD_CASE}): ` +
        "it was measured by an older daxbench, or the kernel refused membarrier; run daxbench kernel again",
    );
  }
  return { ns: Math.round(measured.ns), source: measured.source };
}

/** --devices N: 1 to the most devices the core lays out. */
function devicesOption(text: string, probe: DaxMachine): number {
  return wholeNumberOption("devices", text, 1, 1, probe.core.constant("MAX_DEVICES"));
}

/** The flag of each dimension, without its dashes. */
export const OPTION_NAMES: Record<Dimension, string> = {
  protection: "protection",
  align: "align",
  policy: "policy",
  workers: "workers",
  size: "size",
  killPeriod: "kill-period",
  readDelay: "read-delay",
  faultCost: "fault-cost",
  gpCost: "gp-cost",
  devices: "devices",
  srcuDomain: "srcu-domain",
};

/** A dimension's values as typed, comma lists split; undefined when the flag was not given. */
function listOption(dimension: Dimension, values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const split = splitList(values);
  if (split.length === 0) throw new UsageError(`--${OPTION_NAMES[dimension]} is empty: give at least one value`);
  return split;
}

function scenarioOption(name: string): Scenario {
  const scenario = findScenario(name);
  if (scenario === undefined)
    oneOf(
      "scenario",
      name,
      SCENARIOS.map((s) => s.name),
    );
  return scenario!;
}

/** A matrix as typed: each dimension's flag values (comma lists or repeated flags); those after size may be
 *  left out for the matrix's defaults. */
export interface MatrixArgs {
  scenario: string[];
  protection: string[];
  align: string[];
  workers: string[];
  size: string[];
  policy?: string[];
  killPeriod?: string[];
  readDelay?: string[];
  faultCost?: string[];
  gpCost?: string[];
  devices?: string[];
  srcuDomain?: string[];
}

/** Every value of a matrix as typed, parsed and checked against the machine's limits, used or not by the
 *  scenarios named, so that a typo never passes silently. */
export function matrixOption(args: MatrixArgs, probe: DaxMachine): Matrix {
  const scenarios = splitList(args.scenario).map(scenarioOption);
  if (scenarios.length === 0) throw new UsageError("--scenario is empty: give at least one value");
  const most = maxWorkers(probe);
  return {
    scenario: scenarios,
    protection: listOption("protection", args.protection)!.map((name) => oneOf("protection", name, SCHEME_NAMES)),
    align: listOption("align", args.align)!.map((name) => oneOf("align", name, Object.keys(ALIGNMENTS) as AlignName[])),
    policy: listOption("policy", args.policy)?.map((name) => oneOf("policy", name, POLICIES)),
    workers: listOption("workers", args.workers)!.map((text) => workersOption(text, most)),
    size: listOption("size", args.size)!.map(sizeOption),
    killPeriod: listOption("killPeriod", args.killPeriod)?.map(killPeriodOption),
    readDelay: listOption("readDelay", args.readDelay)?.map(readDelayOption),
    faultCost: listOption("faultCost", args.faultCost)?.map(faultCostOption),
    gpCost: listOption("gpCost", args.gpCost)?.map(gpCostOption),
    devices: listOption("devices", args.devices)?.map((text) => devicesOption(text, probe)),
    srcuDomain: listOption("srcuDomain", args.srcuDomain)?.map((name) => oneOf("srcu-domain", name, SRCU_DOMAINS)),
  };
}

/** A run's timing as typed: --duration, --min-time (default DEFAULT_MIN_TIME_NS), and what is already typed. */
export interface TimingArgs {
  duration: string;
  minTime?: string;
  tlbGeometry?: TlbGeometry;
  randomDelayNs?: number;
  longReadDelays?: boolean;
  fakeWriters?: number;
  updaters?: number;
  migratingReaders?: boolean;
  seed?: bigint;
}

export function timingOption(args: TimingArgs): Timing {
  const { duration, minTime, ...typed } = args;
  return timing({
    ...typed,
    durationNs: durationOption("duration", duration),
    ...(minTime === undefined ? {} : { minTimeNs: durationOption("min-time", minTime, { allowZero: true }) }),
  });
}

/** Refuses a configuration the machine cannot hold, naming the flags that combine into it. */
export function checkConfiguration(config: Configuration, probe: DaxMachine): void {
  const align = ALIGNMENTS[config.align];
  if (config.size % align !== 0n) {
    throw new UsageError(`--size ${formatSize(config.size)} is not a multiple of --align ${config.align}`);
  }
  checkDevices(config, probe);
  if (!config.scenario.timed && config.size / align < BigInt(config.workers)) {
    throw new UsageError(
      `--size ${formatSize(config.size)} holds ${config.size / align} ${config.align} entries, ` +
        `fewer than --workers ${config.workers}: ${config.scenario.name} gives each worker at least one`,
    );
  }
  try {
    probe.checkVma(simpleMapping(align, config.size).vma);
  } catch (error) {
    if (error instanceof DaxConfigError) throw new UsageError(`--size ${formatSize(config.size)}: ${error.message}`);
    throw error;
  }
  try {
    if (config.scenario.tlb) probe.setTlbGeometry(config.tlbGeometry);
  } catch (error) {
    if (error instanceof DaxConfigError) throw new UsageError(`--tlb-geometry: ${error.message}`);
    throw error;
  }
}

/** Several devices: SRCU's schemes only (their domains are what sharing is about; a reference count would be
 *  one for all the devices), each device an equal share of --size in whole --align entries, and no more
 *  updaters than devices (each updater kills devices of its own). */
function checkDevices(config: Configuration, probe: DaxMachine): void {
  if (config.updaters > config.devices) {
    throw new UsageError(
      `--updaters ${config.updaters} is more than --devices ${config.devices}: each updater kills devices of its own`,
    );
  }
  if (config.devices === 1) return;
  if (!(SRCU_SCHEMES as string[]).includes(config.protection)) {
    throw new UsageError(
      `--devices ${config.devices} applies to the schemes that count on SRCU's domains (${SRCU_SCHEMES.join(", ")}), ` +
        `not to ${config.protection}`,
    );
  }
  if (probe.deviceSpan(config.size, config.align, config.devices) === 0n) {
    throw new UsageError(
      `--size ${formatSize(config.size)} does not split into ${config.devices} devices of whole --align ` +
        `${config.align} entries: give a size that is a multiple of ${config.devices} x ${config.align}`,
    );
  }
}

/** A matrix as typed, expanded and checked whole: every configuration the machine can run, or a UsageError. */
export function matrixConfigurations(args: MatrixArgs, timingArgs: TimingArgs, probe: DaxMachine): Configuration[] {
  const matrix = matrixOption(args, probe);
  const configs = expandMatrix(matrix, timingOption(timingArgs));
  for (const config of configs) checkConfiguration(config, probe);
  return configs;
}

/** For `daxbench run`: the dimensions given on the command line that some scenario of the matrix ignores,
 *  one note each ("readside does not use --align: ..."), so that a value is never dropped without a word. */
export function ignoredDimensionNotes(scenarios: Scenario[], given: ReadonlySet<Dimension>): string[] {
  return scenarios.flatMap((scenario) => {
    const ignored = [...given].filter((dimension) => !scenario.dimensions.includes(dimension));
    if (ignored.length === 0) return [];
    const options = ignored.map((dimension) => `--${OPTION_NAMES[dimension]}`).join(", ");
    return [
      `note: ${scenario.name} does not use ${options}; ` +
        `it runs once per ${scenario.dimensions.map((d) => OPTION_NAMES[d]).join(" × ")}`,
    ];
  });
}

/** `--shard I/N`: which of N slices of the matrix this run measures. */
export function shardOption(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard ${text} is not I/N with 1 <= I <= N, e.g. 1/4`);
  }
  return { index, count };
}

/** What a torture run is, as typed on the command line. */
export interface TortureMatrixArgs {
  /** One scheme, or a comma list: each is tortured in turn. */
  protection: string;
  seconds: number;
  workers: string;
  readDelay: string;
  killPeriod: string;
  gpCost: string;
  devices: string;
  srcuDomain: string;
  align: string;
  size: string;
  seed: bigint;
  /** The longest random delay at a step boundary, as typed ("5us", "0"). */
  randomDelay: string;
  /** rcutorture's rare long read-side delays. */
  longDelays: boolean;
  /** rcutorture's fake writers, as typed. */
  fakeWriters: string;
  /** Readers that migrate between lock and unlock. */
  migrate: boolean;
  /** Updaters killing and reviving at once, as typed. */
  updaters: string;
}

/** The most fake writers a torture run takes: rcutorture's default nfakewriters. */
export const MAX_FAKE_WRITERS = 4;

/** Torture's options into the configurations it measures, one per scheme. A run that never kills cannot
 *  test the guarantee, so `--kill-period never` is refused. */
export function tortureConfigurations(args: TortureMatrixArgs, probe: DaxMachine): Configuration[] {
  if (args.killPeriod.split(",").some((period) => period.trim() === "never")) {
    throw new UsageError(
      `--kill-period ${args.killPeriod}: torture needs kills (never leaves the guarantee untested); ` +
        "give a period such as 200us, or 0 for back-to-back kills",
    );
  }
  return matrixConfigurations(
    {
      scenario: [torture.name],
      protection: [args.protection],
      align: [args.align],
      workers: [args.workers],
      size: [args.size],
      killPeriod: [args.killPeriod],
      readDelay: [args.readDelay],
      gpCost: [args.gpCost],
      devices: [args.devices],
      srcuDomain: [args.srcuDomain],
    },
    {
      duration: `${args.seconds}s`,
      seed: args.seed,
      randomDelayNs: durationOption("random-delay", args.randomDelay, {
        allowZero: true,
        bareUnit: "ns",
        most: MAX_SPIN_NS,
      }),
      longReadDelays: args.longDelays,
      fakeWriters: fakeWritersOption(args.fakeWriters, args.protection),
      updaters: wholeNumberOption("updaters", args.updaters, 1, 1, Number.MAX_SAFE_INTEGER),
      migratingReaders: migrateOption(args.migrate, args.protection),
    },
    probe,
  );
}

/** --migrate: only beside schemes whose read side counts on SRCU's per-CPU counters. */
function migrateOption(migrate: boolean, protection: string): boolean {
  const refused = knownSchemesBut(protection, SRCU_SCHEMES);
  if (migrate && refused.length > 0)
    throw new UsageError(
      `--migrate applies to the schemes that count on SRCU's per-CPU counters (${SRCU_SCHEMES.join(", ")}), ` +
        `not to ${refused.join(", ")}`,
    );
  return migrate;
}

/** The schemes of a --protection list that are known and not among `allowed` (an unknown name is refused as
 *  --protection's, by the matrix). */
function knownSchemesBut(protection: string, allowed: readonly SchemeName[]): string[] {
  return splitList([protection]).filter(
    (name) => (SCHEME_NAMES as string[]).includes(name) && !(allowed as string[]).includes(name),
  );
}

/** --fake-writers N: 0 to MAX_FAKE_WRITERS, and only beside schemes whose synchronize() is a grace period alone
 *  (the reference counts' kills the device, the seqlock's is a write). */
function fakeWritersOption(text: string, protection: string): number {
  const writers = wholeNumberOption("fake-writers", text, 0, 0, MAX_FAKE_WRITERS);
  const refused = knownSchemesBut(protection, FAKE_WRITER_SCHEMES);
  if (writers > 0 && refused.length > 0)
    throw new UsageError(
      `--fake-writers ${text} cannot run beside ${refused.join(", ")}: its synchronize() is not a grace period ` +
        `alone; fake writers run beside ${FAKE_WRITER_SCHEMES.join(", ")}`,
    );
  return writers;
}

/** torture --soak: how long to go on in rounds of --seconds, each of which must have room for kills (a round
 *  without one is UNTESTED and ends the soak); undefined when not asked for. */
export function soakOption(text: string | undefined, configs: readonly Configuration[]): number | undefined {
  if (text === undefined) return undefined;
  const soakNs = durationOption("soak", text);
  for (const config of configs) {
    if (soakNs < config.durationNs) {
      throw new UsageError(
        `--soak ${text} is shorter than one round (--seconds ${formatDuration(config.durationNs)}): ` +
          "give a longer soak or shorter rounds",
      );
    }
    if ((config.killPeriodNs ?? Infinity) + config.gpCostNs >= config.durationNs / 2) {
      throw new UsageError(
        `--soak ${text}: a round of ${formatDuration(config.durationNs)} must have room for kills: ` +
          "--kill-period and --gp-cost together must be under half of --seconds",
      );
    }
  }
  return soakNs;
}

/** --timeout, checked with the run's own length: the watchdog waits for both, and one timer must hold their sum. */
export function watchdogOption(duration: string, timeout: string): number {
  const timeoutNs = durationOption("timeout", timeout);
  if (durationOption("duration", duration) + timeoutNs > MAX_TIMER_NS) {
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
  const counts = splitList(values).map((text) => workersOption(text, most));
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
  "gp-cost"?: string[];
  devices?: string[];
  "srcu-domain"?: string[];
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

/** The matrix `run` measures when neither a suite nor a scenario is named. */
const RUN_MATRIX_DEFAULTS = {
  scenario: ["populate"],
  protection: ["rcu,mutex"],
  align: ["4k,2m"],
  workers: ["1"],
  size: ["1g"],
} satisfies MatrixArgs;

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
    ["gpCost", args["gp-cost"]],
    ["devices", args.devices],
    ["srcuDomain", args["srcu-domain"]],
  ];
  return new Set(flags.filter(([, value]) => value !== undefined).map(([dimension]) => dimension));
}

/** The suite --quick, --full or --sweep names, if one does; refuses two at once and an unknown sweep. */
function suiteOption(args: RunArgs): Matrix[] | undefined {
  const suites = [args.quick && "--quick", args.full && "--full", args.sweep !== undefined && "--sweep"].filter(
    Boolean,
  );
  if (suites.length > 1) throw new UsageError(`${suites.join(" and ")} name different suites: give one`);
  if (args.sweep !== undefined && !(args.sweep in SWEEPS)) {
    throw new UsageError(`--sweep ${args.sweep} is not one of: ${Object.keys(SWEEPS).join(", ")}`);
  }
  if (args.quick) return QUICK_MATRICES;
  if (args.full) return FULL_MATRICES;
  return args.sweep === undefined ? undefined : SWEEPS[args.sweep].matrices;
}

function tlbGeometryOption(text: string | undefined): TlbGeometry | undefined {
  if (text === undefined) return undefined;
  const geometry = parseTlbGeometry(text);
  if (geometry === null) {
    throw new UsageError(
      `--tlb-geometry ${text} is not five entries/ways pairs (L1 4k, L1 2m, L1 1g, STLB, STLB 1g), ` +
        `e.g. ${formatTlbGeometry(SKYLAKE_TLB)}`,
    );
  }
  return geometry;
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
  const suite = suiteOption(args);
  const tlbGeometry = tlbGeometryOption(args["tlb-geometry"]);
  const duration = args.duration ?? (args.quick ? "300ms" : "1s");
  const seed = seedOption(args.seed, 1n);
  const timingArgs = { duration, minTime: args["min-time"], tlbGeometry, seed };
  const fromSuite = suite !== undefined && !matrixGiven;
  // --fault-cost and --gp-cost are costs the model carries, not matrices of their own: they apply to the suites too.
  const suiteFaultCost = fromSuite ? listOption("faultCost", args["fault-cost"])?.map(faultCostOption) : undefined;
  const suiteGpCost = fromSuite ? listOption("gpCost", args["gp-cost"])?.map(gpCostOption) : undefined;
  const matrices = fromSuite
    ? suite.map((matrix) => ({
        ...matrix,
        ...(suiteFaultCost && { faultCost: suiteFaultCost }),
        ...(suiteGpCost && { gpCost: suiteGpCost }),
      }))
    : [
        matrixOption(
          {
            scenario: args.scenario ?? RUN_MATRIX_DEFAULTS.scenario,
            protection: args.protection ?? RUN_MATRIX_DEFAULTS.protection,
            align: args.align ?? RUN_MATRIX_DEFAULTS.align,
            workers: args.workers ?? RUN_MATRIX_DEFAULTS.workers,
            size: args.size ?? RUN_MATRIX_DEFAULTS.size,
            killPeriod: args["kill-period"],
            readDelay: args["read-delay"],
            policy: args.policy,
            faultCost: args["fault-cost"],
            gpCost: args["gp-cost"],
            devices: args.devices,
            srcuDomain: args["srcu-domain"],
          },
          probe,
        ),
      ];
  const formats = formatsOption(args.out, args.format);
  const runTiming = timingOption(timingArgs);
  const configs = matrices.flatMap((matrix) => expandMatrix(matrix, runTiming));
  for (const config of configs) checkConfiguration(config, probe);
  return {
    configs: args.shard === undefined ? configs : shard(configs, shardOption(args.shard)),
    out: args.out ?? defaultOutPath(startedAt),
    formats,
    alpha: alphaOption(args.alpha),
    notes: ignoredDimensionNotes(
      matrices.flatMap((matrix) => matrix.scenario),
      fromSuite ? new Set() : givenDimensions(args),
    ),
    // 5 repetitions a side is the least at which Mann-Whitney can call a difference significant at 0.05 with
    // one overlap allowed; 3 never can (its smallest p is 0.1), so --quick runs 5 too, only shorter.
    repeat: wholeNumberOption("repeat", args.repeat, 5, 1, 1_000_000),
    warmup: wholeNumberOption("warmup", args.warmup, 1, 0, 1_000_000),
    order: orderOption(args.order),
    seed,
    timeoutNs: watchdogOption(duration, args.timeout),
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

/** `daxbench guest`'s options as typed. */
export interface GuestArgs {
  align: string[];
  steps: string[];
  size: string;
  repeat: string;
  rounds: string;
  "race-size": string;
  seed: string;
  accel: string;
  cpus: string;
  timeout: string;
  "oops-cases": boolean;
}

/** The guest's namespace: 1 GiB of e820 pmem less what devdax keeps (1006 MiB), so a mapping stays below it. */
export const GUEST_MAX_MAPPING = 1000n << 20n;

/** A guest mapping: a positive multiple of 2m (both alignments map it whole) that the namespace holds. */
function guestSizeOption(option: string, text: string): number {
  const size = parseSize(text);
  if (size === null || size === 0n || size % ALIGNMENTS["2m"] !== 0n || size > GUEST_MAX_MAPPING) {
    throw new UsageError(
      `--${option} ${text} is not a positive multiple of 2m up to ${formatSize(GUEST_MAX_MAPPING)} ` +
        "(the guest's namespace holds 1006m)",
    );
  }
  return Number(size);
}

export function guestOptions(args: GuestArgs): {
  plan: GuestPlan;
  accel: AcceleratorChoice;
  cpus: number;
  timeoutSeconds: number;
} {
  const aligns = splitList(args.align).map((name) => Number(ALIGNMENTS[oneOf("align", name, GUEST_ALIGNS)]));
  const steps = splitList(args.steps).map((name) => oneOf("steps", name, GUEST_STEPS));
  if (aligns.length === 0)
    throw new UsageError(`--align ${args.align.join(",")} names no alignment: use ${GUEST_ALIGNS.join(", ")}`);
  if (steps.length === 0)
    throw new UsageError(`--steps ${args.steps.join(",")} names no step: use ${GUEST_STEPS.join(", ")}`);
  return {
    plan: {
      aligns: [...new Set(aligns)],
      steps: [...new Set(steps)],
      faultBytes: guestSizeOption("size", args.size),
      repeat: wholeNumberOption("repeat", args.repeat, 5, 1, 100),
      raceBytes: guestSizeOption("race-size", args["race-size"]),
      rounds: wholeNumberOption("rounds", args.rounds, 20, 1, 10_000),
      seed: wholeNumberOption("seed", args.seed, 1, 0, 2 ** 32),
      oopsCases: args["oops-cases"],
    },
    accel: oneOf("accel", args.accel, ACCELERATORS),
    cpus: wholeNumberOption("cpus", args.cpus, 2, 1, 64),
    timeoutSeconds: durationOption("timeout", args.timeout) / 1e9,
  };
}
