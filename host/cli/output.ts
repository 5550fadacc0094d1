// Where a command's results go: one file per format, named after --out and written whole or not at all, or
// standard output for `--out -` (one format; the screen's tables then go to standard error). run, kernel and
// micro each decided this for themselves; this is its one home: the write check before any work, the lock,
// the writes, the screen, and the "wrote ..." line.

import { pathFor, writeFormats, writeText } from "../export/formats.ts";
import { checkWritable, lockOutput, type Text } from "../output-files.ts";
import type { FormatName, TextStream } from "../types.ts";
import type { Io } from "./io.ts";

export class ResultsOutput {
  /** The results go to standard output (`--out -`), in the first format. */
  readonly toStdout: boolean;

  constructor(
    readonly out: string,
    readonly formats: FormatName[],
  ) {
    this.toStdout = out === "-";
  }

  /** The files the results go to; none for standard output. */
  paths(): string[] {
    return this.toStdout ? [] : this.formats.map((format) => pathFor(this.out, format));
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
    if (!this.toStdout) writeFormats(this.out, this.formats, render);
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

  /** "wrote 20 rows to results/x.csv, results/x.md", or undefined when no file was written. */
  wrote(rows: number): string | undefined {
    return this.toStdout ? undefined : `wrote ${rows} rows to ${this.paths().join(", ")}`;
  }
}
