// `daxbench merge A.csv B.csv ... --out ALL.csv`: joins the shards of one matrix, refusing files that do
// not belong together (other columns, another daxbench version).

import { readResultFile } from "./resultfile.ts";
import { csvText } from "./export/csv.ts";
import { writeFileAtomic } from "./export/files.ts";
import { UsageError } from "./errors.ts";

export function mergeFiles(paths: string[], out: string): number {
  if (paths.length < 2) throw new UsageError(`merge needs two or more files; got ${paths.length}`);
  const files = paths.map(readResultFile);
  const [first] = files;
  for (const file of files.slice(1)) {
    if (file.header.join(",") !== first.header.join(",")) {
      throw new UsageError(`${file.path}: its columns differ from ${first.path}'s: files from different daxbench versions cannot be merged`);
    }
  }
  const versions = new Map<string, string>();
  for (const file of files) for (const row of file.rows) versions.set(String(row.daxbench_version), file.path);
  if (versions.size > 1) {
    const found = [...versions].map(([version, path]) => `${version} (${path})`).join(", ");
    throw new UsageError(`the files come from different daxbench versions: ${found}`);
  }
  const rows = files.flatMap((file) => file.rows);
  writeFileAtomic(out, csvText(rows));
  return rows.length;
}
