// SVG charts of a run, drawn by Vega-Lite and rendered by Vega in Node (no browser, no canvas): churn
// throughput against workers per scheme, populate time per GiB by alignment (log scale), grace-period
// latency (p50 and p99) per scheme, and TLB page-walk cost against the working set. Every chart shows each
// repetition, so the spread is visible, beside the median of its configuration.

import type { TopLevelSpec } from "vega-lite";
import type { ResultRow } from "../results/schema.ts";
import { describe, type ConfigurationResult } from "../results/configurations.ts";
import { median } from "simple-statistics";
import { scenarioNamed } from "../registry/scenarios.ts";
import type { ChartName } from "../types.ts";

export interface Chart {
  name: string;
  title: string;
  svg: string;
}

/** A chart before it is drawn: its Vega-Lite specification. */
export interface ChartSpec {
  name: string;
  title: string;
  spec: TopLevelSpec;
}

/** All a chart needs of a configuration: its summaries are computed here, from the repetitions. */
type Configuration = Pick<ConfigurationResult, "identity" | "name" | "reps">;
type Datum = Record<string, string | number>;

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const ALIGNS = ["4k", "2m", "1g"];
// Titles stay short and subtitles take two lines: without a canvas Vega sizes text at 0.8 em a character,
// so a long line widens the SVG with blank space.
const config = {
  font: "Helvetica, Arial, sans-serif",
  axis: { labelFontSize: 11, titleFontSize: 12 },
  title: { anchor: "start" as const, subtitleFontSize: 11, subtitleColor: "#555" },
};

async function render(spec: TopLevelSpec): Promise<string> {
  // Loaded here, not at the top: Vega takes a sixth of a second to load, and only report draws.
  const [vega, { compile }] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg + "\n";
}

/** A cell as a number; undefined when it is empty ("does not apply", or a repetition that completed nothing). */
function numeric(value: string | number): number | undefined {
  const number = value === "" ? NaN : Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** One datum per repetition with a value, then one for their median, each tagged by `kind` for the layers and
 *  named by its configuration for the tooltips. */
function spread(
  results: Configuration[],
  value: (row: ResultRow) => number | undefined,
  fields: (c: Configuration) => Datum,
): Datum[] {
  return results.flatMap((c) => {
    const values = c.reps.map(value).filter((v): v is number => v !== undefined);
    if (!values.length) return [];
    const named = { ...fields(c), configuration: describe(c.name) };
    return [
      ...values.map((v) => ({ ...named, kind: "repetition", value: v })),
      { ...named, kind: "median", value: median(values) },
    ];
  });
}

/** The tooltip of a point of `spread`'s data, when the chart is interactive (the HTML report); a static SVG
 *  has none. */
function tooltip(interactive: boolean, value: string): { tooltip?: object[] } {
  return interactive
    ? {
        tooltip: [
          { field: "configuration", title: "configuration" },
          { field: "kind", title: "point" },
          { field: "value", type: "quantitative", title: value, format: ",.4~g" },
        ],
      }
    : {};
}

const only = (kind: string) => [{ filter: { field: "kind", equal: kind } }];
const readers = (c: Configuration) => `${c.identity.workers} reader${c.identity.workers === 1 ? "" : "s"}`;

/** The powers of `base` from the one at or below `low` to the one at or above `high`: log-axis ticks. */
function powers(base: number, low: number, high: number): number[] {
  const ticks = [base ** Math.floor(Math.log(low) / Math.log(base) + 1e-9)];
  while (ticks[ticks.length - 1] < high) ticks.push(ticks[ticks.length - 1] * base);
  return ticks;
}

function churnThroughput(results: Configuration[], interactive: boolean): TopLevelSpec {
  // Schemes side by side around each worker count, placed here: Vega-Lite's xOffset would cut the median
  // line into one piece per band.
  const workers = [...new Set(results.map((c) => c.identity.workers))].sort((a, b) => a - b);
  const protections = [...new Set(results.map((c) => c.identity.protection))].sort();
  const step = 0.6 / protections.length;
  const color = { field: "protection", type: "nominal", scale: { domain: protections } } as const;
  return {
    config,
    title: {
      text: "churn: completed touches/s, all readers",
      subtitle: ["small circles: each repetition", "line and dots: median of the repetitions"],
    },
    data: {
      values: spread(
        results,
        (r) => numeric(r.ops_per_sec),
        (c) => ({
          protection: c.identity.protection,
          align: c.identity.align,
          position:
            workers.indexOf(c.identity.workers) +
            (protections.indexOf(c.identity.protection) - (protections.length - 1) / 2) * step,
        }),
      ),
    },
    // Alignment is a facet, not a dash pattern: a dashed line between two points has no legend one can read.
    facet: { column: { field: "align", type: "nominal", sort: ALIGNS, title: "region alignment" } },
    spec: {
      width: 220,
      height: 240,
      encoding: {
        x: {
          field: "position",
          type: "quantitative",
          title: "reader workers",
          scale: { domain: [-0.5, workers.length - 0.5], nice: false },
          axis: { values: workers.map((_, i) => i), labelExpr: `${JSON.stringify(workers)}[datum.value]`, grid: false },
        },
        y: {
          field: "value",
          type: "quantitative",
          title: "touches/s, all readers",
          axis: { labelExpr: `format(datum.value, "~s")` },
        },
        color,
        ...tooltip(interactive, "touches/s"),
      },
      layer: [
        { transform: only("repetition"), mark: { type: "point", size: 20, strokeWidth: 1, opacity: 0.7 } },
        { transform: only("median"), mark: { type: "line", point: { filled: true, size: 70 } } },
      ],
    },
  };
}

function populateTime(results: Configuration[], interactive: boolean): TopLevelSpec {
  const color = { field: "protection", type: "nominal" } as const;
  return {
    config,
    title: {
      text: "populate: time to map 1 GiB",
      subtitle: ["small circles: each repetition", "tick: median of the repetitions"],
    },
    data: {
      values: spread(
        results,
        (r) => {
          const [elapsed, bytes] = [numeric(r.elapsed_ns), numeric(r.mapping_bytes)];
          return elapsed === undefined || !bytes ? undefined : elapsed / 1e6 / (bytes / GiB);
        },
        (c) => ({ align: c.identity.align, protection: c.identity.protection, workers: readers(c) }),
      ),
    },
    facet: { column: { field: "workers", type: "nominal", title: null } },
    spec: {
      width: 200,
      height: 240,
      // Points and ticks, not bars: a bar on a log scale has no baseline to start from.
      encoding: {
        x: { field: "align", type: "nominal", sort: ALIGNS, title: "region alignment", axis: { labelAngle: 0 } },
        xOffset: color,
        y: { field: "value", type: "quantitative", scale: { type: "log" }, title: "ms per GiB (log scale)" },
        color,
        ...tooltip(interactive, "ms per GiB"),
      },
      layer: [
        { transform: only("repetition"), mark: { type: "point", size: 20, strokeWidth: 1, opacity: 0.7 } },
        { transform: only("median"), mark: { type: "tick", thickness: 2, bandSize: 14 } },
      ],
    },
  };
}

function gracePeriod(results: Configuration[], interactive: boolean): TopLevelSpec {
  const color = { field: "protection", type: "nominal" } as const;
  const fields = (percentile: string) => (c: Configuration) => ({
    workers: c.identity.workers,
    protection: c.identity.protection,
    align: c.identity.align,
    percentile,
  });
  const data = [
    ...spread(results, (r) => numeric(r.gp_p50_ns), fields("p50")),
    ...spread(results, (r) => numeric(r.gp_p99_ns), fields("p99")),
  ];
  const ns = data.map((d) => Number(d.value)).filter((v) => v > 0);
  const ticks = powers(10, Math.min(...ns), Math.max(...ns));
  return {
    config,
    title: {
      text: "grace-period (kill) latency: p50, p99",
      subtitle: ["small open marks: each repetition", "large filled marks: their median"],
    },
    data: { values: data },
    facet: { column: { field: "align", type: "nominal", sort: ALIGNS, title: "region alignment" } },
    spec: {
      width: 240,
      height: 260,
      encoding: {
        x: { field: "workers", type: "ordinal", title: "reader workers", axis: { labelAngle: 0 } },
        xOffset: color,
        y: {
          field: "value",
          type: "quantitative",
          title: "grace period (log scale)",
          scale: { type: "log", domain: [ticks[0], ticks[ticks.length - 1]], nice: false },
          axis: {
            values: ticks,
            labelExpr:
              `datum.value >= 1e6 ? datum.value / 1e6 + " ms" : ` +
              `datum.value >= 1e3 ? datum.value / 1e3 + " µs" : datum.value + " ns"`,
          },
        },
        color,
        shape: {
          field: "percentile",
          type: "nominal",
          scale: { domain: ["p50", "p99"], range: ["circle", "triangle-up"] },
        },
        ...tooltip(interactive, "grace period, ns"),
      },
      layer: [
        { transform: only("repetition"), mark: { type: "point", size: 20, strokeWidth: 1, opacity: 0.7 } },
        { transform: only("median"), mark: { type: "point", filled: true, size: 90 } },
      ],
    },
  };
}

function tlbReach(results: Configuration[], interactive: boolean): TopLevelSpec {
  const data = spread(
    results,
    (r) => numeric(r.tlb_walk_levels_per_1k),
    (c) => ({
      align: c.identity.align,
      bytes: Number(c.identity.mapping_bytes),
    }),
  );
  // Ticks at the powers of 4 that span the working sets, in binary units ("64 MiB", "1 GiB"), not SI
  // prefixes on MiB ("1.024k MiB").
  const bytes = data.map((d) => Number(d.bytes));
  const ticks = powers(4, Math.min(...bytes), Math.max(...bytes));
  return {
    config,
    title: {
      text: "TLB reach: page-walk levels per 1,000 random touches",
      subtitle: ["small circles: each repetition", "line: median of the repetitions"],
    },
    data: { values: data },
    encoding: {
      x: {
        field: "bytes",
        type: "quantitative",
        title: "working set (log scale)",
        scale: { type: "log", base: 2, domain: [ticks[0], ticks[ticks.length - 1]], nice: false, padding: 10 },
        axis: {
          values: ticks,
          labelExpr:
            `datum.value >= ${GiB} ? datum.value / ${GiB} + " GiB" : ` +
            `datum.value >= ${MiB} ? datum.value / ${MiB} + " MiB" : datum.value / 1024 + " KiB"`,
        },
      },
      y: { field: "value", type: "quantitative", title: "walk levels per 1,000 touches" },
      color: {
        field: "align",
        type: "nominal",
        title: "page size",
        scale: { domain: ALIGNS.filter((a) => data.some((d) => d.align === a)) },
      },
      ...tooltip(interactive, "walk levels per 1,000 touches"),
    },
    layer: [
      { transform: only("repetition"), mark: { type: "point", size: 20, strokeWidth: 1, opacity: 0.7 } },
      { transform: only("median"), mark: { type: "line" } },
    ],
    width: 460,
    height: 240,
  };
}

/** A chart of more configurations than this is not drawn: its points would cover one another, and drawing
 *  them (a 300,000-row file has 60,000 configurations) takes minutes. */
export const MAX_CHARTED_CONFIGURATIONS = 400;

/** The charts a run's rows allow, as specifications (with tooltips when `interactive`), and one line for each
 *  chart left out as too crowded. */
export function chartSpecs(
  results: ConfigurationResult[],
  interactive: boolean,
): { specs: ChartSpec[]; skipped: string[] } {
  const charting = (chart: ChartName) =>
    results.filter((c) => scenarioNamed(c.identity.scenario).charts?.includes(chart));
  const killed = results.filter((c) =>
    c.reps.some((r) => numeric(r.gp_p50_ns) !== undefined || numeric(r.gp_p99_ns) !== undefined),
  );
  const wanted: [string, string, Configuration[], (r: Configuration[], interactive: boolean) => TopLevelSpec][] = [
    ["churn-throughput", "Churn throughput", charting("churn-throughput"), churnThroughput],
    ["populate-time", "Populate time per GiB", charting("populate-time"), populateTime],
    ["grace-period", "Grace-period latency", killed, gracePeriod],
    ["tlb-reach", "TLB reach", charting("tlb-reach"), tlbReach],
  ];
  const specs: ChartSpec[] = [];
  const skipped: string[] = [];
  for (const [name, title, subset, spec] of wanted) {
    if (subset.length > MAX_CHARTED_CONFIGURATIONS) {
      skipped.push(
        `${title}: not drawn, ${subset.length.toLocaleString("en-US")} configurations ` +
          `(charts show up to ${MAX_CHARTED_CONFIGURATIONS})`,
      );
    } else if (subset.length) {
      specs.push({ name, title, spec: spec(subset, interactive) });
    }
  }
  return { specs, skipped };
}

/** The charts a run's rows allow, drawn as SVG, and one line for each chart left out as too crowded. */
export async function charts(results: ConfigurationResult[]): Promise<{ drawn: Chart[]; skipped: string[] }> {
  const { specs, skipped } = chartSpecs(results, false);
  const drawn: Chart[] = [];
  for (const { name, title, spec } of specs) drawn.push({ name, title, svg: await render(spec) });
  return { drawn, skipped };
}
