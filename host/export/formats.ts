// The export formats, by the names --format takes. Each format is one small file beside this one.

import type { ResultRow } from "../results.ts";
import { csvText } from "./csv.ts";
import { jsonText } from "./json.ts";
import { markdownText } from "./markdown.ts";
import { writeFileAtomic } from "./files.ts";
import { UsageError } from "../errors.ts";

export type FormatName = "csv" | "json" | "md";

interface Format {
  extension: string;
  /** alpha: the significance level of the claims a format makes (the Markdown tables' Relative column). */
  render(rows: ResultRow[], alpha: number): string;
}

export const FORMATS: Record<FormatName, Format> = {
  csv: { extension: ".csv", render: (rows) => csvText(rows) },
  json: { extension: ".json", render: (rows) => jsonText(rows) },
  md: { extension: ".md", render: markdownText },
};

export function parseFormats(values: string[]): FormatName[] {
  const names = values.flatMap((value) => value.split(",")).map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!(name in FORMATS)) throw new UsageError(`--format ${name} is not one of: ${Object.keys(FORMATS).join(", ")}`);
  }
  if (names.length === 0) throw new UsageError(`--format is empty: give one or more of ${Object.keys(FORMATS).join(", ")}`);
  return [...new Set(names)] as FormatName[];
}

/** "results/run.csv" with md -> "results/run.md": the formats of one run share a name. */
export function pathFor(out: string, format: FormatName): string {
  return out.replace(/\.(csv|json|md)$/, "") + FORMATS[format].extension;
}

/** Writes every format beside `out`, each whole or not at all; alpha is the Markdown tables' significance level. */
export function writeFormats(out: string, formats: FormatName[], rows: ResultRow[], alpha: number): string[] {
  return formats.map((format) => {
    const path = pathFor(out, format);
    writeFileAtomic(path, FORMATS[format].render(rows, alpha));
    return path;
  });
}
