// `daxbench compare`: two runs per configuration (benchstat), or one run along a dimension.

import { readResultFile } from "../../results/file.ts";
import { compareRuns, compareWithin } from "../../results/compare.ts";
import { comparisonText } from "../../print/compare.ts";
import { UsageError } from "../../errors.ts";
import { alphaOption } from "../options.ts";
import { println, type Io } from "../io.ts";
import { EXIT, type Command } from "../command.ts";

interface CompareArgs {
  files: string[];
  by?: string;
  alpha: string;
}

const DIMENSIONS = ["protection", "align", "policy"] as const;

export const compareCommand: Command<CompareArgs> = {
  usage: "compare <files..>",
  describe: "compare BASE.csv NEW.csv per configuration (benchstat), or one file --by protection|align|policy",
  options: (y) =>
    y
      .positional("files", { type: "string", array: true, demandOption: true })
      .option("by", { type: "string", describe: "compare within one file along protection, align or policy" })
      .option("alpha", { type: "string", default: "0.05", describe: "significance level; ~ marks changes above it" }),
  run: compare,
};

function compare(args: CompareArgs, io: Io): number {
  const alpha = alphaOption(args.alpha);
  const by = args.by;
  if (by !== undefined && !(DIMENSIONS as readonly string[]).includes(by))
    throw new UsageError(`--by ${by} is not one of: ${DIMENSIONS.join(", ")}`);
  const files = args.files.map(readResultFile);
  let tables;
  if (by !== undefined) {
    if (files.length !== 1) throw new UsageError(`--by compares within one file; got ${files.length}`);
    tables = compareWithin(files[0].path, files[0].rows, by as (typeof DIMENSIONS)[number], alpha);
  } else {
    if (files.length !== 2)
      throw new UsageError(
        "compare takes BASE.csv NEW.csv (or one file with --by); " +
          `got ${files.length} file${files.length === 1 ? "" : "s"}`,
      );
    tables = [
      compareRuns({ name: files[0].path, rows: files[0].rows }, { name: files[1].path, rows: files[1].rows }, alpha),
    ];
  }
  println(io.stdout, tables.map((t) => comparisonText(t, alpha)).join("\n\n"));
  return EXIT.ok;
}
