// What a run prints on screen: one line per configuration (medians over its repetitions: time is the
// wall time of one repetition, ns/op the cost of one operation on one CPU), then how many
// times faster one side of each pair is, for pairs that differ in one dimension only.

import Table from "cli-table3";
import { configurationKey, CONFIGURATION_COLUMNS, type ResultRow } from "../results.ts";
import { formatSize, formatDuration } from "../units.ts";

export interface ConfigurationSummary {
  row: ResultRow; // the first repetition: identifies the configuration
  n: number;
  elapsedNs: number;
  nsPerOp: number;
  opsPerSec: number;
  faults: number;
  gpP50Ns: number | undefined;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function summarize(rows: ResultRow[]): ConfigurationSummary[] {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) groups.set(configurationKey(row), [...(groups.get(configurationKey(row)) ?? []), row]);
  return [...groups.values()].map((reps) => {
    const gp = reps.map((r) => r.gp_p50_ns).filter((v): v is number => typeof v === "number");
    return {
      row: reps[0],
      n: reps.length,
      elapsedNs: median(reps.map((r) => Number(r.elapsed_ns))),
      nsPerOp: median(reps.map((r) => Number(r.ns_per_op))),
      opsPerSec: median(reps.map((r) => Number(r.ops_per_sec))),
      faults: median(reps.map((r) => Number(r.faults))),
      gpP50Ns: gp.length ? median(gp) : undefined,
    };
  });
}

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function summaryTable(summaries: ConfigurationSummary[]): string {
  const table = new Table({
    head: ["scenario", "protection", "align", "workers", "size", "n", "time", "ns/op", "ops/s", "faults", "gp p50"],
    colAligns: ["left", "left", "left", "right", "right", "right", "right", "right", "right", "right", "right"],
    style: { head: [], border: [], compact: true },
  });
  for (const s of summaries) {
    table.push([
      s.row.scenario, s.row.protection, s.row.align, s.row.workers, formatSize(BigInt(s.row.mapping_bytes)), s.n,
      formatDuration(s.elapsedNs), number.format(s.nsPerOp), whole.format(s.opsPerSec), whole.format(s.faults),
      s.gpP50Ns === undefined ? "-" : formatDuration(s.gpP50Ns),
    ]);
  }
  return table.toString();
}

/** The dimensions whose pairs are compared: rcu vs mutex, 2m vs 4k, and so on. */
const COMPARED = ["protection", "align"] as const;

/** "populate 4k 1w 1g: rcu is 1.20× faster than mutex", for every pair that differs in one compared column. */
export function comparisons(summaries: ConfigurationSummary[]): string[] {
  const lines: string[] = [];
  for (const dimension of COMPARED) {
    const others = CONFIGURATION_COLUMNS.filter((column) => column !== dimension);
    const groups = new Map<string, ConfigurationSummary[]>();
    for (const s of summaries) {
      const key = others.map((column) => s.row[column]).join("|");
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i++) {
        for (let j = i + 1; j < group.length; j++) {
          const [fast, slow] = group[i].nsPerOp <= group[j].nsPerOp ? [group[i], group[j]] : [group[j], group[i]];
          const context = others
            .filter((column) => column !== "workers" && column !== "mapping_bytes")
            .map((column) => fast.row[column]);
          const where = `${context.join(" ")} ${fast.row.workers}w ${formatSize(BigInt(fast.row.mapping_bytes))}`;
          const ratio = slow.nsPerOp / fast.nsPerOp;
          lines.push(`${where}: ${fast.row[dimension]} is ${ratio.toFixed(2)}× faster than ${slow.row[dimension]} (ns/op)`);
        }
      }
    }
  }
  return lines;
}
