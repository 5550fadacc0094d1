// The HTML report: one file that opens offline, with what the Markdown report holds (the run's metadata, one
// table per scenario, the pairs and the warnings, from the same columns) and the charts drawn in the page by
// Vega, with tooltips, and the history when one is given. Vega's browser build is inlined, the charts go in
// as Vega specifications compiled from the same Vega-Lite ones as the SVGs, and nothing is fetched.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { scenarioColumns } from "../print/figures.ts";
import { tablesNote, pairsNote, type RunReport } from "./run-report.ts";
import type { History } from "../results/history.ts";
import {
  historyHeadline,
  historyTable,
  methodLines,
  seriesName,
  commitRange,
  shiftSize,
  replicateNote,
} from "../print/history.ts";
import type { Align } from "../print/table.ts";
import { chartSpecs, type ChartSpec } from "./charts.ts";
import { historyChartSpecs } from "./history-charts.ts";

export interface HtmlReport {
  /** The run's name: the CSV's, without .csv. */
  name: string;
  run: RunReport;
  history?: History;
}

const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Vega's browser build (a UMD script that defines `vega`) from the installed package, and its version. */
function vegaBuild(): { version: string; script: string } {
  const build = dirname(createRequire(import.meta.url).resolve("vega"));
  return {
    version: JSON.parse(readFileSync(join(build, "..", "package.json"), "utf8")).version,
    // A script element ends at the first "</script": the build has none, and this keeps it so.
    script: readFileSync(join(build, "vega.min.js"), "utf8").replace(/<\/script/gi, "<\\/script"),
  };
}

function table(id: string, head: string[], rows: string[][], aligns: Align[]): string {
  const cell = (tag: string, text: string, i: number) => `<${tag} class="${aligns[i]}">${escape(text)}</${tag}>`;
  return [
    `<table id="${id}">`,
    `<thead><tr>${head.map((text, i) => cell("th", text, i)).join("")}</tr></thead>`,
    "<tbody>",
    ...rows.map((row) => `<tr>${row.map((text, i) => cell("td", text, i)).join("")}</tr>`),
    "</tbody></table>",
  ].join("\n");
}

const list = (lines: string[]) =>
  lines.length ? `<ul>\n${lines.map((line) => `<li>${escape(line)}</li>`).join("\n")}\n</ul>` : "";

function figure(chart: ChartSpec): string {
  return (
    `<figure class="chart" id="chart-${chart.name}"><figcaption>${escape(chart.title)}</figcaption>` +
    `<div class="view"></div></figure>`
  );
}

function resultTables({ scenarios, alpha }: RunReport): string {
  return scenarios
    .map(({ scenario, results }) => {
      const columns = scenarioColumns(scenario, results, { relative: { alpha } });
      return [
        `<h3>${escape(scenario.name)}</h3>`,
        `<p>${escape(scenario.headline.meaning)}.</p>`,
        table(
          `table-${scenario.name}`,
          columns.map((c) => c.header),
          results.map((r) => columns.map((c) => c.cell(r))),
          columns.map((c) => c.align),
        ),
      ].join("\n");
    })
    .join("\n");
}

function historySection(h: History, charts: ChartSpec[], skipped: string[]): string {
  const changed = h.series.flatMap((series) =>
    series.shifts.map((shift) => [
      seriesName(series, h),
      commitRange(shift),
      `${shiftSize(series, shift, h.options.alpha)}${replicateNote(series, shift)}`,
      shift.permutationP.toFixed(3),
    ]),
  );
  const trend = historyTable(h);
  return [
    `<section id="history"><h2>History</h2>`,
    `<p>${escape(historyHeadline(h))}.</p>`,
    ...methodLines(h).map((line) => `<p class="note">${escape(line)}.</p>`),
    // The charts first: they show at a glance what the change-point table then gives figure by figure.
    ...charts.map(figure),
    list(skipped),
    "<h3>Change points</h3>",
    changed.length
      ? table(
          "table-change-points",
          ["configuration", "commits", "change (after against before)", "E-divisive p"],
          changed,
          ["left", "left", "left", "right"],
        )
      : "<p>No change point.</p>",
    "<h3>Every run</h3>",
    table("table-history", trend.head, trend.rows, trend.aligns),
    "</section>",
  ].join("\n");
}

const STYLE = `
body { font: 14px/1.45 Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: .25em .6em; white-space: nowrap; }
th { background: #f4f4f4; } td.right, th.right { text-align: right; font-variant-numeric: tabular-nums; }
/* A change's sentence wraps, so the history's tables fit the page. */
#table-change-points td:nth-child(3), #table-history td:nth-child(7) { white-space: normal; min-width: 24em; }
tbody tr:hover { background: #fafae0; }
figure.chart { display: inline-block; margin: .5em 1em 1em 0; vertical-align: top; }
figcaption { font-weight: bold; margin-bottom: .3em; }
.meta, .note { color: #555; }
`;

/** The whole report, one self-contained HTML document. */
export async function htmlText(report: HtmlReport): Promise<string> {
  const { compile } = await import("vega-lite");
  const run = chartSpecs(report.run.results, true);
  const past = report.history ? historyChartSpecs(report.history) : { specs: [], skipped: [] };
  const specs = Object.fromEntries(
    [...run.specs, ...past.specs].map((chart) => [`chart-${chart.name}`, compile(chart.spec).spec]),
  );
  // JSON in a script element: "<" escaped, so no text in it can close the element.
  const data = JSON.stringify(specs).replace(/</g, "\\u003c");
  const vega = vegaBuild();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>daxbench report: ${escape(report.name)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>daxbench report: ${escape(report.name)}</h1>
<p class="meta">${escape(report.run.measured)}</p>
<section id="charts"><h2>Charts</h2>
<p class="note">Every chart shows each repetition beside the median; hover over a point for its figures.</p>
${run.specs.map(figure).join("\n")}
${list(run.skipped)}
</section>
<section id="results"><h2>Results</h2>
<p>${tablesNote(report.run.alpha)}</p>
${resultTables(report.run)}
</section>
<section id="pairs"><h2>Pairs</h2>
<p>${pairsNote(report.run.alpha)}</p>
${list(report.run.pairs)}
${list(report.run.warnings)}
</section>
${report.history ? historySection(report.history, past.specs, past.skipped) : ""}
<!-- Vega ${vega.version} (BSD-3-Clause), https://vega.github.io: draws the charts below. -->
<script>${vega.script}</script>
<script type="application/json" id="daxbench-charts">${data}</script>
<script>
for (const [id, spec] of Object.entries(JSON.parse(document.getElementById("daxbench-charts").textContent))) {
  const figure = document.getElementById(id);
  // Vega's own tooltip handler shows each mark's tooltip fields on hover.
  new vega.View(vega.parse(spec), { renderer: "svg", container: figure.querySelector(".view"), hover: true })
    .runAsync()
    .then(() => { figure.dataset.drawn = "yes"; })
    .catch((error) => { figure.dataset.drawn = "failed"; console.error(id + ": " + error); });
}
</script>
</body>
</html>
`;
}
