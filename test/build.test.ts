// The core is built on first use when build/ lacks it or it is older than its sources (host/machine/build.ts).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildIfStale } from "../host/machine/build.ts";

test("a missing core is built, a fresh one is left alone, and one older than assembly/ is rebuilt", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-build-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const outFile = join(dir, "daxbench.wasm");

  buildIfStale("release", outFile);
  const module = new WebAssembly.Module(readFileSync(outFile));
  assert.ok(WebAssembly.Module.exports(module).some((e) => e.name === "set_protection"), "the built file is not the core");
  const built = statSync(outFile).mtimeMs;

  buildIfStale("release", outFile);
  assert.equal(statSync(outFile).mtimeMs, built, "a core newer than its sources was rebuilt");

  utimesSync(outFile, 0, 0);
  buildIfStale("release", outFile);
  assert.ok(statSync(outFile).mtimeMs > 0, "a core older than its sources was not rebuilt");
  assert.deepEqual(readdirSync(dir), ["daxbench.wasm"], "the build left a partial file behind");
});
