// daxbench micro and native, and the speed bar's verdict rule. Counts, columns and verdict logic, not times.
import { NATIVE_FLAVOURS as READ_SIDE_FLAVOURS } from "../host/schemes.ts";
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, chmodSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { daxbenchWith } from "./daxbench.ts";
import { MICRO_COLUMNS } from "../host/run/micro.ts";
import { NATIVE_COLUMNS, nativeCells, parseNativeCsv } from "../host/run/native.ts";
import { barVerdict } from "../host/results/stats.ts";
import { METADATA_COLUMNS } from "../host/results/schema.ts";
import { SCHEMES } from "../host/schemes.ts";

const daxbench = (args: string[], env: Record<string, string | undefined> = {}) => daxbenchWith(env, ...args);
const scratch = () => mkdtempSync(join(tmpdir(), "daxbench-micro-"));

/** The cells of a native Markdown table: its rows after the header and the rule. */
function tableCells(stdout: string): { native: string; workers: number; ratio: number; interval: string; n: string }[] {
  return stdout
    .split("\n")
    .filter((line) => /^\| [a-z]/.test(line) && !line.startsWith("| native |"))
    .map((line) => {
      const cells = line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim());
      return {
        native: cells[0].split(":")[0],
        workers: Number(cells[1]),
        ratio: Number(cells[5]),
        interval: cells[6],
        n: cells[7],
      };
    });
}

/** The native read sides, then the operations, in the order native prints them; the plain ones need no library,
 *  only cc. */
const NATIVE_FLAVOURS = [...READ_SIDE_FLAVOURS, "cas", "random-load", "handover"];
const PLAIN_FLAVOURS = NATIVE_FLAVOURS.filter((flavour) => !flavour.startsWith("urcu-"));

/** Whether `command` is on PATH: buildC runs `cc` from it. */
const onPath = (command: string) => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;

/** Whether liburcu's `flavour` compiles and links here, independently of bench/native/readside.c: a program
 *  that includes its header and calls its read side, built with cc as buildC builds (-pthread, -lurcu-…). */
function liburcuLinks(flavour: "memb" | "qsbr", dir: string): boolean {
  const program =
    `#include <urcu/urcu-${flavour}.h>\n` +
    `int main(void) { urcu_${flavour}_register_thread(); urcu_${flavour}_read_lock(); ` +
    `urcu_${flavour}_read_unlock(); urcu_${flavour}_unregister_thread(); return 0; }\n`;
  const out = join(dir, `liburcu-${flavour}-probe`);
  return (
    spawnSync("cc", ["-O2", "-pthread", "-x", "c", "-", "-o", out, `-lurcu-${flavour}`], { input: program }).status ===
    0
  );
}

test("micro writes rows of its own schema, one per case, in csv, md and json", async () => {
  const dir = scratch();
  try {
    const out = join(dir, "micro.csv");
    const result = await daxbench(["micro", "--max-time", "0.02", "--format", "csv,md,json", "--out", out, "--quiet"]);
    assert.equal(result.status, 0, result.stderr);
    const csv = readFileSync(out, "utf8");
    const header = csv.split("\n")[0].split(",");
    assert.deepEqual(header, [
      "case",
      "protection",
      "align",
      "mapping_bytes",
      "installs_per_op",
      "ns_per_op",
      "rme_percent",
      "samples",
      ...METADATA_COLUMNS,
    ]);
    assert.deepEqual(header, [...MICRO_COLUMNS]);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const cases = rows.map((r) => `${r.case} ${r.protection}`);
    for (const expected of [
      "micro-empty_batch none",
      "micro-readside none",
      "micro-readside rcu",
      "micro-readside mutex",
      "micro-readside rwlock",
      "micro-readside qsbr",
      "micro-readside rcu-pointer",
      "micro-check_vma none",
      "micro-pgoff_to_phys-1 none",
      "micro-pgoff_to_phys-16 none",
      "micro-pgoff_to_phys-64 none",
      "micro-pte_fault_zap rcu",
      "micro-pmd_fault_zap rcu",
    ])
      assert.ok(cases.includes(expected), `missing ${expected}`);
    assert.equal(new Set(cases).size, cases.length, "each case once");
    for (const { name, brokenOnPurpose } of SCHEMES) {
      if (brokenOnPurpose)
        assert.ok(!rows.some((r) => r.protection === name), `${name} is broken on purpose and not benchmarked`);
    }
    for (const row of rows) {
      assert.ok(Number(row.ns_per_op) > 0, `${row.case}: ns_per_op ${row.ns_per_op}`);
      assert.ok(
        Number(row.rme_percent) >= 0 && Number.isFinite(Number(row.rme_percent)),
        `${row.case}: rme_percent ${row.rme_percent}`,
      );
      assert.ok(
        Number.isInteger(Number(row.samples)) && Number(row.samples) >= 10,
        `${row.case}: samples ${row.samples}`,
      );
      assert.equal(Number(row.installs_per_op), row.case.endsWith("fault_zap") ? 1 : 0, row.case);
      assert.ok(row.node && row.cpu && Number(row.cpu_count) >= 1 && row.started_at, `${row.case}: metadata`);
    }
    // The Markdown table: its own header, one line per row of the CSV.
    const md = readFileSync(join(dir, "micro.md"), "utf8").trimEnd().split("\n");
    assert.equal(md[0], "| case | protection | align | ns/op | ± rme | samples |");
    assert.equal(md.length - 2, rows.length);
    const json = JSON.parse(readFileSync(join(dir, "micro.json"), "utf8"));
    assert.deepEqual(json.columns, [...MICRO_COLUMNS]);
    assert.equal(json.rows.length, rows.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("micro and native refuse bad input with one line naming it, exit 2, before any work", async () => {
  const dir = scratch();
  try {
    const out = join(dir, "micro.csv");
    const cases = [
      [["micro", "--format", "csv,xml", "--out", out], /--format xml is not one of: csv, json, md/],
      [["micro", "--max-time", "abc", "--out", out], /--max-time abc /],
      [["micro", "--out", "-", "--format", "csv,md"], /--out - takes one format/],
      [["native", "--repeat", "0", "--out", join(dir, "native.md")], /--repeat 0 /],
      [["native", "--repeat", "2x", "--out", join(dir, "native.md")], /--repeat 2x /],
      [["native", "--workers", "1,zero", "--out", join(dir, "native.md")], /--workers zero /],
    ] as [string[], RegExp][];
    for (const [args, named] of cases) {
      const result = await daxbench(args);
      assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, named);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.equal(result.stdout, "");
    }
    assert.ok(
      !existsSync(out) && !existsSync(join(dir, "native.md")) && !existsSync(join(dir, "native.csv")),
      "nothing written",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  "native measures every cell on both sides, prints a positive ratio with its interval, " + "and keeps every sample",
  async () => {
    const dir = scratch();
    try {
      const result = await daxbench([
        "native",
        "--duration",
        "20ms",
        "--workers",
        "1",
        "--repeat",
        "5",
        "--out",
        join(dir, "native.md"),
      ]);
      assert.equal(result.status, 0, result.stderr);
      const cells = tableCells(result.stdout);
      const measured = cells.map((cell) => cell.native);
      const skipped = new Map(
        result.stderr.split("\n").flatMap((line) => {
          const note = /^daxbench native: (\S+): skipped, (.+)$/.exec(line);
          return note ? [[note[1], note[2]] as const] : [];
        }),
      );
      // Five native read sides, each measured or skipped with a note, never both.
      assert.deepEqual(
        [...measured, ...skipped.keys()].sort(),
        [...NATIVE_FLAVOURS].sort(),
        `${result.stdout}\n${result.stderr}`,
      );
      if (!onPath("cc")) {
        assert.deepEqual(
          [...skipped.values()],
          NATIVE_FLAVOURS.map(() => "no C compiler (cc)"),
          "without cc every flavour is skipped, for that reason",
        );
      } else {
        // With cc, a skip is allowed only where a library is missing: the plain flavours need none.
        assert.deepEqual(
          measured.filter((name) => PLAIN_FLAVOURS.includes(name)),
          PLAIN_FLAVOURS,
          `cc is here, so these are built and measured: ${result.stderr}`,
        );
        for (const flavour of ["memb", "qsbr"] as const) {
          const name = `urcu-${flavour}`;
          if (liburcuLinks(flavour, dir))
            assert.ok(
              measured.includes(name),
              `liburcu-${flavour} links here, yet ${name} was ` +
                (skipped.has(name) ? `skipped: ${skipped.get(name)}` : "not measured"),
            );
          else
            assert.equal(
              skipped.get(name),
              "cc failed (is liburcu-dev installed?)",
              `liburcu-${flavour} does not link here: ${name} is skipped for that`,
            );
        }
      }
      for (const cell of cells) {
        assert.ok(cell.ratio > 0, `${cell.native}: ratio ${cell.ratio}`);
        assert.equal(cell.n, "5+5", `${cell.native}: n per side`);
        const [lo, hi] = cell.interval.split("…").map(Number);
        assert.ok(
          lo > 0 && lo <= cell.ratio && cell.ratio <= hi,
          `${cell.native}: interval ${cell.interval} around ${cell.ratio}`,
        );
      }
      assert.equal(
        readFileSync(join(dir, "native.md"), "utf8").trimEnd(),
        result.stdout.trimEnd().split("\n").slice(0, -1).join("\n"),
      );
      // The CSV is long form: one row per measurement, 5 per side per cell, from which every figure is recomputed.
      const csv = readFileSync(join(dir, "native.csv"), "utf8");
      assert.deepEqual(csv.split("\n")[0].split(","), [...NATIVE_COLUMNS]);
      const rows = parse(csv, { columns: true }) as Record<string, string>[];
      assert.equal(rows.length, cells.length * 2 * 5);
      for (const cell of cells) {
        for (const side of ["native", "wasm"]) {
          const reps = rows.filter((r) => r.native === cell.native && r.side === side).map((r) => Number(r.rep));
          assert.deepEqual(reps.sort(), [1, 2, 3, 4, 5], `${cell.native} ${side}`);
        }
      }
      // wasm / native is the median of every wasm sample over every native sample (Hodges-Lehmann), per cell.
      for (const cell of cells) {
        const side = (name: string) =>
          rows.filter((r) => r.native === cell.native && r.side === name).map((r) => Number(r.ns_per_op));
        const ratios = side("native")
          .flatMap((a) => side("wasm").map((b) => b / a))
          .sort((x, y) => x - y);
        assert.equal(
          ratios[(ratios.length - 1) / 2].toFixed(3),
          cell.ratio.toFixed(3),
          `${cell.native}: wasm / native`,
        );
      }
      const recomputed = nativeCells(parseNativeCsv(csv, "native.csv"));
      assert.deepEqual(
        recomputed.map((c) => [c.native, c.workers, c.comparison.estimate!.toFixed(3)]),
        cells.map((c) => [c.native, c.workers, c.ratio.toFixed(3)]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("native skips the liburcu flavours cleanly when liburcu-dev is missing, and everything without cc", async (t) => {
  const cc = spawnSync("sh", ["-c", "command -v cc"], { encoding: "utf8" }).stdout.trim();
  if (!cc) return t.skip("no cc on this machine");
  const dir = scratch();
  try {
    // A cc that cannot link liburcu, as on a machine without liburcu-dev.
    writeFileSync(
      join(dir, "cc"),
      `#!/bin/sh\ncase "$*" in *-lurcu*) echo "cannot find -lurcu" >&2; exit 1;; esac\nexec ${cc} "$@"\n`,
    );
    chmodSync(join(dir, "cc"), 0o755);
    const noUrcu = await daxbench(["native", "--duration", "20ms", "--workers", "1", "--repeat", "1"], {
      ...process.env,
      PATH: `${dir}:${process.env.PATH}`,
    });
    assert.equal(noUrcu.status, 0, noUrcu.stderr);
    assert.deepEqual(
      tableCells(noUrcu.stdout).map((c) => c.native),
      PLAIN_FLAVOURS,
    );
    for (const cell of tableCells(noUrcu.stdout)) {
      assert.ok(cell.ratio > 0, `${cell.native}: ratio ${cell.ratio}`);
      assert.match(cell.interval, /^none: n=1\+1/, "one repetition: no interval, and the table says why");
    }
    const notes = noUrcu.stderr.trim().split("\n");
    assert.deepEqual(notes, [
      "daxbench native: urcu-memb: skipped, cc failed (is liburcu-dev installed?)",
      "daxbench native: urcu-qsbr: skipped, cc failed (is liburcu-dev installed?)",
    ]);
    // No C compiler at all: every flavour is skipped with a note, the command still succeeds.
    const noCc = await daxbench(["native", "--duration", "20ms", "--workers", "1"], {
      ...process.env,
      PATH: join(dir, "empty"),
    });
    assert.equal(noCc.status, 0, noCc.stderr);
    assert.equal(tableCells(noCc.stdout).length, 0);
    assert.equal(
      noCc.stderr
        .trim()
        .split("\n")
        .filter((line) => line.endsWith("skipped, no C compiler (cc)")).length,
      NATIVE_FLAVOURS.length,
      noCc.stderr,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a bar's verdict comes from the interval: met, missed, inconclusive, and inconclusive without one", async () => {
  // "ratio ≤ 1.1": met only when the whole interval is below, missed only when it is wholly above.
  assert.equal(barVerdict([0.95, 1.05], { atMost: 1.1 }), "met");
  assert.equal(barVerdict([1.15, 1.3], { atMost: 1.1 }), "missed");
  assert.equal(barVerdict([1.0, 1.2], { atMost: 1.1 }), "inconclusive");
  assert.equal(barVerdict([1.0, 1.1], { atMost: 1.1 }), "inconclusive", "an end on the bar is not under it");
  assert.equal(barVerdict([1.1, 1.2], { atMost: 1.1 }), "inconclusive", "an end on the bar is not above it");
  assert.equal(barVerdict(undefined, { atMost: 1.1 }), "inconclusive");
  // "ratio ≥ 1.8": the mirror image.
  assert.equal(barVerdict([1.9, 2.1], { atLeast: 1.8 }), "met");
  assert.equal(barVerdict([1.5, 1.6], { atLeast: 1.8 }), "missed");
  assert.equal(barVerdict([1.7, 1.9], { atLeast: 1.8 }), "inconclusive");
  assert.equal(barVerdict(undefined, { atLeast: 1.8 }), "inconclusive");
});

test("a native cell that completes no read-side pair ends the run in one line, never a division by zero", async (t) => {
  if (!spawnSync("sh", ["-c", "command -v cc"]).stdout.length) return t.skip("no C compiler here");
  const dir = scratch();
  try {
    const result = await daxbench(
      ["native", "--duration", "20ms", "--workers", "1", "--repeat", "1", "--out", join(dir, "native.md")],
      { ...process.env, DAXBENCH_INJECT: "no-pairs" },
    );
    assert.equal(result.status, 1, result.stderr);
    // Flavours that cannot be built here (liburcu-dev missing) are noted on their own lines and do not end the run.
    const lines = result.stderr
      .trim()
      .split("\n")
      .filter((line) => !/^daxbench native: \S+: skipped, /.test(line));
    assert.deepEqual(lines, [
      "daxbench: native load at 1 workers: no read-side pair completed in 20 ms: give a longer --duration",
    ]);
    assert.equal(existsSync(join(dir, "native.md")), false, "nothing written");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
