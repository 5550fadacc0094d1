// `daxbench report`: a Markdown report with SVG charts beside a run's CSV (and other formats, a README section).

import { writeReport } from "../../export/report.ts";
import { parseFormats, REPORT_FORMATS } from "../../export/formats.ts";
import { resultPaths } from "../../results/history.ts";
import { alphaOption, historyOptions } from "../options.ts";
import { println, type Io } from "../io.ts";
import { EXIT, type Command } from "../command.ts";

interface ReportArgs {
  file: string;
  format: string[];
  readme?: string;
  section: string;
  alpha: string;
  history?: string[];
  permutations: string;
  seed?: string;
  "allow-mixed": boolean;
}

export const reportCommand: Command<ReportArgs> = {
  usage: "report <file>",
  describe:
    "write a Markdown report and SVG charts beside RUN.csv (and other --format exports, html the interactive report)",
  options: (y) =>
    y
      .positional("file", { type: "string", demandOption: true })
      .option("format", { type: "string", array: true, default: ["md"], describe: "md, html, json, csv (comma list)" })
      .option("readme", { type: "string", describe: "also rewrite a section of this file (between its markers)" })
      .option("section", { type: "string", default: "results", describe: "with --readme: the section's marker name" })
      .option("alpha", { type: "string", default: "0.05", describe: 'significance level of every "faster" claim' })
      .option("history", {
        type: "string",
        array: true,
        describe: "result files (or directories) of earlier runs: add the history, as daxbench history",
      })
      .option("permutations", {
        type: "string",
        default: "199",
        describe: "with --history: shuffles of each change point's permutation test",
      })
      .option("seed", { type: "string", describe: "with --history: seeds the shuffles (default 1)" })
      .option("allow-mixed", {
        type: "boolean",
        default: false,
        describe: "with --history: follow a configuration across machines",
      }),
  async run(args: ReportArgs, io: Io) {
    const formats = parseFormats(args.format, REPORT_FORMATS);
    const alpha = alphaOption(args.alpha);
    const options = historyOptions({
      alpha,
      permutations: args.permutations,
      seed: args.seed,
      allowMixed: args["allow-mixed"],
    });
    let history;
    if (args.history) {
      const { files, notes } = resultPaths(args.history);
      for (const note of notes) println(io.stderr, note);
      history = { files, options };
    }
    const written = await writeReport(args.file, {
      formats,
      readme: args.readme,
      section: args.section,
      alpha,
      history,
    });
    println(io.stdout, `wrote ${written.join(", ")}`);
    return EXIT.ok;
  },
};
