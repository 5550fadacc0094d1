// The HTML report: one self-contained file, checked as text (test/slow/browser.test.ts opens it in Chromium).
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { daxbench } from "./daxbench.ts";
import { reportWithHistory } from "./report-history.ts";

const root = new URL("..", import.meta.url).pathname;

test(
  "the HTML report is one file that fetches nothing, every script inline; " +
    "the Markdown report gets the history too",
  async () => {
    const { html } = await reportWithHistory();
    const text = readFileSync(html, "utf8");
    // The markup, each script's body left out (the inlined build is code, not markup).
    const markup = text.replace(/(<script[^>]*>)[\s\S]*?(<\/script>)/g, "$1$2");
    assert.deepEqual(markup.match(/<script[^>]*>/g), [
      "<script>",
      '<script type="application/json" id="daxbench-charts">',
      "<script>",
    ]);
    const loads = markup.match(/<(link|img|iframe|object|embed)\b[^>]*>|\b(src|href)=|url\(/gi);
    assert.equal(loads, null, `the report loads ${loads}`);
    assert.ok(text.includes('<script>!function(t,e){"object"==typeof exports'), "Vega's browser build is inlined");
    assert.ok(text.length < 1_000_000, `${text.length} bytes`);
    const markdown = readFileSync(html.replace(/html$/, "md"), "utf8");
    assert.ok(
      markdown.startsWith(readFileSync(join(root, "results/reference.md"), "utf8")),
      "the run's report, then its history",
    );
    assert.match(markdown, /^## History\n\n48 series over 4 commits/m);
    assert.match(markdown, /^- populate rcu 2m 1w 1g \[test cpu x8, Node v20\.0\.0\]: c2\.\.c3: 2\.00× slower/m);
    assert.match(
      text,
      new RegExp(
        '<td class="left">populate rcu 2m 1w 1g \\[test cpu x8, Node v20\\.0\\.0\\]<\\/td>' +
          '<td class="left">c2\\.\\.c3<\\/td><td class="left">2\\.00× slower',
      ),
    );
  },
);

test("report --format takes html beside md, json and csv, and refuses anything else before work", async () => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-html-"));
  copyFileSync(join(root, "results/reference.csv"), join(dir, "run.csv"));
  const result = await daxbench("report", join(dir, "run.csv"), "--format", "md,pdf");
  assert.equal(result.status, 2);
  assert.equal(result.stderr, "daxbench: --format pdf is not one of: csv, json, md, html\n");
  const history = await daxbench(
    "report",
    join(dir, "run.csv"),
    "--format",
    "html",
    "--history",
    join(dir, "none.csv"),
  );
  assert.equal(history.status, 2);
  assert.match(history.stderr, /none\.csv: cannot be read/);
  assert.equal(existsSync(join(dir, "run.html")), false, "nothing written");
});
