// What `daxbench compare` prints: benchstat's layout, each figure in its scenario's headline unit.

import { textTable } from "./table.ts";
import type { ComparisonTable, RunsTable } from "../results/compare.ts";
import type { Summary } from "../results/stats.ts";
import { tooSmallText } from "./pairs.ts";
import { amount, figure, pValue } from "./figures.ts";

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

/** `compare --by` over several runs: per pair, each run's medians set against each other (their median and
 *  range), how many runs called each side faster by the one rule, and the verdict with the run as the unit. */
export function acrossRunsText(t: RunsTable, alpha: number): string {
  const rows = t.deltas.map((d) => {
    const scale = d.base.scenario.headline.scale;
    const sorted = [...d.perRun].sort((x, y) => x - y);
    const verdict = !d.significant
      ? "~"
      : scale === "ratio"
        ? `${signed((d.estimate - 1) * 100)}%`
        : `${d.estimate >= 0 ? "+" : ""}${figure(d.estimate)}`;
    return [
      `${d.label} (${d.base.scenario.headline.unit})`,
      `${amount(d.estimate, scale)} (${amount(sorted[0], scale)}…${amount(sorted.at(-1)!, scale)})`,
      `${d.calls.lower} · ${d.calls.higher} · ${d.calls.none}`,
      `${verdict} (${pValue(d.p)}, ${t.runs} runs)`,
    ];
  });
  const reasons = [
    ...new Set(
      t.deltas.flatMap((d) =>
        d.tooFewRuns
          ? [
              `${d.tooFewRuns.runs} runs that differ: no p below ${alpha} is possible ` +
                `(smallest ${d.tooFewRuns.smallestP.toFixed(3)}); ${d.tooFewRuns.needed}+ runs are needed`,
            ]
          : [],
      ),
    ),
  ];
  return [
    textTable(["", `${t.nextName} vs ${t.baseName}, runs`, "runs: faster · slower · ~", "across runs"], rows, [
      "left",
      "right",
      "right",
      "left",
    ]),
    `runs: the median (smallest…largest) over the runs of each run's ratio of medians ${t.nextName} / ` +
      `${t.baseName} (a difference, signed, for counts); faster, slower: runs that found ${t.nextName} ` +
      "significantly faster or slower by the one rule",
    `~: not significant at alpha ${alpha} (Wilcoxon signed-rank over the runs, two-sided), or too few runs to tell`,
    ...reasons.map((reason) => `note: ${reason}`),
  ].join("\n");
}
