// `daxbench report RUN.csv`: the publishable form of a run: a Markdown report with its tables, pairs and
// charts beside it (SVG), optionally other formats, and optionally the README's Results section.

import { basename, dirname, join, relative } from "node:path";
import { readResultFile } from "./resultfile.ts";
import { byConfiguration } from "./configurations.ts";
import { charts } from "./export/charts.ts";
import { markdownText } from "./export/markdown.ts";
import { FORMATS, pathFor, type FormatName } from "./export/formats.ts";
import { writeFileAtomic } from "./export/files.ts";
import { comparisons, summaryWarnings } from "./print/summary.ts";
import type { ResultRow } from "./results.ts";
import { UsageError } from "./errors.ts";
import { replaceSection } from "./export/readme.ts";

function machines(rows: ResultRow[]): string[] {
  const lines = rows.map((r) => `${r.cpu}, Node ${r.node}, daxbench ${r.daxbench_version}, commit ${r.commit || "unknown"}, run started ${r.started_at}`);
  return [...new Set(lines)];
}

/** The body shared by the report and the README section; `chartDir` is where links to charts start. */
function body(rows: ResultRow[], chartFiles: { title: string; path: string }[]): string {
  const results = byConfiguration(rows);
  return [
    `Measured on ${machines(rows).join("; ")}: ${rows.length} rows, ${results.length} configurations.`,
    "",
    ...chartFiles.map((chart) => `![${chart.title}](${chart.path})`),
    "",
    markdownText(rows),
    "Pairs that differ in one dimension (mean ns/op, with uncertainty):",
    "",
    ...comparisons(results).map((line) => `- ${line}`),
    ...(summaryWarnings(results).length ? ["", ...summaryWarnings(results).map((line) => `- ${line}`)] : []),
    "",
  ].join("\n");
}

export interface ReportOptions {
  formats: FormatName[];
  readme?: string;
  /** The README section to rewrite (between its markers); default "results". */
  section?: string;
}

/** Writes the report beside the CSV and returns the paths written. */
export async function writeReport(csvPath: string, options: ReportOptions): Promise<string[]> {
  const { rows } = readResultFile(csvPath);
  if (rows.length === 0) throw new UsageError(`${csvPath}: has a header but no rows: nothing to report`);
  const dir = dirname(csvPath);
  const base = basename(csvPath).replace(/\.csv$/, "");
  const drawn = await charts(rows);
  const written: string[] = [];
  for (const chart of drawn) {
    const path = join(dir, `${base}-${chart.name}.svg`);
    writeFileAtomic(path, chart.svg);
    written.push(path);
  }
  const report = `# daxbench report: ${base}\n\n` + body(rows, drawn.map((c) => ({ title: c.title, path: `${base}-${c.name}.svg` })));
  for (const format of options.formats) {
    const path = pathFor(join(dir, base), format);
    // The report is the Markdown form of a run; csv and json are the run's own exports.
    writeFileAtomic(path, format === "md" ? report : FORMATS[format].render(rows));
    written.push(path);
  }
  if (options.readme) {
    const readmeDir = dirname(options.readme);
    const links = drawn.map((c) => ({ title: c.title, path: relative(readmeDir, join(dir, `${base}-${c.name}.svg`)) }));
    replaceSection(options.readme, options.section ?? "results", body(rows, links));
    written.push(options.readme);
  }
  return written;
}
