// `daxbench merge`: join the CSVs of one sharded matrix into one.

import { mergeFiles } from "../../results/merge.ts";
import { csvPieces } from "../../export/csv.ts";
import { ResultsOutput, rowCount } from "../output.ts";
import { println, type Io } from "../io.ts";
import { fileOutOption } from "../options.ts";
import { EXIT, type Command } from "../command.ts";

interface MergeArgs {
  files: string[];
  out: string;
  "allow-mixed": boolean;
}

export const mergeCommand: Command<MergeArgs> = {
  usage: "merge <files..>",
  describe: "join the CSVs of one sharded matrix into one (--out); refuses files of other columns or versions",
  options: (y) =>
    y
      .positional("files", { type: "string", array: true, demandOption: true })
      .option("out", { type: "string", demandOption: true, nargs: 1, describe: "the merged CSV" })
      .option("allow-mixed", {
        type: "boolean",
        default: false,
        describe: "merge runs of different commits or machines",
      }),
  run(args: MergeArgs, io: Io) {
    fileOutOption(args.out, "merge writes the merged CSV to a file and says so on stdout");
    const output = ResultsOutput.file(args.out, "csv");
    output.checkWritable();
    const rows = mergeFiles(args.files, { allowMixed: args["allow-mixed"] });
    output.save(() => csvPieces(rows));
    println(io.stdout, output.wrote(rowCount(rows.length))!);
    return EXIT.ok;
  },
};
