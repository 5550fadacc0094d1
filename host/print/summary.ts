// What a run prints on screen: one line per configuration (hyperfine's summary over repetitions: mean ± σ,
// median, min…max, 95% CI), warnings for configurations that should not be compared, then how many times
// faster one side of each pair is, with its uncertainty, for pairs that differ in one dimension only.

import Table from "cli-table3";
import { CONFIGURATION_COLUMNS } from "../results.ts";
import { describeRow, type ConfigurationResult } from "../configurations.ts";
import { speedup, warnings } from "../stats.ts";
import { formatDuration } from "../units.ts";

const figure = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function summaryTable(results: ConfigurationResult[]): string {
  const table = new Table({
    head: ["configuration", "n", "time", "ns/op mean ± σ", "median", "min…max", "95% CI", "ops/s", "faults", "gp p50"],
    colAligns: ["left", ...Array<"right">(9).fill("right")],
    style: { head: [], border: [], compact: true },
  });
  for (const c of results) {
    const ns = c.nsPerOp;
    table.push([
      describeRow(c.identity), ns.n, formatDuration(c.elapsedNs.median),
      `${figure.format(ns.mean)} ± ${figure.format(ns.sd)}`, figure.format(ns.median),
      `${figure.format(ns.min)}…${figure.format(ns.max)}`, `${figure.format(ns.ci95[0])}…${figure.format(ns.ci95[1])}`,
      whole.format(c.opsPerSec.median), whole.format(c.faults),
      c.gpP50Ns === undefined ? "-" : formatDuration(c.gpP50Ns.median),
    ]);
  }
  return table.toString();
}

/** "populate rcu 4k 1w 1g: 1 outlier (modified z-score > 3.5)", one line per problem. */
export function summaryWarnings(results: ConfigurationResult[]): string[] {
  return results.flatMap((c) => warnings(c.nsPerOp).map((w) => `warning: ${describeRow(c.identity)}: ${w}`));
}

/** The dimensions whose pairs are compared: rcu vs mutex, 2m vs 4k, fs vs device. */
const COMPARED = ["protection", "align", "policy"] as const;

/** "populate 4k 1w 1g: rcu is 1.20 ± 0.03 times faster than mutex per op", for every pair that differs in
 *  one compared column only. */
export function comparisons(results: ConfigurationResult[]): string[] {
  const lines: string[] = [];
  for (const dimension of COMPARED) {
    const others = CONFIGURATION_COLUMNS.filter((column) => column !== dimension);
    const groups = new Map<string, ConfigurationResult[]>();
    for (const c of results) {
      const key = others.map((column) => c.identity[column]).join("|");
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i++) {
        for (let j = i + 1; j < group.length; j++) {
          const [fast, slow] = group[i].nsPerOp.mean <= group[j].nsPerOp.mean ? [group[i], group[j]] : [group[j], group[i]];
          const { ratio, error } = speedup(fast.nsPerOp, slow.nsPerOp);
          const row = fast.identity;
          lines.push(
            `${describeRow(row, dimension)}: ` +
              `${row[dimension]} is ${ratio.toFixed(2)} ± ${error.toFixed(2)} times faster than ${slow.identity[dimension]} per op`,
          );
        }
      }
    }
  }
  return lines;
}
