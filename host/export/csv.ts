// CSV export: one row per configuration and repetition, ROW_COLUMNS in order, by csv-stringify.

import { stringify } from "csv-stringify/sync";
import { ROW_COLUMNS, type ResultRow } from "../results.ts";

export function csvText(rows: ResultRow[]): string {
  return stringify(rows, { header: true, columns: [...ROW_COLUMNS] });
}
