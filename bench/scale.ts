// How compare, report and merge scale (npm run results:scale): builds result files of ROWS rows (default
// 300,000, about 50 MB) from the rows of results/reference.csv, each configuration made many times over with
// other mapping sizes and its figures jittered, then times each command on them (wall time and peak
// resident memory, from GNU time when it is there) and writes results/scale.md and docs/scale-out.md's section.
// A benchmark, not a test: nothing here fails on a time.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readResultFile } from "../host/results/file.ts";
import { csvText } from "../host/export/csv.ts";
import { writeFileAtomic } from "../host/output-files.ts";
import { replaceSection } from "../host/export/readme.ts";
import type { ResultRow } from "../host/results/schema.ts";

const root = new URL("..", import.meta.url).pathname;
const bin = join(root, "bin/daxbench.js");
const GNU_TIME = "/usr/bin/time";

/** `copies` variants of the reference rows: each configuration again at another mapping size (so it is a
 *  configuration of its own), its figures scaled by a seeded jitter so that no two files are equal. */
function synthesize(reference: ResultRow[], copies: number, seed: number): ResultRow[] {
  let state = seed;
  const jitter = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return 0.95 + (state / 2 ** 31) * 0.1;
  };
  const rows: ResultRow[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const row of reference) {
      const scale = jitter();
      rows.push({
        ...row,
        // Another configuration: another mapping size, or for scenarios without one (readside), another duration.
        mapping_bytes: row.mapping_bytes === "" ? "" : Number(row.mapping_bytes) + copy * 4096,
        duration_ns: row.mapping_bytes === "" ? Number(row.duration_ns) + copy : row.duration_ns,
        ns_per_op: typeof row.ns_per_op === "number" ? Math.round(row.ns_per_op * scale * 1000) / 1000 : row.ns_per_op,
        elapsed_ns: Math.round(row.elapsed_ns * scale),
      });
    }
  }
  return rows;
}

export interface Timing {
  command: string;
  seconds: number;
  /** Peak resident memory in MiB; undefined without GNU time. */
  mib: number | undefined;
  status: number | null;
}

function time(label: string, args: string[]): Timing {
  const gnu = existsSync(GNU_TIME);
  const command = gnu ? [GNU_TIME, "-f", "%e %M", process.execPath, bin, ...args] : [process.execPath, bin, ...args];
  const started = process.hrtime.bigint();
  const result = spawnSync(command[0], command.slice(1), { encoding: "utf8", maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const measured = gnu ? /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(result.stderr) : null;
  if (result.status !== 0)
    console.error(`${label}: exit ${result.status}: ${result.stderr.trim().split("\n").slice(-3).join(" / ")}`);
  return {
    command: label,
    seconds: measured ? Number(measured[1]) : seconds,
    mib: measured ? Number(measured[2]) / 1024 : undefined,
    status: result.status,
  };
}

/** Wall-time goals in seconds, by command: compare's and report's from the issue, merge's the project's own. */
export const SCALE_GOALS: Readonly<Record<string, number>> = { compare: 15, report: 60, merge: 60 };

/** A command met its goal when it succeeded within its time and, where GNU time measured it, under 1 GiB. */
export function scaleGoalMet(t: Timing): boolean {
  const limit = SCALE_GOALS[t.command.split(" ")[0]];
  return t.status === 0 && t.seconds < limit && (t.mib === undefined || t.mib < 1024);
}

function main(rowsWanted: number): void {
  const reference = readResultFile(join(root, "results/reference.csv")).rows;
  const copies = Math.ceil(rowsWanted / reference.length);
  const dir = mkdtempSync(join(tmpdir(), "daxbench-scale-"));
  try {
    const base = synthesize(reference, copies, 1);
    const next = synthesize(reference, copies, 2);
    const half = Math.floor(base.length / 2);
    writeFileSync(join(dir, "base.csv"), csvText(base));
    writeFileSync(join(dir, "new.csv"), csvText(next));
    writeFileSync(join(dir, "half-1.csv"), csvText(base.slice(0, half)));
    writeFileSync(join(dir, "half-2.csv"), csvText(base.slice(half)));
    const megabytes = statSync(join(dir, "base.csv")).size / 2 ** 20;
    const timings = [
      time("compare base.csv new.csv", ["compare", join(dir, "base.csv"), join(dir, "new.csv")]),
      time("report base.csv --format md,json", ["report", join(dir, "base.csv"), "--format", "md,json"]),
      time("merge half-1.csv half-2.csv", [
        "merge",
        join(dir, "half-1.csv"),
        join(dir, "half-2.csv"),
        "--out",
        join(dir, "merged.csv"),
      ]),
    ];
    const table = [
      `Files of ${base.length.toLocaleString("en-US")} rows (${megabytes.toFixed(0)} MB, ` +
        `${(base.length / 5).toLocaleString("en-US")} configurations of 5 repetitions), made from ` +
        "`results/reference.csv` by `npm run results:scale`; wall time and peak resident memory of each command " +
        `(GNU time${existsSync(GNU_TIME) ? "" : ": not on this machine, so no memory figure"}). ` +
        "Goal: compare under 15 s, report under 60 s, each under 1 GiB (merge: under 60 s, the project's own bar).",
      "",
      "| command | seconds | peak MiB | goal | exit |",
      "|:--|--:|--:|:--|--:|",
      ...timings.map((t) => {
        const limit = SCALE_GOALS[t.command.split(" ")[0]];
        const met = scaleGoalMet(t);
        return (
          `| \`daxbench ${t.command}\` | ${t.seconds.toFixed(1)} | ${t.mib === undefined ? "–" : t.mib.toFixed(0)} | ` +
          `under ${limit} s, 1 GiB: ${met ? "met" : "missed"} | ${t.status} |`
        );
      }),
    ].join("\n");
    writeFileAtomic(join(root, "results/scale.md"), `${table}\n`);
    replaceSection(join(root, "docs", "scale-out.md"), "scale", table);
    console.log(table);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(Number(process.argv[2] ?? 300_000));
