// Where a command's results go: files written whole or not at all, or standard output for `--out -` (one
// format; the screen's tables then go to standard error). Every command that writes results goes through it:
// the write check before any work, the lock, the writes, the screen, and the "wrote ..." line.

import { pathFor, writeText, type FormatName } from "../export/formats.ts";
import { checkWritable, lockOutput, writeFileAtomic, type Text, type TextStream } from "../output-files.ts";

import type { Io } from "./io.ts";
import type { Argv } from "yargs";

/** "1 row", "20 rows": what a "wrote ..." line counts. */
export function rowCount(n: number): string {
  return `${n} row${n === 1 ? "" : "s"}`;
}

export class ResultsOutput {
  /** The results go to standard output (`--out -`), in the first format. */
  readonly toStdout: boolean;

  private constructor(
    /** What --out said: the lock is taken beside it. */
    readonly out: string,
    readonly formats: FormatName[],
    /** Each format's file; none for standard output. */
    private readonly files: { format: FormatName; path: string }[],
  ) {
    this.toStdout = out === "-";
  }

  /** One file per format, named after `out` with each format's extension (run, kernel, micro, native), or
   *  standard output for "-". */
  static perFormat(out: string, formats: FormatName[]): ResultsOutput {
    const files = out === "-" ? [] : formats.map((format) => ({ format, path: pathFor(out, format) }));
    return new ResultsOutput(out, formats, files);
  }

  /** One file, named exactly as given (merge's and torture's --out). */
  static file(path: string, format: FormatName): ResultsOutput {
    return new ResultsOutput(path, [format], [{ format, path }]);
  }

  /** The files the results go to; none for standard output. */
  paths(): string[] {
    return this.files.map((file) => file.path);
  }

  /** Refuses, before any work, a file that could not be written. */
  checkWritable(): void {
    for (const path of this.paths()) checkWritable("--out", path);
  }

  /** Takes OUT.lock for the run (nothing to hold for standard output); returns the release. */
  lock(): () => void {
    return this.toStdout ? () => {} : lockOutput("--out", this.out);
  }

  /** Rewrites every file with the results so far; nothing for standard output, which gets them once, whole. */
  save(render: (format: FormatName) => Text): void {
    for (const { format, path } of this.files) writeFileAtomic(path, render(format));
  }

  /** The finished results: to standard output in the first format, or to every file. */
  finish(stdout: TextStream, render: (format: FormatName) => Text): void {
    if (this.toStdout) writeText(stdout, render(this.formats[0]));
    else this.save(render);
  }

  /** Where tables and verdicts are printed: standard error when standard output carries the results. */
  screen(io: Io): TextStream {
    return this.toStdout ? io.stderr : io.stdout;
  }

  /** "wrote 20 rows to results/x.csv, results/x.md" (`what` being "20 rows"), or undefined when no file was
   *  written. */
  wrote(what: string): string | undefined {
    return this.toStdout ? undefined : `wrote ${what} to ${this.paths().join(", ")}`;
  }
}

/** The --out and --format options of a command that writes results/<prefix>-<date-time>.csv by default
 *  (kernel, micro, guest): one file per format, or one format on stdout. `formatNote` ends --format's line. */
export function resultFileOptions(y: Argv, prefix: string, formatNote = ""): Argv {
  return y
    .option("out", {
      type: "string",
      nargs: 1,
      describe: `result file, or - for stdout (one format) [default: results/${prefix}-<date-time>.csv]`,
    })
    .option("format", {
      type: "string",
      array: true,
      default: ["csv"],
      describe: `csv, json, md (comma list): one file each, named after --out${formatNote}`,
    });
}
