// A missing core is built on first use (host/machine/build.ts), by asc: seconds of CPU, so the slow tier's.
// When a core counts as stale is test/build.test.ts's.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildIfStale, staleReason } from "../../host/machine/build.ts";

test("a missing core is built into its place, whole, and is then fresh", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-build-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const outFile = join(dir, "daxbench.wasm");

  buildIfStale("release", outFile);
  const module = new WebAssembly.Module(readFileSync(outFile));
  assert.ok(
    WebAssembly.Module.exports(module).some((e) => e.name === "set_protection"),
    "the built file is not the core",
  );
  assert.deepEqual(readdirSync(dir), ["daxbench.wasm"], "the build left a partial file behind");
  assert.equal(staleReason(outFile), null, "the core just built is stale");
});
