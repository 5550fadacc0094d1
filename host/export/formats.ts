// The export formats, by the names --format takes, and how every command (run, micro, kernel) writes them:
// one file per format, named after --out, each whole or not at all. Each schema renders its own rows; the
// run schema's renderers are one small file each beside this one.

import type { ResultRow } from "../results/schema.ts";
import { csvPieces } from "./csv.ts";
import { jsonText } from "./json.ts";
import { markdownText } from "./markdown.ts";
import type { Text, TextStream } from "../output-files.ts";
import { UsageError } from "../errors.ts";

/** The export formats, by the names --format takes. */
export type FormatName = "csv" | "json" | "md";

export const FORMAT_NAMES: readonly FormatName[] = ["csv", "json", "md"];

/** What `report` writes: a run's formats, and the HTML report (charts drawn in the page need the report's
 *  whole work, so a run does not write it). */
export type ReportFormat = FormatName | "html";
export const REPORT_FORMATS: readonly ReportFormat[] = [...FORMAT_NAMES, "html"];

/** "csv,md" (or several flags) -> ["csv", "md"]; anything else is a UsageError naming it and the accepted ones. */
export function parseFormats<Name extends string = FormatName>(
  values: string[],
  accepted: readonly Name[] = FORMAT_NAMES as readonly string[] as readonly Name[],
): Name[] {
  const names = values
    .flatMap((value) => value.split(","))
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(accepted as readonly string[]).includes(name))
      throw new UsageError(`--format ${name} is not one of: ${accepted.join(", ")}`);
  }
  if (names.length === 0) throw new UsageError(`--format is empty: give one or more of ${accepted.join(", ")}`);
  return [...new Set(names)] as Name[];
}

/** "results/run.csv" with md -> "results/run.md": the formats of one run share a name. */
export function pathFor(out: string, format: ReportFormat): string {
  return `${out.replace(/\.(csv|json|md|html)$/, "")}.${format}`;
}

/** Text, whole or in pieces, to a stream (standard output, for --out -). */
export function writeText(stream: TextStream, text: Text): void {
  if (typeof text === "string") stream.write(text);
  else for (const piece of text) stream.write(piece);
}

/** The run schema in `format`; alpha is the significance level of the Markdown tables' Relative column. */
export function renderRun(format: FormatName, rows: ResultRow[], alpha: number): Text {
  return format === "csv" ? csvPieces(rows) : format === "json" ? jsonText(rows) : markdownText(rows, alpha);
}
