// Regenerates one set of published results: `npm run results:<name>` is `node --import tsx bench/results.ts
// <name>`. Each name is a list of steps run one after another from the repository's root, their output shown
// as it comes; the first step that fails stops the rest and its exit status becomes this one's. `--dry-run`
// prints the steps without running any.
//
// The steps write results/ and the generated sections of docs/ and take minutes (kernel needs root, for the
// huge pages).

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const build = "npm run build";

/** Each step is a command line without quoting: its words are split on spaces. `node` is this Node. */
export const GENERATORS: Record<string, string[]> = {
  torture: [build, "node --import tsx bench/torture-docs.ts", "node --import tsx bench/headline.ts"],
  calibration: [
    build,
    "node bin/daxbench.js micro --format csv,md --out results/micro.csv",
    "node bin/daxbench.js native --out results/native.md",
    "node bin/daxbench.js run --scenario populate --align 4k --protection rcu --workers 1 --size 1g " +
      "--out results/calibration-fault.csv --quiet",
    "node --import tsx bench/time-suites.ts",
    "node --import tsx bench/calibration-docs.ts",
  ],
  reference: [
    build,
    "node bin/daxbench.js run --full --out results/reference.csv --quiet",
    "node bin/daxbench.js report results/reference.csv --format md,json --readme docs/results.md",
    "node --import tsx bench/headline.ts",
  ],
  kernel: [
    build,
    "node bin/daxbench.js kernel --reserve-hugepages 64 --out results/kernel.csv --format csv,md",
    "node bin/daxbench.js run --scenario churn --protection rcu,mutex --align 4k --workers 2 --size 64m " +
      "--gp-cost 0,kernel:results/kernel.csv --out results/kernel-churn.csv --format csv,md --quiet",
    "node bin/daxbench.js run --scenario populate --align 4k,2m --protection rcu --workers 1 --size 128m " +
      "--fault-cost 0,kernel:results/kernel.csv --out results/kernel-model.csv --quiet",
    "node --import tsx bench/kernel-docs.ts",
  ],
  // The reference run's HTML report, with the project's history as its own: every earlier reference run git
  // holds, and a second full run of this checkout, so that the runs of one commit show how far apart runs
  // of unchanged code lie. Run after results:reference.
  screenshot: [
    build,
    "rm -rf build/screenshot",
    "node --import tsx bench/reference-history.ts build/screenshot/history",
    "node bin/daxbench.js run --full --out build/screenshot/history/rerun.csv --quiet",
    "cp results/reference.csv build/screenshot/reference.csv",
    "node bin/daxbench.js report build/screenshot/reference.csv --format html --history build/screenshot/history",
    "node --import tsx bench/screenshot.ts build/screenshot/reference.html results/report-screenshot.png",
    "node --import tsx bench/screenshot.ts build/screenshot/reference.html " +
      "results/report-history-screenshot.png #history",
  ],
  alternatives: [
    build,
    "node bin/daxbench.js run --sweep tlb-reach --duration 300ms --repeat 5 --out results/alternatives-tlb.csv --quiet",
    "node bin/daxbench.js run --scenario mmap-mix --policy device,fs --align 4k,2m --protection rcu --size 8m " +
      "--out results/alternatives-mmap.csv --quiet",
    // The schemes in one run, so that every pair compared met the same phases of the machine (two runs that both
    // held rcu would pool its rows across runs).
    "node bin/daxbench.js run --scenario readside,populate,churn " +
      "--protection rcu,rcu-pointer,mutex,refcount,percpu-ref,seqlock --align 4k --workers 1,2 --size 64m " +
      "--out results/alternatives-schemes.csv --quiet",
    // One SRCU domain for many devices (dax_srcu) against one each, one reader beside the updater: what a kill
    // waits for when the reader is inside another device's read side.
    "node bin/daxbench.js run --scenario churn --protection rcu --align 4k --workers 1 --size 64m --devices 1,4 " +
      "--srcu-domain shared,per-device --read-delay 0,10us --out results/alternatives-devices.csv --quiet",
    "node bin/daxbench.js merge results/alternatives-tlb.csv results/alternatives-mmap.csv " +
      "results/alternatives-schemes.csv results/alternatives-devices.csv --out results/alternatives.csv",
    "rm results/alternatives-tlb.csv results/alternatives-mmap.csv results/alternatives-schemes.csv " +
      "results/alternatives-devices.csv",
    "node bin/daxbench.js report results/alternatives.csv --readme docs/alternatives.md --section alternatives",
  ],
};

function main(args: string[]): number {
  const dryRun = args.includes("--dry-run");
  const names = args.filter((arg) => arg !== "--dry-run");
  const steps = names.length === 1 ? GENERATORS[names[0]] : undefined;
  if (steps === undefined) {
    console.error(`usage: bench/results.ts [--dry-run] ${Object.keys(GENERATORS).join("|")}`);
    return 2;
  }
  const root = fileURLToPath(new URL("..", import.meta.url));
  for (const step of steps) {
    console.error(`results:${names[0]}: ${step}`);
    if (dryRun) continue;
    const [command, ...rest] = step.split(" ");
    const result = spawnSync(command === "node" ? process.execPath : command, rest, { cwd: root, stdio: "inherit" });
    if (result.status !== 0) {
      const how =
        result.error?.message ?? (result.signal ? `killed by ${result.signal}` : `exit status ${result.status}`);
      console.error(`results:${names[0]}: stopped: \`${step}\` failed (${how})`);
      return result.status || 1;
    }
  }
  return 0;
}

// Run as a script, not when a test imports GENERATORS.
if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
