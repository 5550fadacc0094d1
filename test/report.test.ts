// The committed reference results are the output of `daxbench report` on the committed CSV: regenerating
// them from that CSV must give the same files, byte for byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import { daxbench } from "./daxbench.ts";
import { mkdtempSync, copyFileSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

test("daxbench report on results/reference.csv regenerates the committed Markdown, JSON and charts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-report-"));
  copyFileSync(join(root, "results/reference.csv"), join(dir, "reference.csv"));
  const result = await daxbench("report", join(dir, "reference.csv"), "--format", "md,json");
  assert.equal(result.status, 0, result.stderr);
  const generated = readdirSync(dir)
    .filter((name) => name !== "reference.csv")
    .sort();
  const committed = readdirSync(join(root, "results"))
    .filter((name) => name.startsWith("reference") && name !== "reference.csv")
    .sort();
  assert.deepEqual(generated, committed);
  for (const name of generated) {
    assert.equal(readFileSync(join(dir, name), "utf8"), readFileSync(join(root, "results", name), "utf8"), name);
  }
});
