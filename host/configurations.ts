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

/** "populate rcu 4k 1w 1g", "churn rcu 4k 2w 64m kill 1ms delay 100ns"; without `omit` when one dimension
 *  is the same on every line. */
export function describeRow(row: ResultRow, omit?: "scenario" | "protection" | "align" | "policy"): string {
  const parts = {
    scenario: row.scenario, protection: row.protection, align: row.align, policy: row.policy === "fs" ? "fs" : "",
    workers: `${row.workers}w`,
    size: formatSize(BigInt(row.mapping_bytes)),
    // Rows of scenarios with an updater are those whose violations column is filled.
    kill: row.violations !== "" ? `kill ${row.kill_period_ns === "" ? "never" : formatDuration(Number(row.kill_period_ns))}` : "",
    delay: Number(row.read_delay_ns) > 0 ? `delay ${formatDuration(Number(row.read_delay_ns))}` : "",
  };
  return Object.entries(parts).filter(([name, value]) => name !== omit && value !== "").map(([, value]) => value).join(" ");
}
