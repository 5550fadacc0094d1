// `daxbench run`: measure a matrix of configurations, print a table, write a CSV (and other formats).

import { DaxMachine } from "../../machine/dax.ts";
import { SCENARIOS } from "../../registry/scenarios.ts";
import { SWEEPS, DEFAULT_MIN_TIME_NS } from "../../run/matrix.ts";
import { measureGroup, describeConfiguration, mostWorkerCpus } from "../../run/runner.ts";
import { checkAddressSpace } from "../../run/address-space.ts";
import { schedule, RUN_ORDERS } from "../../run/schedule.ts";
import { toRow, type ResultRow } from "../../results/schema.ts";
import { runMetadata } from "../../results/metadata.ts";
import { byConfiguration } from "../../results/configurations.ts";
import { renderRun } from "../../export/formats.ts";
import { summaryTable, summaryWarnings, comparisons } from "../../print/summary.ts";
import { Progress } from "../../print/progress.ts";
import { formatTlbGeometry, SKYLAKE_TLB } from "../../machine/dax.ts";
import { runPlan, type RunArgs } from "../options.ts";
import { formatDuration } from "../../units.ts";
import { interruptible, type Interruptible } from "../interrupt.ts";
import { println, type Io } from "../io.ts";
import { ResultsOutput, rowCount } from "../output.ts";
import { EXIT, type Command } from "../command.ts";
import type { Measurement } from "../../types.ts";

export const runCommand: Command<RunArgs> = {
  usage: "run",
  describe: "run a matrix of configurations, print a table and write a CSV",
  options: (y) =>
    y
      .option("scenario", {
        type: "string",
        array: true,
        describe: `workloads: ${SCENARIOS.map((s) => s.name).join(", ")}`,
      })
      .option("protection", { type: "string", array: true, describe: "schemes guarding alive (see `daxbench list`)" })
      .option("align", { type: "string", array: true, describe: "region alignments: 4k, 2m, 1g" })
      .option("workers", { type: "string", array: true, describe: "reader workers (one per CPU)" })
      .option("size", { type: "string", array: true, describe: "mapping sizes, e.g. 64m, 1g" })
      .option("duration", {
        type: "string",
        describe: "how long timed scenarios run per repetition [default: 1s, --quick 300ms]",
      })
      .option("min-time", {
        type: "string",
        describe:
          "fixed-work scenarios (populate, mmap-mix) repeat their work, each pass on a fresh device, " +
          `until a repetition has been timed this long; 0: one pass [default: ${formatDuration(DEFAULT_MIN_TIME_NS)}]`,
      })
      .option("kill-period", {
        type: "string",
        array: true,
        describe: "churn: time between kills, or never [default: 1ms]",
      })
      .option("read-delay", {
        type: "string",
        array: true,
        describe: "extra read-side length of every fault (ns, or 1us...) [default: 0]",
      })
      .option("policy", {
        type: "string",
        array: true,
        describe: "mapping policies: device (Device-DAX), fs (fs-dax, opportunistic pmds) [default: device]",
      })
      .option("fault-cost", {
        type: "string",
        array: true,
        describe:
          "what each fault pays before the dax handler, outside the read side: 0, a duration (1.3us), " +
          "kernel (the newest results/kernel*.csv) or kernel:PATH [default: 0]",
      })
      .option("gp-cost", {
        type: "string",
        array: true,
        describe:
          "churn: what each grace period costs beyond the model's wait, slept by the updater inside it: 0, " +
          "a duration (16ms), kernel (synchronize_rcu as the newest results/kernel*.csv timed it) or kernel:PATH " +
          "[default: 0]",
      })
      .option("devices", {
        type: "string",
        array: true,
        describe:
          "churn: devices sharing the region, each an equal share of --size that every reader faults and the " +
          "updater kills in turn (SRCU's schemes) [default: 1]",
      })
      .option("srcu-domain", {
        type: "string",
        array: true,
        describe:
          "churn, with --devices: shared (one SRCU domain for every device, the kernel's dax_srcu) or per-device " +
          "[default: shared]",
      })
      .option("tlb-geometry", {
        type: "string",
        describe:
          "tlb scenario: entries/ways of L1 4k, L1 2m, L1 1g, STLB, STLB 1g " +
          `[default: Skylake, ${formatTlbGeometry(SKYLAKE_TLB)}]`,
      })
      .option("sweep", { type: "string", describe: `one of liburcu's sweeps: ${Object.keys(SWEEPS).join(", ")}` })
      .option("repeat", { type: "string", describe: "measured repetitions per configuration [default: 5]" })
      .option("alpha", {
        type: "string",
        default: "0.05",
        describe: 'significance level of every "faster" claim; ~ marks pairs above it',
      })
      .option("seed", {
        type: "string",
        describe: "seed of every worker's random generator and of the order of the repetitions [default: 1]",
      })
      .option("order", {
        type: "string",
        default: "interleaved",
        describe:
          `${RUN_ORDERS.join(" or ")}: every repetition on workers of its own, all configurations' shuffled ` +
          "together; or each configuration's back to back on one set of workers",
      })
      .option("warmup", {
        type: "string",
        describe:
          "uncounted runs on each new set of workers before it measures " +
          "(a timed scenario's last at most 100ms) [default: 1]",
      })
      .option("timeout", {
        type: "string",
        default: "60s",
        describe: "watchdog: a run longer than this (beyond --duration) is aborted",
      })
      .option("out", {
        type: "string",
        nargs: 1,
        describe: "CSV file, or - for stdout [default: results/<date-time>.csv]",
      })
      .option("format", {
        type: "string",
        array: true,
        default: ["csv"],
        describe: "csv, json, md (comma list): one file each, named after --out",
      })
      .option("shard", {
        type: "string",
        describe: "run only the I-th of N slices of the matrix, e.g. 2/4 (merge them after)",
      })
      .option("quick", { type: "boolean", default: false, describe: "the quick suite: populate and churn, short runs" })
      .option("full", { type: "boolean", default: false, describe: "the reference suite published in results/" })
      .option("quiet", { type: "boolean", default: false, describe: "print no table and no progress" })
      .example("$0 run --quick", "the quick suite (what `npm run bench` runs)")
      .example("$0 run --scenario populate --align 4k,2m --protection rcu,mutex --workers 1,2 --size 1g", "pte vs pmd")
      .example(
        "$0 run --scenario churn --protection rcu,mutex --workers 1,2 --duration 2s --kill-period 500us",
        "rcu vs mutex",
      ),
  run,
};

/** While a run goes on, its files are rewritten at most this often (and once more when it ends or is aborted):
 *  a run killed outright loses little, and writing does not come between every repetition. */
const SAVE_INTERVAL_MS = 5000;

async function run(args: RunArgs, io: Io): Promise<number> {
  const startedAt = new Date();
  const machine = new DaxMachine();
  const plan = runPlan(args, machine, startedAt);
  for (const note of plan.notes) println(io.stderr, note);
  const output = ResultsOutput.perFormat(plan.out, plan.formats);
  output.checkWritable();
  // Before the lock: a limit that leaves no room for the workers would end the process with no word (address-space.ts).
  checkAddressSpace(mostWorkerCpus(plan.configs));
  const release = output.lock();
  const meta = runMetadata(startedAt);
  const progress = new Progress(io.stderr);
  const groups = schedule(plan.configs, plan.repeat, plan.order, plan.seed);
  const trials = groups.reduce((sum, group) => sum + group.length, 0);
  const matrixIndex = new Map(plan.configs.map((config, i) => [config, i]));
  const measurements: Measurement[] = [];
  /** The rows in the matrix's order (each configuration's repetitions together), whatever order they ran in. */
  const rows = (): ResultRow[] =>
    [...measurements]
      .sort((a, b) => matrixIndex.get(a.config)! - matrixIndex.get(b.config)! || a.rep - b.rep)
      .map((m) => toRow(m, meta));
  /** Rows in the files as they stand: what an aborted run really leaves. */
  let saved = 0;
  let savedAt = Date.now();
  const save = () => {
    if (output.toStdout) return;
    const finished = rows();
    output.save((format) => renderRun(format, finished, plan.alpha));
    saved = finished.length;
    savedAt = Date.now();
  };
  let failure: string | undefined;
  let current = "";
  let run: Interruptible<void> | undefined;
  try {
    run = await interruptible(async (signal) => {
      try {
        for (const group of groups) {
          current = describeConfiguration(group[0].config);
          const timedNs = group[0].config.scenario.timed ? group[0].config.durationNs : 0;
          measurements.push(
            ...(await measureGroup(
              machine,
              group,
              plan.order,
              // The watchdog allows --timeout beyond the run's own --duration.
              { repeat: group.length, warmup: plan.warmup, timeoutMs: (timedNs + plan.timeoutNs) / 1e6, signal },
              (trial) =>
                args.quiet ||
                progress.update(
                  trial
                    ? `[${trial.position}/${trials}] ${current} rep ${trial.rep}/${plan.repeat}`
                    : `${current} warm-up`,
                ),
            )),
          );
          if (Date.now() - savedAt >= SAVE_INTERVAL_MS) save();
        }
        // A shard with no configuration still writes its (header-only) files, so that merge finds every shard.
        if (plan.configs.length === 0)
          println(io.stderr, "note: this shard holds no configuration of the matrix: writing the header only");
        save();
      } catch (error) {
        // Failed or interrupted, the files keep every repetition that finished.
        if (measurements.length > saved) {
          try {
            save();
          } catch {
            // The run's own failure is what gets reported; the files keep what the last save wrote.
          }
        }
        throw error;
      }
    });
  } catch (error) {
    failure = `in ${current}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    progress.clear();
    release();
  }
  const done = saved ? `the repetitions that finished (${saved} rows) are in ${plan.out}` : "nothing written";
  if (run?.interrupted) {
    println(io.stderr, `daxbench: interrupted${run.cause}; ${done}`);
    return run.status;
  }
  if (failure !== undefined) {
    println(io.stderr, `daxbench: run aborted: ${failure}; ${done}`);
    return EXIT.failed;
  }
  const finished = rows();
  // The files were saved with the last repetition; standard output gets the results once, whole, at the end.
  if (output.toStdout) output.finish(io.stdout, (format) => renderRun(format, finished, plan.alpha));
  if (!args.quiet) {
    const print = output.screen(io);
    const results = byConfiguration(finished);
    println(print, summaryTable(results));
    for (const line of [...comparisons(results, plan.alpha), ...summaryWarnings(results)]) println(print, line);
    const wrote = output.wrote(rowCount(finished.length));
    if (wrote) println(print, wrote);
  }
  return EXIT.ok;
}
