// `daxbench micro`: single-threaded micro-benchmarks of the core with benchmark.js.

import { runMicro, microRow, renderMicro } from "../../run/micro.ts";
import { runMetadata } from "../../results/metadata.ts";
import { writeFormats, pathFor } from "../../export/formats.ts";
import { checkWritable } from "../../files.ts";
import { microTable, harnessOverhead } from "../../print/micro.ts";
import { Progress } from "../../print/progress.ts";
import { defaultOutPath, formatsOption, maxTimeOption } from "../options.ts";
import { parentWatch } from "../interrupt.ts";
import { println, type Io } from "../io.ts";
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
    y
      .option("max-time", { type: "string", default: "1", describe: "seconds benchmark.js spends on each case" })
      .option("out", {
        type: "string",
        nargs: 1,
        describe: "result file, or - for stdout (one format) [default: results/micro-<date-time>.csv]",
      })
      .option("format", {
        type: "string",
        array: true,
        default: ["csv"],
        describe: "csv, md, json (comma list): one file each, named after --out; micro's own schema",
      })
      .option("quiet", { type: "boolean", default: false, describe: "print no table" }),
  run: micro,
};

function micro(args: MicroArgs, io: Io): number {
  const maxTime = maxTimeOption(args["max-time"]);
  const formats = formatsOption(args.out, args.format);
  const progress = new Progress(io.stderr);
  const meta = runMetadata();
  const out = args.out ?? defaultOutPath(new Date(meta.started_at), "micro");
  if (out !== "-") for (const format of formats) checkWritable("--out", pathFor(out, format));
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
  const written = out === "-" ? [] : writeFormats(out, formats, (format) => renderMicro(format, rows));
  if (out === "-") io.stdout.write(renderMicro(formats[0], rows));
  if (args.quiet) return EXIT.ok;
  const print = out === "-" ? io.stderr : io.stdout;
  println(print, microTable(results));
  println(print, harnessOverhead(results));
  if (out !== "-") println(print, `wrote ${rows.length} rows to ${written.join(", ")}`);
  return EXIT.ok;
}
