// What a reader of a run should know before trusting its figures, found in the rows themselves (pyperf's
// system checks are the model): too few repetitions or outliers, more busy threads than CPUs, a machine that
// was loaded when the run began, an updater that could not kill as often as asked, and fixed work timed for less
// than --min-time.

import { median } from "simple-statistics";
import { describe, values, type ConfigurationResult } from "../results/configurations.ts";
import { sampleConcerns, type SampleConcern } from "../results/stats.ts";
import { formatDuration } from "../units.ts";
import { figure } from "./figures.ts";

/** A summary's concern in words: "n = 2: too few repetitions to compare (want 3+)", "1 outlier (...)". */
function concernText(c: SampleConcern): string {
  if (c.concern === "too-few-repetitions") return `n = ${c.n}: too few repetitions to compare (want ${c.least}+)`;
  return `${c.count} outlier${c.count > 1 ? "s" : ""} (modified z-score > ${c.z})`;
}

/** An achieved kill period this many times the requested one is reported. */
export const KILL_PERIOD_SLACK = 1.5;
/** Readers that had CPUs for fewer than this share of their count, on average, did not run side by side. */
export const PARALLELISM_FLOOR = 0.8;
/** Steal above this share of the CPU time a repetition spanned (elapsed time × CPUs) is reported. */
export const STEAL_CEILING = 0.05;

/** The busy threads of a configuration: its readers, and its updater if the scenario has one. */
function threads(c: ConfigurationResult): number {
  return c.identity.workers + (c.scenario.updater ? 1 : 0);
}

function configurationWarnings(c: ConfigurationResult): string[] {
  const found = c.headline ? sampleConcerns(c.headline).map(concernText) : ["no repetition completed an operation"];
  const cpus = c.identity.cpu_count;
  if (threads(c) > cpus) {
    found.push(
      `${c.identity.workers} reader${c.identity.workers > 1 ? "s" : ""}` +
        `${c.scenario.updater ? " + 1 updater" : ""} ` +
        `on ${cpus} CPUs: threads take turns, so the figures include time spent waiting for a CPU`,
    );
  }
  const asked = c.identity.kill_period_ns;
  const got = values(c, "kill_period_achieved_ns");
  if (typeof asked === "number" && asked > 0 && got.length && median(got) > KILL_PERIOD_SLACK * asked) {
    found.push(
      `the updater killed every ${formatDuration(Math.round(median(got)))} (median), ` +
        `not every ${formatDuration(asked)} as asked: a kill (grace period, zap, revive) takes longer than the period`,
    );
  }
  found.push(...parallelismWarnings(c), ...stealWarnings(c), ...minTimeWarnings(c));
  if (typeof asked === "number" && got.length < c.reps.length) {
    found.push(
      `${c.reps.length - got.length} of ${c.reps.length} repetitions had no kill: the teardown was not exercised`,
    );
  }
  return found.map((w) => `warning: ${describe(c.name)}: ${w}`);
}

/** Readers that should have run side by side (no more threads than CPUs) but had CPUs for less than
 *  PARALLELISM_FLOOR of their count in some repetitions: another thread held a CPU meanwhile. */
function parallelismWarnings(c: ConfigurationResult): string[] {
  const workers = c.identity.workers;
  if (threads(c) > c.identity.cpu_count) return []; // taking turns is warned of already
  const short = values(c, "reader_parallelism").filter((p) => p < PARALLELISM_FLOOR * workers);
  if (short.length === 0) return [];
  const readers = workers > 1 ? `its ${workers} readers had CPUs` : "its reader had a CPU";
  return [
    `in ${short.length} of ${c.reps.length} repetitions ${readers} for only ` +
      `${figure(Math.min(...short))}…${figure(Math.max(...short))} of ${workers} on average (reader_parallelism): ` +
      "another thread held a CPU, and the time includes waiting for it",
  ];
}

/** Fixed-work repetitions whose timed passes fell short of --min-time: the runner stops adding passes at a bound
 *  of wall time too, which counts each pass's set-up and its readers' waits for a CPU as well as its work. */
function minTimeWarnings(c: ConfigurationResult): string[] {
  const asked = c.identity.min_time_ns;
  if (typeof asked !== "number" || asked <= 0) return [];
  const short = values(c, "elapsed_ns").filter((timed) => timed < asked);
  if (short.length === 0) return [];
  const timed = `${formatDuration(Math.min(...short))}…${formatDuration(Math.max(...short))}`;
  return [
    `in ${short.length} of ${c.reps.length} repetitions the passes were timed for only ${timed}, ` +
      `short of --min-time ${formatDuration(asked)}: ` +
      "the wall-time bound came first (it counts setting each pass up and waiting for a CPU)",
  ];
}

/** A hypervisor that took a noticeable share of the CPUs' time while the configuration ran. */
function stealWarnings(c: ConfigurationResult): string[] {
  const withSteal = c.reps.filter((row) => typeof row.steal_ns === "number");
  const stolen = withSteal.reduce((total, row) => total + Number(row.steal_ns), 0);
  const spanned = withSteal.reduce((total, row) => total + row.elapsed_ns * row.cpu_count, 0);
  if (spanned === 0 || stolen / spanned <= STEAL_CEILING) return [];
  return [
    `the hypervisor took ${figure((100 * stolen) / spanned)}% of the CPUs' time while it ran (steal): ` +
      "its figures include that",
  ];
}

/** One warning per run (rows sharing a start time) that began on a loaded machine. */
function machineWarnings(results: ConfigurationResult[]): string[] {
  const runs = new Map<string, { load: number; cpus: number }>();
  for (const c of results) {
    for (const row of c.reps) runs.set(row.started_at, { load: row.load_avg_1m, cpus: row.cpu_count });
  }
  return [...runs]
    .filter(([, { load, cpus }]) => load > cpus / 2)
    .map(
      ([started, { load, cpus }]) =>
        `warning: run started ${started}: load average ${load} on ${cpus} CPUs (above half of them): ` +
        "other work, or a run that had just ended (the average covers the last minute), was using the CPUs",
    );
}

export function runWarnings(results: ConfigurationResult[]): string[] {
  return [...machineWarnings(results), ...results.flatMap(configurationWarnings)];
}
