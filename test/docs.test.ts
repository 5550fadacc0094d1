// The documentation that is generated from code stays what the code gives.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { csvReference, COLUMN_MEANINGS } from "../host/export/csv-reference.ts";
import { ROW_COLUMNS } from "../host/results/schema.ts";
import { readResultFile } from "../host/results/file.ts";
import { headline } from "../bench/headline.ts";

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
