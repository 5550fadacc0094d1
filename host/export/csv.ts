// CSV export: one row per configuration and repetition, ROW_COLUMNS in order, by csv-stringify. Written in
// pieces of a thousand rows, so that a merged file of 300,000 rows is never one string.

import { stringify } from "csv-stringify/sync";
import { ROW_COLUMNS, type ResultRow } from "../results/schema.ts";

const PIECE = 1000;

export function* csvPieces(rows: ResultRow[]): Generator<string> {
  yield stringify([], { header: true, columns: [...ROW_COLUMNS] });
  for (let i = 0; i < rows.length; i += PIECE) yield stringify(rows.slice(i, i + PIECE), { columns: [...ROW_COLUMNS] });
}

export function csvText(rows: ResultRow[]): string {
  return [...csvPieces(rows)].join("");
}
