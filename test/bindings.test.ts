// The host's view of the core (host/machine/core.ts) against the module npm run build made from assembly/: the
// same exports, of the same kinds, each function with the same wasm types; every declared export used; and
// every family of codes the core numbers (counters, reasons) named whole by the host's tables; the schemes'
// family is test/schemes.test.ts's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CORE_FUNCTIONS, CORE_CONSTANTS } from "../host/machine/core.ts";
import { loadModule, wasmPath, type BuildTarget } from "../host/machine/wasm.ts";
import { DEVICE_ERRORS, MMAP_REFUSALS } from "../host/machine/dax.ts";

type Export = { kind: "function"; params: string[]; result: string } | { kind: "global" | "memory" | "table" };

/** The module's exports with their kinds and, for a function, its wasm signature: read from the binary's type,
 *  import, function and export sections, since the JS API gives names and kinds but not types. */
function moduleExports(bytes: Uint8Array): Map<string, Export> {
  let pos = 8; // magic and version
  const u32 = (): number => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  const name = (): string => {
    const length = u32();
    pos += length;
    return new TextDecoder().decode(bytes.subarray(pos - length, pos));
  };
  const valueTypes = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64" } as Record<number, string>;
  const vector = (): string[] => Array.from({ length: u32() }, () => valueTypes[bytes[pos++]] ?? "?");
  const limits = (): void => void (bytes[pos++] & 1 ? (u32(), u32()) : u32());
  const types: { params: string[]; result: string }[] = [];
  const functions: number[] = []; // type index of each function, imported ones first
  const exports = new Map<string, Export>();
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const end = u32() + pos;
    if (id === 1) {
      for (let count = u32(); count > 0; count--) {
        pos++; // 0x60, a function type
        const params = vector();
        types.push({ params, result: vector()[0] ?? "void" });
      }
    } else if (id === 2) {
      for (let count = u32(); count > 0; count--) {
        name();
        name();
        const kind = bytes[pos++];
        if (kind === 0) functions.push(u32());
        else if (kind === 1) {
          pos++;
          limits();
        } else if (kind === 2) limits();
        else pos += 2; // global: value type, mutability
      }
    } else if (id === 3) {
      for (let count = u32(); count > 0; count--) functions.push(u32());
    } else if (id === 7) {
      for (let count = u32(); count > 0; count--) {
        const field = name();
        const kind = bytes[pos++];
        const index = u32();
        exports.set(
          field,
          kind === 0
            ? { kind: "function", ...types[functions[index]] }
            : { kind: (["table", "memory", "global"] as const)[kind - 1] },
        );
      }
    }
    pos = end;
  }
  return exports;
}

const declared = new Map<string, Export>([
  ...Object.entries(CORE_FUNCTIONS).map(([name, { params, result }]): [string, Export] => [
    name,
    { kind: "function", params: [...params], result },
  ]),
  ...CORE_CONSTANTS.map((name): [string, Export] => [name, { kind: "global" }]),
]);

for (const target of ["release", "debug"] as BuildTarget[]) {
  test(
    `host/machine/core.ts declares exactly what the ${target} build exports, ` + "with each function's wasm types",
    () => {
      loadModule(target); // builds the target when build/ lacks it or it is stale (a fresh copy has only what it built)
      const built = moduleExports(readFileSync(wasmPath(target)));
      const problems: string[] = [];
      for (const [name, actual] of built) {
        const expected = declared.get(name);
        if (!expected)
          problems.push(
            `assembly/ exports ${name} (${signature(actual)}), which host/machine/core.ts does not declare`,
          );
        else if (signature(expected) !== signature(actual))
          problems.push(`${name} is ${signature(actual)} in assembly/, ${signature(expected)} in host/machine/core.ts`);
      }
      for (const name of declared.keys()) {
        if (!built.has(name)) problems.push(`host/machine/core.ts declares ${name}, which assembly/ does not export`);
      }
      assert.deepEqual(problems, []);
    },
  );
}

function signature(entry: Export): string {
  return entry.kind === "function" ? `function (${entry.params.join(", ")}) -> ${entry.result}` : entry.kind;
}

/** Every .ts and .js file under `dir`, except those `skip` names. */
function sources(dir: string, skip: string[]): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => /\.(ts|js)$/.test(file) && !skip.includes(join(dir, file)))
    .map((file) => readFileSync(join(dir, file), "utf8"));
}

test(
  "every export core.ts declares is used by host/, bench/ or test/: " +
    "an export nothing uses is removed from assembly/",
  () => {
    const root = new URL("..", import.meta.url).pathname;
    const text = ["host", "bench", "test"]
      .flatMap((dir) =>
        sources(join(root, dir), [join(root, "host/machine/core.ts"), join(root, "test/bindings.test.ts")]),
      )
      .join("\n");
    // A constant is read by its quoted name; a function is called on the exports, or named to a worker.
    const unused = [...declared].filter(([name, entry]) =>
      entry.kind === "function" ? !new RegExp(`\\.${name}\\(|"${name}"`).test(text) : !text.includes(`"${name}"`),
    );
    assert.deepEqual(
      unused.map(([name]) => name),
      [],
    );
  },
);

test("each family of codes the core numbers is named whole by the host's table of it", () => {
  // host/core-codes.ts's families (schemes, policies, stat slots, SIGBUS reasons, TLB slots) make up
  // CORE_CONSTANTS themselves, so the export test above holds them to the build; these two tables of
  // host/machine/dax.ts are held to CORE_CONSTANTS here.
  const families: [RegExp, string[], string][] = [
    [/^DEV_ERR_/, Object.values(DEVICE_ERRORS), "DEVICE_ERRORS (dax.ts)"],
    [/^(CHECK_VMA_(?!OK$)|MMAP_)/, Object.values(MMAP_REFUSALS), "MMAP_REFUSALS (dax.ts)"],
  ];
  for (const [family, named, table] of families) {
    assert.deepEqual(
      [...named].sort(),
      CORE_CONSTANTS.filter((name) => family.test(name)).sort(),
      `${table} against the core's ${family.source}`,
    );
  }
});
