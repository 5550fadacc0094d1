// Reading the CSVs daxbench writes (run results, kernel, micro, native) back, after a person may have opened,
// edited or cut one short, and writing the side schemas' (kernel, micro, native: a CsvTable each). Every reader
// goes through here, so that a malformed cell is refused the same way everywhere: a UsageError (exit 2) of one
// line naming the file, the line, the column and the value as typed, never a cell read as something else
// (Number(" ") is 0). A side schema is described once, by its CsvTable, and written and read by it.

import { readFileSync } from "node:fs";
import { parse, CsvError } from "csv-parse/sync";
import Papa from "papaparse";
import { stringify } from "csv-stringify/sync";
import { UsageError } from "./errors.ts";

export function readCsvText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new UsageError(`${path}: cannot be read`);
  }
}

/** Calls onRecord with each record of `text` (a file's text, as readCsvText decodes it) in order, the header
 *  first, and the line the record starts on (a quoted value may hold a line break). The parser's own refusals (a
 *  quote never closed, a quote inside a value) name the line their record starts on and, where one cell is to
 *  blame, its column; a record of another length than the header is refused naming its line.
 *
 *  Two parsers, one reading: papaparse reads a 300,000-row file six times faster than csv-parse, but accepts
 *  what csv-parse refuses (a quote inside an unquoted value) and reports less exactly. So papaparse reads the
 *  records it can vouch for (lines as csv-stringify writes them: isCanonical), and from the first it cannot,
 *  csv-parse reads the rest, with its refusals. */
export function parseCsv(path: string, text: string, onRecord: (record: string[], line: number) => void): void {
  // bom: a spreadsheet's UTF-8 export starts with one; it is not part of the first column's name.
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  let header: string[] | undefined;
  let line = 1;
  const deliver = (values: string[], start: number) => {
    const record = header === undefined ? values.map(ownString) : values; // the header is kept: see ownString
    header ??= record;
    if (record.length !== header.length) {
      throw new UsageError(`${path}: line ${start}: ${record.length} values, the header has ${header.length} columns`);
    }
    onRecord(record, start);
  };
  // Where csv-parse takes over: at body.length, nowhere, unless papaparse meets a record it cannot vouch for. A
  // text with a "\r" is csv-parse's whole (the first kind of line break it meets, "\r\n", "\r" or "\n", ends
  // every record after), and so is one with a second BOM (papaparse drops it too): for those, rest is 0 and
  // papaparse reads nothing.
  let rest = body.includes("\r") || body.startsWith("\uFEFF") ? 0 : body.length;
  if (rest > 0) {
    let offset = 0;
    Papa.parse<string[]>(body, {
      delimiter: ",",
      newline: "\n",
      quoteChar: '"',
      step: (result, parser) => {
        const end = result.meta.cursor;
        if (offset === end && end === body.length) return; // after the last line break: no record
        const raw = body.slice(offset, body[end - 1] === "\n" ? end - 1 : end);
        if (result.errors.length > 0 || !isCanonical(raw, result.data)) {
          rest = offset;
          parser.abort();
          return;
        }
        deliver(result.data, line++);
        offset = end;
      },
    });
  }
  if (rest === body.length) return;
  let start = line;
  try {
    parse(body.slice(rest), {
      relax_column_count: true,
      on_record: (record: string[], context: { lines: number }) => {
        deliver(record, start);
        start = line + context.lines;
        return null; // the caller keeps what it needs: a 300,000-row file is not held twice
      },
    });
  } catch (error) {
    if (error instanceof CsvError) throw parserError(path, start, header, error);
    throw error;
  }
}

/** `value` as a string of its own. A parser's values are slices of the file's text (V8 slices a string of 13
 *  characters or more), and one that is kept (a column name, a word every row repeats) keeps the whole text. */
export function ownString(value: string): string {
  return Buffer.from(value).toString();
}

/** Whether `raw` is `values` as csv-stringify writes them: each value as it is, or quoted where it holds a comma;
 *  none holding a quote or a line break (the record is one line). What papaparse reads from such a line is what
 *  csv-parse reads; where a line is anything else (a quote inside an unquoted value, blanks after a closing
 *  quote: papaparse lets both pass), csv-parse is asked. */
function isCanonical(raw: string, values: string[]): boolean {
  if (!raw.includes('"')) return true; // split at every comma, as both parsers do: daxbench's own rows
  let at = 0;
  for (const [i, value] of values.entries()) {
    if (value.includes('"') || value.includes("\n")) return false;
    const quoted = value.includes(",");
    if (i > 0 && raw[at++] !== ",") return false;
    if (quoted && raw[at++] !== '"') return false;
    if (!raw.startsWith(value, at)) return false;
    at += value.length;
    if (quoted && raw[at++] !== '"') return false;
  }
  return at === raw.length;
}

/** A number as daxbench writes one: a sign, digits with a point, an exponent (String of a finite number), and
 *  nothing around it. Number() alone reads "" and " " as 0 and "0x10" as 16. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** "number": any finite number; "optional": one, or empty where the figure does not apply; "positive": above 0. */
export type NumberRule = "number" | "optional" | "positive";

/** The number in a cell, or "" for an empty optional one; anything else is refused naming the cell. */
export function numberCell(
  path: string,
  line: number,
  column: string,
  value: string,
  rule: NumberRule = "number",
): number | "" {
  if (value === "" && rule === "optional") return "";
  const number = NUMBER.test(value) ? Number(value) : NaN;
  if (Number.isFinite(number) && (rule !== "positive" || number > 0)) return number;
  throw cellError(
    path,
    line,
    column,
    `${JSON.stringify(value)} is not a ${rule === "positive" ? "positive " : ""}number`,
  );
}

export function cellError(path: string, line: number, column: string, problem: string): UsageError {
  return new UsageError(`${path}: line ${line}, column ${column}: ${problem}`);
}

/** A schema of the simple kind: named columns, each of words or of numbers. */
export interface CsvTable<Column extends string> {
  /** What the file holds, for messages: "kernel" in "not a daxbench kernel result file". */
  kind: string;
  columns: readonly Column[];
  /** Columns of words; every other column holds a number. */
  text: ReadonlySet<string>;
  /** How a number column is checked, when not by "number". */
  rules?: Partial<Record<Column, NumberRule>>;
  /** Text columns added after files of the schema were published: a file without one reads it as empty (not
   *  recorded), so that older results stay readable. */
  later?: ReadonlySet<Column>;
}

export interface TableRow<Column extends string> {
  /** The line the row starts on. */
  line: number;
  row: Record<Column, string | number>;
}

/** The rows of a CSV file with `table`'s columns (in any order; others are passed over), every cell checked. */
export function readTable<Column extends string>(
  path: string,
  text: string,
  table: CsvTable<Column>,
): TableRow<Column>[] {
  const rows: TableRow<Column>[] = [];
  let at: number[] | undefined;
  parseCsv(path, text, (record, line) => {
    if (at === undefined) {
      const missing = table.columns.filter((column) => !record.includes(column) && !table.later?.has(column));
      if (missing.length)
        throw new UsageError(
          `${path}: line 1: missing column ${missing.join(", ")} (not a daxbench ${table.kind} result file)`,
        );
      at = table.columns.map((column) => record.indexOf(column));
      return;
    }
    const cells = table.columns.map((column, i) => {
      const value = at![i] < 0 ? "" : record[at![i]];
      return [column, table.text.has(column) ? value : numberCell(path, line, column, value, table.rules?.[column])];
    });
    rows.push({ line, row: Object.fromEntries(cells) as Record<Column, string | number> });
  });
  if (at === undefined) throw new UsageError(`${path}: empty; expected a header with ${table.columns.join(", ")}`);
  return rows;
}

function parserError(path: string, line: number, header: string[] | undefined, error: CsvError): UsageError {
  const index = typeof error.index === "number" ? error.index : 0;
  // The header names the columns of every later line; a fault in the header itself is named by position.
  const column = line > 1 && header?.[index] !== undefined ? header[index] : String(index + 1);
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return cellError(path, line, column, "a quote opens the value and none closes it");
    case "CSV_INVALID_CLOSING_QUOTE":
      return cellError(
        path,
        line,
        column,
        "a quoted value goes on after its closing quote (or its quote is never closed)",
      );
    case "INVALID_OPENING_QUOTE":
      return cellError(
        path,
        line,
        column,
        `a quote inside a value, after ${JSON.stringify(error.field)}: ` +
          "a value with a quote is quoted whole, its quotes doubled",
      );
    default:
      return new UsageError(`${path}: line ${line}: not a CSV file (${error.message})`);
  }
}

/** A side schema's rows as CSV, with its columns in its order: what readTable reads back. */
export function writeTable<Column extends string>(
  table: CsvTable<Column>,
  rows: readonly Record<Column, string | number>[],
): string {
  return stringify(rows as Record<Column, string | number>[], { header: true, columns: [...table.columns] });
}

/** A side schema's rows as JSON: the schema's name ("daxbench-kernel"), its columns and the rows. */
export function writeTableJson<Column extends string>(
  table: CsvTable<Column>,
  rows: readonly Record<Column, string | number>[],
): string {
  return JSON.stringify({ format: `daxbench-${table.kind}`, columns: table.columns, rows }, null, 2) + "\n";
}
