// The core is built on first use when build/ lacks it or it is older than its sources (host/machine/build.ts).
// What makes a core stale is asked here; the build itself (asc, seconds of CPU) is test/slow/build.test.ts's.

import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildIfStale, staleReason } from "../host/machine/build.ts";
import { wasmPath } from "../host/machine/wasm.ts";

test("a core newer than its sources is fresh and left alone; one older is stale, and so is a missing one", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-build-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const outFile = join(dir, "daxbench.wasm");
  buildIfStale("release", wasmPath("release"));
  copyFileSync(wasmPath("release"), outFile);
  utimesSync(outFile, new Date(), new Date());
  assert.equal(staleReason(outFile), null);
  const fresh = statSync(outFile).mtimeMs;
  buildIfStale("release", outFile);
  assert.equal(statSync(outFile).mtimeMs, fresh, "a core newer than its sources was rebuilt");

  utimesSync(outFile, 0, 0);
  assert.equal(staleReason(outFile), "is older than asconfig.json", "a core older than its sources is stale");
  rmSync(outFile);
  assert.equal(staleReason(outFile), "is missing");
});
