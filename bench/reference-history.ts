// `node --import tsx bench/reference-history.ts DIR`: the project's own history, for the HTML report's history
// screenshot. Writes every earlier version of results/reference.csv that git holds (each a full reference run,
// made at the commit its rows name) into DIR, one file per version, so that `daxbench report --history DIR`
// follows every configuration of the reference run across the commits it was published at. A version the
// reader refuses (one written before a column was added) is passed over with a note; so is the version equal
// to the working tree's, which the report reads itself.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readResultFile } from "../host/results/file.ts";

const REFERENCE = "results/reference.csv";

function git(args: string[]): string {
  return execFileSync("git", args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

function main([dir]: string[]): number {
  if (!dir) {
    console.error("usage: bench/reference-history.ts DIR");
    return 2;
  }
  let commits: string[];
  try {
    commits = git(["log", "--format=%h", "--", REFERENCE]).split("\n").filter(Boolean);
  } catch {
    console.error(`reference-history: no git history here: the history holds the working tree's ${REFERENCE} alone`);
    commits = [];
  }
  mkdirSync(dir, { recursive: true });
  const current = readFileSync(REFERENCE, "utf8");
  let kept = 0;
  for (const commit of commits) {
    const text = git(["show", `${commit}:${REFERENCE}`]);
    if (text === current) continue;
    const path = join(dir, `reference-${commit}.csv`);
    writeFileSync(path, text);
    try {
      readResultFile(path);
      kept++;
    } catch (error) {
      rmSync(path);
      console.error(`reference-history: ${REFERENCE} as of ${commit} passed over: ${(error as Error).message}`);
    }
  }
  console.error(`reference-history: ${kept} earlier reference run${kept === 1 ? "" : "s"} in ${dir}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
