// Rows grouped into configurations (rows that differ only in their repetition), each with its summaries:
// what printing, every export, compare and report work from.

import { configurationKey, type ResultRow } from "./results.ts";
import { summarize, type Summary } from "./stats.ts";
import { formatSize, formatDuration } from "./units.ts";

export interface ConfigurationResult {
  key: string;
  /** The first repetition's row: scenario, protection, align, workers, mapping_bytes. */
  identity: ResultRow;
  reps: ResultRow[];
  nsPerOp: Summary;
  opsPerSec: Summary;
  elapsedNs: Summary;
  faults: number;
  /** Median grace period, over the repetitions that had kills. */
  gpP50Ns: Summary | undefined;
}

export function byConfiguration(rows: ResultRow[]): ConfigurationResult[] {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = configurationKey(row);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups].map(([key, reps]) => {
    const figure = (column: keyof ResultRow) => reps.map((r) => Number(r[column]));
    const gp = reps.map((r) => r.gp_p50_ns).filter((v): v is number => typeof v === "number");
    return {
      key,
      identity: reps[0],
      reps,
      nsPerOp: summarize(figure("ns_per_op")),
      opsPerSec: summarize(figure("ops_per_sec")),
      elapsedNs: summarize(figure("elapsed_ns")),
      faults: summarize(figure("faults")).median,
      gpP50Ns: gp.length ? summarize(gp) : undefined,
    };
  });
}

/** What names a configuration, whether it comes from the command line or from a result row. */
export interface ConfigurationName {
  scenario: string;
  protection: string;
  align: string;
  policy: string;
  workers: number;
  size: bigint;
  /** undefined: the scenario has no updater; null: it never kills. */
  killPeriodNs: number | null | undefined;
  readDelayNs: number;
}

/** "populate rcu 4k 1w 1g", "churn rcu 4k fs 2w 64m kill 1ms delay 100ns"; without `omit` when one dimension
 *  is the same on every line. Defaults (device policy, no delay) are left out. */
export function describe(c: ConfigurationName, omit?: "scenario" | "protection" | "align" | "policy"): string {
  const parts = {
    scenario: c.scenario, protection: c.protection, align: c.align, policy: c.policy === "fs" ? "fs" : "",
    workers: `${c.workers}w`,
    size: formatSize(c.size),
    kill: c.killPeriodNs === undefined ? "" : `kill ${c.killPeriodNs === null ? "never" : formatDuration(c.killPeriodNs)}`,
    delay: c.readDelayNs > 0 ? `delay ${formatDuration(c.readDelayNs)}` : "",
  };
  return Object.entries(parts).filter(([name, value]) => name !== omit && value !== "").map(([, value]) => value).join(" ");
}

export function describeRow(row: ResultRow, omit?: "scenario" | "protection" | "align" | "policy"): string {
  return describe({
    scenario: String(row.scenario), protection: String(row.protection), align: String(row.align), policy: String(row.policy),
    workers: Number(row.workers), size: BigInt(row.mapping_bytes),
    // Rows of scenarios with an updater are those whose violations column is filled; an empty period is never.
    killPeriodNs: row.violations === "" ? undefined : row.kill_period_ns === "" ? null : Number(row.kill_period_ns),
    readDelayNs: Number(row.read_delay_ns),
  }, omit);
}
