// The core is built on first use when build/ lacks it or it is older than its sources (host/machine/build.ts).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildIfStale, staleReason } from "../host/machine/build.ts";

test("a missing core is built, a fresh one is left alone, and one older than its sources is stale", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-build-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const outFile = join(dir, "daxbench.wasm");

  buildIfStale("release", outFile);
  const module = new WebAssembly.Module(readFileSync(outFile));
  assert.ok(
    WebAssembly.Module.exports(module).some((e) => e.name === "set_protection"),
    "the built file is not the core",
  );
  const built = statSync(outFile).mtimeMs;

  buildIfStale("release", outFile);
  assert.equal(statSync(outFile).mtimeMs, built, "a core newer than its sources was rebuilt");

  assert.deepEqual(readdirSync(dir), ["daxbench.wasm"], "the build left a partial file behind");

  // What makes a core stale is asked directly rather than by building it a second time (asc takes 3 s of CPU):
  // buildIfStale builds exactly when staleReason gives a reason, as the missing core above shows.
  utimesSync(outFile, 0, 0);
  assert.equal(staleReason(outFile), "is older than asconfig.json", "a core older than its sources is stale");
  utimesSync(outFile, new Date(), new Date());
  assert.equal(staleReason(outFile), null);
  rmSync(outFile);
  assert.equal(staleReason(outFile), "is missing");
});
