// `daxbench torture`: check the teardown guarantee under kills, scheme by scheme; SUCCESS, FAILURE or UNTESTED.

import { runTorture, type TortureOptions } from "../../run/torture.ts";
import type { Configuration } from "../../types.ts";
import { DaxMachine, MIGRATION_ODDS } from "../../machine/dax.ts";
import { mostWorkerCpus } from "../../run/runner.ts";
import { checkAddressSpace } from "../../run/address-space.ts";
import { toRow } from "../../results/schema.ts";
import { runMetadata } from "../../results/metadata.ts";
import { csvText } from "../../export/csv.ts";
import { ResultsOutput, rowCount } from "../output.ts";
import { tortureReport, soakStatus } from "../../print/torture.ts";
import {
  fileOutOption,
  secondsOption,
  seedOption,
  soakOption,
  tortureConfigurations,
  watchdogOption,
} from "../options.ts";
import { interruptible } from "../interrupt.ts";
import { println, type Io } from "../io.ts";
import { EXIT, type Command } from "../command.ts";

interface TortureArgs {
  protection: string;
  seconds: string;
  workers: string;
  "read-delay": string;
  "kill-period": string;
  "gp-cost": string;
  devices: string;
  "srcu-domain": string;
  align: string;
  size: string;
  "stop-on-violation": boolean;
  timeout: string;
  out?: string;
  seed?: string;
  "random-delay": string;
  soak?: string;
  "long-delays": boolean;
  "fake-writers": string;
  migrate: boolean;
  updaters: string;
}

export const tortureCommand: Command<TortureArgs> = {
  usage: "torture",
  describe: "check the teardown guarantee under kills; prints SUCCESS (exit 0), or FAILURE or UNTESTED (exit 1)",
  options: (y) =>
    y
      .option("protection", {
        type: "string",
        default: "rcu",
        describe: "the schemes to torture, one after another (comma list; see `daxbench list`)",
      })
      .option("seconds", { type: "string", default: "10", describe: "how long to run" })
      .option("workers", { type: "string", default: "2", describe: "reader workers; one more kills and revives" })
      .option("read-delay", {
        type: "string",
        default: "1000",
        describe: "extra read-side length of every fault (ns, or 1us...)",
      })
      .option("kill-period", {
        type: "string",
        default: "200us",
        describe: "time between kills (0: back to back; never is refused: it tests nothing)",
      })
      .option("gp-cost", {
        type: "string",
        default: "0",
        describe:
          "what each grace period costs beyond the model's wait, slept inside it: 0, a duration (16ms), " +
          "kernel (synchronize_rcu as the newest results/kernel*.csv timed it) or kernel:PATH",
      })
      .option("devices", {
        type: "string",
        default: "1",
        describe:
          "devices sharing the region, each an equal share of --size that every reader faults and the updater " +
          "kills in turn (SRCU's schemes)",
      })
      .option("srcu-domain", {
        type: "string",
        default: "shared",
        describe: "with --devices: shared (one SRCU domain for every device, the kernel's dax_srcu) or per-device",
      })
      .option("align", { type: "string", default: "4k", describe: "region alignment: 4k, 2m, 1g" })
      .option("size", { type: "string", default: "64m", describe: "mapping size" })
      .option("stop-on-violation", { type: "boolean", default: false, describe: "stop at the first violation" })
      .option("random-delay", {
        type: "string",
        default: "5us",
        describe: "random delays at every step boundary of a fault and of teardown, up to this long (0: none)",
      })
      .option("seed", {
        type: "string",
        describe: "seed of every worker's random generator (touches, delays) [default: drawn, and printed]",
      })
      .option("long-delays", {
        type: "boolean",
        default: false,
        describe:
          "rcutorture's rare long read-side delays: 200us in one read side of readers × 500, " +
          "300ms (asleep) in one of readers × 600,000",
      })
      .option("fake-writers", {
        type: "string",
        default: "0",
        describe:
          "rcutorture's fake writers: this many more CPUs running grace periods back to back beside the updater " +
          "(schemes whose synchronize() is a grace period alone)",
      })
      .option("migrate", {
        type: "boolean",
        default: false,
        describe:
          "readers that migrate between lock and unlock: one SRCU read side in " +
          `${MIGRATION_ODDS} unlocks on another CPU's counter (the rcu family)`,
      })
      .option("updaters", {
        type: "string",
        default: "1",
        describe:
          "updaters killing and reviving at once, up to --devices: updater u kills devices u, u + updaters, ... " +
          "in turn",
      })
      .option("soak", {
        type: "string",
        describe:
          "go on for this long (1h) in rounds of --seconds, a status line after each, " +
          "stopping at the first round that does not end in SUCCESS",
      })
      .option("timeout", { type: "string", default: "60s", describe: "watchdog beyond --seconds" })
      .option("out", {
        type: "string",
        nargs: 1,
        describe: "write the summary as a CSV row per scheme, in the run schema",
      })
      .example("$0 torture --protection rcu --seconds 10 --workers 2", "must end SUCCESS")
      .example("$0 torture --protection none --seconds 5", "must end FAILURE")
      .example("$0 torture --protection rcu --kill-period 0 --soak 10m --seconds 5", "a kill flood, soaked"),
  run: torture,
};

async function torture(args: TortureArgs, io: Io): Promise<number> {
  const startedAt = new Date();
  const seconds = secondsOption("seconds", args.seconds);
  // A seed not given is drawn and printed, so that any run, a failing one above all, can be made again.
  const seed = seedOption(args.seed, BigInt(Math.floor(Math.random() * 2 ** 31)));
  fileOutOption(args.out, "torture prints its report on stdout and writes its CSV to a file");
  const output = args.out === undefined ? undefined : ResultsOutput.file(args.out, "csv");
  output?.checkWritable();
  const configs = tortureConfigurations(
    {
      protection: args.protection,
      seconds,
      workers: args.workers,
      readDelay: args["read-delay"],
      killPeriod: args["kill-period"],
      gpCost: args["gp-cost"],
      devices: args.devices,
      srcuDomain: args["srcu-domain"],
      align: args.align,
      size: args.size,
      seed,
      randomDelay: args["random-delay"],
      longDelays: args["long-delays"],
      fakeWriters: args["fake-writers"],
      migrate: args.migrate,
      updaters: args.updaters,
    },
    new DaxMachine(),
  );
  const soakNs = soakOption(args.soak, configs);
  const timeoutNs = watchdogOption(`${seconds}s`, args.timeout);
  checkAddressSpace(mostWorkerCpus(configs));
  const release = output?.lock();
  try {
    return await tortureAll(
      configs,
      { stopOnViolation: args["stop-on-violation"], timeoutNs, soakNs },
      output,
      startedAt,
      io,
    );
  } finally {
    release?.();
  }
}

/** Tortures every configuration, printing each verdict as it comes, then writes the rows; the exit status. */
async function tortureAll(
  configs: Configuration[],
  options: Omit<TortureOptions, "signal">,
  output: ResultsOutput | undefined,
  startedAt: Date,
  io: Io,
): Promise<number> {
  let printed = 0;
  let run;
  try {
    run = await interruptible((signal) =>
      runTorture(
        configs,
        { ...options, signal },
        (verdict) => println(io.stdout, `${printed++ ? "\n" : ""}${tortureReport(verdict)}`),
        (round, number, elapsedNs) =>
          println(
            io.stdout,
            `${number === 1 && printed ? "\n" : ""}${soakStatus(round, number, elapsedNs, options.soakNs!)}`,
          ),
      ),
    );
  } catch (error) {
    println(io.stderr, `daxbench: torture aborted: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failed;
  }
  if (run.interrupted) {
    println(io.stderr, `daxbench: interrupted${run.cause}; nothing written`);
    return run.status;
  }
  const rounds = run.value.flatMap((tortured) => tortured.rounds);
  const verdicts = run.value.map((tortured) => tortured.verdict);
  output?.save(() => csvText(rounds.map((v) => toRow(v.measurement, runMetadata(startedAt)))));
  // On standard error: the report's last line on standard output stays the verdict, as rcutorture's does.
  const wrote = output?.wrote(rowCount(rounds.length));
  if (wrote) println(io.stderr, wrote);
  if (verdicts.length > 1)
    println(io.stdout, `\n${verdicts.map((v) => `${v.measurement.config.protection} ${v.outcome}`).join(", ")}`);
  return verdicts.every((v) => v.outcome === "SUCCESS") ? EXIT.ok : EXIT.failed;
}
