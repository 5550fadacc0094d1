// Generated sections of a Markdown file (the README): the text between `<!-- NAME:begin ... -->` and
// `<!-- NAME:end -->` is replaced whole; everything else is left as it is. The file is written whole or not
// at all, and a file without the markers is refused before anything is written.

import { readFileSync } from "node:fs";
import { UsageError } from "../errors.ts";
import { writeFileAtomic } from "../output-files.ts";

/** Where the section's content goes in `text`, or a UsageError naming the missing markers. */
function sectionBounds(path: string, text: string, name: string): { from: number; to: number } {
  const begin = text.indexOf(`<!-- ${name}:begin`);
  const from = text.indexOf("-->", begin) + 3;
  const to = text.indexOf(`<!-- ${name}:end -->`);
  if (begin < 0 || to < from)
    throw new UsageError(`${path}: has no <!-- ${name}:begin --> ... <!-- ${name}:end --> markers`);
  return { from, to };
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new UsageError(`${path}: cannot be read`);
  }
}

/** Refuses, before any work, a file that is missing or has no such section. */
export function checkSection(path: string, name: string): void {
  sectionBounds(path, readText(path), name);
}

export function replaceSection(path: string, name: string, content: string): void {
  const text = readText(path);
  const { from, to } = sectionBounds(path, text, name);
  writeFileAtomic(path, `${text.slice(0, from)}\n\n${content.trim()}\n\n${text.slice(to)}`);
}
