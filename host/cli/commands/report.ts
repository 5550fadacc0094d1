// `daxbench report`: a Markdown report with SVG charts beside a run's CSV (and other formats, a README section).

import { writeReport } from "../../export/report.ts";
import { parseFormats } from "../../export/formats.ts";
import { alphaOption } from "../options.ts";
import { println, type Io } from "../io.ts";
import { EXIT, type Command } from "../command.ts";

interface ReportArgs {
  file: string;
  format: string[];
  readme?: string;
  section: string;
  alpha: string;
}

export const reportCommand: Command<ReportArgs> = {
  usage: "report <file>",
  describe: "write a Markdown report and SVG charts beside RUN.csv (and other --format exports)",
  options: (y) => y
    .positional("file", { type: "string", demandOption: true })
    .option("format", { type: "string", array: true, default: ["md"], describe: "md, json, csv (comma list)" })
    .option("readme", { type: "string", describe: "also rewrite a section of this file (between its markers)" })
    .option("section", { type: "string", default: "results", describe: "with --readme: the section's marker name" })
    .option("alpha", { type: "string", default: "0.05", describe: "significance level of every \"faster\" claim" }),
  async run(args: ReportArgs, io: Io) {
    const written = await writeReport(args.file, {
      formats: parseFormats(args.format), readme: args.readme, section: args.section, alpha: alphaOption(args.alpha),
    });
    println(io.stdout, `wrote ${written.join(", ")}`);
    return EXIT.ok;
  },
};
