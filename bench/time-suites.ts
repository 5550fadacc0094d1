// Times the two suites the README promises a time for: `npm run bench` (the build, then the quick suite) and
// the full matrix (`daxbench run --full`), each run once, end to end, as a user would run it; and both matrices
// again in the older sequential order, for what the interleaved sampling costs. Their CSVs go to build/timing/
// (scratch); the times go to results/timing.csv, which the calibration section reads.

import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "csv-stringify/sync";
import { writeFileAtomic } from "../host/output-files.ts";
import { runMetadata } from "../host/results/metadata.ts";
import { METADATA_COLUMNS } from "../host/results/schema.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const scratch = join(root, "build", "timing");
mkdirSync(scratch, { recursive: true });

/** Seconds `steps` took, one after another; throws naming the step that failed. */
function time(steps: string[][]): number {
  const start = process.hrtime.bigint();
  for (const [command, ...args] of steps) {
    const result = spawnSync(command === "node" ? process.execPath : command, args, {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (result.status !== 0) throw new Error(`${[command, ...args].join(" ")} failed (exit ${result.status})`);
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const meta = runMetadata();
const rows = [
  // What `npm run bench` runs (package.json), with its CSV sent to scratch rather than results/.
  {
    suite: "npm run bench",
    seconds: time([
      ["npm", "run", "build"],
      ["node", "bin/daxbench.js", "run", "--quick", "--out", join(scratch, "quick.csv")],
    ]),
  },
  {
    suite: "daxbench run --full",
    seconds: time([["node", "bin/daxbench.js", "run", "--full", "--out", join(scratch, "full.csv"), "--quiet"]]),
  },
  {
    suite: "daxbench run --quick --order sequential",
    seconds: time([
      [
        "node",
        "bin/daxbench.js",
        "run",
        "--quick",
        "--order",
        "sequential",
        "--out",
        join(scratch, "quick-sequential.csv"),
        "--quiet",
      ],
    ]),
  },
  {
    suite: "daxbench run --full --order sequential",
    seconds: time([
      [
        "node",
        "bin/daxbench.js",
        "run",
        "--full",
        "--order",
        "sequential",
        "--out",
        join(scratch, "full-sequential.csv"),
        "--quiet",
      ],
    ]),
  },
].map((row) => ({
  ...row,
  seconds: Number(row.seconds.toFixed(1)),
  ...Object.fromEntries(METADATA_COLUMNS.map((c) => [c, meta[c]])),
}));
writeFileAtomic(
  join(root, "results", "timing.csv"),
  stringify(rows, { header: true, columns: ["suite", "seconds", ...METADATA_COLUMNS] }),
);
for (const row of rows) console.log(`${row.suite}: ${row.seconds} s`);
