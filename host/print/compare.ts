// What `daxbench compare` prints: benchstat's layout.

import Table from "cli-table3";
import type { ComparisonTable } from "../compare.ts";
import type { Summary } from "../stats.ts";

const figure = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** "39.40 ± 3%": the median and the spread (σ / mean) of a configuration's repetitions. */
function medianWithSpread(s: Summary): string {
  return `${figure.format(s.median)} ± ${s.mean ? Math.round((s.sd / s.mean) * 100) : 0}%`;
}

function signed(percent: number): string {
  return `${percent >= 0 ? "+" : ""}${percent.toFixed(2)}%`;
}

export function comparisonText(t: ComparisonTable, alpha: number): string {
  const table = new Table({
    head: ["", `${t.baseName} ns/op`, `${t.nextName} ns/op`, "vs base"],
    colAligns: ["left", "right", "right", "left"],
    style: { head: [], border: [], compact: true },
  });
  for (const d of t.deltas) {
    const n = `n=${d.base.nsPerOp.n}+${d.next.nsPerOp.n}`;
    const verdict = d.significant ? signed(d.percent) : "~";
    table.push([d.label, medianWithSpread(d.base.nsPerOp), medianWithSpread(d.next.nsPerOp), `${verdict} (p=${d.p.toFixed(3)} ${n})`]);
  }
  table.push(["geomean", "", "", signed(t.geomeanPercent)]);
  return `${table.toString()}\n~: not significant at alpha ${alpha} (Mann-Whitney U, two-sided)`;
}
