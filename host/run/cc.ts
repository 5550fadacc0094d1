// Builds the project's small C programs (bench/native/) with the system C compiler, into build/native/: the
// native read sides and the kernel's fault probe. A machine without a compiler, or without a library a
// program needs, gets the reason instead of a path, and the command that wanted it goes on without.

import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const buildDir = fileURLToPath(new URL("../../build/native/", import.meta.url));

export type Built = { path: string; skipped?: undefined } | { path?: undefined; skipped: string };

/** Compiles bench/native/<source> to build/native/<name> with -O2 and `flags`, linking `libs`. The compiler
 *  writes a file of this process's own that is then renamed over the program, so that another process running
 *  the program meanwhile (the test files run side by side) runs the old one or the new one, never half of one. */
export function buildC(
  source: string,
  name: string,
  flags: readonly string[] = [],
  libs: readonly string[] = [],
): Built {
  mkdirSync(buildDir, { recursive: true });
  const path = `${buildDir}${name}`;
  const partial = `${path}.${process.pid}.tmp`;
  const file = fileURLToPath(new URL(`../../bench/native/${source}`, import.meta.url));
  try {
    execFileSync("cc", ["-O2", "-pthread", ...flags, file, "-o", partial, ...libs], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    renameSync(partial, path);
    return { path };
  } catch (error) {
    rmSync(partial, { force: true });
    const reason =
      (error as { code?: string }).code === "ENOENT"
        ? "no C compiler (cc)"
        : `cc failed${libs.length ? " (is liburcu-dev installed?)" : ""}`;
    return { skipped: reason };
  }
}

/** Runs a built program and resolves with its exit code and output; `signal` kills it (Ctrl-C, SIGTERM), so
 *  that no program outlives the command that started it. */
export function runProgram(
  path: string,
  args: string[],
  signal?: AbortSignal,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(path, args, { signal }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") return reject(error);
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}
