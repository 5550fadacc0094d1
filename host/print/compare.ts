// What `daxbench compare` prints: benchstat's layout, each figure in its scenario's headline unit.

import { textTable } from "./table.ts";
import type { ComparisonTable } from "../results/compare.ts";
import type { Summary } from "../results/stats.ts";
import { tooSmallText } from "./pairs.ts";
import { figure, pValue } from "./figures.ts";

/** "39.4 ± 3%": the median and the spread (σ / mean) of a configuration's repetitions. */
function medianWithSpread(s: Summary): string {
  return `${figure(s.median)} ± ${s.mean ? Math.round((s.sd / s.mean) * 100) : 0}%`;
}

function signed(percent: number): string {
  return `${percent >= 0 ? "+" : ""}${percent.toFixed(2)}`;
}

export function comparisonText(t: ComparisonTable, alpha: number): string {
  const rows: string[][] = [];
  for (const d of t.deltas) {
    const n = `n=${d.base.headline!.n}+${d.next.headline!.n}`;
    const scale = d.base.scenario.headline.scale;
    const verdict = !d.significant
      ? "~"
      : d.change === undefined
        ? "–"
        : scale === "ratio"
          ? `${signed(d.change)}%`
          : `${d.change >= 0 ? "+" : ""}${figure(d.change)}`;
    rows.push([
      `${d.label} (${d.base.scenario.headline.unit})`,
      medianWithSpread(d.base.headline!),
      medianWithSpread(d.next.headline!),
      `${verdict} (${pValue(d.p)} ${n})`,
    ]);
  }
  rows.push(["geomean", "", "", Number.isFinite(t.geomeanPercent) ? `${signed(t.geomeanPercent)}%` : "–"]);
  // Why a pair could not be significant whatever its data, once per distinct reason.
  const reasons = [...new Set(t.deltas.flatMap((d) => (d.tooSmall ? [tooSmallText(d.tooSmall)] : [])))];
  return [
    textTable(["", t.baseName, t.nextName, "vs base"], rows, ["left", "right", "right", "left"]),
    `~: not significant at alpha ${alpha} (Mann-Whitney U, two-sided), or too few repetitions to tell`,
    ...reasons.map((reason) => `note: ${reason}`),
  ].join("\n");
}
