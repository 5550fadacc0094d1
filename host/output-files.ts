// Result files are written whole or not at all: to a temporary file beside the target, then renamed. Every
// path a command will write is checked before any work (checkWritable), and a run holds a lock beside its
// output so that two runs never write one file at once (lockOutput).

import { writeFileSync, renameSync, rmSync, mkdirSync, statSync, openSync, writeSync, closeSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import { UsageError } from "./errors.ts";
import { tryLock, type LockAttempt } from "./pid-lock.ts";

function temporaryBeside(path: string, kind: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${kind}`);
}

/** Text, or text in pieces: a large export (JSON of 300,000 rows) is written piece by piece, never held whole. */
export type Text = string | Iterable<string>;

/** Somewhere text goes: process.stdout or stderr, or a test's buffer. */
export interface TextStream {
  write(text: string): unknown;
  /** A terminal gets progress lines; a pipe or a buffer does not. */
  isTTY?: boolean;
}

export function writeFileAtomic(path: string, text: Text): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = temporaryBeside(path, "tmp");
  try {
    if (typeof text === "string") writeFileSync(temporary, text);
    else {
      const fd = openSync(temporary, "w");
      try {
        for (const piece of text) writeSync(fd, piece);
      } finally {
        closeSync(fd);
      }
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Refuses, before any work, a path that cannot be written: a directory, or one whose directory cannot be
 *  made or written (read-only, under /proc, not a directory). It creates the directory when it is missing
 *  and writes nothing else: a probe file beside the target, removed at once. */
export function checkWritable(option: string, path: string): void {
  const refuse = (why: string): never => {
    throw new UsageError(`${option} ${path} cannot be written: ${why}`);
  };
  try {
    if (statSync(path).isDirectory()) refuse("it is a directory");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // Not there yet: as it should be, or its directory is missing (made below).
  }
  const probe = temporaryBeside(path, "probe");
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(probe, "");
  } catch (error) {
    refuse((error as NodeJS.ErrnoException).code ?? String(error));
  } finally {
    rmSync(probe, { force: true });
  }
}

/** Takes `path`.lock for this process (its pid inside), or refuses: another live run writes the same file.
 *  Returns the release, which also runs as the process exits. */
export function lockOutput(option: string, path: string): () => void {
  const lock = `${path}.lock`;
  let attempt: LockAttempt;
  try {
    attempt = tryLock(lock);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${option} ${path}: cannot take ${lock}${code ? ` (${code})` : ""}`);
  }
  if (attempt.release) return attempt.release;
  throw new UsageError(`${option} ${path} is being written by another daxbench run (pid ${attempt.holder}, ${lock})`);
}
