// How repetitions are sampled: their order (interleaved or sequential), fresh workers for each group, readers
// that start timing together, fixed work repeated to a minimum time, and the system check of each repetition.
import { test } from "node:test";
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { parse } from "csv-parse/sync";
import { schedule } from "../host/run/schedule.ts";
import { measureGroup, wantsAnotherPass, PASSES_WALL_FACTOR } from "../host/run/runner.ts";
import { shard } from "../host/run/matrix.ts";
import { matrixConfigurations, shardOption } from "../host/cli/options.ts";
import { WorkerPool } from "../host/run/pool.ts";
import { DaxMachine, simpleMapping, ALIGNMENTS } from "../host/machine/dax.ts";
import { byConfiguration } from "../host/results/configurations.ts";
import { runWarnings } from "../host/print/warnings.ts";
import { reproducibility, splitRuns, idealIntervalHeld } from "../host/results/reproducibility.ts";
import type { Configuration } from "../host/types.ts";
import { INJECTED_LATENESS_MS } from "../host/run/protocol.ts";
import { daxbench, daxbenchWith } from "./daxbench.ts";
import { syntheticRows } from "./synthetic.ts";

const probe = new DaxMachine();

function configurations(
  spec: { scenario?: string; protection?: string; workers?: string; size?: string },
  minTime = "0",
): Configuration[] {
  return matrixConfigurations(
    {
      scenario: [spec.scenario ?? "populate"],
      protection: [spec.protection ?? "rcu,mutex"],
      align: ["4k,2m"],
      workers: [spec.workers ?? "1"],
      size: [spec.size ?? "8m"],
    },
    { duration: "20ms", minTime },
    probe,
  );
}

const order = (groups: ReturnType<typeof schedule>) =>
  groups.flat().map((t) => `${t.config.protection} ${t.config.align} ${t.rep}`);

test(
  "interleaved: " + "every repetition a group of its own, all configurations shuffled together, numbered in run order",
  () => {
    const configs = configurations({});
    const groups = schedule(configs, 5, "interleaved", 1n);
    assert.equal(groups.length, 20);
    assert.ok(
      groups.every((group) => group.length === 1),
      "each repetition gets workers of its own",
    );
    const trials = groups.flat();
    assert.deepEqual(
      trials.map((t) => t.position),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    for (const config of configs) {
      const mine = trials.filter((t) => t.config === config);
      assert.deepEqual(
        mine.map((t) => t.rep),
        [1, 2, 3, 4, 5],
        "a configuration's repetitions are numbered in the order they run",
      );
    }
    // Not the matrix's order: some repetition of a configuration runs between two of another's.
    const byConfig = trials.map((t) => configs.indexOf(t.config));
    assert.ok(
      byConfig.some((c, i) => i > 0 && c !== byConfig[i - 1] && byConfig.indexOf(c) < i),
      "configurations are interleaved",
    );
  },
);

test(
  "interleaved: " +
    "the seed decides the order, the same seed gives the same order, and a shard is scheduled alike anywhere",
  () => {
    const configs = configurations({});
    assert.deepEqual(order(schedule(configs, 5, "interleaved", 1n)), order(schedule(configs, 5, "interleaved", 1n)));
    assert.notDeepEqual(order(schedule(configs, 5, "interleaved", 1n)), order(schedule(configs, 5, "interleaved", 2n)));
    const slice = shard(configs, shardOption("2/2"));
    assert.deepEqual(
      order(schedule(slice, 3, "interleaved", 7n)),
      order(schedule(shard(configurations({}), shardOption("2/2")), 3, "interleaved", 7n)),
    );
  },
);

test("sequential: one group per configuration, its repetitions back to back, in the matrix's order", () => {
  const configs = configurations({});
  const groups = schedule(configs, 3, "sequential", 1n);
  assert.deepEqual(
    groups.map((group) => group.map((t) => t.rep)),
    configs.map(() => [1, 2, 3]),
  );
  assert.deepEqual(
    groups.map((group) => group[0].config),
    configs,
  );
  assert.deepEqual(
    groups.flat().map((t) => t.position),
    Array.from({ length: 12 }, (_, i) => i + 1),
  );
});

test("each group of repetitions runs on worker threads of its own; a group's repetitions share theirs", async () => {
  const [config] = configurations({ protection: "rcu", workers: "2" });
  const machine = new DaxMachine();
  const settings = { repeat: 2, warmup: 0, timeoutMs: 60_000 };
  const first = await measureGroup(machine, schedule([config], 2, "sequential", 1n)[0], "sequential", settings);
  const second = await measureGroup(machine, schedule([config], 1, "sequential", 1n)[0], "sequential", settings);
  assert.deepEqual(first[0].threadIds, first[1].threadIds, "one pool for a group");
  assert.equal(new Set([...first[0].threadIds, ...second[0].threadIds]).size, 4, "no thread of one group runs another");
});

test("released readers start timing together: none starts before a late one has joined", async () => {
  const machine = new DaxMachine();
  const { device, vma } = simpleMapping(ALIGNMENTS["4k"], 8n << 20n);
  machine.createDevice(device);
  machine.setProtection("rcu");
  machine.mmap(vma);
  process.env.DAXBENCH_INJECT = "late:2"; // workers copy the environment when they start
  const pool = await WorkerPool.start(machine, 2).finally(() => delete process.env.DAXBENCH_INJECT);
  try {
    const job = (from: bigint, to: bigint) => ({
      role: "reader" as const,
      fn: "populate" as const,
      args: [from, to],
      untilStopped: false,
      stopOnViolation: false,
    });
    const released = process.hrtime.bigint();
    const [early, late] = await pool.run([job(0n, 4n << 20n), job(4n << 20n, 8n << 20n)], { timeoutMs: 60_000 });
    const joined = released + BigInt(INJECTED_LATENESS_MS) * 1_000_000n;
    assert.ok(late.startNs >= joined, "the late reader started after its delay");
    assert.ok(
      early.startNs >= joined,
      `the reader on time waited for the late one (started ${Number(joined - early.startNs) / 1e6} ms too early)`,
    );
  } finally {
    await pool.stop();
  }
});

test("reader_parallelism counts only time on a CPU: more readers than CPUs never reach their count", async () => {
  const cpus = availableParallelism();
  const readers = cpus + 2;
  const [config] = matrixConfigurations(
    { scenario: ["readside"], protection: ["rcu"], align: ["4k"], workers: [String(readers)], size: ["64m"] },
    { duration: "200ms" },
    probe,
  );
  const [m] = await measureGroup(new DaxMachine(), schedule([config], 1, "sequential", 1n)[0], "sequential", {
    repeat: 1,
    warmup: 0,
    timeoutMs: 60_000,
  });
  if (m.readerParallelism === undefined) return; // no schedstat here: the figure is left empty
  assert.ok(m.readerParallelism > 0);
  assert.ok(
    m.readerParallelism <= cpus + 0.25,
    `${readers} readers on ${cpus} CPUs ran as ${m.readerParallelism} at once`,
  );
});

test(
  "a fixed-work repetition does its work again until --min-time of timed work, " +
    "or PASSES_WALL_FACTOR times it of wall time",
  () => {
    const minTime = 20e6;
    assert.equal(wantsAnotherPass(19e6, 19e6, minTime), true, "short of the minimum time: again");
    assert.equal(wantsAnotherPass(20e6, 21e6, minTime), false, "the minimum time of timed work reached: done");
    // Where setting a pass up costs more than its work (a few us of faults at 2 MiB), the timed part may never reach
    // the minimum time; the repetition ends once it has taken PASSES_WALL_FACTOR times it, set-up included.
    assert.equal(wantsAnotherPass(5e6, PASSES_WALL_FACTOR * minTime - 1, minTime), true);
    assert.equal(wantsAnotherPass(5e6, PASSES_WALL_FACTOR * minTime, minTime), false);
    assert.equal(wantsAnotherPass(0, 0, 0), false, "--min-time 0: one pass");
  },
);

test("fixed work repeats in passes until the minimum time; every counter is the passes' sum", async () => {
  const result = await daxbench(
    "run",
    "--scenario",
    "populate",
    "--protection",
    "rcu",
    "--align",
    "4k,2m",
    "--size",
    "128m",
    "--min-time",
    "20ms",
    "--repeat",
    "2",
    "--warmup",
    "1",
    "--out",
    "-",
    "--quiet",
  );
  assert.equal(result.status, 0, result.stderr);
  const rows = parse(result.stdout, { columns: true }) as Record<string, string>[];
  // A warm pass of a 128 MiB populate takes 0.2 to 1.2 ms, but the first of a process (its tables' pages touched
  // for the first time: the warm-up's) tens of ms, and so may one the scheduler sets aside on a loaded machine (a
  // 4 KiB pass took 38 ms at a load of 23 on 2 CPUs); such a pass fills the minimum time alone, rightly. Whichever
  // passes are slow, not all four repetitions' first passes last 20 ms: the work is done again in some.
  assert.ok(
    rows.some((row) => Number(row.passes) > 1),
    "a 128 MiB populate is far shorter than 20 ms: it is done again",
  );
  for (const row of rows) {
    const passes = Number(row.passes);
    assert.equal(row.min_time_ns, "20000000");
    assert.equal(Number(row.faults), passes * (row.align === "4k" ? 32768 : 64), "faults: size / align each pass");
    assert.equal(Number(row.ops), passes * 32768, "ops: every 4 KiB touched once a pass");
    assert.equal(Number(row.faults_per_gib), row.align === "4k" ? 262144 : 512);
  }
  const once = await daxbench(
    "run",
    "--scenario",
    "populate",
    "--protection",
    "rcu",
    "--align",
    "4k",
    "--size",
    "8m",
    "--min-time",
    "0",
    "--repeat",
    "1",
    "--warmup",
    "0",
    "--out",
    "-",
    "--quiet",
  );
  assert.equal(
    (parse(once.stdout, { columns: true }) as Record<string, string>[])[0].passes,
    "1",
    "--min-time 0: one pass",
  );
});

test("run records the order and each repetition's place in it, and writes rows in the matrix's order", async () => {
  const args = [
    "run",
    "--scenario",
    "populate",
    "--protection",
    "rcu,mutex",
    "--align",
    "4k",
    "--size",
    "8m",
    "--min-time",
    "0",
    "--repeat",
    "3",
    "--warmup",
    "0",
    "--out",
    "-",
    "--quiet",
  ];
  const interleaved = parse((await daxbench(...args)).stdout, { columns: true }) as Record<string, string>[];
  assert.deepEqual(
    interleaved.map((r) => `${r.protection} ${r.rep}`),
    ["rcu 1", "rcu 2", "rcu 3", "mutex 1", "mutex 2", "mutex 3"],
  );
  assert.ok(interleaved.every((r) => r.order === "interleaved"));
  assert.deepEqual(
    interleaved.map((r) => Number(r.position)).sort((a, b) => a - b),
    [1, 2, 3, 4, 5, 6],
  );
  const sequential = parse((await daxbench(...args, "--order", "sequential")).stdout, { columns: true }) as Record<
    string,
    string
  >[];
  assert.deepEqual(
    sequential.map((r) => [r.order, r.position]),
    [1, 2, 3, 4, 5, 6].map((p) => ["sequential", String(p)]),
  );
  const bad = await daxbench(...args, "--order", "random");
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim(), "daxbench: --order random is not one of: interleaved, sequential");
});

test("a configuration whose readers did not run side by side, or met steal, is warned of by name", () => {
  const rows = syntheticRows([
    { workers: 2, nsPerOp: [10, 11, 12], cells: { cpu_count: 4, reader_parallelism: 1.9 } },
    { protection: "mutex", workers: 2, nsPerOp: [10, 11, 12], cells: { cpu_count: 4, reader_parallelism: 1.2 } },
    {
      protection: "qsbr",
      workers: 2,
      nsPerOp: [10, 11, 12],
      cells: { cpu_count: 4, reader_parallelism: 1.9, steal_ns: 0.5e9, elapsed_ns: 1e9 },
    },
  ]);
  const warnings = runWarnings(byConfiguration(rows));
  assert.deepEqual(
    warnings.filter((w) => /reader_parallelism/.test(w)),
    [
      "warning: populate mutex 4k 2w 1g: in 3 of 3 repetitions its 2 readers had CPUs for only 1.2…1.2 of 2 " +
        "on average (reader_parallelism): another thread held a CPU, and the time includes waiting for it",
    ],
  );
  assert.deepEqual(
    warnings.filter((w) => /steal/.test(w)),
    [
      "warning: populate qsbr 4k 2w 1g: the hypervisor took 12.5% of the CPUs' time while it ran (steal): " +
        "its figures include that",
    ],
  );
});

test("fixed work timed for less than --min-time (passes stopped by the wall-time bound) is warned of by name", () => {
  const rows = syntheticRows([
    { nsPerOp: [30, 40, 120], cells: { min_time_ns: 100_000_000, passes: 3 } }, // timed 30, 40 and 120 ms
    { protection: "mutex", nsPerOp: [100, 110, 120], cells: { min_time_ns: 100_000_000, passes: 2 } },
    { protection: "qsbr", nsPerOp: [1, 1, 1], cells: { min_time_ns: 0 } }, // --min-time 0: one pass, as asked
  ]);
  assert.deepEqual(
    runWarnings(byConfiguration(rows)).filter((w) => /min-time/.test(w)),
    [
      "warning: populate rcu 4k 1w 1g: in 2 of 3 repetitions the passes were timed for only 30ms…40ms, " +
        "short of --min-time 100ms: " +
        "the wall-time bound came first (it counts setting each pass up and waiting for a CPU)",
    ],
  );
});

test("a bad --min-time is refused before any work", async () => {
  const bad = await daxbenchWith({}, "run", "--min-time", "soon", "--out", "-");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--min-time soon is not a duration/);
});

test("reproducibility: intervals that hold other runs' medians, contradicted verdicts, repeated ones, spreads", () => {
  const low = [10, 10.1, 10.2, 10.3, 10.4];
  const high = low.map((x) => x + 10);
  const run = (started: string, rcu: number[], mutex: number[]) =>
    syntheticRows([
      { protection: "rcu", nsPerOp: rcu, cells: { started_at: started } },
      { protection: "mutex", nsPerOp: mutex, cells: { started_at: started } },
    ]);
  const rows = [
    ...run("2026-01-03T00:00:00.000Z", low, low), // rcu ~ mutex
    ...run("2026-01-01T00:00:00.000Z", low, high), // rcu faster
    ...run("2026-01-02T00:00:00.000Z", high, low), // mutex faster
  ];
  const runs = splitRuns(rows);
  assert.deepEqual(
    runs.map((r) => r[0].started_at),
    ["2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z", "2026-01-03T00:00:00.000Z"],
  );
  const r = reproducibility(runs, 0.05);
  // rcu's medians 10.2, 20.2, 10.2: runs 1 and 3 hold each other's; mutex's 20.2, 10.2, 10.2: runs 2 and 3.
  assert.deepEqual([r.intervalHeld, r.intervalCases], [4, 12]);
  assert.equal(r.pairs.length, 1);
  assert.equal(r.pairs[0].dimension, "protection");
  assert.equal(r.pairs[0].contradicted, true, "one run calls rcu faster, another mutex");
  assert.deepEqual([r.verdictRepeated, r.verdictCases], [0, 4], "neither verdict is repeated by another run");
  const rcu = r.configurations.find((c) => c.result.identity.protection === "rcu")!;
  assert.deepEqual(rcu.medians, [10.2, 20.2, 10.2]);
  assert.ok(Math.abs(rcu.spread! - 20.2 / 10.2) < 1e-12);
  const agreeing = reproducibility(
    splitRuns([...run("2026-01-01T00:00:00.000Z", low, high), ...run("2026-01-02T00:00:00.000Z", low, high)]),
    0.05,
  );
  assert.deepEqual([agreeing.verdictRepeated, agreeing.verdictCases, agreeing.intervalHeld], [2, 2, 4]);
  assert.equal(agreeing.pairs[0].contradicted, false);
});

test(
  "reproducibility's ceiling: runs that differ by nothing but their own noise hold another run's median in about " +
    "85% of cases with five repetitions, whatever the spread, and never the 95% the interval claims",
  () => {
    const run = (started: string, n: number, scale: number) =>
      syntheticRows([
        { nsPerOp: Array.from({ length: n }, (_, i) => scale * (10 + i)), cells: { started_at: started } },
      ]);
    const configurations = (n: number, scale = 1) =>
      reproducibility(
        splitRuns(Array.from({ length: 6 }, (_, k) => run(`2026-01-0${k + 1}T00:00:00.000Z`, n, scale)).flat()),
        0.05,
      ).configurations;
    const five = idealIntervalHeld(configurations(5))!;
    assert.ok(five > 0.82 && five < 0.88, `five repetitions: ${five}`);
    assert.equal(idealIntervalHeld(configurations(5, 1000)), five, "the spread does not change it");
    assert.ok(idealIntervalHeld(configurations(20))! < 0.95, "never the interval's own 95%");
    assert.equal(idealIntervalHeld(configurations(1)), undefined, "one repetition has no interval");
  },
);
