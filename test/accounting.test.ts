// What every figure of the CSV means, pinned where it is computed: a pass from the workers' results, a
// repetition from its passes (host/run/runner.ts), a row from a repetition (toRow, host/results/schema.ts).
// In process, on known inputs, so that each figure is checked exactly; then on real runs where only a run can
// say it: ns_per_op is the time per CPU at 2 workers and more, and the achieved kill period is what the updater
// did when it could not keep up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DaxMachine } from "../host/machine/dax.ts";
import { measureGroup, pass, repetition, type Pass } from "../host/run/runner.ts";
import { schedule } from "../host/run/schedule.ts";
import { matrixConfigurations, type MatrixArgs } from "../host/cli/options.ts";
import { toRow } from "../host/results/schema.ts";
import { runMetadata } from "../host/results/metadata.ts";
import { byConfiguration } from "../host/results/configurations.ts";
import { summaryWarnings } from "../host/print/summary.ts";
import type { Configuration, Measurement, Stats } from "../host/types.ts";
import type { JobResult } from "../host/run/protocol.ts";

const probe = new DaxMachine();
const meta = runMetadata(new Date("2026-01-01T00:00:00.000Z"));

function configuration(
  spec: Partial<Omit<MatrixArgs, "scenario">> & { scenario: string },
  timing: { duration?: string; minTime?: string } = {},
): Configuration {
  const [config] = matrixConfigurations(
    {
      protection: ["rcu"],
      align: ["4k"],
      workers: ["1"],
      size: ["8m"],
      ...spec,
      scenario: [spec.scenario],
    } as MatrixArgs,
    { duration: timing.duration ?? "100ms", minTime: timing.minTime ?? "0" },
    probe,
  );
  return config;
}

/** A CPU's counters, all zero but those given. */
function stats(given: Partial<Stats> = {}): Stats {
  const zero = Object.fromEntries(Object.keys(probe.stats(0)).map((name) => [name, 0n])) as Stats;
  return { ...zero, ...given } as Stats;
}

function measurement(config: Configuration, given: Partial<Measurement>): Measurement {
  return {
    config,
    rep: 1,
    passes: 1,
    order: "interleaved",
    position: 1,
    elapsedNs: 1e6,
    ops: 1000,
    readerOps: [1000],
    fakeWriterGracePeriods: [],
    stats: stats(),
    gracePeriodsNs: [],
    updaterElapsedNs: config.scenario.updater ? 1e6 : undefined,
    staleEntries: 0,
    readerParallelism: undefined,
    threadIds: [],
    stealNs: undefined,
    ...given,
  };
}

test(
  "a row's figures from a repetition: " +
    "ns_per_op per CPU at every worker count, ops_per_sec the aggregate, sigbus every refusal",
  () => {
    for (const workers of [1, 2, 3, 8]) {
      const config = configuration({ scenario: "populate", workers: [String(workers)] });
      const m = measurement(config, {
        elapsedNs: 6_000_000,
        ops: 4000,
        passes: 2,
        position: 7,
        rep: 3,
        stats: stats({
          pte_installs: 3000n,
          pmd_installs: 2n,
          pud_installs: 1n,
          raced: 5n,
          hits: 990n,
          sigbus: 40n,
          sigbus_dead: 1n,
          sigbus_below_align: 39n,
          fallback: 6n,
          oom: 2n,
        }),
        readerParallelism: 1.23456,
        stealNs: 20_000_000,
      });
      const row = toRow(m, meta);
      assert.equal(row.workers, workers);
      assert.equal(row.elapsed_ns, 6_000_000);
      assert.equal(row.ops, 4000);
      assert.equal(
        row.ns_per_op,
        (6_000_000 * workers) / 4000,
        `${workers} workers: the time one CPU spent per operation`,
      );
      assert.equal(row.ops_per_sec, Math.round(4000 / 0.006), "all readers' operations per second of elapsed time");
      assert.equal(row.faults, 3003, "faults: entries installed, at every size");
      assert.deepEqual(
        [row.pte_installs, row.pmd_installs, row.pud_installs, row.raced, row.hits, row.fallback, row.oom],
        [3000, 2, 1, 5, 990, 6, 2],
      );
      assert.equal(row.sigbus, 40, "sigbus: every refused touch, whatever the reason");
      assert.equal(row.passes, 2);
      assert.equal(row.position, 7);
      assert.equal(row.rep, 3);
      assert.equal(row.mapping_bytes, 8 << 20);
      assert.equal(
        row.faults_per_gib,
        Math.round((3003 / (2 * (8 << 20))) * 2 ** 30),
        "faults per GiB of what the passes populated",
      );
      assert.equal(row.reader_parallelism, 1.235);
      assert.equal(row.steal_ns, 20_000_000);
      assert.equal(row.min_time_ns, 0);
      assert.equal(row.duration_ns, "", "a fixed-work scenario has no duration");
      assert.deepEqual(
        [row.kills, row.kill_period_ns, row.kill_period_achieved_ns, row.violations, row.stale_entries],
        [0, "", "", "", ""],
        "no updater",
      );
    }
    const none = toRow(
      measurement(configuration({ scenario: "populate" }), {
        ops: 0,
        readerParallelism: undefined,
        stealNs: undefined,
      }),
      meta,
    );
    assert.deepEqual(
      [none.ns_per_op, none.reader_parallelism, none.steal_ns],
      ["", "", ""],
      "no operation, no time per operation; no system figure, no cell",
    );
  },
);

test(
  "a churn row: kills are the grace periods, " +
    "the achieved period the updater's time over them, not the period asked for",
  () => {
    const config = configuration({
      scenario: "churn",
      workers: ["2"],
      killPeriod: ["1ms"],
      readDelay: ["10us"],
      faultCost: ["2us"],
    });
    const gracePeriodsNs = [3e6, 1e6, 2e6, 6e6, 4e6];
    const row = toRow(
      measurement(config, {
        elapsedNs: 40e6,
        updaterElapsedNs: 47e6,
        gracePeriodsNs,
        ops: 8000,
        stats: stats({ violations: 0n }),
        staleEntries: 0,
      }),
      meta,
    );
    assert.equal(row.kills, 5);
    assert.equal(row.kill_period_ns, 1_000_000);
    assert.equal(row.kill_period_achieved_ns, 47e6 / 5, "the updater's own run time over its kills");
    assert.deepEqual(
      [row.gp_p50_ns, row.gp_p99_ns, row.gp_max_ns],
      [3e6, 6e6, 6e6],
      "nearest-rank percentiles of the grace periods",
    );
    assert.equal(row.ns_per_op, (40e6 * 2) / 8000);
    assert.equal(row.duration_ns, 100e6);
    assert.equal(row.min_time_ns, "", "a timed scenario has no minimum time");
    assert.deepEqual([row.read_delay_ns, row.fault_cost_ns, row.fault_cost_source], [10_000, 2000, "2us"]);
    assert.deepEqual([row.violations, row.stale_entries], [0, 0]);
    const never = toRow(
      measurement(configuration({ scenario: "churn", killPeriod: ["never"] }), {
        updaterElapsedNs: 40e6,
        gracePeriodsNs: [],
      }),
      meta,
    );
    assert.deepEqual(
      [never.kills, never.kill_period_ns, never.kill_period_achieved_ns],
      [0, "", ""],
      "no kill: no achieved period",
    );
    // readside has no fault: the fault path's settings are not its figures.
    const readside = toRow(
      measurement(configuration({ scenario: "readside", faultCost: ["2us"], readDelay: ["10us"] }), {}),
      meta,
    );
    assert.deepEqual(
      [
        readside.align,
        readside.mapping_bytes,
        readside.read_delay_ns,
        readside.fault_cost_ns,
        readside.fault_cost_source,
        readside.faults_per_gib,
      ],
      ["", "", "", "", "", ""],
    );
  },
);

/** A worker's result: `startMs`..`endMs` on one clock, `waitMs` of it waiting for a CPU. */
function job(startMs: number, endMs: number, ops: number, waitMs?: number, gracePeriodsNs: number[] = []): JobResult {
  const ns = (ms: number) => BigInt(Math.round(ms * 1e6));
  return {
    ops,
    startNs: ns(startMs),
    endNs: ns(endMs),
    runQueueWaitNs: waitMs === undefined ? undefined : waitMs * 1e6,
    gracePeriodsNs,
    fakeGracePeriods: 0,
  };
}

test(
  "a pass: elapsed from the first reader's start to the last one's end, " +
    "operations and counters of the readers only, the updater's own time",
  () => {
    const config = configuration({ scenario: "churn", workers: ["2"], killPeriod: ["1ms"] });
    const p = pass(probe, config, [job(10, 40, 300, 5), job(12, 50, 200, 1), job(9, 55, 2, undefined, [1e6, 2e6])]);
    assert.equal(p.elapsedNs, 40e6, "10 ms to 50 ms: the readers' span, not the updater's");
    assert.equal(p.busyNs, (30 - 5 + 38 - 1) * 1e6, "each reader's time less its wait for a CPU");
    assert.equal(p.ops, 500, "the readers' operations; the updater's kills are not operations");
    assert.deepEqual(p.gracePeriodsNs, [1e6, 2e6]);
    assert.equal(p.updaterElapsedNs, 46e6, "the updater's own time, 9 ms to 55 ms");
    const unknown = pass(probe, config, [job(10, 40, 300, 5), job(12, 50, 200), job(9, 55, 2)]);
    assert.equal(unknown.busyNs, undefined, "one reader's wait unknown: the busy time is unknown");
  },
);

test(
  "a repetition: " +
    "its passes' time, operations and counters summed, parallelism their CPU time over it, steal its own",
  () => {
    const config = configuration({ scenario: "populate", workers: ["2"] }, { minTime: "50ms" });
    const passOf = (
      elapsedMs: number,
      busyMs: number | undefined,
      ops: number,
      installs: bigint,
      sigbus: bigint,
    ): Pass => ({
      elapsedNs: elapsedMs * 1e6,
      busyNs: busyMs === undefined ? undefined : busyMs * 1e6,
      ops,
      readerOps: [ops / 2, ops / 2],
      fakeWriterGracePeriods: [],
      stats: stats({ pte_installs: installs, sigbus }),
      gracePeriodsNs: [],
      updaterElapsedNs: undefined,
      staleEntries: 0,
      unaccountedInstalls: 0,
    });
    const trial = { config, rep: 2, position: 9 };
    const m = repetition(
      trial,
      "sequential",
      [passOf(10, 15, 100, 90n, 1n), passOf(20, 30, 200, 180n, 2n), passOf(30, 45, 300, 270n, 3n)],
      { before: 5e6, after: 35e6 },
      [4, 5],
    );
    assert.deepEqual([m.rep, m.position, m.order, m.passes], [2, 9, "sequential", 3]);
    assert.equal(m.elapsedNs, 60e6);
    assert.equal(m.ops, 600);
    assert.deepEqual(m.readerOps, [300, 300], "each reader's operations summed over the passes");
    assert.equal(m.stats.pte_installs, 540n);
    assert.equal(m.stats.sigbus, 6n);
    assert.equal(m.readerParallelism, 1.5, "90 ms on CPUs over 60 ms");
    assert.equal(m.stealNs, 30e6, "steal during the repetition, not since boot");
    assert.deepEqual(m.threadIds, [4, 5]);
    const unknown = repetition(
      trial,
      "sequential",
      [passOf(10, 15, 100, 90n, 0n), passOf(20, undefined, 200, 180n, 0n)],
      { before: undefined, after: 1e6 },
      [],
    );
    assert.equal(unknown.readerParallelism, undefined);
    assert.equal(unknown.stealNs, undefined);
  },
);

test(
  "ns_per_op is the time per CPU at 2 and 3 workers: " +
    "each reader's share of the work at the elapsed time, times the readers",
  async () => {
    for (const workers of [2, 3]) {
      const config = configuration({ scenario: "populate", workers: [String(workers)], align: ["4k"], size: ["12m"] });
      const [m] = await measureGroup(new DaxMachine(), schedule([config], 1, "sequential", 1n)[0], "sequential", {
        repeat: 1,
        warmup: 0,
        timeoutMs: 60_000,
      });
      const row = toRow(m, meta);
      assert.equal(row.ops, 3072, `${workers} workers: every 4 KiB of 12 MiB once`);
      assert.equal(row.sigbus, 0);
      assert.equal(row.faults, 3072, "each page faulted once, by the reader whose slice it is in");
      assert.equal(
        row.ns_per_op,
        Math.round(((m.elapsedNs * workers) / 3072) * 1000) / 1000,
        `${workers} workers: elapsed × workers / ops`,
      );
    }
  },
);

test(
  "an updater that cannot keep up: " +
    "the achieved kill period exceeds the one asked by the grace periods it measured, and is warned of",
  async () => {
    // Kills asked every 10 us, while every fault's read side lasts 1 ms and a grace period waits for the one in
    // flight: no kill can come that often, whoever gets the CPUs.
    const config = configuration(
      {
        scenario: "churn",
        protection: ["rcu"],
        workers: ["1"],
        killPeriod: ["10us"],
        readDelay: ["1ms"],
        size: ["64k"],
      },
      { duration: "100ms" },
    );
    const [m] = await measureGroup(new DaxMachine(), schedule([config], 1, "sequential", 1n)[0], "sequential", {
      repeat: 1,
      warmup: 0,
      timeoutMs: 60_000,
    });
    const row = toRow(m, meta);
    const kills = m.gracePeriodsNs.length;
    assert.ok(kills > 0, "the updater killed");
    assert.equal(row.kills, kills);
    const meanGracePeriod = m.gracePeriodsNs.reduce((a, b) => a + b, 0) / kills;
    assert.ok(meanGracePeriod > 0);
    const achieved = Number(row.kill_period_achieved_ns);
    // Each kill took the period asked (at least: a timed wait never returns early), then its grace period, its
    // zap and the revive: the figure exceeds the period by at least the mean grace period measured.
    assert.ok(
      achieved + 1 >= 10_000 + meanGracePeriod,
      `achieved ${achieved} ns: at least the 10 us asked plus the mean grace period measured ` +
        `(${Math.round(meanGracePeriod)} ns over ${kills} kills)`,
    );
    assert.ok(Math.abs(achieved - m.updaterElapsedNs! / kills) <= 0.5, "the updater's own time over its kills");
    const warnings = summaryWarnings(byConfiguration([1, 2, 3].map((rep) => ({ ...row, rep }))));
    assert.ok(
      warnings.some((w) => /the updater killed every .*, not every 10us as asked/.test(w)),
      warnings.join("\n"),
    );
  },
);
