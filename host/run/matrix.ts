// A matrix named on the command line: comma lists of scenarios, schemes, alignments, worker counts and sizes,
// expanded to every combination and checked whole before any worker starts.

import { SCENARIOS, DIMENSION_DEFAULTS, findScenario } from "../registry/scenarios.ts";
import { SCHEME_NAMES } from "../schemes.ts";
import { ALIGNMENTS, SKYLAKE_TLB, PHYS_BASE, DaxMachine, DaxConfigError, simpleMapping } from "../machine/dax.ts";
import { parseSize, parseDuration, formatSize, formatDuration, MAX_TIMER_NS } from "../units.ts";
import { latestKernelFile, kernelFaultCosts } from "./kernel.ts";
import { UsageError } from "../errors.ts";
import type { AlignName, Configuration, Dimension, Scenario, TlbGeometry } from "../types.ts";
import { POLICIES, type PolicyName } from "../core-codes.ts";

export interface MatrixSpec {
  scenario: string[];
  protection: string[];
  align: string[];
  workers: string[];
  size: string[];
  /** Mapping policies: device, fs (default device). */
  policy?: string[];
  /** Time between kills, or "never" (default 1ms). */
  killPeriod?: string[];
  /** Extra read-side length; a bare number is nanoseconds (default 0). */
  readDelay?: string[];
  /** What a fault costs before the dax handler: 0, a duration, or kernel (default 0). */
  faultCost?: string[];
}

export interface TimingSpec {
  duration: string;
  /** Fixed-work scenarios: the least time a repetition is timed for, in passes of the work (default 100ms). */
  minTime?: string;
  /** The TLB model's geometry (default Skylake's). */
  tlbGeometry?: TlbGeometry;
  /** Torture's random delays at step boundaries, up to this long (default none). */
  randomDelayNs?: number;
  /** The run's seed (default 1). */
  seed?: bigint;
}

/** The most readers a run takes, whatever the machine: the core lays out MAX_CPUS CPUs, CPU 0 is the main
 *  thread and churn adds an updater CPU, so readers get the rest. */
export function maxWorkers(machine: DaxMachine): number {
  return machine.core.constant("MAX_CPUS") - 2;
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
export function parseDurationOption(
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

/** pyperf's minimum time per value: a fixed-work repetition lasts at least this long unless --min-time says. */
export const DEFAULT_MIN_TIME = "100ms";

/** A read-side delay or a fault cost is a spin counted in a 32-bit word: beyond this it would wrap. */
export const MAX_SPIN_NS = 100e6;

/** The largest mapping the model can place: its extent starts at PHYS_BASE and pfns have 40 bits (MAX_PHYS). */
export const MAX_SIZE = (1n << 52n) - PHYS_BASE;

/** A reader count as typed, from 1 to `most` (maxWorkers). */
export function parseWorkers(text: string, most: number): number {
  const workers = Number(text);
  if (!/^\d+$/.test(text) || workers < 1 || workers > most) {
    throw new UsageError(
      `--workers ${text} is not a whole number from 1 to ${most} (the core lays out ${most + 2} CPUs: ` +
        "CPU 0 is the main thread, one is churn's updater)",
    );
  }
  return workers;
}

function parseSizeOption(text: string): bigint {
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

/** The spec's list of values for each dimension, as typed (comma lists split), defaults filled in. */
function listsOf(spec: MatrixSpec): Record<Dimension, string[]> {
  return {
    protection: splitList(spec.protection),
    align: splitList(spec.align),
    policy: splitList(spec.policy ?? [DIMENSION_DEFAULTS.policy]),
    workers: splitList(spec.workers),
    size: splitList(spec.size),
    killPeriod: splitList(spec.killPeriod ?? ["1ms"]),
    readDelay: splitList(spec.readDelay ?? [DIMENSION_DEFAULTS.readDelay]),
    faultCost: splitList(spec.faultCost ?? [DIMENSION_DEFAULTS.faultCost]),
  };
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
};

/** Every combination of the spec's lists over the dimensions each scenario uses (a dimension it ignores keeps
 *  its default, so readside runs once per scheme and worker count whatever --align says), each checked
 *  against the machine's limits. Every value is checked, used or not, so a typo never passes silently. */
export function expandMatrix(spec: MatrixSpec, timing: TimingSpec, probe: DaxMachine): Configuration[] {
  const scenarios = splitList(spec.scenario).map((name) => {
    const scenario = findScenario(name);
    if (!scenario)
      oneOf(
        "scenario",
        name,
        SCENARIOS.map((s) => s.name),
      );
    return scenario!;
  });
  if (scenarios.length === 0) throw new UsageError("--scenario is empty: give at least one value");
  const lists = listsOf(spec);
  for (const [dimension, list] of Object.entries(lists)) {
    if (list.length === 0)
      throw new UsageError(`--${OPTION_NAMES[dimension as Dimension]} is empty: give at least one value`);
  }
  const parsed = {
    protection: lists.protection.map((name) => oneOf("protection", name, SCHEME_NAMES)),
    align: lists.align.map((name) => oneOf("align", name, Object.keys(ALIGNMENTS) as AlignName[])),
    policy: lists.policy.map((name) => oneOf("policy", name, POLICIES)),
    workers: lists.workers.map((text) => parseWorkers(text, maxWorkers(probe))),
    size: lists.size.map(parseSizeOption),
    killPeriod: lists.killPeriod.map(parseKillPeriod),
    readDelay: lists.readDelay.map(parseReadDelay),
    faultCost: lists.faultCost.map(parseFaultCost),
  };
  const defaults = {
    protection: DIMENSION_DEFAULTS.protection,
    align: DIMENSION_DEFAULTS.align as AlignName,
    policy: DIMENSION_DEFAULTS.policy as PolicyName,
    workers: Number(DIMENSION_DEFAULTS.workers),
    size: parseSizeOption(DIMENSION_DEFAULTS.size),
    killPeriod: parseKillPeriod(DIMENSION_DEFAULTS.killPeriod),
    readDelay: parseReadDelay(DIMENSION_DEFAULTS.readDelay),
    faultCost: parseFaultCost(DIMENSION_DEFAULTS.faultCost),
  };
  const durationNs = parseDurationOption("duration", timing.duration);
  const minTimeNs = parseDurationOption("min-time", timing.minTime ?? DEFAULT_MIN_TIME, { allowZero: true });
  const configs: Configuration[] = [];
  for (const scenario of scenarios) {
    const used = <D extends Dimension>(dimension: D): (typeof parsed)[D] =>
      (scenario.dimensions.includes(dimension) ? parsed[dimension] : [defaults[dimension]]) as (typeof parsed)[D];
    for (const protection of used("protection"))
      for (const align of used("align"))
        for (const policy of used("policy"))
          for (const workers of used("workers"))
            for (const size of used("size"))
              for (const killPeriodNs of used("killPeriod"))
                for (const readDelayNs of used("readDelay"))
                  for (const faultCost of used("faultCost")) {
                    configs.push({
                      scenario,
                      protection,
                      align,
                      policy,
                      workers,
                      size,
                      durationNs,
                      minTimeNs,
                      killPeriodNs,
                      readDelayNs,
                      faultCostNs: faultCost.ns(align),
                      faultCostSource: faultCost.source,
                      tlbGeometry: timing.tlbGeometry ?? SKYLAKE_TLB,
                      randomDelayNs: timing.randomDelayNs ?? 0,
                      seed: timing.seed ?? 1n,
                    });
                  }
  }
  for (const config of configs) checkConfiguration(config, probe);
  return configs;
}

/** For `daxbench run`: the dimensions given on the command line that some scenario of the matrix ignores,
 *  one note each ("readside does not use --align: ..."), so that a value is never dropped without a word. */
export function ignoredDimensionNotes(spec: MatrixSpec, given: ReadonlySet<Dimension>): string[] {
  const scenarios = splitList(spec.scenario)
    .map(findScenario)
    .filter((s): s is Scenario => s !== undefined);
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

function parseKillPeriod(text: string): number | null {
  return text === "never" ? null : parseDurationOption("kill-period", text, { allowZero: true });
}

function parseReadDelay(text: string): number {
  return parseDurationOption("read-delay", text, { allowZero: true, bareUnit: "ns", most: MAX_SPIN_NS });
}

/** A --fault-cost value: the cost of a fault of each page size, and where it came from ("" for none). */
interface FaultCost {
  ns(align: AlignName): number;
  source: string;
}

/** "0" (none), a duration for every page size ("1us"; a bare number is nanoseconds), "kernel" (the newest
 *  daxbench kernel results in results/), or "kernel:PATH". */
function parseFaultCost(text: string): FaultCost {
  const kernel = /^kernel(?::(.+))?$/.exec(text);
  if (!kernel) {
    const ns = parseDuration(text, "ns");
    if (ns === null)
      throw new UsageError(`--fault-cost ${text} is not a duration (500ns, 1.3us), 0, kernel or kernel:PATH`);
    if (ns > MAX_SPIN_NS) throw new UsageError(`--fault-cost ${text} is longer than ${formatDuration(MAX_SPIN_NS)}`);
    return { ns: () => ns, source: ns === 0 ? "" : text };
  }
  const path = kernel[1] ?? latestKernelFile("results");
  if (path === undefined) {
    throw new UsageError(
      `--fault-cost ${text}: no daxbench kernel results in results/: run daxbench kernel first, or give kernel:PATH`,
    );
  }
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

function checkConfiguration(config: Configuration, probe: DaxMachine): void {
  const align = ALIGNMENTS[config.align];
  if (config.size % align !== 0n) {
    throw new UsageError(`--size ${formatSize(config.size)} is not a multiple of --align ${config.align}`);
  }
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

/** `daxbench run --quick` (and `npm run bench`): the pte-vs-pmd and rcu-vs-mutex questions in seconds. */
export const QUICK_MATRICES: MatrixSpec[] = [
  { scenario: ["populate"], protection: ["rcu,mutex"], align: ["4k,2m"], workers: ["1,2"], size: ["1g"] },
  { scenario: ["churn"], protection: ["rcu,mutex"], align: ["4k"], workers: ["1,2"], size: ["64m"] },
];

/** `daxbench run --full`: the reference matrix published in results/ (a few minutes on 2 cores). */
export const FULL_MATRICES: MatrixSpec[] = [
  { scenario: ["populate"], protection: ["rcu,mutex"], align: ["4k,2m,1g"], workers: ["1,2"], size: ["2g"] },
  { scenario: ["random"], protection: ["rcu,mutex"], align: ["4k,2m"], workers: ["1,2"], size: ["1g"] },
  { scenario: ["churn"], protection: ["rcu,mutex,rwlock,qsbr"], align: ["4k,2m"], workers: ["1,2"], size: ["64m"] },
  {
    scenario: ["readside"],
    protection: ["none,rcu,mutex,rwlock,qsbr"],
    align: ["4k"],
    workers: ["1,2"],
    size: ["64m"],
  },
];

const SWEPT_SCHEMES = ["rcu,mutex,rwlock,qsbr"];

/** `daxbench run --sweep NAME`: liburcu's benchmark sweeps (tests/benchmark/runall.sh), one dimension each. */
export const SWEEPS: Record<string, { summary: string; matrices: MatrixSpec[] }> = {
  readers: {
    summary: "reader scalability: empty read sides on 1..N workers, no updater",
    matrices: [
      {
        scenario: ["readside"],
        protection: ["none", ...SWEPT_SCHEMES],
        align: ["4k"],
        workers: ["1,2"],
        size: ["64m"],
      },
    ],
  },
  "update-rate": {
    summary: "update rate: churn with kill periods from never to continuous",
    matrices: [
      {
        scenario: ["churn"],
        protection: SWEPT_SCHEMES,
        align: ["4k"],
        workers: ["2"],
        size: ["64m"],
        killPeriod: ["never,10ms,1ms,100us,0"],
      },
    ],
  },
  "tlb-reach": {
    summary: "TLB reach: misses and walk levels per 1,000 random touches, 4k vs 2m vs 1g, working sets 1 MiB to 64 GiB",
    matrices: [
      {
        scenario: ["tlb"],
        protection: ["rcu"],
        align: ["4k"],
        workers: ["1"],
        size: ["1m,4m,16m,64m,256m,1g,4g,16g,64g"],
      },
      {
        scenario: ["tlb"],
        protection: ["rcu"],
        align: ["2m"],
        workers: ["1"],
        size: ["4m,16m,64m,256m,1g,4g,16g,64g"],
      },
      { scenario: ["tlb"], protection: ["rcu"], align: ["1g"], workers: ["1"], size: ["1g,4g,16g,64g"] },
    ],
  },
  "cs-length": {
    summary: "read-side critical-section length: churn with read delays from 0 to 10 us",
    matrices: [
      {
        scenario: ["churn"],
        protection: SWEPT_SCHEMES,
        align: ["4k"],
        workers: ["2"],
        size: ["64m"],
        readDelay: ["0,100,1000,10000"],
      },
    ],
  },
};

/** `--shard I/N`: the I-th of N slices of a matrix, dealt round-robin so that slices take about as long. */
export function shard<T>(configs: T[], spec: string): T[] {
  const match = /^(\d+)\/(\d+)$/.exec(spec);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard ${spec} is not I/N with 1 <= I <= N, e.g. 1/4`);
  }
  return configs.filter((_, k) => k % count === index - 1);
}
