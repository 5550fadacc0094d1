// Generated sections of a Markdown file (the README): the text between `<!-- NAME:begin ... -->` and
// `<!-- NAME:end -->` is replaced whole; everything else is left as it is.

import { readFileSync, writeFileSync } from "node:fs";
import { UsageError } from "../errors.ts";

export function replaceSection(path: string, name: string, content: string): void {
  const text = readFileSync(path, "utf8");
  const begin = text.indexOf(`<!-- ${name}:begin`);
  const beginEnd = text.indexOf("-->", begin) + 3;
  const end = text.indexOf(`<!-- ${name}:end -->`);
  if (begin < 0 || end < beginEnd) throw new UsageError(`${path}: has no <!-- ${name}:begin --> ... <!-- ${name}:end --> markers`);
  writeFileSync(path, `${text.slice(0, beginEnd)}\n\n${content.trim()}\n\n${text.slice(end)}`);
}
