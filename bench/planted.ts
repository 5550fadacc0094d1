// Scratch copies of the project with one entry of the mutation catalogue (bench/mutations.json) planted:
// what npm run mutate judges, and what npm run results:torture tortures to count how often a slip is caught.
// The project's own tree is never changed.

import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** An entry's edits: its find and replace, and any further ones of the same file (also). */
export interface CatalogueEdits {
  id: string;
  file: string;
  find: string;
  replace: string;
  also?: { find: string; replace: string }[];
}

/** The entry's file text with its edits made, each at the one place its search text occurs. */
export function mutatedText(original: string, m: CatalogueEdits): string {
  return [{ find: m.find, replace: m.replace }, ...(m.also ?? [])].reduce(
    (text, edit) => text.replace(edit.find, () => edit.replace),
    original,
  );
}

/** The project's files: tracked, and new ones git does not ignore. Throws if git cannot list them. */
export function projectFiles(root: string): string[] {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed in ${root}: ${listed.stderr.trim()}`);
  // node_modules is linked, not copied (a symlinked node_modules is not matched by .gitignore's "node_modules/").
  return [...new Set(listed.stdout.split("\0").filter(Boolean))].filter(
    (f) => f !== "node_modules" && !f.startsWith("node_modules/") && existsSync(join(root, f)),
  );
}

/** A copy of `files` of the project under a new directory of the system's temporary one, node_modules linked. */
export function copyProject(root: string, files: string[], prefix: string): string {
  if (!existsSync(join(root, "node_modules"))) throw new Error("node_modules is missing: run npm ci first");
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    for (const f of files) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      copyFileSync(join(root, f), join(dir, f));
    }
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

/** Reads catalogue entry `id` of the project at `root`. */
export function catalogueEntry<T extends CatalogueEdits>(root: string, id: string): T {
  const entry = (JSON.parse(readFileSync(join(root, "bench/mutations.json"), "utf8")) as T[]).find((m) => m.id === id);
  if (!entry) throw new Error(`bench/mutations.json has no entry ${id}`);
  return entry;
}

/** A scratch copy of the project with entry `m` planted and the core built (release, what the CLI loads).
 *  Throws when a search text does not occur exactly once or the mutant does not build; the caller removes
 *  the directory. */
export function plantedCopy(root: string, m: CatalogueEdits): string {
  const dir = copyProject(root, projectFiles(root), `daxbench-planted-${m.id}-`);
  const path = join(dir, m.file);
  const original = readFileSync(path, "utf8");
  for (const { find } of [m, ...(m.also ?? [])]) {
    if (original.split(find).length !== 2)
      throw new Error(`${m.id}: a search text does not occur exactly once in ${m.file}`);
  }
  writeFileSync(path, mutatedText(original, m));
  const built = spawnSync(
    process.execPath,
    ["node_modules/assemblyscript/bin/asc.js", "assembly/index.ts", "--target", "release"],
    { cwd: dir, encoding: "utf8" },
  );
  if (built.status !== 0) throw new Error(`${m.id} does not build: ${built.stderr.trim().split("\n")[0]}`);
  return dir;
}
