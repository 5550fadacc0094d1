// Reads a result CSV back (compare, report, merge, history), refusing anything that is not exactly what `run`
// writes: the error names the file, the line and the column (host/csv-table.ts, as every reader's does).

import { ROW_COLUMNS, TEXT_COLUMNS, OPTIONAL_COLUMNS, LATER_COLUMNS, type ResultRow } from "./schema.ts";
import { UsageError } from "../errors.ts";
import { readCsvText, parseCsv, numberCell, ownString, type NumberRule } from "../csv-table.ts";
import { SCENARIOS, findScenario } from "../registry/scenarios.ts";
import type { Scenario } from "../types.ts";

export interface ResultFile {
  path: string;
  header: string[];
  rows: ResultRow[];
}

export function readResultFile(path: string): ResultFile {
  const text = readCsvText(path);
  let header: string[] | undefined;
  let makeRow: (values: (string | number)[]) => ResultRow = () => ({}) as ResultRow;
  let absent: [string, (scenario: Scenario) => string | number][] = [];
  const rows: ResultRow[] = [];
  // How each column's cells are read, and one array for a record's values: makeRow copies them out.
  let kinds: ("text" | NumberRule)[] = [];
  const values: (string | number)[] = [];
  // Words repeat on every row (a scenario, a CPU, a start time): one string each, not one per row, of its own.
  const words = new Map<string, string>();
  const word = (value: string) => {
    let kept = words.get(value);
    if (kept === undefined) words.set(value, (kept = ownString(value)));
    return kept;
  };
  // One record at a time, turned into a row as it is parsed: no record is kept (a 300,000-row file).
  parseCsv(path, text, (record, line) => {
    if (header === undefined) {
      header = record;
      checkHeader(path, header);
      absent = [...LATER_COLUMNS].filter(([column]) => !header!.includes(column));
      makeRow = rowMaker(
        header,
        absent.map(([column]) => column),
      );
      kinds = header.map((column) =>
        TEXT_COLUMNS.has(column) ? "text" : OPTIONAL_COLUMNS.has(column) ? "optional" : "number",
      );
      return;
    }
    for (let i = 0; i < record.length; i++) {
      const kind = kinds[i];
      values[i] = kind === "text" ? word(record[i]) : numberCell(path, line, header[i], record[i], kind);
    }
    const row = makeRow(values);
    // Every figure of a row is read through its scenario's entry (host/registry/scenarios.ts): an unknown one
    // is refused.
    const scenario = findScenario(row.scenario);
    if (!scenario) {
      throw new UsageError(
        `${path}: line ${line}, column scenario: ${JSON.stringify(row.scenario)} is not one of: ` +
          `${SCENARIOS.map((s) => s.name).join(", ")}`,
      );
    }
    for (const [column, older] of absent) (row as Record<string, string | number>)[column] = older(scenario);
    rows.push(row);
  });
  if (header === undefined) throw new UsageError(`${path}: empty; expected a header starting with "scenario"`);
  return { path, header, rows };
}

/** A function that builds a row of this header's columns in one object literal, with the later columns the file
 *  lacks (filled in after, by scenario). A row filled in one property at a time ends up a dictionary (3 KB
 *  instead of 450 bytes), and building it from entries leaves 45 small arrays behind per row: a 300,000-row
 *  file can afford neither. The header is checked first: only ROW_COLUMNS' names reach the generated code. */
function rowMaker(header: string[], absent: string[]): (values: (string | number)[]) => ResultRow {
  const fields = [
    ...header.map((column, i) => `${JSON.stringify(column)}: values[${i}]`),
    ...absent.map((column) => `${JSON.stringify(column)}: ""`),
  ].join(", ");
  return new Function("values", `return { ${fields} };`) as (values: (string | number)[]) => ResultRow;
}

function checkHeader(path: string, header: string[]): void {
  if (header[0] !== ROW_COLUMNS[0]) {
    throw new UsageError(
      `${path}: line 1, column 1: ${JSON.stringify(header[0])} is not a daxbench result header (expected "scenario")`,
    );
  }
  const missing = ROW_COLUMNS.filter((column) => !header.includes(column) && !LATER_COLUMNS.has(column));
  if (missing.length) throw new UsageError(`${path}: line 1: missing column ${missing.join(", ")}`);
  const unknown = header.filter((column) => !(ROW_COLUMNS as readonly string[]).includes(column));
  if (unknown.length) throw new UsageError(`${path}: line 1: unknown column ${unknown.join(", ")}`);
  const twice = header.filter((column, i) => header.indexOf(column) !== i);
  if (twice.length)
    throw new UsageError(`${path}: line 1: column ${[...new Set(twice)].join(", ")} appears more than once`);
}
