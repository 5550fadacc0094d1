// No crash on any input: every bad value ends in exit 2 with one line before any work, every output path is
// checked first, files are written whole, and the parsers and the CSV reader take any text without throwing
// anything but a UsageError (property-based, with fast-check).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse } from "csv-parse/sync";
import { DaxMachine } from "../host/machine/dax.ts";
import { UsageError } from "../host/errors.ts";
import { readResultFile } from "../host/results/file.ts";
import { csvText } from "../host/export/csv.ts";
import { wholeNumberOption, alphaOption, secondsOption, matrixConfigurations } from "../host/cli/options.ts";
import { createSharedMemory } from "../host/machine/wasm.ts";
import { syntheticRows } from "./synthetic.ts";
import { daxbench, bin } from "./daxbench.ts";

const scratch = (files: Record<string, string> = {}) => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-hardening-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};
const oneLine = (stderr: string) => stderr.trim().split("\n").length === 1;

/** Runs `body`, and says whether it ended in a value or a UsageError; anything else fails the property. */
function valueOrUsageError(body: () => unknown): boolean {
  try {
    body();
    return true;
  } catch (error) {
    if (error instanceof UsageError) return true;
    throw error;
  }
}

const probe = new DaxMachine();
/** Values a user might type for a matrix dimension: good ones, near misses and garbage. */
const typed = fc.oneof(
  fc.constantFrom(
    "4k",
    "2m",
    "1g",
    "64m",
    "0",
    "1",
    "2",
    "never",
    "1ms",
    "10us",
    "rcu",
    "mutex",
    "device",
    "fs",
    "kernel:/nonexistent",
    "1us",
  ),
  fc.constantFrom(
    "",
    ",",
    "-1",
    "1.5",
    "NaN",
    "1e400",
    "99999999999999999999t",
    "3k",
    "2s",
    "1ms,",
    "rcu,,mutex",
    "4k\u0000",
  ),
  fc.string({ maxLength: 12 }),
);
const list = fc.array(typed, { minLength: 0, maxLength: 3 });

test("property: a matrix from any typed values is either configurations or one UsageError", async () => {
  fc.assert(
    fc.property(
      fc.record({
        scenario: fc.constantFrom("populate", "readside", "churn", "tlb", "mmap-mix", "warp"),
        protection: list,
        align: list,
        workers: list,
        size: list,
        killPeriod: list,
        readDelay: list,
        faultCost: list,
        duration: typed,
      }),
      (spec) =>
        valueOrUsageError(() => {
          const configs = matrixConfigurations(
            { ...spec, scenario: [spec.scenario] },
            { duration: spec.duration },
            probe,
          );
          for (const c of configs) {
            assert.ok(
              c.size > 0n && c.workers >= 1 && c.durationNs > 0 && c.readDelayNs >= 0 && c.faultCostNs >= 0,
              JSON.stringify(spec),
            );
          }
        }),
    ),
    { numRuns: 300 },
  );
});

test("property: the number options take any text and refuse it quoting it as typed", async () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 10 }), (text) => {
      for (const parse of [
        () => wholeNumberOption("repeat", text, 5, 1, 1000),
        () => alphaOption(text),
        () => secondsOption("seconds", text),
      ]) {
        try {
          const value = parse();
          assert.ok(Number.isFinite(value));
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          assert.ok(error.message.includes(` ${text} `), `${error.message} quotes ${JSON.stringify(text)}`);
        }
      }
      return true;
    }),
    { numRuns: 300 },
  );
});

test("property: a result file with any line damaged is rows or one UsageError naming the file", async () => {
  const good = csvText(syntheticRows([{ nsPerOp: [10, 11, 12] }, { align: "2m", nsPerOp: [1, 2] }]));
  const lines = good.trimEnd().split("\n");
  const dir = scratch();
  let k = 0;
  fc.assert(
    fc.property(fc.nat(lines.length - 1), fc.string({ maxLength: 40 }), fc.boolean(), (line, text, replace) => {
      const damaged = [...lines];
      if (replace) damaged[line] = text;
      else damaged.splice(line, 0, text);
      const path = join(dir, `f${k++}.csv`);
      writeFileSync(path, damaged.join("\n") + "\n");
      try {
        for (const row of readResultFile(path).rows)
          assert.ok(typeof row.ns_per_op === "number" || row.ns_per_op === "");
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        assert.ok(error.message.startsWith(path), error.message);
      }
      return true;
    }),
    { numRuns: 200 },
  );
});

test("CSV reading: a BOM is accepted, a column twice is refused, a blank figure is not 0", async () => {
  const text = csvText(syntheticRows([{ nsPerOp: [10, 11, 12] }]));
  const [header, ...body] = text.trimEnd().split("\n");
  const dir = scratch({
    "bom.csv": `\uFEFF${text}`,
    "twice.csv": [`${header},scenario`, ...body.map((l) => `${l},populate`)].join("\n"),
    "blank.csv": [header, body[0].replace(/^((?:[^,]*,){8})[^,]*/, "$1"), ...body.slice(1)].join("\n"),
  });
  assert.equal(readResultFile(join(dir, "bom.csv")).rows.length, 3);
  assert.throws(() => readResultFile(join(dir, "twice.csv")), /line 1: column scenario appears more than once/);
  assert.throws(() => readResultFile(join(dir, "blank.csv")), /line 2, column faults: "" is not a number/);
});

test("a zero or negative ns_per_op never becomes Infinity or NaN in compare or report", async () => {
  const dir = scratch({
    "base.csv": csvText(syntheticRows([{ nsPerOp: [0, 0, 0, 0, 0] }, { align: "2m", nsPerOp: [-1, -2, -1, -2, -1] }])),
    "new.csv": csvText(syntheticRows([{ nsPerOp: [5, 6, 5, 6, 5] }, { align: "2m", nsPerOp: [1, 2, 1, 2, 1] }])),
  });
  const compare = await daxbench("compare", join(dir, "base.csv"), join(dir, "new.csv"));
  assert.equal(compare.status, 0, compare.stderr);
  assert.doesNotMatch(compare.stdout, /Infinity|NaN/);
  const report = await daxbench("report", join(dir, "base.csv"), "--format", "md,json");
  assert.equal(report.status, 0, report.stderr);
  for (const name of ["base.md", "base.json"])
    assert.doesNotMatch(readFileSync(join(dir, name), "utf8"), /Infinity|NaN/, name);
});

test("a flag given twice takes its last value; a flag that takes a list gathers every value", async () => {
  const dir = scratch();
  const result = await daxbench(
    "run",
    "--scenario",
    "readside",
    "--protection",
    "rcu",
    "--workers",
    "1",
    "--workers",
    "2",
    "--duration",
    "60ms",
    "--duration",
    "20ms",
    "--repeat",
    "1",
    "--warmup",
    "0",
    "--out",
    join(dir, "a.csv"),
    "--out",
    join(dir, "b.csv"),
    "--quiet",
  );
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(readdirSync(dir), ["b.csv"]);
  const rows = parse(readFileSync(join(dir, "b.csv"), "utf8"), { columns: true }) as Record<string, string>[];
  assert.deepEqual(
    rows.map((row) => [row.workers, row.duration_ns]),
    [
      ["1", "20000000"],
      ["2", "20000000"],
    ],
  );
  const tlb = await daxbench(
    "run",
    "--scenario",
    "tlb",
    "--tlb-geometry",
    "64",
    "--tlb-geometry",
    "64/4,32/4,4/4,1536/12,16/4",
    "--size",
    "4m",
    "--duration",
    "20ms",
    "--repeat",
    "1",
    "--warmup",
    "0",
    "--out",
    "-",
    "--quiet",
  );
  assert.equal(tlb.status, 0, tlb.stderr);
});

test("values beyond what the run can honour are refused with exit 2, one line, quoting what was typed", async () => {
  for (const [args, message] of [
    [["--duration", "3000000s"], /--duration 3000000s is longer than .* \(what a timer holds\)/],
    [["--read-delay", "2s"], /--read-delay 2s is longer than 100ms/],
    [["--size", "16777216t"], /--size 16777216t is beyond the model's physical memory/],
    [["--size", "18446744073709551616"], /--size 18446744073709551616 is beyond the model's physical memory/],
    [["--repeat", "abc"], /--repeat abc is not a whole number/],
    [["--alpha", "1"], /--alpha 1 is not a number between 0 and 1/],
    [["--fault-cost", "1s"], /--fault-cost 1s is longer than 100ms/],
  ] as [string[], RegExp][]) {
    const result = await daxbench("run", ...args, "--out", "/nonexistent-dir-never-written/x.csv");
    assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.ok(oneLine(result.stderr), result.stderr);
  }
});

test(
  "output paths are checked before any work: " + "a directory, /proc, a missing README section, the input CSV",
  async () => {
    const dir = scratch({
      "run.csv": csvText(syntheticRows([{ nsPerOp: [1, 2, 3] }])),
      "README.md": "no markers here\n",
    });
    mkdirSync(join(dir, "adir.csv"));
    for (const [args, message] of [
      [["run", "--out", join(dir, "adir.csv")], /--out .*adir\.csv cannot be written: it is a directory/],
      [["run", "--out", "/proc/daxbench.csv"], /--out \/proc\/daxbench\.csv cannot be written: E[A-Z]+/],
      [["torture", "--out", "/proc/t.csv"], /--out \/proc\/t\.csv cannot be written/],
      [
        ["merge", join(dir, "run.csv"), join(dir, "run.csv"), "--out", join(dir, "adir.csv")],
        /--out .*adir\.csv cannot be written: it is a directory/,
      ],
      [
        ["report", join(dir, "run.csv"), "--readme", join(dir, "README.md")],
        /README\.md: has no <!-- results:begin --> \.\.\. <!-- results:end --> markers/,
      ],
      [["report", join(dir, "run.csv"), "--readme", join(dir, "MISSING.md")], /MISSING\.md: cannot be read/],
      [["report", join(dir, "run.csv"), "--format", "md,csv"], /report --format csv would overwrite its input/],
      // Where --out can only be a file, "-" is refused rather than written as a file of that name.
      [["torture", "--out", "-"], /--out - is not accepted: torture prints its report on stdout/],
      [["merge", join(dir, "run.csv"), "--out", "-"], /--out - is not accepted: merge writes the merged CSV to a file/],
      [["native", "--out", "-"], /--out - is not accepted: native writes two files/],
    ] as [string[], RegExp][]) {
      const result = await daxbench(...args);
      assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.ok(oneLine(result.stderr), result.stderr);
    }
    assert.deepEqual(
      readdirSync(dir).sort(),
      ["README.md", "adir.csv", "run.csv"],
      "nothing written, no report, no chart",
    );
    assert.equal(readFileSync(join(dir, "README.md"), "utf8"), "no markers here\n");
    assert.ok(!existsSync("-"), "a file named - was written");
  },
);

test("two runs never write one file: a live lock refuses the second, a dead one is taken over", async () => {
  const dir = scratch();
  const out = join(dir, "run.csv");
  writeFileSync(`${out}.lock`, String(process.pid)); // this test's own process: alive
  const refused = await daxbench(
    "run",
    "--scenario",
    "readside",
    "--protection",
    "rcu",
    "--duration",
    "20ms",
    "--repeat",
    "1",
    "--out",
    out,
    "--quiet",
  );
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(
    refused.stderr,
    new RegExp(`--out .*run\\.csv is being written by another daxbench run \\(pid ${process.pid}`),
  );
  writeFileSync(`${out}.lock`, "999999999"); // no such process
  const taken = await daxbench(
    "run",
    "--scenario",
    "readside",
    "--protection",
    "rcu",
    "--duration",
    "20ms",
    "--repeat",
    "1",
    "--warmup",
    "0",
    "--out",
    out,
    "--quiet",
  );
  assert.equal(taken.status, 0, taken.stderr);
  assert.deepEqual(readdirSync(dir), ["run.csv"], "the lock is gone when the run ends");
});

test("an empty shard writes a header-only CSV that merge accepts", async () => {
  const dir = scratch();
  const args = [
    "run",
    "--scenario",
    "readside",
    "--protection",
    "rcu",
    "--workers",
    "1",
    "--duration",
    "20ms",
    "--repeat",
    "1",
    "--warmup",
    "0",
    "--quiet",
  ];
  const first = await daxbench(...args, "--shard", "1/2", "--out", join(dir, "s1.csv"));
  const second = await daxbench(...args, "--shard", "2/2", "--out", join(dir, "s2.csv"));
  assert.equal(first.status, 0, first.stderr);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, /this shard holds no configuration/);
  assert.equal(readFileSync(join(dir, "s2.csv"), "utf8").trim().split("\n").length, 1, "the header only");
  const merged = await daxbench("merge", join(dir, "s1.csv"), join(dir, "s2.csv"), "--out", join(dir, "all.csv"));
  assert.equal(merged.status, 0, merged.stderr);
  assert.equal(readResultFile(join(dir, "all.csv")).rows.length, 1);
});

test("a shared memory that cannot be had is one line naming its size", async () => {
  assert.throws(
    () => createSharedMemory({ initial: 1, maximum: 1 << 20 }),
    /cannot allocate the shared memory \(up to 64 GiB of address space; is ulimit -v lower\?\)/,
  );
});

test("SIGTERM to native ends its C program too, and the command exits 143 (128 + SIGTERM)", async (t) => {
  if (!spawnSync("sh", ["-c", "command -v cc"]).stdout.length) return t.skip("no C compiler here");
  const child = spawn(process.execPath, [bin, "native", "--duration", "2999ms", "--workers", "1", "--repeat", "1"]);
  const running = () => spawnSync("pgrep", ["-f", "readside-plain load 1 2999"], { encoding: "utf8" }).stdout.trim();
  // The C program runs first in each cell: wait for it.
  for (let i = 0; i < 150 && !running(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(running(), "the C program started");
  child.kill("SIGTERM");
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(status, 143);
  assert.equal(running(), "", "no C program left behind");
});
