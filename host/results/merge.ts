// `daxbench merge A.csv B.csv ... --out ALL.csv`: joins the shards of one matrix (the command writes them),
// refusing files that do not belong together: other columns or another daxbench version; the same repetition
// twice (a file given twice would double every n); or, unless allowed, runs of other commits or other
// machines, whose figures differ for reasons no table would show.

import { readResultFile, type ResultFile } from "./file.ts";
import { configurationKey, type ResultRow } from "./schema.ts";
import { UsageError } from "../errors.ts";

export interface MergeOptions {
  /** Accept files from different commits or machines. */
  allowMixed: boolean;
}

/** The machine a row was measured on: CPU model and count, and Node's version. */
export function machineOf(row: ResultRow): string {
  return `${row.cpu} x${row.cpu_count}, Node ${row.node}`;
}

/** Throws when the files' rows disagree on `what`, naming each value and the files it comes from. */
function refuseMixed(files: ResultFile[], what: string, of: (row: ResultRow) => string): void {
  const found = new Map<string, Set<string>>();
  for (const file of files)
    for (const row of file.rows) found.set(of(row), (found.get(of(row)) ?? new Set()).add(file.path));
  if (found.size > 1) {
    const list = [...found].map(([value, paths]) => `${value} (${[...paths].join(", ")})`).join("; ");
    throw new UsageError(`the files come from different ${what}: ${list}; give --allow-mixed to merge them anyway`);
  }
}

/** The rows of every file, once they are known to belong together; a UsageError names the first reason they do not. */
export function mergeFiles(paths: string[], options: MergeOptions = { allowMixed: false }): ResultRow[] {
  if (paths.length < 2) throw new UsageError(`merge needs two or more files; got ${paths.length}`);
  const files = paths.map(readResultFile);
  const [first] = files;
  for (const file of files.slice(1)) {
    if (file.header.join(",") !== first.header.join(",")) {
      throw new UsageError(
        `${file.path}: its columns differ from ${first.path}'s: ` +
          "files from different daxbench versions cannot be merged",
      );
    }
  }
  const versions = new Map<string, string>();
  for (const file of files) for (const row of file.rows) versions.set(row.daxbench_version, file.path);
  if (versions.size > 1) {
    const found = [...versions].map(([version, path]) => `${version} (${path})`).join(", ");
    throw new UsageError(`the files come from different daxbench versions: ${found}`);
  }
  const seen = new Map<string, string>();
  for (const file of files) {
    for (const row of file.rows) {
      // A repetition is one configuration's rep-th run of one run (its start time).
      const id = `${configurationKey(row)}|${row.rep}|${row.started_at}`;
      const earlier = seen.get(id);
      if (earlier !== undefined) {
        throw new UsageError(
          `${file.path}: repetition ${row.rep} of a configuration of the run started ${row.started_at} ` +
            `is also in ${earlier}: a file given twice, or shards of overlapping runs`,
        );
      }
      seen.set(id, file.path);
    }
  }
  if (!options.allowMixed) {
    refuseMixed(files, "commits", (row) => row.commit || "(no commit)");
    refuseMixed(files, "machines", machineOf);
  }
  return files.flatMap((file) => file.rows);
}
