// package.json's results:* scripts name generators bench/results.ts has (checked with --dry-run: nothing runs).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const scripts: Record<string, string> = JSON.parse(readFileSync(`${root}package.json`, "utf8")).scripts;

function dryRun(name: string): { status: number | null; stderr: string } {
  return spawnSync(process.execPath, ["--import", "tsx", "bench/results.ts", "--dry-run", name], { cwd: root, encoding: "utf8" });
}

test("every results:* script that calls bench/results.ts names one of its generators", () => {
  const calls = Object.entries(scripts).flatMap(([script, line]) => {
    const match = /^node --import tsx bench\/results\.ts (\S+)$/.exec(line);
    return match ? [[script, match[1]]] : [];
  });
  assert.ok(calls.length >= 5, "package.json's results:* scripts no longer call bench/results.ts");
  for (const [script, name] of calls) {
    const { status, stderr } = dryRun(name);
    assert.equal(status, 0, `${script}: ${stderr}`);
    assert.match(stderr, new RegExp(`^results:${name}: node `, "m"), `${script} has no step`);
  }
  assert.equal(dryRun("no-such-generator").status, 2);
});
