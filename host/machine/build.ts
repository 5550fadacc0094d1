// Builds the wasm core when build/ lacks it or it is older than its sources, so a fresh clone (installed
// with or without dev dependencies) runs without `npm run build`, and an edit to assembly/ is never measured
// with the core from before it. assemblyscript is a run-time dependency for this reason.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** What the core is built from: asconfig.json, assembly/'s sources (its as-pect tests excepted), and the
 *  compiler, by package-lock.json where there is one (a change of assemblyscript's version changes it; an
 *  installed package has none). */
function sources(): string[] {
  const files = [join(root, "asconfig.json")];
  if (existsSync(join(root, "package-lock.json"))) files.push(join(root, "package-lock.json"));
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "__tests__") walk(path);
      } else if (entry.name.endsWith(".ts")) files.push(path);
    }
  };
  walk(join(root, "assembly"));
  return files;
}

/** Why `outFile` must be (re)built, or null when it is newer than every source. */
export function staleReason(outFile: string): string | null {
  let built: number;
  try {
    built = statSync(outFile).mtimeMs;
  } catch {
    return "is missing";
  }
  const newer = sources().find((file) => statSync(file).mtimeMs > built);
  return newer === undefined ? null : `is older than ${relative(root, newer)}`;
}

/** Builds asconfig.json's `target` into `outFile` when it is missing or stale. asc writes a file beside it
 *  that is then renamed over it, so another process loading or building the core at the same moment reads
 *  either the old module or the new one, never half of one. */
export function buildIfStale(target: string, outFile: string): void {
  const reason = staleReason(outFile);
  if (reason === null) return;
  console.error(`daxbench: building the wasm core: ${relative(root, outFile)} ${reason}`);
  const asc = fileURLToPath(import.meta.resolve("assemblyscript/bin/asc.js"));
  const partial = `${outFile}.${process.pid}.tmp`;
  mkdirSync(dirname(outFile), { recursive: true });
  try {
    // asc's own output goes to stderr, so a build never mixes into what a command prints.
    execFileSync(process.execPath, [asc, "assembly/index.ts", "--target", target, "--outFile", partial], {
      cwd: root,
      stdio: ["ignore", 2, 2],
    });
    renameSync(partial, outFile);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new Error(`could not build the wasm core (${target}): ${error instanceof Error ? error.message : error}`);
  }
}
