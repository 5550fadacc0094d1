// Short torture runs: correct schemes end with no violation, broken ones are caught. Counts, not times.
// Half a second a scheme: the long tortures are the README's (results/torture.csv, 10 runs of each slip) and
// npm run mutate's; here a correct scheme must not trip at once, and rcu-zap-early leaves hundreds of stale entries
// in a third of a second.
import { SCHEMES } from "../host/schemes.ts";
import { test } from "node:test";
import assert from "node:assert/strict";
import { daxbench } from "./daxbench.ts";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { judge } from "../host/results/torture.ts";
import { parseDuration } from "../host/units.ts";
import { threadSchedStat } from "../host/system.ts";
import {
  DaxMachine,
  simpleMapping,
  rcutortureReadDelays,
  ALIGNMENTS,
  type LongReadDelays,
} from "../host/machine/dax.ts";
import type { Measurement } from "../host/types.ts";

async function torture(args: string[]) {
  const result = await daxbench("torture", ...args);
  const lines = result.stdout.trim().split("\n");
  const violations = Number(/violations ([\d,]+)/.exec(result.stdout)?.[1].replace(/,/g, ""));
  const kills = Number(/kills ([\d,]+)/.exec(result.stdout)?.[1].replace(/,/g, ""));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, last: lines.at(-1), violations, kills };
}

/** The schemes that can guard alive must pass torture, and those that cannot must be caught: the registry says
 *  which is which (rcu-zap-early, whose teardown zaps early, is caught by its stale entries, below). */
const CORRECT = SCHEMES.filter((scheme) => scheme.guardsAlive).map((scheme) => scheme.name);
const CAUGHT = SCHEMES.filter((scheme) => !scheme.guardsAlive && scheme.name !== "rcu-zap-early").map(
  (scheme) => scheme.name,
);

test(
  `${CORRECT.join(", ")} survive torture, one after another: ` + "no violation, no stale entry, SUCCESS each",
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "daxbench-torture-"));
    const out = join(dir, "torture.csv");
    const run = await torture([
      "--protection",
      CORRECT.join(","),
      "--seconds",
      "0.25",
      "--workers",
      "2",
      "--read-delay",
      "1000",
      "--out",
      out,
    ]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const reports = run.stdout.split(/\n(?=torture: )/);
    assert.equal(reports.length, CORRECT.length);
    for (const [i, protection] of CORRECT.entries()) {
      assert.match(reports[i], new RegExp(`^torture: ${protection}, `));
      assert.match(reports[i], /violations 0 /);
      assert.match(reports[i], /stale entries 0 {2}unaccounted installs 0\n/);
      assert.match(reports[i], /kills [\d,]+: one every \S+ \(asked 200us\), [\d,]+ per second/);
      assert.match(reports[i], /\nSUCCESS\n/);
    }
    assert.equal(run.last, CORRECT.map((p) => `${p} SUCCESS`).join(", "));
    const rows = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
    assert.deepEqual(
      rows.map((row) => row.protection),
      CORRECT,
    );
    for (const row of rows) {
      assert.equal(row.scenario, "torture");
      assert.equal(row.violations, "0");
      assert.equal(row.stale_entries, "0");
      assert.ok(Number(row.kills) > 0);
      assert.ok(Number(row.kill_period_achieved_ns) >= 200_000, `achieved ${row.kill_period_achieved_ns}`);
    }
  },
);

// The settings that catch the slips inside the primitives (bench/mutations.json's tortureOptions): the
// correct schemes must pass them too, or a caught slip would mean nothing.
test(
  "rcu and qsbr survive back-to-back kills on a 2 MiB mapping, with delays inside the primitives: " +
    "SUCCESS, every install accounted for",
  async () => {
    const run = await torture(["--protection", "rcu,qsbr", "--seconds", "0.5", "--kill-period", "0", "--size", "2m"]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.equal(
      run.stdout.match(
        /violations 0 \(of which reads of freed device state 0\) {2}stale entries 0 {2}unaccounted installs 0\n/g,
      )?.length,
      2,
      run.stdout,
    );
    assert.equal(run.last, "rcu SUCCESS, qsbr SUCCESS");
  },
);

test("torture of several schemes exits 1 when any of them fails", async () => {
  const run = await torture(["--protection", "none,rcu", "--seconds", "0.5", "--stop-on-violation"]);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.equal(run.last, "none FAILURE, rcu SUCCESS");
});

test("a torture run in which no kill happened is UNTESTED, exit 1, never SUCCESS", async () => {
  const run = await torture(["--protection", "rcu", "--seconds", "0.3", "--kill-period", "5s"]);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.equal(run.last, "UNTESTED");
  assert.match(run.stdout, /no kill in \S+: the guarantee was not exercised/);
  assert.doesNotMatch(run.stdout, /SUCCESS/);
});

// Run until the first violation, with a generous cap, so a slow machine cannot make these flake.
for (const protection of CAUGHT) {
  test(`${protection} is caught: violations > 0, FAILURE, exit 1`, async () => {
    const run = await torture(["--protection", protection, "--seconds", "60", "--stop-on-violation"]);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.equal(run.last, "FAILURE");
    assert.ok(run.violations > 0);
  });
}

test(
  "rcu-zap-early is caught: " + "mappings installed behind a zap made before the grace period outlive their device",
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "daxbench-torture-"));
    const out = join(dir, "torture.csv");
    const run = await torture(["--protection", "rcu-zap-early", "--seconds", "0.5", "--seed", "7", "--out", out]);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.equal(run.last, "FAILURE");
    assert.match(run.stdout, /random delays up to 5us at every step boundary, seed 7 \(--seed 7 draws them again\)/);
    const [row] = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
    assert.ok(Number(row.stale_entries) > 0, `stale entries ${row.stale_entries}`);
    assert.deepEqual([row.seed, row.random_delay_ns], ["7", "5000"]);
  },
);

test("torture: bad flags exit 2 with one line and write nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-torture-"));
  const out = join(dir, "x.csv");
  for (const [args, message] of [
    [
      ["--protection", "hope"],
      new RegExp(
        "--protection hope is not one of: none, rcu, mutex, rwlock, qsbr, rcu-pointer, refcount, percpu-ref, " +
          "seqlock, rcu-skip-scan2, rcu-pointer-free-early, rcu-check-outside, rcu-zap-early",
      ),
    ],
    [["--seconds", "0"], /--seconds 0 is not a positive number of seconds/],
    [["--workers", "0"], /--workers 0 is not a whole number/],
    [["--read-delay", "soon"], /--read-delay soon is not a duration/],
    [["--kill-period", "-1"], /--kill-period -1 is not a duration/],
    [["--kill-period", "never"], /--kill-period never: torture needs kills \(never leaves the guarantee untested\)/],
    [["--random-delay", "1s"], /--random-delay 1s is longer than 100ms/],
    [["--seed", "-3"], /--seed -3 is not a whole number/],
    [["--gp-cost", "soon"], /--gp-cost soon is not a duration/],
    [["--soak", "a while"], /--soak a while is not a positive duration/],
    [["--soak", "5s", "--seconds", "10"], /--soak 5s is shorter than one round \(--seconds 10s\)/],
    [["--soak", "1m", "--seconds", "1", "--kill-period", "500ms"], /--soak 1m: a round of 1s must have room for kills/],
  ] as [string[], RegExp][]) {
    const run = await torture([...args, "--out", out]);
    assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stderr.trim().split("\n").length, 1);
  }
  assert.deepEqual(readdirSync(dir), []);
});

test("a reader that completed no touch is no forward progress: FAILURE, naming its CPU", () => {
  const measurement = {
    stats: { violations: 0n },
    gracePeriodsNs: [1000],
    staleEntries: 0,
    unaccountedInstalls: 0,
    updaterElapsedNs: 1e6,
    elapsedNs: 2e9,
    readerOps: [5000, 0],
    fakeWriterGracePeriods: [],
  } as unknown as Measurement;
  const stalled = judge(measurement);
  assert.deepEqual([stalled.outcome, stalled.stalledReaders], ["FAILURE", [2]]);
  const both = judge({ ...measurement, readerOps: [5000, 1] });
  assert.deepEqual([both.outcome, both.stalledReaders], ["SUCCESS", []]);
  // Under a second, a busy machine may leave a flooded reader no alive window: not judged.
  const short = judge({ ...measurement, elapsedNs: 0.5e9 });
  assert.deepEqual([short.outcome, short.stalledReaders], ["SUCCESS", []]);
  // A fake writer that completed no grace period is stuck too, judged the same way.
  const writers = { ...measurement, readerOps: [5000, 1], fakeWriterGracePeriods: [700, 0] };
  const idle = judge(writers);
  assert.deepEqual([idle.outcome, idle.stalledFakeWriters], ["FAILURE", [2]]);
  assert.deepEqual(judge({ ...writers, elapsedNs: 0.5e9 }).outcome, "SUCCESS");
});

test("fake writers run grace periods back to back beside the updater; correct schemes pass; the row says", async () => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-torture-"));
  const out = join(dir, "fake.csv");
  const run = await torture(["--protection", "rcu,qsbr", "--seconds", "0.5", "--fake-writers", "2", "--out", out]);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const lines = run.stdout.split("\n").filter((line) => line.startsWith("fake writers beside the updater: 2, "));
  assert.equal(lines.length, 2, run.stdout);
  for (const line of lines) {
    const periods = /grace periods ([\d,]+) · ([\d,]+)$/
      .exec(line)!
      .slice(1)
      .map((n) => Number(n.replace(/,/g, "")));
    assert.ok(
      periods.every((n) => n > 0),
      line,
    );
  }
  const rows = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
  assert.deepEqual(
    rows.map((r) => [r.protection, r.fake_writers, Number(r.fake_writer_grace_periods) > 0]),
    [
      ["rcu", "2", true],
      ["qsbr", "2", true],
    ],
  );
});

test("migrating readers unlock on other CPUs' counters; the rcu family still passes, the row says so", async () => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-torture-"));
  const out = join(dir, "migrate.csv");
  const run = await torture(["--protection", "rcu,rcu-pointer", "--seconds", "0.5", "--migrate", "--out", out]);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const moved = [...run.stdout.matchAll(/migrating readers: one SRCU read side in 16 .*; migrated: ([\d,]+)/g)];
  assert.equal(moved.length, 2, run.stdout);
  for (const [, n] of moved) assert.ok(Number(n.replace(/,/g, "")) > 0, run.stdout);
  const rows = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
  assert.deepEqual(
    rows.map((r) => [r.protection, r.migrating_readers]),
    [
      ["rcu", "1"],
      ["rcu-pointer", "1"],
    ],
  );
  const refused = await torture(["--protection", "rcu,qsbr", "--migrate", "--seconds", "0.2"]);
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(
    refused.stderr,
    /^daxbench: --migrate applies to the schemes that count on SRCU's per-CPU counters \(rcu, .*\), not to qsbr\n$/,
  );
});

test("several devices killed in turn: rcu passes with a domain each, a broken grace period is caught", async () => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-torture-"));
  const out = join(dir, "devices.csv");
  const args = ["--devices", "4", "--srcu-domain", "per-device", "--updaters", "2", "--seed", "3", "--out", out];
  const run = await torture(["--protection", "rcu", "--seconds", "0.5", ...args]);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /64m mapping, 4 devices \(an SRCU domain each\), killed in turn, by 2 updaters at once,/);
  // Ended at the first violation: how long that takes is the machine's, so the bound is generous.
  const broken = await torture(["--protection", "rcu-skip-scan2", "--seconds", "20", "--stop-on-violation", ...args]);
  assert.equal(broken.status, 1, broken.stdout + broken.stderr);
  assert.match(broken.stdout, /FAILURE/);
  const rows = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
  assert.deepEqual(
    rows.map((r) => [r.protection, r.devices, r.srcu_domain, r.updaters]),
    [["rcu-skip-scan2", "4", "per-device", "2"]],
  );
  const refusals: [string[], RegExp][] = [
    [
      ["--protection", "mutex", "--devices", "2"],
      /^daxbench: --devices 2 applies to the schemes that count on SRCU's domains \(rcu, .*\), not to mutex\n$/,
    ],
    [
      ["--devices", "3", "--size", "64m"],
      /^daxbench: --size 64m does not split into 3 devices of whole --align 4k entries: /,
    ],
    [
      ["--devices", "2", "--size", "6m", "--align", "2m"],
      /^daxbench: --size 6m does not split into 2 devices of whole --align 2m entries: /,
    ],
    [["--devices", "9"], /^daxbench: --devices 9 is not a whole number from 1 to 8\n$/],
    [["--srcu-domain", "both"], /^daxbench: --srcu-domain both is not one of: shared, per-device\n$/],
    [["--updaters", "3", "--devices", "2"], /^daxbench: --updaters 3 is more than --devices 2: /],
  ];
  for (const [given, error] of refusals) {
    const refused = await torture([...given, "--seconds", "0.2"]);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, error);
  }
});

test("fake writers are refused beside a scheme whose synchronize() is more than a grace period", async () => {
  for (const scheme of ["refcount", "percpu-ref", "seqlock"]) {
    const args = ["--fake-writers", "1", "--seconds", "0.2", "--timeout", "5s"];
    const run = await torture(["--protection", `rcu,${scheme}`, ...args]);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`^daxbench: --fake-writers 1 cannot run beside ${scheme}: `));
  }
});

test(
  "a soak of a kill flood goes on in rounds, a status line after each with the worst grace period, " +
    "each round a row with the next seed",
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "daxbench-torture-"));
    const out = join(dir, "soak.csv");
    // Rounds of 0.2 s in a 3 s soak: two rounds fit even when a busy machine makes each take a second.
    const args = ["--protection", "rcu", "--kill-period", "0", "--seconds", "0.2", "--seed", "40"];
    const run = await torture([...args, "--soak", "3s", "--out", out]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const status = run.stdout.split("\n").filter((line) => line.startsWith("soak rcu: "));
    assert.ok(status.length >= 2, run.stdout);
    status.forEach((line, i) => {
      assert.match(line, new RegExp(`^soak rcu: round ${i + 1} \\(seed ${40 + i}\\), \\S+ of 3s: kills [\\d,]+, `));
      assert.match(line, /violations 0, stale 0, worst grace period \S+, readers' touches [\d,]+ · [\d,]+: SUCCESS$/);
    });
    assert.match(run.stdout, /forward progress not judged in a run under 1s: touches [\d,]+ · [\d,]+/);
    assert.equal(run.last, "SUCCESS");
    const rows = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
    assert.deepEqual(
      rows.map((row) => [row.rep, row.seed]),
      status.map((_, i) => [String(i + 1), String(40 + i)]),
    );
  },
);

test("a soak is as long as people type it: 90s, 30m, 1h", () => {
  assert.deepEqual(
    ["90s", "30m", "1h", "1.5h"].map((text) => parseDuration(text)),
    [90e9, 1800e9, 3600e9, 5400e9],
  );
});

test("a soak stops at the first round that fails: one status line, one row, FAILURE", async () => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-torture-"));
  const out = join(dir, "soak.csv");
  const run = await torture(["--protection", "none", "--seconds", "0.5", "--soak", "3s", "--out", out]);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  const status = run.stdout.split("\n").filter((line) => line.startsWith("soak none: "));
  assert.equal(status.length, 1, run.stdout);
  assert.match(status[0], /^soak none: round 1 .*: FAILURE$/);
  assert.equal(run.last, "FAILURE");
  assert.equal((parse(readFileSync(out, "utf8"), { columns: true }) as unknown[]).length, 1);
});

test("--long-delays are rcutorture's rcu_read_delay(): 200 us in 1 of readers × 500, 300 ms in 1 of × 600,000", () => {
  assert.deepEqual(rcutortureReadDelays(2), { longOdds: 1_200_000, longNs: 300e6, shortOdds: 1000, shortNs: 200e3 });
});

test("a long read-side delay is taken inside the fault: at odds of 1, every fault sleeps that long, or spins", (t) => {
  if (!threadSchedStat()) return t.skip("no /proc/thread-self/schedstat to tell sleeping from running");
  const machine = new DaxMachine();
  const faults = 4;
  const { device, vma } = simpleMapping(ALIGNMENTS["4k"], BigInt(faults) * 4096n);
  /** A fresh device (which clears the delays), the delays set, then every page faulted in on this thread: how
   *  long the thread ran or waited for a CPU meanwhile, and how long it was neither (asleep). */
  const populate = (delays: LongReadDelays) => {
    machine.createDevice(device);
    machine.setProtection("rcu");
    machine.mmap(vma);
    machine.setLongDelays(delays);
    const start = process.hrtime.bigint();
    const before = threadSchedStat()!;
    machine.core.exports.populate(0n, BigInt(faults) * 4096n);
    const after = threadSchedStat()!;
    const wallNs = Number(process.hrtime.bigint() - start);
    const runningNs = after.onCpuNs - before.onCpuNs + (after.runQueueWaitNs - before.runQueueWaitNs);
    return { runningNs, asleepNs: wallNs - runningNs };
  };
  // A busy machine adds time waiting for a CPU, which counts as running: it cannot make a thread that never
  // slept look asleep, nor one that spun look idle. The slack is one scheduler tick (10 ms at HZ=100), by
  // which the thread's time on a CPU can lag.
  const tickNs = 10e6;
  const slept = populate({ longOdds: 1, longNs: 20e6, shortOdds: 0, shortNs: 0 });
  assert.ok(slept.asleepNs >= faults * 20e6 - tickNs, `asleep 20 ms each: ${JSON.stringify(slept)}`);
  const spun = populate({ longOdds: 0, longNs: 0, shortOdds: 1, shortNs: 10e6 });
  assert.ok(spun.runningNs >= faults * 10e6 - tickNs, `busy 10 ms each: ${JSON.stringify(spun)}`);
});

test("rcu survives torture with --long-delays, and the row and the report say they were on", async () => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-torture-"));
  const out = join(dir, "long.csv");
  const run = await torture(["--protection", "rcu", "--seconds", "0.5", "--long-delays", "--out", out]);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /\nlong read-side delays as rcutorture's: 200us in one read side of readers × 500, /);
  // At 1 in 1,000 read sides, half a second of two readers takes hundreds of the short ones.
  const taken = Number(/taken: ([\d,]+) of 200us/.exec(run.stdout)?.[1].replace(/,/g, ""));
  assert.ok(taken > 0, run.stdout);
  assert.equal(run.last, "SUCCESS");
  const [row] = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
  assert.equal(row.long_read_delays, "1");
});
