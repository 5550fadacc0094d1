// The host's folders are stages of one pipeline, and imports point one way only: down the stages, never up
// and never round in a cycle (madge reads the imports, type-only ones included).
import { test } from "node:test";
import assert from "node:assert/strict";
import madge from "madge";

const root = new URL("..", import.meta.url).pathname;

/** Lower stages never import higher ones. Stages of the same rank do not import each other. */
const RANK: Record<string, number> = {
  base: 0, // host/*.ts: types, schemes, core codes, units, errors, output files, csv tables
  registry: 1, // what each scheme and scenario is
  machine: 2, // the wasm core and the host's handle on it
  results: 3, // the schema, reading result files, statistics, compare, merge
  run: 4, // the matrix, workers, torture, micro, native, kernel
  guest: 4, // the real driver in a QEMU guest: its image, its boot, its console, its rules against the model's
  print: 4, // screens
  export: 5, // file formats and the report (which reuses print's lines)
  cli: 6, // argv to typed options to commands
};

function stage(file: string): string {
  const folder = /^host\/(\w+)\//.exec(file)?.[1];
  return folder ?? "base";
}

// Read once (madge parses every file: a second of CPU) for every test below.
const imports = await madge(["host"], { baseDir: root, fileExtensions: ["ts", "js"] });
const graph = imports.obj();

test("host/ has no import cycle", () => {
  assert.deepEqual(imports.circular(), []);
});

test("every host/ folder is a known stage and imports only lower stages", () => {
  const upward: string[] = [];
  for (const [file, imports] of Object.entries(graph)) {
    assert.ok(stage(file) in RANK, `${file}: ${stage(file)}/ is not a stage of the pipeline`);
    for (const imported of imports) {
      const [from, to] = [stage(file), stage(imported)];
      if (from !== to && RANK[to] >= RANK[from]) upward.push(`${file} -> ${imported}`);
    }
  }
  assert.deepEqual(upward, []);
});

test("the runtime never imports bench/ (benchmark definitions and generators live there)", () => {
  const intoBench = Object.entries(graph).flatMap(([file, imports]) =>
    imports.filter((i) => i.startsWith("bench/")).map((i) => `${file} -> ${i}`),
  );
  assert.deepEqual(intoBench, []);
});

/** Lines of `folders` (registries aside) that compare a `subject` (a scenario, a scheme) with one of `names` as a
 *  string literal: a line that names the subject and compares with a name. (A judge of the mutation check
 *  whose kind is "torture" is not the torture scenario.) */
async function comparisonsWith(names: readonly string[], folders: string[], subject: RegExp): Promise<string[]> {
  const { readFileSync, readdirSync } = await import("node:fs");
  // The files on disk, not git's list: the mutation check runs this suite in a copy without .git.
  const files = folders
    .flatMap((folder) =>
      readdirSync(new URL(folder, new URL("..", import.meta.url)), { recursive: true }).map(
        (file) => `${folder}/${file}`,
      ),
    )
    .filter((file) => file.endsWith(".ts") && !file.startsWith("host/registry/") && file !== "host/schemes.ts");
  const alternatives = names.map((name) => name.replace(/[-]/g, "\\-")).join("|");
  const comparison = new RegExp(`(===|!==)\\s*"(${alternatives})"|"(${alternatives})"\\s*(===|!==)`);
  return files.flatMap((file) =>
    readFileSync(new URL(file, new URL("..", import.meta.url)), "utf8")
      .split("\n")
      .map((line, i) => (comparison.test(line) && subject.test(line) ? `${file}:${i + 1}: ${line.trim()}` : ""))
      .filter(Boolean),
  );
}

test(
  "no scenario is recognised by its name outside the registry: " + "behaviour comes from the scenario's entry",
  async () => {
    const { SCENARIOS } = await import("../host/registry/scenarios.ts");
    assert.deepEqual(
      await comparisonsWith(
        SCENARIOS.map((scenario) => scenario.name),
        ["host", "bench"],
        /scenario/i,
      ),
      [],
    );
  },
);

test("no scheme is recognised by its name in host/ outside host/schemes.ts", async () => {
  const { SCHEMES } = await import("../host/schemes.ts");
  assert.deepEqual(
    await comparisonsWith(
      SCHEMES.map((scheme) => scheme.name),
      ["host"],
      /protection|scheme/i,
    ),
    [],
  );
});

test("docs/layout.md names every folder of host/, and no folder that is not there", async () => {
  const { readFileSync, readdirSync } = await import("node:fs");
  const section = readFileSync(new URL("docs/layout.md", new URL("..", import.meta.url)), "utf8");
  const named = new Set([...section.matchAll(/^ {4}host\/(\w+)\//gm)].map((m) => m[1]));
  const folders = new Set(
    readdirSync(new URL("host/", new URL("..", import.meta.url)), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name),
  );
  assert.deepEqual([...named].sort(), [...folders].sort());
  assert.deepEqual(
    [...folders].sort(),
    Object.keys(RANK)
      .filter((stage) => stage !== "base")
      .sort(),
    "every folder has a rank in the import rule",
  );
});
