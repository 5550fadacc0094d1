// `daxbench compare`: two runs per configuration (benchstat), or one run along a dimension, or several runs of
// one matrix along a dimension, judged with the run as the unit.

import { readResultFile } from "../../results/file.ts";
import { compareAcrossRuns, compareRuns, compareWithin } from "../../results/compare.ts";
import { acrossRunsText, comparisonText } from "../../print/compare.ts";
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
  describe:
    "compare BASE.csv NEW.csv per configuration (benchstat), or within one file --by protection|align|policy, " +
    "or within each of several runs of one matrix --by, judged across the runs",
  options: (y) =>
    y
      .positional("files", { type: "string", array: true, demandOption: true })
      .option("by", {
        type: "string",
        describe: "compare within a file along protection, align or policy; with several files, across them",
      })
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
  if (by !== undefined && files.length > 1) {
    const runs = files.map((file) => ({ name: file.path, rows: file.rows }));
    const across = compareAcrossRuns(runs, by as (typeof DIMENSIONS)[number], alpha);
    println(io.stdout, across.map((t) => acrossRunsText(t, alpha)).join("\n\n"));
    return EXIT.ok;
  }
  if (by !== undefined) {
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
