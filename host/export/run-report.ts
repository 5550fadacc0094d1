// A run as every form of its report shows it (the Markdown report, its README section, the HTML page): its
// configurations grouped once, by scenario, with the pairs' verdicts and the warnings worked out once, and the
// report's explanatory sentences, written once for every form.

import { byConfiguration, byScenario, type ConfigurationResult } from "../results/configurations.ts";
import { comparisons, summaryWarnings } from "../print/summary.ts";
import type { ResultRow } from "../results/schema.ts";
import type { Scenario } from "../types.ts";

export interface RunReport {
  rows: ResultRow[];
  alpha: number;
  results: ConfigurationResult[];
  scenarios: { scenario: Scenario; results: ConfigurationResult[] }[];
  /** The pairs' verdicts and the warnings about the run, one line each. */
  pairs: string[];
  warnings: string[];
  /** "Measured on …": the machines, commits and start times, rows and configurations. */
  measured: string;
}

function machines(rows: ResultRow[]): string[] {
  const lines = rows.map(
    (r) =>
      `${r.cpu} (${r.cpu_count} CPUs, load average ${r.load_avg_1m} at the start), ` +
      `Node ${r.node}, daxbench ${r.daxbench_version}, commit ${r.commit || "unknown"}, run started ${r.started_at}`,
  );
  return [...new Set(lines)];
}

export function runReport(rows: ResultRow[], alpha: number): RunReport {
  const results = byConfiguration(rows);
  return {
    rows,
    alpha,
    results,
    scenarios: byScenario(results),
    pairs: comparisons(results, alpha),
    warnings: summaryWarnings(results),
    measured: `Measured on ${machines(rows).join("; ")}: ${rows.length} rows, ${results.length} configurations.`,
  };
}

/** What the scenario tables show. */
export function tablesNote(alpha: number): string {
  return (
    "Each table summarises its scenario's headline figure over the repetitions: the median, mean ± σ, the range, " +
    "the 95% interval of the geometric mean (Student's t on the logarithms), and how many times the best " +
    "configuration's figure each one is (Hodges-Lehmann ratio with its interval; " +
    `"~" when Mann-Whitney's p is not below ${alpha}).`
  );
}

/** What the list of pairs holds. */
export function pairsNote(alpha: number): string {
  return (
    `Pairs that differ in one dimension, judged at alpha ${alpha} ` +
    "(Mann-Whitney U; ratio and interval by Hodges-Lehmann):"
  );
}
