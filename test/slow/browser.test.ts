// The HTML report in headless Chromium (Debian's, driven by puppeteer-core): no console error, every chart
// drawn, every table there with its rows, a tooltip on hover. In the slow tier (npm run test:slow): starting a
// browser costs seconds of CPU.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { reportWithHistory } from "../report-history.ts";
import { readResultFile } from "../../host/results/file.ts";
import { byConfiguration } from "../../host/results/configurations.ts";
import { findChromium, openReport } from "../../bench/browser.ts";

const root = new URL("../..", import.meta.url).pathname;

const chromium = findChromium();

test(
  "the HTML report in headless Chromium: no console error, every chart drawn, every table present, tooltips on hover",
  {
    skip: chromium
      ? false
      : "no chromium (none on the PATH, or $DAXBENCH_CHROMIUM names none): " +
        "apt-get install chromium (.ci/run does) to run the browser test",
    timeout: 120_000,
  },
  async () => {
    const { html } = await reportWithHistory();
    const report = await openReport(chromium!, html);
    try {
      const { page, problems } = report;
      assert.deepEqual(problems, []);
      const charts = await page.$$eval("figure.chart", (figures) =>
        figures.map((f) => ({
          id: f.id,
          drawn: (f as HTMLElement).dataset.drawn,
          marks: f.querySelectorAll("svg [role=graphics-symbol], svg .mark-line path, svg .mark-rule line").length,
        })),
      );
      assert.deepEqual(
        charts.map((c) => c.id),
        [
          "chart-churn-throughput",
          "chart-populate-time",
          "chart-grace-period",
          "chart-history-overview",
          "chart-history-1",
        ],
      );
      for (const chart of charts) {
        assert.equal(chart.drawn, "yes", chart.id);
        assert.ok(chart.marks > 0, `${chart.id}: no mark drawn`);
      }
      const tables = await page.$$eval("table", (all) =>
        all.map((t) => ({ id: t.id, rows: t.querySelectorAll("tbody tr").length })),
      );
      const configurations = byConfiguration(readResultFile(join(root, "results/reference.csv")).rows);
      const perScenario = (name: string) => configurations.filter((c) => c.scenario.name === name).length;
      assert.deepEqual(tables, [
        ...["populate", "random", "churn", "readside"].map((name) => ({
          id: `table-${name}`,
          rows: perScenario(name),
        })),
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
      await page.waitForFunction(() => document.querySelector("#chart-history-1 [title]") !== null, {
        timeout: 10_000,
      });
      const title = await page.$eval("#chart-history-1 [title]", (e) => e.getAttribute("title"));
      assert.match(
        title ?? "",
        /^commit: c1\nstarted: 2026-01-01T00:00:00\.000Z\npoint: (repetition|median)\nns\/touch: [\d.]+$/,
      );
      assert.deepEqual(problems, [], "nothing went wrong while hovering");
    } finally {
      await report.close();
    }
  },
);
