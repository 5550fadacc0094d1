// `daxbench history FILE|DIR...`: every configuration followed across the runs of many result files, with the
// change points of its headline figure; --fail-on regression makes it a CI gate.

import { history, readRuns, regressions, resultPaths } from "../../results/history.ts";
import { historyText, regressionLine } from "../../print/history.ts";
import { UsageError } from "../../errors.ts";
import { alphaOption, historyOptions, percentOption } from "../options.ts";
import { println, type Io } from "../io.ts";
import { EXIT, type Command } from "../command.ts";

interface HistoryArgs {
  paths: string[];
  alpha: string;
  "fail-on"?: string;
  "min-change": string;
  permutations: string;
  seed?: string;
  "allow-mixed": boolean;
}

const FAIL_ON = ["regression"];

export const historyCommand: Command<HistoryArgs> = {
  usage: "history <paths..>",
  describe:
    "follow every configuration across the runs of many result files (or directories of them): trend and change points",
  options: (y) =>
    y
      .positional("paths", {
        type: "string",
        array: true,
        demandOption: true,
        describe: "result CSVs, or directories searched for them",
      })
      .option("alpha", {
        type: "string",
        default: "0.05",
        describe: "significance level of a change point and of its verdict",
      })
      .option("fail-on", {
        type: "string",
        describe: "regression: exit 1 when a configuration's newest change point is a significant slowdown",
      })
      .option("min-change", {
        type: "string",
        default: "0",
        describe: "with --fail-on: the least slowdown that fails, in percent",
      })
      .option("permutations", {
        type: "string",
        default: "199",
        describe: "shuffles of the permutation test of each change point",
      })
      .option("seed", {
        type: "string",
        describe: "seeds the shuffles (default 1): the same files give the same change points",
      })
      .option("allow-mixed", {
        type: "boolean",
        default: false,
        describe: "follow a configuration across runs of different machines",
      }),
  run(args: HistoryArgs, io: Io) {
    const failOn = args["fail-on"];
    if (failOn !== undefined && !FAIL_ON.includes(failOn))
      throw new UsageError(`--fail-on ${failOn} is not one of: ${FAIL_ON.join(", ")}`);
    const minChange = percentOption("min-change", args["min-change"]);
    const options = historyOptions({
      alpha: alphaOption(args.alpha),
      permutations: args.permutations,
      seed: args.seed,
      allowMixed: args["allow-mixed"],
    });
    const { files, notes } = resultPaths(args.paths);
    for (const note of notes) println(io.stderr, note);
    const found = history(readRuns(files), options);
    println(io.stdout, historyText(found));
    if (failOn === undefined) return EXIT.ok;
    const failing = regressions(found, minChange);
    for (const regression of failing) println(io.stderr, `regression: ${regressionLine(regression, found)}`);
    return failing.length ? EXIT.failed : EXIT.ok;
  },
};
