// No figure is read silently: every reader of daxbench's CSVs (run results, history's directories, kernel,
// micro, native) refuses a malformed number cell (whitespace only, empty where the figure is not optional,
// text, NaN or Infinity, a quote never closed, a stray quote) with one line naming the file, the line and the
// column: a UsageError, exit 2. Shown by properties over generated cells, in process, and by one real process
// per reader class for the exit status and the single line.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { UsageError } from "../host/errors.ts";
import { readResultFile } from "../host/results/file.ts";
import { TEXT_COLUMNS, OPTIONAL_COLUMNS } from "../host/results/schema.ts";
import { csvText } from "../host/export/csv.ts";
import { KERNEL_COLUMNS, KERNEL_TABLE, readKernelFile, type KernelRow } from "../host/run/kernel.ts";
import { writeTable, parseCsv } from "../host/csv-table.ts";
import { MICRO_TABLE, readMicroFile, type MicroRow } from "../host/run/micro.ts";
import { NATIVE_TABLE, nativeCsv, parseNativeCsv, type NativeSample } from "../host/run/native.ts";
import type { CsvTable } from "../host/csv-table.ts";
import type { RunMetadata } from "../host/results/metadata.ts";
import { syntheticRows } from "./synthetic.ts";
import { daxbench, bin } from "./daxbench.ts";

const scratch = mkdtempSync(join(tmpdir(), "daxbench-inputs-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
let files = 0;
/** A new directory of its own under the scratch directory (history reads every CSV of a directory). */
const freshDir = () => {
  const dir = join(scratch, `d${files++}`);
  mkdirSync(dir);
  return dir;
};

const META: RunMetadata = {
  node: "v20.0.0",
  cpu: "test cpu",
  cpu_count: 8,
  load_avg_1m: 0.5,
  cpu_governor: "performance",
  thp_enabled: "madvise",
  thp_defrag: "madvise",
  commit: "abc",
  started_at: "2026-01-01T00:00:00.000Z",
  daxbench_version: "0.2.0",
};

const RUN_TEXT = csvText(syntheticRows([{ nsPerOp: [10, 11, 12] }, { align: "2m", nsPerOp: [1, 2, 3] }]));
const KERNEL_TEXT = writeTable(
  KERNEL_TABLE,
  [1, 2, 3].map(
    (rep) =>
      ({
        ...Object.fromEntries(KERNEL_COLUMNS.map((column) => [column, ""])),
        ...META,
        case: "4k populate",
        page: "4k",
        mode: "fault",
        mapping_bytes: 4 << 20,
        stride_bytes: 4096,
        rep,
        elapsed_ns: 2_000_000 + rep,
        touches: 1024,
        minor_faults: 1024,
        ns_per_touch: 1953.1,
        ns_per_fault: 1953.1,
        kernel: "6.1.0",
        thp_shmem_enabled: "never",
        hugepages_2m: 0,
        hugepages_1g: 0,
      }) as KernelRow,
  ),
);
const MICRO_TEXT = writeTable(
  MICRO_TABLE,
  ["micro-empty_batch", "micro-readside"].map(
    (name, i) =>
      ({
        ...META,
        case: name,
        protection: "rcu",
        align: "4k",
        mapping_bytes: 64 << 20,
        installs_per_op: 0,
        ns_per_op: 0.25 + i,
        rme_percent: 1.5,
        samples: 23,
      }) as MicroRow,
  ),
);
const NATIVE_TEXT = nativeCsv(
  (["native", "wasm"] as const).flatMap((side) =>
    [1, 2, 3].map(
      (rep): NativeSample => ({
        // A description with a comma: the writer quotes it, and the reader must still find every column.
        native: "load",
        what: "no read side, the load alone",
        wasm: "none",
        workers: 1,
        side,
        rep,
        nsPerOp: side === "native" ? 0.2 + rep / 100 : 0.3 + rep / 100,
      }),
    ),
  ),
  META,
);

/** How a reader answers a file: its rows, or a refusal's status and message. */
interface Answer {
  status: number;
  message: string;
}

/** A reader's answer in process: 0 when it reads the file, 2 and the message of its UsageError otherwise (the
 *  status the command layer maps a UsageError to); any other error fails the test. */
function answerOf(read: (path: string) => unknown): (path: string) => Promise<Answer> {
  return async (path) => {
    try {
      read(path);
      return { status: 0, message: "" };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      return { status: 2, message: error.message };
    }
  };
}

interface ReaderClass {
  name: string;
  /** A valid file, as daxbench writes it. */
  text: string;
  /** Whether a column holds numbers, and whether one may be empty (the figure does not apply). */
  numeric(column: string): boolean;
  optional(column: string): boolean;
  answer(path: string): Promise<Answer>;
  /** Generated files to try: fewer where each is a whole command (its cells are the run reader's, tried above). */
  runs?: number;
}

const fromTable = (table: CsvTable<string>) => ({
  numeric: (column: string) => !table.text.has(column),
  optional: (column: string) => table.rules?.[column] === "optional",
});
const runSchema = {
  numeric: (column: string) => !TEXT_COLUMNS.has(column),
  optional: (column: string) => OPTIONAL_COLUMNS.has(column),
};

const READERS: ReaderClass[] = [
  { name: "run results", text: RUN_TEXT, ...runSchema, answer: answerOf(readResultFile) },
  {
    name: "history's directories",
    text: RUN_TEXT,
    ...runSchema,
    // The whole command, in process, on the directory that holds the file.
    answer: async (path) => {
      const result = await daxbench("history", join(path, ".."));
      return { status: result.status, message: result.stderr.replace(/^daxbench: /, "") };
    },
    runs: 25,
  },
  { name: "kernel", text: KERNEL_TEXT, ...fromTable(KERNEL_TABLE), answer: answerOf(readKernelFile) },
  { name: "micro", text: MICRO_TEXT, ...fromTable(MICRO_TABLE), answer: answerOf(readMicroFile) },
  {
    name: "native",
    text: NATIVE_TEXT,
    ...fromTable(NATIVE_TABLE),
    answer: answerOf((path) => parseNativeCsv(readFileSync(path, "utf8"), path)),
  },
];

/** A malformed cell: `raw` is what the file holds, `value` the cell's value once unquoted (none when the quotes
 *  themselves are what is wrong). */
interface Malformed {
  raw: string;
  value?: string;
}
/** A value as a CSV holds it: quoted when it holds a comma, a quote or a line break, its quotes doubled. */
const cell = (value: string): Malformed => ({
  raw: /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value,
  value,
});
const MALFORMED: fc.Arbitrary<Malformed> = fc.oneof(
  fc.array(fc.constantFrom(" ", "\t"), { minLength: 1, maxLength: 4 }).map((blanks) => cell(blanks.join(""))),
  fc.constant(cell("")),
  fc.constantFrom("NaN", "Infinity", "-Infinity", "+Infinity", "1e400", "-1e999", "nan", "inf").map(cell),
  fc.string({ maxLength: 8 }).map((text) => cell(`x${text}`)),
  fc
    .tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(" ", "ms", "%", "abc", ",5"))
    .map(([n, junk]) => cell(`${n}${junk}`)),
  fc.tuple(fc.constantFrom(" ", "\t", "$", "0x", "--"), fc.nat()).map(([junk, n]) => cell(`${junk}${n}`)),
  fc.nat().map((n) => ({ raw: `"${n}` })), // a quote that opens the value and is never closed
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => ({ raw: `${a}"${b}` })), // a stray quote inside the value
  fc.nat().map((n) => ({ raw: `${n}"` })), // a stray quote at its end
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => ({ raw: `"${a}"${b}` })), // text after the closing quote
);

const PLACEHOLDER = "\u0001cell\u0001";
/** `text` with the cell at data row `row` (0 is the first after the header) and column `column` holding `raw`. */
function damaged(text: string, row: number, column: number, raw: string): string {
  const records = parse(text) as string[][];
  records[row + 1][column] = PLACEHOLDER;
  return stringify(records).replace(PLACEHOLDER, () => raw); // a function: "$&" in raw is text, not a pattern
}

/** The refusal's message names the file, the line the record starts on and the column, on one line. */
function assertNamesCell(answer: Answer, path: string, line: number, column: string, malformed: Malformed): void {
  assert.equal(answer.status, 2, `${JSON.stringify(malformed.raw)} in ${column} was read: ${answer.message}`);
  const message = answer.message.trimEnd();
  assert.ok(!message.includes("\n"), `one line: ${message}`);
  assert.ok(
    message.startsWith(`${path}: line ${line}, column ${column}: `),
    `${message} names ${path}, line ${line}, column ${column}`,
  );
  if (malformed.value !== undefined)
    assert.ok(message.includes(JSON.stringify(malformed.value)), `${message} quotes the value as typed`);
}

for (const reader of READERS) {
  test(
    `${reader.name}: ` + "a malformed number cell is refused with one line naming the file, the line and the column",
    async () => {
      const records = parse(reader.text) as string[][];
      const [header, ...rows] = records;
      const numeric = header.map((column, i) => ({ column, i })).filter(({ column }) => reader.numeric(column));
      // The valid file is read, and every cell its writer wrote as a number is in a column read as one.
      const validPath = join(freshDir(), "valid.csv");
      writeFileSync(validPath, reader.text);
      assert.deepEqual(await reader.answer(validPath), { status: 0, message: "" }, "the valid file");
      for (const row of rows) {
        row.forEach((value, i) => {
          if (value !== "" && Number.isFinite(Number(value)))
            assert.ok(reader.numeric(header[i]), `${header[i]} holds ${value} but is read as words`);
        });
      }
      await fc.assert(
        fc.asyncProperty(
          fc.nat(rows.length - 1),
          fc.constantFrom(...numeric),
          MALFORMED,
          async (row, { column, i }, malformed) => {
            fc.pre(!(malformed.value === "" && reader.optional(column)));
            const path = join(freshDir(), "damaged.csv");
            writeFileSync(path, damaged(reader.text, row, i, malformed.raw));
            assertNamesCell(await reader.answer(path), path, row + 2, column, malformed);
          },
        ),
        { numRuns: reader.runs ?? 60 },
      );
    },
  );
}

/** `node ARGS...` in a process of its own: the exit status and what it printed on stderr. */
function run(...args: string[]): Promise<Answer> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (status) => resolve({ status: status ?? -1, message: stderr }));
  });
}

/** `text` written as `name` (in a directory of its own unless `dir` is given), with `raw` at data row `row`'s
 *  `column`. */
function damagedFile(text: string, name: string, row: number, column: string, raw: string, dir = freshDir()): string {
  const path = join(dir, name);
  writeFileSync(path, damaged(text, row, (parse(text) as string[][])[0].indexOf(column), raw));
  return path;
}

/** What csv-parse alone makes of `text`, as every reader read it before papaparse: each record with the line it
 *  starts on, or the refusal's line and cause (csv-table.ts words the refusal; here its code is enough). */
function csvParseAlone(text: string): string[] {
  const records: string[] = [];
  let start = 1;
  try {
    parse(text, {
      bom: true,
      on_record: (record: string[], context: { lines: number }) => {
        records.push(`${start}: ${JSON.stringify(record)}`);
        start = context.lines + 1;
        return null;
      },
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    records.push(`line ${start}: ${code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH" ? "values" : code}`);
  }
  return records;
}

test("the readers' CSV parser reads every text as csv-parse alone does: the same records, lines and refusals", () => {
  const codes: Record<string, string> = {
    "a quote opens": "CSV_QUOTE_NOT_CLOSED",
    "a quoted value goes on": "CSV_INVALID_CLOSING_QUOTE",
    "a quote inside a value": "INVALID_OPENING_QUOTE",
  };
  const text = fc
    .array(
      fc.constantFrom("a", "1", "é", ",", ",", '"', '""', '"a,b"', "\n", "\n", "\r\n", "\r", " ", "\uFEFF", "x,y"),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(""));
  fc.assert(
    fc.property(text, (input) => {
      const records: string[] = [];
      try {
        parseCsv("f.csv", input, (record, line) => void records.push(`${line}: ${JSON.stringify(record)}`));
      } catch (error) {
        assert.ok(error instanceof UsageError, String(error));
        const [, line, cause] = /^f\.csv: line (\d+)[,:] (?:column [^:]*: )?(.*)$/.exec(error.message)!;
        const code = / values, the header has /.test(cause)
          ? "values"
          : Object.entries(codes).find(([words]) => cause.startsWith(words))?.[1];
        records.push(`line ${line}: ${code ?? cause}`);
      }
      assert.deepEqual(records, csvParseAlone(input), JSON.stringify(input));
    }),
    { numRuns: 3000, seed: 20261207 },
  );
});

test("real processes: every reader class exits 2 with one line naming the file, the line and the column", async () => {
  // compare reads the figure of one blank; history a run file with an unterminated quote in a directory;
  // run --fault-cost kernel:PATH a kernel file with NaN; bench/calibration-docs.ts (which reads results/ or the
  // directory it is given) a native file with a stray quote, then a micro file with an empty sample count. Each
  // directory holds only the files read up to the damaged one: a reader that let it through would stop at the
  // next, missing, file, and never reach the README.
  const good = join(freshDir(), "good.csv");
  writeFileSync(good, RUN_TEXT);
  const blank = damagedFile(RUN_TEXT, "blank.csv", 1, "ns_per_op", " ");
  const quote = damagedFile(RUN_TEXT, "quote.csv", 4, "ops", '"1000000');
  const kernel = damagedFile(KERNEL_TEXT, "kernel.csv", 2, "ns_per_touch", "NaN");
  const native = damagedFile(NATIVE_TEXT, "native.csv", 3, "ns_per_op", '0.2"5');
  const microDir = freshDir();
  writeFileSync(join(microDir, "native.csv"), NATIVE_TEXT);
  const micro = damagedFile(MICRO_TEXT, "micro.csv", 0, "samples", "", microDir);
  const calibration = new URL("../bench/calibration-docs.ts", import.meta.url).pathname;
  const out = join(freshDir(), "x.csv");
  const answers = await Promise.all([
    run(bin, "compare", blank, good),
    run(bin, "history", join(quote, "..")),
    run(
      bin,
      "run",
      "--scenario",
      "populate",
      "--fault-cost",
      `kernel:${kernel}`,
      "--duration",
      "20ms",
      "--repeat",
      "1",
      "--warmup",
      "0",
      "--out",
      out,
    ),
    run("--import", "tsx", calibration, join(native, "..")),
    run("--import", "tsx", calibration, microDir),
  ]);
  const expected: [string, string, number, string][] = [
    ["daxbench", blank, 3, "ns_per_op"],
    ["daxbench", quote, 6, "ops"],
    ["daxbench", kernel, 4, "ns_per_touch"],
    ["calibration-docs.ts", native, 5, "ns_per_op"],
    ["calibration-docs.ts", micro, 2, "samples"],
  ];
  answers.forEach((answer, k) => {
    const [program, path, line, column] = expected[k];
    assert.equal(answer.status, 2, `${path}: ${answer.message}`);
    assert.ok(answer.message.startsWith(`${program}: ${path}: line ${line}, column ${column}: `), answer.message);
    assert.equal(answer.message.split("\n").length, 2, `one line: ${answer.message}`);
  });
  assert.deepEqual(readdirSync(join(out, "..")), [], "run wrote nothing");
});
