// The package npm pack makes: what the command needs to run (its code, the core's sources and the built core,
// the C programs native and kernel compile) and nothing else, no tests, results or generators.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { buildIfStale } from "../host/machine/build.ts";
import { wasmPath } from "../host/machine/wasm.ts";

const root = new URL("..", import.meta.url).pathname;

/** The files of the repository that ship: everything the CLI loads, builds or compiles at run time. */
function shipped(): string[] {
  const tracked = execFileSync("git", ["ls-files", "bin", "host", "assembly", "bench/native", "asconfig.json", "LICENSE", "README.md", "package.json"], { cwd: root, encoding: "utf8" });
  return tracked.split("\n").filter((file) => file !== "" && !file.startsWith("assembly/__tests__/"));
}

test("npm pack ships the command, the core's sources and the built core, the C programs, and no test, result or generator", (t) => {
  if (!execFileSync("sh", ["-c", "command -v git || true"], { encoding: "utf8" }).trim()) return t.skip("no git here: apt-get install git");
  buildIfStale("release", wasmPath("release")); // the tarball carries the built core (npm pack's prepack builds it)
  // --ignore-scripts: the list only, without prepack's build (npm test has just built the core).
  const [pack] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as { files: { path: string }[] }[];
  const files = pack.files.map((file) => file.path).sort();
  assert.deepEqual(files, [...shipped(), "build/daxbench.wasm"].sort());
});
