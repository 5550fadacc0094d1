// A report with a history, as the HTML tests open it: results/reference.csv and three earlier synthetic runs.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { daxbench } from "./daxbench.ts";
import { syntheticRows } from "./synthetic.ts";
import { csvText } from "../host/export/csv.ts";

const root = new URL("..", import.meta.url).pathname;

/** results/reference.csv to report on, and three earlier runs of two configurations, the third 2× slower in one. */
export async function reportWithHistory(): Promise<{ dir: string; html: string }> {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-html-"));
  copyFileSync(join(root, "results/reference.csv"), join(dir, "reference.csv"));
  const reps = [100, 101, 99, 102, 98];
  for (const day of [1, 2, 3]) {
    const cells = { commit: `c${day}`, started_at: `2026-01-0${day}T00:00:00.000Z` };
    writeFileSync(
      join(dir, `past-${day}.csv`),
      csvText(
        syntheticRows([
          { align: "4k", nsPerOp: reps.map((v) => v + day / 10), cells },
          { align: "2m", nsPerOp: reps.map((v) => (v / 10) * (day === 3 ? 2 : 1)), cells },
        ]),
      ),
    );
  }
  const history = [1, 2, 3].map((day) => join(dir, `past-${day}.csv`));
  const result = await daxbench("report", join(dir, "reference.csv"), "--format", "md,html", "--history", ...history);
  assert.equal(result.status, 0, result.stderr);
  const charts = ["churn-throughput", "populate-time", "grace-period"].map((c) => join(dir, `reference-${c}.svg`));
  assert.equal(
    result.stdout.trim(),
    `wrote ${[...charts, join(dir, "reference.md"), join(dir, "reference.html")].join(", ")}`,
  );
  return { dir, html: join(dir, "reference.html") };
}
