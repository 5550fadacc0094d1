// Markdown export: one publishable table per scenario, each configuration with its summary and a Relative
// column (hyperfine's): how many times the fastest configuration of the table it takes, with uncertainty.

import type { ResultRow, Column } from "../results.ts";
import { median } from "simple-statistics";
import { byConfiguration, describeRow, type ConfigurationResult } from "../configurations.ts";
import { speedup } from "../stats.ts";
import { formatDuration } from "../units.ts";

const figure = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 });
const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** σ over repetitions; for a single benchmark.js measurement, its relative margin of error instead. */
function spread(c: ConfigurationResult): string {
  const rme = c.reps[0].rme_percent;
  return c.nsPerOp.n === 1 && rme !== "" ? `${rme}%` : figure.format(c.nsPerOp.sd);
}

/** Figures only some scenarios have, shown (as medians over repetitions) in those scenarios' tables. */
const SCENARIO_COLUMNS: Record<string, Column[]> = {
  "mmap-mix": ["mmaps_rejected", "pmd_installs", "pte_installs", "faults_per_gib"],
  tlb: ["tlb_l1_misses_per_1k", "tlb_walks_per_1k", "tlb_walk_levels_per_1k"],
};

function scenarioTable(results: ConfigurationResult[]): string {
  const fastest = results.reduce((best, c) => (c.nsPerOp.mean < best.nsPerOp.mean ? c : best));
  const extra = SCENARIO_COLUMNS[String(fastest.identity.scenario)] ?? [];
  const lines = [
    `| configuration | n | ns/op mean ± σ | min…max | ops/s | faults | gp p50 | Relative |${extra.map((c) => ` ${c} |`).join("")}`,
    `|:--|--:|--:|--:|--:|--:|--:|--:|${extra.map(() => "--:|").join("")}`,
  ];
  for (const c of results) {
    const { ratio, error } = speedup(fastest.nsPerOp, c.nsPerOp);
    const relative = c === fastest ? "1.00" : `${ratio.toFixed(2)} ± ${error.toFixed(2)}`;
    lines.push(
      `| ${describeRow(c.identity, "scenario")} | ${c.nsPerOp.n} | ${figure.format(c.nsPerOp.mean)} ± ${spread(c)} | ` +
        `${figure.format(c.nsPerOp.min)}…${figure.format(c.nsPerOp.max)} | ${whole.format(c.opsPerSec.median)} | ` +
        `${whole.format(c.faults)} | ${c.gpP50Ns ? formatDuration(c.gpP50Ns.median) : "–"} | ${relative} |` +
        extra.map((column) => ` ${figure.format(median(c.reps.map((r) => Number(r[column]))))} |`).join(""),
    );
  }
  return lines.join("\n");
}

export function markdownText(rows: ResultRow[]): string {
  const results = byConfiguration(rows);
  const scenarios = [...new Set(results.map((c) => String(c.identity.scenario)))];
  return scenarios
    .map((scenario) => `### ${scenario}\n\n${scenarioTable(results.filter((c) => c.identity.scenario === scenario))}\n`)
    .join("\n");
}
