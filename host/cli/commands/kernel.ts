// `daxbench kernel`: this machine's kernel faulting memory that exists, the anchor the model is held to.

import { renderKernel, kernelMarkdown } from "../../export/side-tables.ts";
import { runKernel, kernelResults, kernelWarnings, reserveHugePages } from "../../run/kernel.ts";
import { runMetadata } from "../../results/metadata.ts";
import { Progress } from "../../print/progress.ts";
import { defaultOutPath, formatsOption, hugePagesOption, kernelSizeOption, wholeNumberOption } from "../options.ts";
import { interruptible } from "../interrupt.ts";
import { println, type Io } from "../io.ts";
import { resultFileOptions, ResultsOutput, rowCount } from "../output.ts";
import { EXIT, type Command } from "../command.ts";

interface KernelArgs {
  size: string;
  repeat: string;
  "reserve-hugepages"?: string;
  out?: string;
  format: string[];
  quiet: boolean;
}

export const kernelCommand: Command<KernelArgs> = {
  usage: "kernel",
  describe:
    "this machine's kernel: 4 KiB, 2 MiB (and 1 GiB) write faults on memory that exists, populate time per GiB, " +
    "a hit, and a grace period (synchronize_rcu, through membarrier)",
  options: (y) =>
    resultFileOptions(y, "kernel")
      .option("size", {
        type: "string",
        default: "128m",
        describe: "mapping size of the 4 KiB and 2 MiB cases (1 GiB pages map 1g)",
      })
      .option("repeat", { type: "string", default: "5", describe: "timed passes per case, after one warm-up" })
      .option("reserve-hugepages", {
        type: "string",
        describe: "root: make N 2 MiB huge pages free for the run, and put the pool back after",
      })
      .option("quiet", { type: "boolean", default: false, describe: "print no table" })
      .example("$0 kernel --reserve-hugepages 64", "4 KiB and 2 MiB faults on 128 MiB (64 huge pages)"),
  run: kernel,
};

async function kernel(args: KernelArgs, io: Io): Promise<number> {
  const size = kernelSizeOption(args.size);
  const repeat = wholeNumberOption("repeat", args.repeat, 5, 1, 1000);
  const reserve = hugePagesOption(args["reserve-hugepages"]);
  const formats = formatsOption(args.out, args.format);
  const meta = runMetadata();
  const output = ResultsOutput.perFormat(args.out ?? defaultOutPath(new Date(meta.started_at), "kernel"), formats);
  output.checkWritable();
  const reserved =
    reserve === undefined
      ? undefined
      : await reserveHugePages(reserve, (holder) =>
          println(io.stderr, `daxbench kernel: waiting for daxbench pid ${holder}, which holds the huge page pool`),
        );
  const progress = new Progress(io.stderr);
  // The huge-page pool is put back however the run ends: done, failed, or interrupted.
  try {
    if (reserved) println(io.stderr, `daxbench kernel: ${reserved.message}`);
    const run = await interruptible((signal) =>
      runKernel(
        { size, repeat, signal },
        meta,
        (line) => println(io.stderr, `daxbench kernel: ${line}`),
        (name) => args.quiet || progress.update(`kernel ${name}`),
      ),
    );
    progress.clear();
    if (run.interrupted) {
      println(io.stderr, `daxbench: interrupted${run.cause}; nothing written`);
      return run.status;
    }
    const rows = run.value;
    // Every case skipped (no C compiler, no huge pages): no file, since there is nothing to record.
    const nothing = rows.length === 0 && !output.toStdout;
    if (!nothing) output.finish(io.stdout, (format) => renderKernel(format, rows));
    if (args.quiet) return EXIT.ok;
    const print = output.screen(io);
    println(print, kernelMarkdown(rows).trimEnd());
    for (const warning of kernelWarnings(kernelResults(rows))) println(print, warning);
    const wrote = nothing ? undefined : output.wrote(rowCount(rows.length));
    if (wrote) println(print, wrote);
    return EXIT.ok;
  } finally {
    progress.clear();
    reserved?.restore();
  }
}
