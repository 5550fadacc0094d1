// The history's charts, for the HTML report: every series' median against its first run's (one line each, a
// series with a change point in colour), and each series with a change point on its own: every repetition
// of every run, the medians joined, and a rule where the change point falls. Tooltips name the point.

import type { TopLevelSpec } from "vega-lite";
import type { History, Series } from "../results/history.ts";
import { headlineValues } from "../results/configurations.ts";
import { seriesName, shiftSize, commitRange } from "../print/history.ts";
import type { ChartSpec } from "./charts.ts";

const config = {
  font: "Helvetica, Arial, sans-serif",
  axis: { labelFontSize: 11, titleFontSize: 12 },
  title: { anchor: "start" as const, subtitleFontSize: 11, subtitleColor: "#555" },
};

/** Series drawn one chart each, at most: the rest are listed in the change-point table. */
export const MAX_SERIES_CHARTS = 12;
/** Lines in the overview, at most. */
const MAX_OVERVIEW_SERIES = 400;

/** A run on an axis, in two lines: its commit, and when it started (to the minute, UTC). */
function runLabel(commit: string, startedAt: string): string[] {
  return [commit || "–", startedAt.replace("T", " ").slice(0, 16)];
}

function overview(h: History, series: Series[]): TopLevelSpec {
  const values = series.flatMap((s) => {
    const base = s.points[0].result.headline!.median;
    return s.points.map((point, i) => ({
      series: seriesName(s, h),
      run: i + 1,
      commit: point.commit || "–",
      started: point.startedAt,
      median: point.result.headline!.median,
      relative: point.result.headline!.median / base,
      status: s.shifts.length ? "has a change point" : "no change point",
    }));
  });
  const runs = Math.max(...series.map((s) => s.points.length));
  return {
    config,
    title: {
      text: "every configuration's median, against its first run",
      subtitle: [
        "log scale; one line per configuration (ns per operation figures only)",
        "coloured: a configuration with a change point",
      ],
    },
    data: { values },
    width: Math.max(320, 90 * runs),
    height: 260,
    mark: { type: "line", point: true, strokeWidth: 1.5 },
    encoding: {
      x: {
        field: "run",
        type: "quantitative",
        title: "its runs, oldest first",
        scale: { domain: [0.75, runs + 0.25], nice: false },
        axis: { values: Array.from({ length: runs }, (_, i) => i + 1), format: "d", grid: false },
      },
      y: { field: "relative", type: "quantitative", scale: { type: "log" }, title: "median / first run's median" },
      detail: { field: "series" },
      color: {
        field: "status",
        type: "nominal",
        title: null,
        scale: { domain: ["has a change point", "no change point"], range: ["#d62728", "#bbbbbb"] },
      },
      opacity: { condition: { test: "datum.status === 'has a change point'", value: 1 }, value: 0.5 },
      tooltip: [
        { field: "series", title: "configuration" },
        { field: "commit" },
        { field: "started" },
        { field: "median", type: "quantitative", format: ",.4~g" },
        { field: "relative", type: "quantitative", title: "against the first run", format: ".3f" },
      ],
    },
  };
}

function seriesChart(h: History, s: Series): TopLevelSpec {
  const unit = s.scenario.headline.unit;
  const labels = s.points.map((point) => runLabel(point.commit, point.startedAt));
  const datum = (i: number) => ({ run: i, commit: s.points[i].commit || "–", started: s.points[i].startedAt });
  const repetitions = s.points.flatMap((point, i) =>
    headlineValues(point.result).map((value) => ({ ...datum(i), kind: "repetition", value })),
  );
  const medians = s.points.map((point, i) => ({ ...datum(i), kind: "median", value: point.result.headline!.median }));
  const changes = s.shifts.map((shift) => ({
    run: shift.at - 0.5,
    change: `${commitRange(shift)}: ${shiftSize(s, shift, h.options.alpha)}`,
  }));
  const x = {
    field: "run",
    type: "quantitative" as const,
    title: null,
    scale: { domain: [-0.5, s.points.length - 0.5], nice: false },
    axis: { values: labels.map((_, i) => i), labelExpr: `${JSON.stringify(labels)}[datum.value]`, grid: false },
  };
  const tooltip = [
    { field: "commit" },
    { field: "started" },
    { field: "kind", title: "point" },
    { field: "value", type: "quantitative" as const, title: unit, format: ",.4~g" },
  ];
  return {
    config,
    title: {
      text: seriesName(s, h),
      subtitle: [`${unit}: circles each repetition, line the medians; red rule: a change point`],
    },
    width: Math.max(320, 90 * s.points.length),
    height: 200,
    layer: [
      {
        data: { values: repetitions },
        mark: { type: "point", size: 24, opacity: 0.7 },
        encoding: { x, y: { field: "value", type: "quantitative", title: unit, scale: { zero: false } }, tooltip },
      },
      {
        data: { values: medians },
        mark: { type: "line", point: { filled: true, size: 60 } },
        encoding: { x, y: { field: "value", type: "quantitative" }, tooltip },
      },
      {
        data: { values: changes },
        mark: { type: "rule", color: "#d62728", strokeWidth: 2, strokeDash: [4, 3] },
        encoding: { x: { field: "run", type: "quantitative" }, tooltip: [{ field: "change", title: "change point" }] },
      },
    ],
  };
}

/** The overview (when some series has two runs) and one chart per series with a change point. */
export function historyChartSpecs(h: History): { specs: ChartSpec[]; skipped: string[] } {
  const specs: ChartSpec[] = [];
  const skipped: string[] = [];
  const followed = h.series.filter((s) => s.points.length > 1 && s.scenario.headline.scale === "ratio");
  if (followed.length > MAX_OVERVIEW_SERIES) {
    skipped.push(
      `History overview: not drawn, ${followed.length.toLocaleString("en-US")} configurations ` +
        `(it shows up to ${MAX_OVERVIEW_SERIES})`,
    );
  } else if (followed.length) {
    specs.push({ name: "history-overview", title: "History: every configuration", spec: overview(h, followed) });
  }
  const changed = h.series.filter((s) => s.shifts.length > 0);
  changed
    .slice(0, MAX_SERIES_CHARTS)
    .forEach((s, i) =>
      specs.push({ name: `history-${i + 1}`, title: `History: ${seriesName(s, h)}`, spec: seriesChart(h, s) }),
    );
  if (changed.length > MAX_SERIES_CHARTS) {
    skipped.push(
      `History: ${changed.length - MAX_SERIES_CHARTS} more configurations with a change point are in the table, ` +
        `not drawn (charts show up to ${MAX_SERIES_CHARTS})`,
    );
  }
  return { specs, skipped };
}
