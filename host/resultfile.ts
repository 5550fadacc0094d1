// Reads a result CSV back (compare, report, merge), refusing anything that is not exactly what `run`
// writes: the error names the file, the line and the column.

import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { ROW_COLUMNS, TEXT_COLUMNS, OPTIONAL_COLUMNS, type ResultRow, type Column } from "./results.ts";
import { UsageError } from "./errors.ts";
import { SCENARIOS, findScenario } from "../bench/scenarios.ts";

export interface ResultFile {
  path: string;
  header: string[];
  rows: ResultRow[];
}

export function readResultFile(path: string): ResultFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UsageError(`${path}: cannot be read`);
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // bom: a spreadsheet's UTF-8 export starts with one; it is not part of the first column's name.
    records = parse(text, { info: true, relax_column_count: false, bom: true }) as unknown as typeof records;
  } catch (error) {
    throw new UsageError(`${path}: not a CSV file (${error instanceof Error ? error.message : error})`);
  }
  if (records.length === 0) throw new UsageError(`${path}: empty; expected a header starting with "scenario"`);
  const header = records[0].record;
  checkHeader(path, header);
  const rows = records.slice(1).map(({ record, info }) => {
    const row = {} as ResultRow;
    header.forEach((column, i) => {
      const value = record[i];
      if (TEXT_COLUMNS.has(column) || (value === "" && OPTIONAL_COLUMNS.has(column))) {
        row[column as Column] = value;
        return;
      }
      const number = Number(value);
      if (value === "" || !Number.isFinite(number)) {
        throw new UsageError(`${path}: line ${info.lines}, column ${column}: ${JSON.stringify(value)} is not a number`);
      }
      row[column as Column] = number;
    });
    // Every figure of a row is read through its scenario's entry (bench/scenarios.ts): an unknown one is refused.
    if (!findScenario(String(row.scenario))) {
      throw new UsageError(`${path}: line ${info.lines}, column scenario: ${JSON.stringify(row.scenario)} is not one of: ${SCENARIOS.map((s) => s.name).join(", ")}`);
    }
    return row;
  });
  return { path, header, rows };
}

function checkHeader(path: string, header: string[]): void {
  if (header[0] !== ROW_COLUMNS[0]) {
    throw new UsageError(`${path}: line 1, column 1: ${JSON.stringify(header[0])} is not a daxbench result header (expected "scenario")`);
  }
  const missing = ROW_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length) throw new UsageError(`${path}: line 1: missing column ${missing.join(", ")}`);
  const unknown = header.filter((column) => !(ROW_COLUMNS as readonly string[]).includes(column));
  if (unknown.length) throw new UsageError(`${path}: line 1: unknown column ${unknown.join(", ")}`);
  const twice = header.filter((column, i) => header.indexOf(column) !== i);
  if (twice.length) throw new UsageError(`${path}: line 1: column ${[...new Set(twice)].join(", ")} appears more than once`);
}
