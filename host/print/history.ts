// What `daxbench history` prints: each configuration's runs in order, its headline's median and the interval
// of the geometric mean per run, and on the first run after a change point the size of the change; then one
// line per change point, the method and what chance alone would give.

import { tooSmallText } from "./pairs.ts";
import { textTable, type Align } from "./table.ts";
import { figure, geomeanWithInterval, pValue } from "./figures.ts";
import type { History, Regression, Series, Shift } from "../results/history.ts";

/** "2.00× slower (95% CI 1.96…2.04, p=0.008, n=10+5)", "+2,500 walk levels/1k (…)", or "~ 1.02× (p=0.310, n=10+5)". */
export function shiftSize(series: Series, shift: Shift, alpha: number): string {
  const k = shift.comparison;
  const n = `n=${k.n1}+${k.n2}`;
  const unit = series.scenario.headline.unit;
  const ratio = k.scale === "ratio";
  const amount = (x: number) => (ratio ? x.toFixed(2) : `${x >= 0 ? "+" : ""}${figure(x)}`);
  const show = (x: number) => (ratio ? `${amount(x)}×` : `${amount(x)} ${unit}`);
  if (shift.direction === "~") {
    return k.tooSmall
      ? `~ (${tooSmallText(k.tooSmall)})`
      : `~${k.estimate === undefined ? "" : ` ${show(k.estimate)}`} (${pValue(k.p)}, ${n})`;
  }
  const level = `${Math.round((1 - alpha) * 1000) / 10}% CI`;
  if (k.estimate === undefined || k.interval === undefined) return `${shift.direction} (${pValue(k.p)}, ${n})`;
  // A speed-up is said as "k× faster", so its ratio and interval are turned over.
  const faster = ratio && shift.direction === "faster";
  const [estimate, low, high] = faster
    ? [1 / k.estimate, 1 / k.interval[1], 1 / k.interval[0]]
    : [k.estimate, ...k.interval];
  const word = ratio ? ` ${shift.direction}` : "";
  return `${show(estimate)}${word} (${level} ${amount(low)}…${amount(high)}, ${pValue(k.p)}, ${n})`;
}

/** The commits to look between: "abc..def" (git's range: what def has that abc has not). Both ends are
 *  "(no commit)" only for runs made outside git, which history cannot tell apart by commit. */
export function commitRange(shift: Shift): string {
  return `${shift.from.commit || "(no commit)"}..${shift.to.commit || "(no commit)"}`;
}

/** "1.92× at abc123 (3 runs)": how far apart the series' runs of one commit lie. */
export function replicateSpreadText(series: Series): string | undefined {
  const r = series.replicates;
  if (!r) return undefined;
  const size = r.scale === "ratio" ? `${r.spread.toFixed(2)}×` : `${figure(r.spread)} ${series.scenario.headline.unit}`;
  return `${size} at ${r.commit} (${r.runs} runs)`;
}

/** What a change point says beyond its size: that the runs of one commit already differ as much. */
export function replicateNote(series: Series, shift: Shift): string {
  return shift.withinReplicates
    ? `; no bigger than runs of one commit differ (${replicateSpreadText(series)}): not failed on`
    : "";
}

export function seriesName(series: Series, h: History): string {
  return h.machines.length > 1 && series.machine ? `${series.label} [${series.machine}]` : series.label;
}

/** "populate rcu 4k 1w 1g: abc..def: 2.00× slower (…); E-divisive p=0.005". */
export function shiftLine(series: Series, shift: Shift, h: History): string {
  return (
    `${seriesName(series, h)}: ${commitRange(shift)}: ${shiftSize(series, shift, h.options.alpha)}; ` +
    `E-divisive p=${shift.permutationP.toFixed(3)}${replicateNote(series, shift)}`
  );
}

/** "populate rcu 4k 1w 1g: abc..def: 2.00× slower (…); E-divisive p=0.005; slower at p=0.0003, within
 *  Holm's 0.0011 for 46 series". */
export function regressionLine(r: Regression, h: History): string {
  return (
    `${shiftLine(r.series, r.shift, h)}; slower at one-sided p=${r.p.toPrecision(2)}, ` +
    `within Holm's bound ${r.bound.toPrecision(2)} for ${h.series.length} series`
  );
}

/** How --fail-on regression decides, in one line. */
function gateRule(h: History): string {
  return (
    `--fail-on regression: each of the ${h.series.length} series is a test of ` +
    `"its newest change point made it slower" (Mann-Whitney, one-sided), held together to alpha ${h.options.alpha} ` +
    "by Holm's procedure: an unchanged series fails the gate " +
    `by chance with probability at most ${h.options.alpha} in all, not ${h.options.alpha} each`
  );
}

/** The method, and how many change points chance alone would give over the series that could have one. */
export function methodLines(h: History): string[] {
  const { alpha, permutations, seed } = h.options;
  const tested = h.series.filter(
    (series) => new Set(series.points.map((point) => point.commit || point.startedAt)).size > 1,
  ).length;
  const replicated = h.series.filter((series) => series.replicates);
  const widest = replicated
    .filter((series) => series.replicates!.scale === "ratio")
    .sort((a, b) => b.replicates!.spread - a.replicates!.spread)[0];
  const widestSpread = widest
    ? `; their runs of one commit differ by up to ${replicateSpreadText(widest)}, in ${seriesName(widest, h)}`
    : "";
  return [
    "change points: E-divisive means (Matteson and James 2014) on each series' repetitions, " +
      "split only where the commit changes (runs of one commit are replicates), " +
      `a permutation test of ${permutations} shuffles (seed ${seed}) at alpha ${alpha}; ` +
      `the change's size and verdict by Hodges-Lehmann and Mann-Whitney across it, as in compare`,
    `${tested} series with two or more commits were tested: when nothing changed, ` +
      `about ${figure(alpha * tested)} of them would show a change point by chance alone`,
    ...(replicated.length
      ? [
          `${replicated.length} series have a commit run more than once${widestSpread}: ` +
            "a change no bigger than its series' runs of one commit differ is shown, and not failed on",
        ]
      : tested
        ? [
            "no commit was run more than once, so how far apart runs of unchanged code lie is unknown here: " +
              "a change point may be one run that landed badly; run a commit again to measure it",
          ]
        : []),
    gateRule(h),
  ];
}

/** "2026-01-01 00:00": the start of a run, to the minute. */
function started(iso: string): string {
  return iso.replace("T", " ").slice(0, 16);
}

/** Each series' runs in order, one row each: what the screen, the Markdown and the HTML report show. */
export function historyTable(h: History): { head: string[]; rows: string[][]; aligns: Align[] } {
  const rows: string[][] = [];
  for (const series of h.series) {
    series.points.forEach((point, i) => {
      const shift = series.shifts.find((s) => s.at === i);
      const s = point.result.headline!;
      rows.push([
        i === 0 ? `${seriesName(series, h)} (${series.scenario.headline.unit})` : "",
        point.commit || "–",
        started(point.startedAt),
        String(s.n),
        figure(s.median),
        geomeanWithInterval(s),
        shift
          ? `${shiftSize(series, shift, h.options.alpha)}; ` +
            `E-divisive p=${shift.permutationP.toFixed(3)}${replicateNote(series, shift)}`
          : "",
      ]);
    });
  }
  return {
    head: [
      "configuration",
      "commit",
      "started (UTC)",
      "n",
      "median",
      "geomean (95% CI)",
      "change (the runs from here against those before)",
    ],
    rows,
    aligns: ["left", "left", "left", "right", "right", "right", "left"],
  };
}

/** One line per change point, in series order. */
export function shiftLines(h: History): string[] {
  return h.series.flatMap((series) => series.shifts.map((shift) => shiftLine(series, shift, h)));
}

/** "4 series over 3 commits, on test cpu x8, Node v20.0.0". */
export function historyHeadline(h: History): string {
  return `${h.series.length} series over ${h.commits} commit${h.commits === 1 ? "" : "s"}, on ${h.machines.join("; ")}`;
}

export function historyText(h: History): string {
  const table = historyTable(h);
  const shifts = shiftLines(h);
  return [
    historyHeadline(h),
    textTable(table.head, table.rows, table.aligns),
    ...methodLines(h),
    shifts.length ? `${shifts.length} change point${shifts.length === 1 ? "" : "s"}:` : "no change point",
    ...shifts.map((line) => `- ${line}`),
  ].join("\n");
}
