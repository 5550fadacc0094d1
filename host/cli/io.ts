// Where a command writes: the process's stdout and stderr, or, in tests, buffers. Commands never touch
// console or process.stdout themselves, so that `main(argv, io)` runs whole inside a test.

import type { TextStream } from "../output-files.ts";

export interface Io {
  /** Tables, verdicts, and `--out -` exports. */
  stdout: TextStream;
  /** Notes, warnings, progress and errors. */
  stderr: TextStream;
}

export const processIo: Io = { stdout: process.stdout, stderr: process.stderr };

/** Writes `text` and a newline. */
export function println(stream: TextStream, text: string): void {
  stream.write(`${text}\n`);
}
