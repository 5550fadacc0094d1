// The package as a user gets it: npm pack, installed into an empty directory, runs a benchmark with the core it
// carries (no build at install or at run time). Slow tier: the install fetches the dependencies (tens of seconds).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { buildIfStale } from "../../host/machine/build.ts";
import { wasmPath } from "../../host/machine/wasm.ts";
import { npm } from "../npm.ts";

const root = new URL("../..", import.meta.url).pathname;
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version as string;

test(
  "npm install of the packed tarball into an empty directory gives a daxbench that runs",
  { timeout: 600_000 },
  (t) => {
    const dir = mkdtempSync(join(tmpdir(), "daxbench-install-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    buildIfStale("release", wasmPath("release"));
    const pack = npm(["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: root });
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = join(dir, `daxbench-${version}.tgz`);
    const project = join(dir, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "project", private: true }));
    // The user's project is a git repository of its own: its commit is not daxbench's, and rows must not claim it.
    const git = (...args: string[]) =>
      spawnSync("git", ["-c", "user.name=u", "-c", "user.email=u@example.org", ...args], { cwd: project });
    git("init", "-q");
    git("commit", "-q", "--allow-empty", "-m", "a user's project");
    const install = npm(["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], { cwd: project });
    if (
      install.status !== 0 &&
      /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|E5\d\d|network/.test(install.stderr)
    ) {
      return t.skip("npm could not reach its registry for the dependencies: run where it can");
    }
    assert.equal(install.status, 0, install.stderr);
    const daxbench = join(project, "node_modules", ".bin", "daxbench");
    const shown = spawnSync(daxbench, ["--version"], { cwd: project, encoding: "utf8" });
    assert.equal(shown.stdout.trim(), version, shown.stderr);
    const run = spawnSync(
      daxbench,
      [
        "run",
        "--scenario",
        "populate",
        "--align",
        "2m",
        "--protection",
        "rcu",
        "--size",
        "8m",
        "--min-time",
        "20ms",
        "--repeat",
        "1",
        "--warmup",
        "0",
        "--out",
        "run.csv",
        "--quiet",
      ],
      { cwd: project, encoding: "utf8" },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /building the wasm core/, "the package's own core is used, not rebuilt");
    const rows = parse(readFileSync(join(project, "run.csv"), "utf8"), { columns: true }) as Record<string, string>[];
    assert.equal(rows.length, 1);
    assert.equal(Number(rows[0].faults), 4 * Number(rows[0].passes), "four pmds a pass");
    assert.equal(rows[0].commit, "", "not the commit of the project daxbench is installed in");
    assert.equal(rows[0].daxbench_version, version);
    assert.deepEqual(readdirSync(join(project, "node_modules", "daxbench", "build")), ["daxbench.wasm"]);
  },
);
