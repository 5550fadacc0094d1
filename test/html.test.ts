// The HTML report: one self-contained file, checked as text, then in headless Chromium (Debian's, driven by
// puppeteer-core): no console error, every chart drawn, every table there with its rows, a tooltip on hover.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { daxbench } from "./daxbench.ts";
import { syntheticRows } from "./synthetic.ts";
import { csvText } from "../host/export/csv.ts";
import { readResultFile } from "../host/results/file.ts";
import { byConfiguration } from "../host/results/configurations.ts";
import { findChromium, openReport } from "../bench/browser.ts";

const root = new URL("..", import.meta.url).pathname;

/** results/reference.csv to report on, and three earlier runs of two configurations, the third 2× slower in one. */
async function reportWithHistory(): Promise<{ dir: string; html: string }> {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-html-"));
  copyFileSync(join(root, "results/reference.csv"), join(dir, "reference.csv"));
  const reps = [100, 101, 99, 102, 98];
  for (const day of [1, 2, 3]) {
    const cells = { commit: `c${day}`, started_at: `2026-01-0${day}T00:00:00.000Z` };
    writeFileSync(join(dir, `past-${day}.csv`), csvText(syntheticRows([
      { align: "4k", nsPerOp: reps.map((v) => v + day / 10), cells },
      { align: "2m", nsPerOp: reps.map((v) => (v / 10) * (day === 3 ? 2 : 1)), cells },
    ])));
  }
  const history = [1, 2, 3].map((day) => join(dir, `past-${day}.csv`));
  const result = await daxbench("report", join(dir, "reference.csv"), "--format", "md,html", "--history", ...history);
  assert.equal(result.status, 0, result.stderr);
  const charts = ["churn-throughput", "populate-time", "grace-period"].map((c) => join(dir, `reference-${c}.svg`));
  assert.equal(result.stdout.trim(), `wrote ${[...charts, join(dir, "reference.md"), join(dir, "reference.html")].join(", ")}`);
  return { dir, html: join(dir, "reference.html") };
}

test("the HTML report is one file that fetches nothing, every script inline; the Markdown report gets the history too", async () => {
  const { html } = await reportWithHistory();
  const text = readFileSync(html, "utf8");
  // The markup, each script's body left out (the inlined build is code, not markup).
  const markup = text.replace(/(<script[^>]*>)[\s\S]*?(<\/script>)/g, "$1$2");
  assert.deepEqual(markup.match(/<script[^>]*>/g), ["<script>", '<script type="application/json" id="daxbench-charts">', "<script>"]);
  const loads = markup.match(/<(link|img|iframe|object|embed)\b[^>]*>|\b(src|href)=|url\(/gi);
  assert.equal(loads, null, `the report loads ${loads}`);
  assert.ok(text.includes('<script>!function(t,e){"object"==typeof exports'), "Vega's browser build is inlined");
  assert.ok(text.length < 1_000_000, `${text.length} bytes`);
  const markdown = readFileSync(html.replace(/html$/, "md"), "utf8");
  assert.ok(markdown.startsWith(readFileSync(join(root, "results/reference.md"), "utf8")), "the run's report, then its history");
  assert.match(markdown, /^## History\n\n48 series over 4 commits/m);
  assert.match(markdown, /^- populate rcu 2m 1w 1g \[test cpu x8, Node v20\.0\.0\]: c2\.\.c3: 2\.00× slower/m);
  assert.match(text, /<td class="left">populate rcu 2m 1w 1g \[test cpu x8, Node v20\.0\.0\]<\/td><td class="left">c2\.\.c3<\/td><td class="left">2\.00× slower/);
});

test("report --format takes html beside md, json and csv, and refuses anything else before work", async () => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-html-"));
  copyFileSync(join(root, "results/reference.csv"), join(dir, "run.csv"));
  const result = await daxbench("report", join(dir, "run.csv"), "--format", "md,pdf");
  assert.equal(result.status, 2);
  assert.equal(result.stderr, "daxbench: --format pdf is not one of: csv, json, md, html\n");
  const history = await daxbench("report", join(dir, "run.csv"), "--format", "html", "--history", join(dir, "none.csv"));
  assert.equal(history.status, 2);
  assert.match(history.stderr, /none\.csv: cannot be read/);
  assert.equal(existsSync(join(dir, "run.html")), false, "nothing written");
});

const chromium = findChromium();

test("the HTML report in headless Chromium: no console error, every chart drawn, every table present, tooltips on hover", {
  skip: chromium ? false : "no chromium (none on the PATH, or $DAXBENCH_CHROMIUM names none): apt-get install chromium (.ci/run does) to run the browser test",
  timeout: 120_000,
}, async () => {
  const { html } = await reportWithHistory();
  const report = await openReport(chromium!, html);
  try {
    const { page, problems } = report;
    assert.deepEqual(problems, []);
    const charts = await page.$$eval("figure.chart", (figures) => figures.map((f) => ({
      id: f.id, drawn: (f as HTMLElement).dataset.drawn, marks: f.querySelectorAll("svg [role=graphics-symbol], svg .mark-line path, svg .mark-rule line").length,
    })));
    assert.deepEqual(charts.map((c) => c.id), [
      "chart-churn-throughput", "chart-populate-time", "chart-grace-period", "chart-history-overview", "chart-history-1",
    ]);
    for (const chart of charts) {
      assert.equal(chart.drawn, "yes", chart.id);
      assert.ok(chart.marks > 0, `${chart.id}: no mark drawn`);
    }
    const tables = await page.$$eval("table", (all) => all.map((t) => ({ id: t.id, rows: t.querySelectorAll("tbody tr").length })));
    const configurations = byConfiguration(readResultFile(join(root, "results/reference.csv")).rows);
    const perScenario = (name: string) => configurations.filter((c) => c.scenario.name === name).length;
    assert.deepEqual(tables, [
      ...["populate", "random", "churn", "readside"].map((name) => ({ id: `table-${name}`, rows: perScenario(name) })),
      { id: "table-change-points", rows: 1 },
      { id: "table-history", rows: configurations.length + 6 },
    ]);
    // Vega's tooltip handler titles the chart's element with the fields of the point under the mouse.
    await page.$eval("#chart-history-1", (figure) => figure.scrollIntoView());
    const [x, y] = await page.$eval("#chart-history-1 .mark-symbol path", (path) => {
      const box = path.getBoundingClientRect();
      return [box.x + box.width / 2, box.y + box.height / 2];
    });
    await page.mouse.move(x - 2, y - 2);
    await page.mouse.move(x, y);
    await page.waitForFunction(() => document.querySelector("#chart-history-1 [title]") !== null, { timeout: 10_000 });
    const title = await page.$eval("#chart-history-1 [title]", (e) => e.getAttribute("title"));
    assert.match(title ?? "", /^commit: c1\nstarted: 2026-01-01T00:00:00\.000Z\npoint: (repetition|median)\nns\/touch: [\d.]+$/);
    assert.deepEqual(problems, [], "nothing went wrong while hovering");
  } finally {
    await report.close();
  }
});
