// `daxbench native`: the read-side pairs in C beside the same pairs in wasm, cell by cell.

import { DaxMachine } from "../../machine/dax.ts";
import { maxWorkers } from "../../run/matrix.ts";
import { runNative, nativeCells, nativeCsv } from "../../run/native.ts";
import { nativeMarkdown } from "../../export/side-tables.ts";
import { checkAddressSpace } from "../../run/address-space.ts";
import { runMetadata } from "../../results/metadata.ts";
import { ResultsOutput } from "../output.ts";
import { Progress } from "../../print/progress.ts";
import { durationOption, fileOutOption, wholeNumberOption, workerCountsOption } from "../options.ts";
import { interruptible } from "../interrupt.ts";
import { println, type Io } from "../io.ts";
import { EXIT, type Command } from "../command.ts";

interface NativeArgs {
  workers: string[];
  duration: string;
  /** Repetitions per side of every cell, as typed. */
  repeat: string;
  out?: string;
}

export const nativeCommand: Command<NativeArgs> = {
  usage: "native",
  describe: "the read-side pairs in C (per-CPU counters, pthread mutex and rwlock, liburcu memb and qsbr) beside wasm",
  options: (y) =>
    y
      .option("workers", { type: "string", array: true, default: ["1,2"], describe: "thread counts" })
      .option("duration", { type: "string", default: "500ms", describe: "per run" })
      .option("repeat", {
        type: "string",
        default: "5",
        describe: "measured runs per side (native and wasm) of every cell, after one warm-up",
      })
      .option("out", {
        type: "string",
        nargs: 1,
        describe: "also write the cells' Markdown table to NAME.md and every sample to NAME.csv",
      }),
  run: native,
};

async function native(args: NativeArgs, io: Io): Promise<number> {
  const workerCounts = workerCountsOption(args.workers, maxWorkers(new DaxMachine()));
  const durationNs = durationOption("duration", args.duration);
  const repeat = wholeNumberOption("repeat", args.repeat, 5, 1, 1000);
  fileOutOption(args.out, "native writes two files, NAME.md and NAME.csv");
  const output = args.out === undefined ? undefined : ResultsOutput.perFormat(args.out, ["md", "csv"]);
  output?.checkWritable();
  checkAddressSpace(Math.max(2, ...workerCounts)); // the wasm side's readers, or the wake-up cell's two workers
  const release = output?.lock();
  try {
    const progress = new Progress(io.stderr);
    const meta = runMetadata();
    const run = await interruptible((signal) =>
      runNative(
        workerCounts,
        durationNs,
        repeat,
        (line) => println(io.stderr, `daxbench native: ${line}`),
        (label) => progress.update(label),
        signal,
      ),
    );
    progress.clear();
    if (run.interrupted) {
      println(io.stderr, `daxbench: interrupted${run.cause}; nothing written`);
      return run.status;
    }
    const samples = run.value;
    const table = nativeMarkdown(nativeCells(samples));
    output?.save((format) => (format === "md" ? table : nativeCsv(samples, meta)));
    println(io.stdout, table.trimEnd());
    const wrote = output?.wrote(`the table and its ${samples.length} samples`);
    if (wrote) println(io.stdout, wrote);
    return EXIT.ok;
  } finally {
    release?.();
  }
}
