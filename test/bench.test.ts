// package.json's results:* scripts name generators bench/results.ts has, and its --dry-run prints a
// generator's steps without running any; the mutation catalogue's entries all find what they change.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { GENERATORS } from "../bench/results.ts";
import { catalogueProblems, readCatalogue, MUTATION_CHECK } from "../bench/mutate.ts";

const root = new URL("..", import.meta.url).pathname;
const scripts: Record<string, string> = JSON.parse(readFileSync(`${root}package.json`, "utf8")).scripts;

function dryRun(name: string): { status: number | null; stderr: string } {
  return spawnSync(process.execPath, ["--import", "tsx", "bench/results.ts", "--dry-run", name], {
    cwd: root,
    encoding: "utf8",
  });
}

test("every results:* script that calls bench/results.ts names one of its generators", () => {
  const calls = Object.entries(scripts).flatMap(([script, line]) => {
    const match = /^node --import tsx bench\/results\.ts (\S+)$/.exec(line);
    return match ? [[script, match[1]]] : [];
  });
  assert.ok(calls.length >= 5, "package.json's results:* scripts no longer call bench/results.ts");
  for (const [script, name] of calls)
    assert.ok(GENERATORS[name]?.length, `${script}: bench/results.ts has no generator ${name}`);
});

test("bench/results.ts --dry-run prints a generator's steps and runs none; an unknown name exits 2", () => {
  const { status, stderr } = dryRun("kernel");
  assert.equal(status, 0, stderr);
  assert.deepEqual(
    stderr.trim().split("\n"),
    GENERATORS.kernel.map((step) => `results:kernel: ${step}`),
  );
  const unknown = dryRun("no-such-generator");
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^usage: bench\/results\.ts \[--dry-run\] torture\|/);
});

test(
  "the mutation catalogue tests what it says: every entry's search text occurs once in its file",
  // Inside the mutation check the copy's code is a mutant's, which no longer holds that mutant's search text:
  // failing there would kill every mutant that reached the whole suite. mutate checks the catalogue itself.
  { skip: process.env[MUTATION_CHECK] ? "inside the mutation check: mutate checked the catalogue" : false },
  () => {
    assert.deepEqual(catalogueProblems(readCatalogue()), []);
    // A search text the code no longer holds is reported, naming the entry.
    const [first, ...rest] = readCatalogue();
    const rotted = { ...first, find: `${first.find} /* gone */` };
    assert.match(
      catalogueProblems([rotted, ...rest]).join("\n"),
      new RegExp(`\\(${first.id}\\): its search text occurs 0`),
    );
  },
);
