// `daxbench micro`: single-threaded micro-benchmarks of the core with benchmark.js.

import { runMicro, microRow } from "../../run/micro.ts";
import { renderMicro } from "../../export/side-tables.ts";
import { runMetadata } from "../../results/metadata.ts";
import { microTable, harnessOverhead } from "../../print/micro.ts";
import { Progress } from "../../print/progress.ts";
import { defaultOutPath, formatsOption, maxTimeOption } from "../options.ts";
import { parentWatch } from "../interrupt.ts";
import { println, type Io } from "../io.ts";
import { resultFileOptions, ResultsOutput, rowCount } from "../output.ts";
import { EXIT, type Command } from "../command.ts";

interface MicroArgs {
  /** Seconds, as typed: checked here so that the error shows the value as given. */
  "max-time": string;
  out?: string;
  format: string[];
  quiet: boolean;
}

export const microCommand: Command<MicroArgs> = {
  usage: "micro",
  describe:
    "single-threaded micro-benchmarks of the core with benchmark.js: read-side pairs, check_vma, pgoff_to_phys, faults",
  options: (y) =>
    resultFileOptions(y, "micro", "; micro's own schema")
      .option("max-time", { type: "string", default: "1", describe: "seconds benchmark.js spends on each case" })
      .option("quiet", { type: "boolean", default: false, describe: "print no table" }),
  run: micro,
};

function micro(args: MicroArgs, io: Io): number {
  const maxTime = maxTimeOption(args["max-time"]);
  const formats = formatsOption(args.out, args.format);
  const progress = new Progress(io.stderr);
  const meta = runMetadata();
  const output = ResultsOutput.perFormat(args.out ?? defaultOutPath(new Date(meta.started_at), "micro"), formats);
  output.checkWritable();
  // benchmark.js runs synchronously, so no signal handler could run: Ctrl-C and SIGTERM end micro by their default
  // action (it has written nothing yet), and between cases it ends the same way once the process that started it
  // is gone.
  const checkParent = parentWatch();
  const results = runMicro(maxTime, (name) => {
    checkParent();
    if (!args.quiet) progress.update(`micro ${name}`);
  });
  progress.clear();
  const rows = results.map((result) => microRow(result, meta));
  output.finish(io.stdout, (format) => renderMicro(format, rows));
  if (args.quiet) return EXIT.ok;
  const print = output.screen(io);
  println(print, microTable(results));
  println(print, harnessOverhead(results));
  const wrote = output.wrote(rowCount(rows.length));
  if (wrote) println(print, wrote);
  return EXIT.ok;
}
