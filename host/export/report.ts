// `daxbench report RUN.csv`: the publishable form of a run: a Markdown report with its tables, pairs and
// charts beside it (SVG), optionally other formats, and optionally the README's Results section.

import { basename, dirname, join, relative, resolve } from "node:path";
import { readResultFile } from "../results/file.ts";
import { charts } from "./charts.ts";
import { markdownTables, markdownHistory } from "./markdown.ts";
import { runReport, tablesNote, pairsNote, type RunReport } from "./run-report.ts";
import { htmlText } from "./html.ts";
import { renderRun, pathFor, type ReportFormat } from "./formats.ts";
import { history, readRuns, type History, type HistoryOptions } from "../results/history.ts";
import { writeFileAtomic, checkWritable } from "../output-files.ts";
import { UsageError } from "../errors.ts";
import { replaceSection, checkSection } from "./readme.ts";

/** The body shared by the report and the README section; each chart's path is relative to the file the body
 *  goes into (the report beside the CSV, or the README). */
function body(run: RunReport, chartFiles: { title: string; path: string }[], skippedCharts: string[]): string {
  return [
    run.measured,
    "",
    ...chartFiles.map((chart) => `![${chart.title}](${chart.path})`),
    ...skippedCharts.map((line) => `- ${line}`),
    "",
    tablesNote(run.alpha),
    "",
    markdownTables(run.scenarios, run.alpha),
    pairsNote(run.alpha),
    "",
    ...run.pairs.map((line) => `- ${line}`),
    ...(run.warnings.length ? ["", ...run.warnings.map((line) => `- ${line}`)] : []),
    "",
  ].join("\n");
}

export interface ReportOptions {
  formats: ReportFormat[];
  /** The significance level of every "faster" claim. */
  alpha: number;
  readme?: string;
  /** The README section to rewrite (between its markers); default "results". */
  section?: string;
  /** Result files of other runs: the report adds the history of every configuration over them and the run
   *  (the run's own file counted once). */
  history?: { files: string[]; options: HistoryOptions };
}

/** Writes the report beside the CSV and returns the paths written. */
export async function writeReport(csvPath: string, options: ReportOptions): Promise<string[]> {
  const { rows } = readResultFile(csvPath);
  if (rows.length === 0) throw new UsageError(`${csvPath}: has a header but no rows: nothing to report`);
  const dir = dirname(csvPath);
  const base = basename(csvPath).replace(/\.csv$/, "");
  // Everything is checked before anything is drawn or written: the report's files, the charts' directory
  // (probed through one chart's path), and the README's section.
  const targets = options.formats.map((format) => pathFor(join(dir, base), format));
  if (targets.some((path) => resolve(path) === resolve(csvPath))) {
    throw new UsageError(
      `report --format csv would overwrite its input ${csvPath}: the report is its Markdown, JSON and charts`,
    );
  }
  for (const path of [...targets, join(dir, `${base}-chart.svg`)]) checkWritable("report", path);
  if (options.readme) {
    checkSection(options.readme, options.section ?? "results");
    checkWritable("--readme", options.readme);
  }
  let past: History | undefined;
  if (options.history) {
    const others = options.history.files.filter((path) => resolve(path) !== resolve(csvPath));
    past = history([...rows, ...readRuns(others)], options.history.options);
  }
  const run = runReport(rows, options.alpha);
  const { drawn, skipped } = await charts(run.results);
  const written: string[] = [];
  for (const chart of drawn) {
    const path = join(dir, `${base}-${chart.name}.svg`);
    writeFileAtomic(path, chart.svg);
    written.push(path);
  }
  const report =
    `# daxbench report: ${base}\n\n` +
    body(
      run,
      drawn.map((c) => ({ title: c.title, path: `${base}-${c.name}.svg` })),
      skipped,
    ) +
    (past ? `\n${markdownHistory(past)}` : "");
  for (const format of options.formats) {
    const path = pathFor(join(dir, base), format);
    // The report is the Markdown form of a run, or its HTML form; csv and json are the run's own exports.
    if (format === "html") {
      writeFileAtomic(path, await htmlText({ name: base, run, history: past }));
    } else writeFileAtomic(path, format === "md" ? report : renderRun(format, rows, options.alpha));
    written.push(path);
  }
  if (options.readme) {
    const readmeDir = dirname(options.readme);
    const links = drawn.map((c) => ({ title: c.title, path: relative(readmeDir, join(dir, `${base}-${c.name}.svg`)) }));
    replaceSection(options.readme, options.section ?? "results", body(run, links, skipped));
    written.push(options.readme);
  }
  return written;
}
