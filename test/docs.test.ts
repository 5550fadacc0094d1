// The documentation that is generated from code stays what the code gives.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { csvReference, COLUMN_MEANINGS } from "../host/export/csv-reference.ts";
import { ROW_COLUMNS } from "../host/results/schema.ts";
import { readResultFile } from "../host/results/file.ts";
import { headline } from "../bench/headline.ts";
import { calibrationSection, churnBar, overheadBar, readInputs, timeBar } from "../bench/calibration-docs.ts";
import { kernelSection, readmeKernelSection, withinFactor } from "../bench/kernel-docs.ts";
import { readGuestFile } from "../host/guest/results.ts";
import { gateGoals, GOALS as GATE_GOALS } from "../bench/gate.ts";
import { scaleGoalMet } from "../bench/scale.ts";
import { readKernelFile } from "../host/run/kernel.ts";
import { readMicroFile, type MicroRow } from "../host/run/micro.ts";
import type { ResultRow } from "../host/results/schema.ts";

const docsFile = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), "utf8");
const resultsFile = (name: string) => new URL(`../results/${name}`, import.meta.url).pathname;

/** The text between a generated section's markers, as host/export/readme.ts writes it. */
function section(text: string, name: string): string {
  const begin = text.indexOf(`<!-- ${name}:begin`);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  assert.ok(begin >= 0 && end > begin, `no ${name} section`);
  return text.slice(text.indexOf("-->", begin) + 3, end).trim();
}

test("docs/csv.md's column table is the one the schema gives (npm run docs:csv rewrites it)", () => {
  assert.equal(section(docsFile("csv.md"), "columns"), csvReference());
});

test("the CSV reference lists every column of the schema, once, in the order a run writes them", () => {
  const listed = [...csvReference().matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(listed, [...ROW_COLUMNS]);
  assert.deepEqual(Object.keys(COLUMN_MEANINGS).sort(), [...ROW_COLUMNS].sort());
});

test("the README's headline table is what the published runs give (bench/headline.ts rewrites it)", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const reference = readResultFile(resultsFile("reference.csv")).rows;
  const torture = readResultFile(resultsFile("torture.csv")).rows;
  assert.equal(section(readme, "headline"), headline(reference, torture, 0.05));
});

test("docs/calibration.md, docs/kernel.md and the README's kernel table are what their generators make", () => {
  const results = new URL("../results/", import.meta.url).pathname;
  assert.equal(section(docsFile("calibration.md"), "calibration"), calibrationSection(readInputs(results)));
  const [kernelRows, modelRows] = [
    readKernelFile(resultsFile("kernel.csv")),
    readResultFile(resultsFile("kernel-model.csv")).rows,
  ];
  const guestRows = readGuestFile(resultsFile("guest.csv"));
  const kernel = kernelSection(kernelRows, modelRows, readMicroFile(resultsFile("micro.csv")), guestRows);
  assert.equal(section(docsFile("kernel.md"), "kernel"), kernel);
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  assert.equal(section(readme, "model-vs-kernel"), readmeKernelSection(kernelRows, modelRows, guestRows));
  assert.match(section(readme, "model-vs-kernel"), /the real Device-DAX driver \(`daxbench guest`: kernel \S+ under/);
});

/** The verdict, the last cell of a goal's table row. */
const verdictOf = (row: string) => row.split(" | ").at(-1)!.replace(/ \|$/, "");

test("a goal is met only when its whole interval is on the right side of the bar", () => {
  assert.equal(withinFactor([0.6, 1.9], 2), "met");
  assert.equal(withinFactor([2.1, 3], 2), "missed");
  assert.equal(withinFactor([0.2, 0.45], 2), "missed");
  assert.equal(withinFactor([0.4, 1.5], 2), "inconclusive");
  assert.equal(withinFactor(undefined, 2), "inconclusive");

  const timing = [{ suite: "npm run bench", seconds: 29.5 }];
  assert.equal(verdictOf(timeBar(timing, "npm run bench", 30)), "met (one run)");
  assert.equal(
    verdictOf(timeBar([{ suite: "npm run bench", seconds: 30.5 }], "npm run bench", 30)),
    "missed (one run)",
  );

  // Churn scaling from the reference run's rows, their throughput replaced: 2 workers at twice 1 worker's
  // throughput meet a bar of 1.8, at the same throughput miss it, and a spread that straddles it decides nothing.
  const reference = readResultFile(resultsFile("reference.csv")).rows;
  const withThroughput = (one: number[], two: number[]): ResultRow[] =>
    reference.map((row) => {
      const churnRcu = row.scenario === "churn" && row.protection === "rcu" && row.align === "4k";
      if (!churnRcu) return row;
      const values = Number(row.workers) === 1 ? one : two;
      return { ...row, ops_per_sec: values[Number(row.rep) - 1] };
    });
  const one = [100, 101, 102, 103, 104];
  assert.equal(
    verdictOf(
      churnBar(
        withThroughput(
          one,
          one.map((x) => 2 * x),
        ),
        "4k",
        1.8,
      ),
    ),
    "met",
  );
  assert.equal(verdictOf(churnBar(withThroughput(one, one), "4k", 1.8)), "missed");
  assert.equal(verdictOf(churnBar(withThroughput(one, [150, 170, 190, 210, 230]), "4k", 1.8)), "inconclusive");

  // The harness overhead: an empty batch a ten-thousandth of the cheapest operation is under 1%; one at half of
  // it is not.
  const micro = readMicroFile(resultsFile("micro.csv"));
  const withEmpty = (ns: number): MicroRow[] =>
    micro.map((row) => (row.case === "micro-empty_batch" ? { ...row, ns_per_op: ns, rme_percent: 1 } : row));
  const cheapest = Math.min(...micro.filter((r) => r.case !== "micro-empty_batch").map((r) => Number(r.ns_per_op)));
  assert.equal(verdictOf(overheadBar(withEmpty(cheapest / 10_000), 0.01)), "met");
  assert.equal(verdictOf(overheadBar(withEmpty(cheapest / 2), 0.01)), "missed");
});

test("the gate's goals and the large files' goals hold at their bounds and not past them", () => {
  const judged = (falseAlarms: number, caught: number) => ({ sets: 20, falseAlarms, caught, alsoFailed: 0 });
  assert.deepEqual(gateGoals(judged(GATE_GOALS.falseAlarmsAtMost, GATE_GOALS.caughtAtLeast)), {
    falseAlarms: true,
    caught: true,
  });
  assert.deepEqual(gateGoals(judged(GATE_GOALS.falseAlarmsAtMost + 1, GATE_GOALS.caughtAtLeast - 1)), {
    falseAlarms: false,
    caught: false,
  });

  const compare = { command: "compare base.csv new.csv", seconds: 14.9, mib: 900, status: 0 };
  assert.equal(scaleGoalMet(compare), true);
  assert.equal(scaleGoalMet({ ...compare, seconds: 15.7 }), false, "over its 15 s");
  assert.equal(scaleGoalMet({ ...compare, mib: 1100 }), false, "over 1 GiB");
  assert.equal(scaleGoalMet({ ...compare, status: 1 }), false, "failed");
  assert.equal(scaleGoalMet({ ...compare, mib: undefined }), true, "no memory figure without GNU time");
  assert.equal(scaleGoalMet({ ...compare, command: "report base.csv --format md,json", seconds: 59 }), true);
});
