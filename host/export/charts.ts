// SVG charts of a run, drawn by Vega-Lite and rendered by Vega in Node (no browser, no canvas): churn
// throughput against workers per scheme, populate time per GiB by alignment (log scale), and grace-period
// latency per scheme.

import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { ResultRow } from "../results.ts";
import { byConfiguration, type ConfigurationResult } from "../configurations.ts";
import { median } from "simple-statistics";

export interface Chart {
  name: string;
  title: string;
  svg: string;
}

const GiB = 2 ** 30;
const config = { font: "Helvetica, Arial, sans-serif", axis: { labelFontSize: 11, titleFontSize: 12 } };

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg + "\n";
}

function churnThroughput(results: ConfigurationResult[]): TopLevelSpec {
  return {
    config,
    title: "churn: reader throughput under kills",
    data: { values: results.map((c) => ({ workers: c.identity.workers, protection: c.identity.protection, align: c.identity.align, ops: c.opsPerSec.median })) },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "workers", type: "ordinal", title: "reader workers", axis: { labelAngle: 0 } },
      y: { field: "ops", type: "quantitative", title: "touches per second (median)" },
      color: { field: "protection", type: "nominal" },
      strokeDash: { field: "align", type: "nominal" },
    },
    width: 360,
    height: 240,
  };
}

function populateTime(results: ConfigurationResult[]): TopLevelSpec {
  return {
    config,
    title: "populate: time to map 1 GiB",
    data: {
      values: results.map((c) => ({
        align: c.identity.align,
        protection: c.identity.protection,
        workers: `${c.identity.workers} worker${c.identity.workers === 1 ? "" : "s"}`,
        msPerGiB: c.elapsedNs.median / 1e6 / (Number(c.identity.mapping_bytes) / GiB),
      })),
    },
    // Points, not bars: a bar on a log scale has no baseline to start from.
    mark: { type: "point", filled: true, size: 90 },
    encoding: {
      x: { field: "align", type: "nominal", sort: ["4k", "2m", "1g"], title: "region alignment", axis: { labelAngle: 0 } },
      xOffset: { field: "protection", type: "nominal" },
      y: { field: "msPerGiB", type: "quantitative", scale: { type: "log" }, title: "ms per GiB (median, log scale)" },
      color: { field: "protection", type: "nominal" },
      column: { field: "workers", type: "nominal", title: null },
    },
    width: 200,
    height: 240,
  };
}

function gracePeriod(results: ConfigurationResult[]): TopLevelSpec {
  return {
    config,
    title: "grace-period (kill) latency",
    data: {
      values: results.map((c) => ({
        protection: c.identity.protection,
        workers: `${c.identity.workers}w ${c.identity.align}`,
        us: c.gpP50Ns!.median / 1e3,
      })),
    },
    mark: { type: "point", filled: true, size: 90 },
    encoding: {
      x: { field: "protection", type: "nominal", title: "protection", axis: { labelAngle: 0 } },
      xOffset: { field: "workers", type: "nominal" },
      y: { field: "us", type: "quantitative", scale: { type: "log" }, title: "p50 µs (median of runs, log scale)" },
      color: { field: "workers", type: "nominal", title: "readers, align" },
    },
    width: 300,
    height: 240,
  };
}

function tlbReach(results: ConfigurationResult[]): TopLevelSpec {
  return {
    config,
    title: "TLB reach: page-walk levels per 1,000 random touches",
    data: {
      values: results.map((c) => ({
        align: c.identity.align,
        mib: Number(c.identity.mapping_bytes) / 2 ** 20,
        levels: median(c.reps.map((r) => Number(r.tlb_walk_levels_per_1k))),
      })),
    },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "mib", type: "quantitative", scale: { type: "log", base: 4 }, title: "working set (MiB, log scale)", axis: { format: "~s" } },
      y: { field: "levels", type: "quantitative", title: "walk levels per 1,000 touches (median)" },
      color: { field: "align", type: "nominal", sort: ["4k", "2m", "1g"], title: "page size" },
    },
    width: 380,
    height: 240,
  };
}

export async function charts(rows: ResultRow[]): Promise<Chart[]> {
  const results = byConfiguration(rows);
  const of = (scenario: string) => results.filter((c) => c.identity.scenario === scenario);
  const wanted: [string, string, ConfigurationResult[], (r: ConfigurationResult[]) => TopLevelSpec][] = [
    ["churn-throughput", "Churn throughput", of("churn"), churnThroughput],
    ["populate-time", "Populate time per GiB", of("populate"), populateTime],
    ["grace-period", "Grace-period latency", results.filter((c) => c.gpP50Ns !== undefined), gracePeriod],
    ["tlb-reach", "TLB reach", of("tlb"), tlbReach],
  ];
  const drawn: Chart[] = [];
  for (const [name, title, subset, spec] of wanted) {
    if (subset.length) drawn.push({ name, title, svg: await render(spec(subset)) });
  }
  return drawn;
}
