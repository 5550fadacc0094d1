// Rows grouped into configurations (rows that differ only in their repetition), each with the summary of its
// scenario's headline figure: what printing, every export, compare and report work from.

import { configurationKey, type Column, type ResultRow } from "./schema.ts";
import { summarize, type Summary } from "./stats.ts";
import { groupBy } from "./group.ts";
import { formatSize, formatDuration } from "../units.ts";
import { scenarioNamed } from "../registry/scenarios.ts";
import type { Configuration, Scenario } from "../types.ts";

export interface ConfigurationResult {
  key: string;
  scenario: Scenario;
  /** The first repetition's row: scenario, protection, align, workers, mapping_bytes. */
  identity: ResultRow;
  /** What names it, read from its row once: describe(name) is how every printer and export calls it. */
  name: ConfigurationName;
  reps: ResultRow[];
  /** The scenario's headline figure (scenario.headline) over the repetitions that have one; undefined when
   *  none has (no repetition completed an operation). */
  headline: Summary | undefined;
}

/** The numbers a column holds over the repetitions: empty cells (figure does not apply) left out. */
export function values(c: ConfigurationResult, column: Column): number[] {
  return c.reps.map((r) => r[column]).filter((v): v is number => typeof v === "number");
}

/** The headline figure of each repetition that has one, in repetition order. */
export function headlineValues(c: ConfigurationResult): number[] {
  return values(c, c.scenario.headline.column);
}

export function byConfiguration(rows: ResultRow[]): ConfigurationResult[] {
  return [...groupBy(rows, configurationKey)].map(([key, reps]) => {
    const scenario = scenarioNamed(reps[0].scenario);
    const result = {
      key,
      scenario,
      identity: reps[0],
      name: rowName(reps[0]),
      reps,
      headline: undefined as Summary | undefined,
    };
    const headline = headlineValues(result);
    result.headline = headline.length ? summarize(headline) : undefined;
    return result;
  });
}

/** What names a configuration, whether it comes from the command line or from a result row. A dimension the
 *  scenario does not use is undefined and left out of the name. */
export interface ConfigurationName {
  scenario: string;
  protection?: string;
  align?: string;
  policy?: string;
  workers: number;
  size?: bigint;
  /** undefined: the scenario has no updater; null: it never kills. */
  killPeriodNs: number | null | undefined;
  readDelayNs?: number;
  faultCostNs?: number;
  gpCostNs?: number;
  devices?: number;
  srcuDomain?: string;
}

/** The dimensions a comparison can split along, each with the result column that holds it. */
export const COMPARED_COLUMNS = {
  protection: "protection",
  align: "align",
  policy: "policy",
  srcuDomain: "srcu_domain",
} as const satisfies Record<string, Column>;
export type ComparedDimension = keyof typeof COMPARED_COLUMNS;

/** The value that sets a configuration apart in a comparison along `dimension` ("rcu", "2m", "per-device"). */
export function comparedValue(c: ConfigurationResult, dimension: ComparedDimension): string {
  return String(c.identity[COMPARED_COLUMNS[dimension]]);
}

/** "populate rcu 4k 1w 1g", "churn rcu 4k 2w 64m kill 1ms delay 100ns", "readside rcu 2w", "churn rcu 4k 2w
 *  64m kill 1ms 4 devices per-device srcu"; without `omit` when one dimension is the same on every line. A zero
 *  read delay is left out, and so are one device and its domain. */
export function describe(c: ConfigurationName, omit?: "scenario" | ComparedDimension): string {
  const parts = {
    scenario: c.scenario,
    protection: c.protection ?? "",
    align: c.align ?? "",
    policy: c.policy ?? "",
    workers: `${c.workers}w`,
    size: c.size === undefined ? "" : formatSize(c.size),
    kill:
      c.killPeriodNs === undefined ? "" : `kill ${c.killPeriodNs === null ? "never" : formatDuration(c.killPeriodNs)}`,
    delay: c.readDelayNs ? `delay ${formatDuration(c.readDelayNs)}` : "",
    cost: c.faultCostNs ? `fault cost ${formatDuration(c.faultCostNs)}` : "",
    gpCost: c.gpCostNs ? `gp cost ${formatDuration(c.gpCostNs)}` : "",
    devices: c.devices && c.devices > 1 ? `${c.devices} devices` : "",
    srcuDomain: c.devices && c.devices > 1 ? `${c.srcuDomain} srcu` : "",
  };
  return Object.entries(parts)
    .filter(([name, value]) => name !== omit && value !== "")
    .map(([, value]) => value)
    .join(" ");
}

/** The name of a configuration about to run: the dimensions its scenario uses. */
export function configurationName(config: Configuration): ConfigurationName {
  const uses = (dimension: Scenario["dimensions"][number]) => config.scenario.dimensions.includes(dimension);
  return {
    scenario: config.scenario.name,
    protection: uses("protection") ? config.protection : undefined,
    align: uses("align") ? config.align : undefined,
    policy: uses("policy") ? config.policy : undefined,
    workers: config.workers,
    size: uses("size") ? config.size : undefined,
    killPeriodNs: uses("killPeriod") ? config.killPeriodNs : undefined,
    readDelayNs: uses("readDelay") ? config.readDelayNs : undefined,
    faultCostNs: uses("faultCost") ? config.faultCostNs : undefined,
    gpCostNs: uses("gpCost") ? config.gpCostNs : undefined,
    devices: uses("devices") ? config.devices : undefined,
    srcuDomain: uses("srcuDomain") ? config.srcuDomain : undefined,
  };
}

/** The name a result row gives its configuration: the dimensions its scenario filled in. */
function rowName(row: ResultRow): ConfigurationName {
  const text = (column: Column) => (row[column] === "" ? undefined : String(row[column]));
  return {
    scenario: row.scenario,
    protection: text("protection"),
    align: text("align"),
    policy: text("policy"),
    workers: row.workers,
    size: row.mapping_bytes === "" ? undefined : BigInt(row.mapping_bytes),
    // A scenario with an updater writes an empty period for "never".
    killPeriodNs: !scenarioNamed(row.scenario).updater
      ? undefined
      : row.kill_period_ns === ""
        ? null
        : Number(row.kill_period_ns),
    readDelayNs: row.read_delay_ns === "" ? undefined : Number(row.read_delay_ns),
    faultCostNs: row.fault_cost_ns === "" ? undefined : Number(row.fault_cost_ns),
    gpCostNs: row.gp_cost_ns === "" ? undefined : Number(row.gp_cost_ns),
    devices: row.devices === "" ? undefined : Number(row.devices),
    srcuDomain: text("srcu_domain"),
  };
}

/** The results split by scenario, in the order they first appear. */
export function byScenario(results: ConfigurationResult[]): { scenario: Scenario; results: ConfigurationResult[] }[] {
  return [...groupBy(results, (c) => c.scenario)].map(([scenario, members]) => ({ scenario, results: members }));
}
