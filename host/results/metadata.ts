// Where a run was made: written on every row so that a result file explains itself.

import { cpus, availableParallelism, loadavg } from "node:os";
import { execFileSync } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sysfsChoice } from "../system.ts";

/** Where and with what the run was made: the same on every row of a run. */
export interface RunMetadata {
  node: string;
  /** The CPU's full model name, as the kernel reports it. */
  cpu: string;
  /** CPUs the operating system offers this process. */
  cpu_count: number;
  /** The 1-minute load average when the run started: other work on the machine competes with the run. */
  load_avg_1m: number;
  /** The first CPU's frequency governor ("performance", "powersave"...); "" where the system has none to read. */
  cpu_governor: string;
  /** Transparent huge pages for anonymous memory, and their defrag policy, as the kernel was set ("always",
   *  "madvise", "never"...); "" where not readable. The shared memory the model runs in is such memory. */
  thp_enabled: string;
  thp_defrag: string;
  commit: string;
  started_at: string;
  daxbench_version: string;
}

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

export function daxbenchVersion(): string {
  return JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;
}

/** The checkout's commit, with "+dirty" when its code has uncommitted changes; "" outside a git checkout, and
 *  for an installed package inside another repository (node_modules/daxbench), whose commit is not its own.
 *  results/, docs/ and the README do not count: daxbench writes them (their generated sections) itself,
 *  between runs of one publication. */
export function checkoutCommit(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync("git", args, { cwd: projectRoot, stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim();
    if (realpathSync(git("rev-parse", "--show-toplevel")) !== realpathSync(projectRoot)) return "";
    const head = git("rev-parse", "--short=12", "HEAD");
    const changed = git(
      "status",
      "--porcelain",
      "--untracked-files=no",
      "--",
      ".",
      ":!results",
      ":!docs",
      ":!README.md",
    );
    return changed === "" ? head : `${head}+dirty`;
  } catch {
    return "";
  }
}

export function runMetadata(startedAt = new Date()): RunMetadata {
  return {
    node: process.version,
    cpu: cpus()[0]?.model.trim() || "unknown",
    cpu_count: availableParallelism(),
    load_avg_1m: Math.round(loadavg()[0] * 100) / 100,
    cpu_governor: sysfsChoice("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
    thp_enabled: sysfsChoice("/sys/kernel/mm/transparent_hugepage/enabled"),
    thp_defrag: sysfsChoice("/sys/kernel/mm/transparent_hugepage/defrag"),
    commit: checkoutCommit(),
    started_at: startedAt.toISOString(),
    daxbench_version: daxbenchVersion(),
  };
}
