// What `daxbench compare` prints: benchstat's layout, each figure in its scenario's headline unit.

import { textTable } from "./table.ts";
import type { ComparisonTable, RunsDelta, RunsTable } from "../results/compare.ts";
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

/** Why a pair got no verdict across runs whatever its data, in words. */
function noVerdictText(d: RunsDelta, alpha: number): string | undefined {
  const why = d.noVerdict;
  if (!why) return undefined;
  if (why.reason === "median-not-positive")
    return `${d.label}: a run's median is not positive, so the runs have no ratio to compare: no verdict across runs`;
  const differing = why.differing < why.runs ? ` (${why.differing} of ${why.runs} differ at all)` : "";
  return (
    `${why.runs} runs${differing}: no p below ${alpha} is possible (smallest ${why.smallestP.toFixed(3)}); ` +
    `${why.needed}+ runs that differ are needed`
  );
}

/** `compare --by` over several runs: per pair, each run's medians set against each other (their median and
 *  range), how many runs found the new side's headline significantly lower or higher by the one rule, and the
 *  verdict with the run as the unit. */
export function acrossRunsText(t: RunsTable, alpha: number): string {
  const rows = t.deltas.map((d) => {
    const scale = d.base.scenario.headline.scale;
    const sorted = [...d.perRun].sort((x, y) => x - y);
    const verdict = !d.significant
      ? "~"
      : scale === "ratio"
        ? `${signed((d.estimate - 1) * 100)}%`
        : `${d.estimate >= 0 ? "+" : ""}${figure(d.estimate)}`;
    const runs =
      d.noVerdict?.reason === "median-not-positive"
        ? "–"
        : `${amount(d.estimate, scale)} (${amount(sorted[0], scale)}…${amount(sorted.at(-1)!, scale)})`;
    return [
      `${d.label} (${d.base.scenario.headline.unit})`,
      runs,
      `${d.calls.lower} · ${d.calls.higher} · ${d.calls.none}`,
      `${verdict} (${pValue(d.p)}, ${t.runs} runs)`,
    ];
  });
  const reasons = [...new Set(t.deltas.flatMap((d) => noVerdictText(d, alpha) ?? []))];
  return [
    textTable(["", `${t.nextName} vs ${t.baseName}, runs`, "runs: lower · higher · ~", "across runs"], rows, [
      "left",
      "right",
      "right",
      "left",
    ]),
    `runs: the median (smallest…largest) over the runs of each run's ratio of medians ${t.nextName} / ` +
      `${t.baseName} (a difference, signed, for counts); lower, higher: runs that found ${t.nextName}'s ` +
      "figure significantly lower (faster, or fewer) or higher by the one rule",
    `~: not significant at alpha ${alpha} (Wilcoxon signed-rank over the runs, two-sided), or no verdict possible`,
    ...reasons.map((reason) => `note: ${reason}`),
  ].join("\n");
}
