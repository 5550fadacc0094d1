// The package npm pack makes: what the command needs to run (its code, the core's sources and the built core,
// the C programs native and kernel compile) and nothing else, no tests, results or generators.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildIfStale } from "../host/machine/build.ts";
import { wasmPath } from "../host/machine/wasm.ts";
import { npm } from "./npm.ts";

const root = new URL("..", import.meta.url).pathname;

/** The files that ship: everything the CLI loads, builds or compiles at run time, as they are on disk (npm
 *  packs what is there, tracked or not). */
function shipped(): string[] {
  const under = (dir: string) =>
    (readdirSync(join(root, dir), { recursive: true }) as string[])
      .map((file) => `${dir}/${file}`)
      .filter((file) => statSync(join(root, file)).isFile());
  return [
    ...under("bin"),
    ...under("host"),
    ...under("assembly").filter((file) => !file.startsWith("assembly/__tests__/")),
    ...under("bench/native").filter((file) => file.endsWith(".c")),
    ...under("bench/guest"), // the guest's probe and init, built and packed by daxbench guest
    "asconfig.json",
    "LICENSE",
    "README.md",
    "package.json",
    "build/daxbench.wasm",
  ];
}

test(
  "npm pack ships the command, the core's sources and the built core, the C programs and the guest's files, " +
    "and no test, result or generator",
  () => {
    buildIfStale("release", wasmPath("release")); // the tarball carries the built core (npm pack's prepack builds it)
    // --ignore-scripts: the list only, without prepack's build (npm test has just built the core).
    const listed = npm(["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root });
    assert.equal(listed.status, 0, listed.stderr);
    const [pack] = JSON.parse(listed.stdout) as { files: { path: string }[] }[];
    const files = pack.files.map((file) => file.path).sort();
    assert.deepEqual(files, shipped().sort());
  },
);
