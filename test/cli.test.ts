// daxbench run, end to end through the CLI on small sizes. Assertions are on counts, codes and files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { FIXED_COLUMNS } from "../host/results/schema.ts";
import { daxbenchWith, bin } from "./daxbench.ts";

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A real process, for what only a process has: a signal from outside. */
function spawned(
  args: string[],
  options: { env?: Record<string, string>; onStderr?: (text: string, kill: () => void) => void } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...options.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      options.onStderr?.(stderr, () => child.kill("SIGINT"));
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** In process; `env` is added to the environment for the run. */
function daxbench(args: string[], options: { env?: Record<string, string> } = {}): Promise<Outcome> {
  return daxbenchWith(options.env ?? {}, ...args);
}

function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), "daxbench-test-"));
}

type Row = Record<string, string>;

function readRows(path: string): Row[] {
  return parse(readFileSync(path, "utf8"), { columns: true });
}

const NUMERIC = [
  "workers",
  "rep",
  "mapping_bytes",
  "elapsed_ns",
  "ops",
  "faults",
  "ns_per_op",
  "ops_per_sec",
  "sigbus",
  "fallback",
  "raced",
  "kills",
];

test("populate over align x protection x workers writes 8 rows with exact fault counts", async () => {
  const dir = scratchDir();
  const out = join(dir, "populate.csv");
  const result = await daxbench([
    "run",
    "--scenario",
    "populate",
    "--align",
    "4k,2m",
    "--protection",
    "rcu,mutex",
    "--workers",
    "1,2",
    "--size",
    "8m",
    "--min-time",
    "20ms",
    "--repeat",
    "1",
    "--warmup",
    "0",
    "--out",
    out,
    "--quiet",
  ]);
  assert.equal(result.status, 0, result.stderr);
  const header = readFileSync(out, "utf8").split("\n")[0].split(",");
  assert.deepEqual(header.slice(0, FIXED_COLUMNS.length), [...FIXED_COLUMNS]);
  const rows = readRows(out);
  assert.equal(rows.length, 8);
  for (const row of rows) {
    for (const column of NUMERIC)
      assert.ok(Number.isFinite(Number(row[column])) && row[column] !== "", `${column}=${row[column]}`);
    const passes = Number(row.passes);
    assert.ok(passes >= 1);
    assert.equal(
      Number(row.faults),
      passes * (row.align === "4k" ? 2048 : 4),
      `faults of ${row.align}: size / align each pass`,
    );
    assert.equal(Number(row.ops), passes * 2048, "every page touched once a pass");
    assert.equal(Number(row.sigbus), 0);
  }
  assert.deepEqual(new Set(rows.map((r) => `${r.protection} ${r.align} ${r.workers}`)).size, 8);
  assert.deepEqual(readdirSync(dir), ["populate.csv"], "no temporary file left behind");
});

test(
  "churn rows: " +
    "refused touches are not operations, the achieved kill period is recorded, a longer read side costs more",
  async () => {
    const dir = scratchDir();
    const out = join(dir, "churn.csv");
    const result = await daxbench([
      "run",
      "--scenario",
      "churn",
      "--protection",
      "rcu,mutex",
      "--align",
      "4k",
      "--workers",
      "1",
      "--size",
      "8m",
      "--duration",
      "200ms",
      "--kill-period",
      "1ms",
      "--read-delay",
      "0,10us",
      "--repeat",
      "1",
      "--warmup",
      "0",
      "--out",
      out,
      "--quiet",
    ]);
    assert.equal(result.status, 0, result.stderr);
    const rows = readRows(out);
    assert.equal(rows.length, 4);
    for (const row of rows) {
      assert.ok(Number(row.kills) > 0, "the updater killed the device");
      assert.ok(Number(row.gp_p50_ns) > 0 && Number(row.gp_p99_ns) >= Number(row.gp_p50_ns));
      assert.ok(Number(row.faults) > 0);
      assert.equal(row.violations, "0", "every install checked the teardown guarantee");
      assert.equal(
        Number(row.ops),
        Number(row.hits) + Number(row.faults) + Number(row.raced),
        "ops: touches that ended mapped, nothing else",
      );
      assert.equal(Number(row.ns_per_op), Math.round((Number(row.elapsed_ns) / Number(row.ops)) * 1000) / 1000);
      assert.equal(row.kill_period_ns, "1000000");
      assert.ok(Number(row.kill_period_achieved_ns) >= 1_000_000, `achieved ${row.kill_period_achieved_ns}`);
    }
    // A longer read side costs more: every fault of the delayed rows spent its 10 us in the read side, and one
    // reader's faults run one after another, so its time is at least their delays (half of them, for a spin
    // calibrated on a slower moment). A lower bound, not a race between two runs: a busy machine only adds.
    for (const protection of ["rcu", "mutex"]) {
      const delayed = rows.find((r) => r.protection === protection && r.read_delay_ns === "10000")!;
      assert.ok(
        Number(delayed.elapsed_ns) >= Number(delayed.faults) * 10_000 * 0.5,
        `${protection}: ${delayed.faults} faults with a 10us read side in ${delayed.elapsed_ns} ns`,
      );
    }
  },
);

test("with one repetition no pair is called faster: every pair is ~ with the reason", async () => {
  const result = await daxbench([
    "run",
    "--scenario",
    "populate,readside",
    "--align",
    "4k,2m",
    "--protection",
    "rcu,mutex",
    "--size",
    "4m",
    "--duration",
    "50ms",
    "--min-time",
    "20ms",
    "--repeat",
    "1",
    "--warmup",
    "0",
    "--out",
    "-",
  ]);
  assert.equal(result.status, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /faster/);
  const pairs = result.stderr.split("\n").filter((line) => / ~ /.test(line));
  assert.equal(pairs.length, 2 + 2 + 1, "populate: rcu/mutex at 4k and 2m, 4k/2m per scheme; readside: rcu/mutex only");
  for (const line of pairs) assert.match(line, /\(n=1\+1: too few repetitions to compare \(want 3\+ each\)\)$/);
  assert.match(result.stderr, /^note: readside does not use --align, --size; it runs once per protection × workers$/m);
  const rows = parse(result.stdout, { columns: true }) as Row[];
  const readside = rows.filter((r) => r.scenario === "readside");
  assert.deepEqual(
    readside.map((r) => [r.protection, r.align, r.mapping_bytes, r.read_delay_ns]),
    [
      ["rcu", "", "", ""],
      ["mutex", "", "", ""],
    ],
  );
});

test("--out - writes the CSV to stdout and the table to stderr", async () => {
  const result = await daxbench([
    "run",
    "--scenario",
    "populate",
    "--align",
    "2m",
    "--protection",
    "rcu",
    "--size",
    "4m",
    "--min-time",
    "20ms",
    "--repeat",
    "1",
    "--warmup",
    "0",
    "--out",
    "-",
  ]);
  assert.equal(result.status, 0, result.stderr);
  const rows = parse(result.stdout, { columns: true }) as Row[];
  assert.equal(rows.length, 1);
  assert.equal(Number(rows[0].faults), 2 * Number(rows[0].passes), "two pmds a pass");
  assert.match(result.stderr, /populate/);
});

const badInputs: [string, string[], RegExp][] = [
  ["an unknown scenario", ["--scenario", "warp"], /--scenario warp is not one of: populate, random, churn, readside/],
  ["--workers 0", ["--workers", "0"], /--workers 0 is not a whole number from 1 to \d+/],
  ["--size 3k", ["--size", "3k"], /--size 3k is not a multiple of 4k pages/],
  [
    "a size that is not a multiple of the alignment",
    ["--size", "3m", "--align", "2m"],
    /--size 3m is not a multiple of --align 2m/,
  ],
  ["a size the memory cannot hold", ["--size", "4t", "--align", "4k"], /--size 4t: a 4t mapping needs .* at most 4g/],
  ["an unknown flag", ["--wokers", "2"], /Unknown argument: wokers/],
  ["a bad duration", ["--scenario", "churn", "--duration", "fast"], /--duration fast is not a positive duration/],
];
for (const [what, args, message] of badInputs) {
  test(`bad input, ${what}: exit 2, one line, nothing written`, async () => {
    const dir = scratchDir();
    const result = await daxbench(["run", ...args, "--out", join(dir, "x.csv")]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.deepEqual(readdirSync(dir), []);
  });
}

test(
  "a worker that throws aborts the run with exit 1, naming the worker; " + "only finished configurations are kept",
  async () => {
    const dir = scratchDir();
    const out = join(dir, "failed.csv");
    const result = await daxbench(
      [
        "run",
        "--scenario",
        "populate",
        "--align",
        "2m",
        "--protection",
        "rcu",
        "--workers",
        "1,2",
        "--size",
        "8m",
        "--repeat",
        "2",
        "--warmup",
        "0",
        "--out",
        out,
        "--quiet",
      ],
      { env: { DAXBENCH_INJECT: "fail:2" } },
    );
    assert.equal(result.status, 1);
    assert.match(result.stderr, /cpu 2: injected failure/);
    assert.match(result.stderr, /populate rcu 2m 2w 8m/);
    const rows = readRows(out);
    assert.deepEqual(
      rows.map((r) => r.workers),
      ["1", "1"],
      "the 1-worker configuration, whole; nothing of the failed one",
    );
    assert.deepEqual(readdirSync(dir), ["failed.csv"]);
  },
);

test("a worker that throws in the first configuration leaves no file", async () => {
  const dir = scratchDir();
  const out = join(dir, "none.csv");
  const result = await daxbench(
    [
      "run",
      "--scenario",
      "populate",
      "--align",
      "2m",
      "--protection",
      "rcu",
      "--workers",
      "2",
      "--size",
      "8m",
      "--out",
      out,
      "--quiet",
    ],
    { env: { DAXBENCH_INJECT: "fail:1" } },
  );
  assert.equal(result.status, 1);
  assert.equal(existsSync(out), false);
  assert.deepEqual(readdirSync(dir), []);
});

test("a worker that hangs is ended by the watchdog: exit 1 naming it", async () => {
  // The watchdog's bound covers cpu 1 too: answering the job and, stopped after 100 ms, leaving its loop, which take
  // milliseconds. 2 s is generous for that on a loaded machine, and should cpu 1 be late to finish all the same, it
  // is named beside cpu 2, which the expectation allows: only cpu 2 must be named, whichever worker is slow.
  const dir = scratchDir();
  const result = await daxbench(
    [
      "run",
      "--scenario",
      "random",
      "--protection",
      "rcu",
      "--align",
      "2m",
      "--workers",
      "2",
      "--size",
      "8m",
      "--duration",
      "100ms",
      "--timeout",
      "2s",
      "--out",
      join(dir, "x.csv"),
      "--quiet",
    ],
    { env: { DAXBENCH_INJECT: "hang:2" } },
  );
  assert.equal(result.status, 1);
  assert.match(result.stderr, /in random rcu 2m 2w 8m: cpu (1, )?2 did not finish within 2\.1s/);
  assert.deepEqual(readdirSync(dir), []);
});

test("Ctrl-C terminates the workers and exits 130", async () => {
  const dir = scratchDir();
  let sent = false;
  const result = await spawned(
    [
      "run",
      "--scenario",
      "random",
      "--protection",
      "rcu",
      "--align",
      "2m",
      "--workers",
      "1",
      "--size",
      "8m",
      "--out",
      join(dir, "x.csv"),
      "--quiet",
    ],
    {
      env: { DAXBENCH_INJECT: "hang:1" },
      onStderr: (text, interrupt) => {
        if (!sent && text.includes("hanging")) {
          sent = true;
          interrupt();
        }
      },
    },
  );
  assert.equal(result.status, 130, result.stderr);
  assert.match(result.stderr, /interrupted/);
  assert.deepEqual(readdirSync(dir), []);
});

test("--help, --version and list answer with exit 0", async () => {
  const help = await daxbench(["run", "--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--kill-period/);
  const version = await daxbench(["--version"]);
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  const list = await daxbench(["list"]);
  assert.equal(list.status, 0);
  for (const name of ["populate", "random", "churn", "readside", "rcu", "mutex", "none", "4k", "2m", "1g"]) {
    assert.match(list.stdout, new RegExp(`^  ${name} `, "m"));
  }
});
