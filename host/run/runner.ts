// Measures repetitions of configurations: a group of repetitions (host/run/schedule.ts) gets a pool of worker
// CPUs started for it, warm-up runs that are thrown away, then its measured repetitions. A repetition is one
// run of the workers (a timed scenario), or as many passes of the fixed work as fill the minimum time; every
// run is on a freshly created device and vma.

import {
  DaxMachine,
  simpleMapping,
  addStats,
  rcutortureReadDelays,
  ALIGNMENTS,
  NO_LONG_DELAYS,
  MIGRATION_ODDS,
} from "../machine/dax.ts";
import { WorkerPool } from "./pool.ts";
import { cpuStealNs } from "../system.ts";
import { describe, configurationName } from "../results/configurations.ts";
import type { Trial } from "./schedule.ts";
import type { Configuration, Measurement, RunOrder, Stats } from "../types.ts";
import type { JobResult, WorkerJob } from "./protocol.ts";

/** How a configuration's repetitions are measured: how many, after how many warm-ups, within what watchdog. */
export interface MeasureSettings {
  repeat: number;
  warmup: number;
  timeoutMs: number;
  /** Aborting (Ctrl-C) terminates the workers at once; the measurement then rejects. */
  signal?: AbortSignal;
  /** Torture: end a repetition as soon as a reader sees a violation. */
  stopOnViolation?: boolean;
}

/** A warm-up run of a timed scenario lasts --duration, but no longer than this: long enough for a fresh set of
 *  workers to have compiled their code and the machine to have settled after starting them. */
export const WARMUP_RUN_NS = 100e6;

export function describeConfiguration(config: Configuration): string {
  return describe(configurationName(config));
}

/** How many worker CPUs a run of `config` starts: its readers, and its updaters and fake writers if the
 *  scenario has an updater. */
export function workerCpus(config: Configuration): number {
  return config.workers + (config.scenario.updater ? config.updaters + config.fakeWriters : 0);
}

/** The most worker CPUs any of `configs` starts at once (each repetition's pool is stopped before the next starts). */
export function mostWorkerCpus(configs: readonly Configuration[]): number {
  return configs.reduce((most, config) => Math.max(most, workerCpus(config)), 0);
}

/** The worker CPUs a configuration uses: its readers, then the updaters and the fake writers if the scenario
 *  has an updater. Updater u kills devices u, u + updaters, ... in turn: each device has one updater, as each
 *  of the kernel's devices is unbound by one task at a time. */
function jobsFor(config: Configuration, stopOnViolation: boolean): WorkerJob[] {
  const align = ALIGNMENTS[config.align];
  const jobs: WorkerJob[] = Array.from({ length: config.workers }, (_, reader) =>
    config.scenario.readerJob({ workers: config.workers, size: config.size, align, stopOnViolation }, reader),
  );
  if (config.scenario.updater) {
    for (let u = 0; u < config.updaters; u++) {
      const devices = Array.from({ length: config.devices }, (_, device) => device).filter(
        (device) => device % config.updaters === u,
      );
      jobs.push({ role: "updater", killPeriodNs: config.killPeriodNs, devices });
    }
    for (let i = 0; i < config.fakeWriters; i++) jobs.push({ role: "fake-writer" });
  }
  return jobs;
}

/** Sets the machine up for one run of `config`: a new device and vma, every lock and counter reset. */
function prepare(machine: DaxMachine, config: Configuration): void {
  const { device, vma } = simpleMapping(ALIGNMENTS[config.align], config.size, config.policy);
  machine.createDevice(device);
  machine.setProtection(config.protection);
  machine.setReadDelay(config.readDelayNs);
  machine.setFaultCost(config.faultCostNs);
  machine.setGpCost(config.gpCostNs);
  machine.setRandomDelay(config.randomDelayNs);
  machine.setLongDelays(config.longReadDelays ? rcutortureReadDelays(config.workers) : NO_LONG_DELAYS);
  machine.setMigration(config.migratingReaders ? MIGRATION_ODDS : 0);
  machine.setInvariantCheck(config.scenario.updater);
  machine.mmap(vma);
  machine.setDevices(config.devices, config.srcuDomain);
  if (config.scenario.tlb) machine.setTlbGeometry(config.tlbGeometry);
  if (config.scenario.prepopulate) machine.core.exports.populate(0n, config.size);
}

/** A fixed-work repetition stops adding passes once it has taken this many times --min-time in all, set-up
 *  included, though its timed part be shorter: where a pass is a few microseconds of work (a 4 MiB populate at
 *  2 MiB), setting each one up (a new device and vma, the workers released) costs tens of times more than it. */
export const PASSES_WALL_FACTOR = 3;

/** Whether a fixed-work repetition does its work again: while its passes' timed work is short of --min-time and
 *  the repetition, set-up included, has not yet taken PASSES_WALL_FACTOR times --min-time. */
export function wantsAnotherPass(timedNs: number, wallNs: number, minTimeNs: number): boolean {
  return timedNs < minTimeNs && wallNs < PASSES_WALL_FACTOR * minTimeNs;
}

/** What one run of the workers did, before it is added into its repetition. */
export interface Pass {
  /** From the first reader's start to the last reader's end. */
  elapsedNs: number;
  /** The readers' summed time in their loops less what each waited for a CPU; undefined when a wait is unknown. */
  busyNs: number | undefined;
  ops: number;
  /** Each reader's completed operations, in reader order. */
  readerOps: number[];
  /** Each fake writer's grace periods, in order. */
  fakeWriterGracePeriods: number[];
  stats: Stats;
  gracePeriodsNs: number[];
  updaterElapsedNs: number | undefined;
  staleEntries: number;
  /** Installs counted minus the entries they made (count_unaccounted_installs), either way. */
  unaccountedInstalls: number;
}

const sum = <T>(items: T[], of: (item: T) => number): number => items.reduce((total, item) => total + of(item), 0);

/** One run's results (readers first, then the updaters, then the fake writers) and the machine's counters
 *  after it. The updaters' kills are pooled; their run times are summed, so that the summed time over the
 *  kills is the period each updater achieved. */
export function pass(machine: DaxMachine, config: Configuration, results: JobResult[]): Pass {
  const readers = results.slice(0, config.workers);
  const start = readers.reduce((min, r) => (r.startNs < min ? r.startNs : min), readers[0].startNs);
  const end = readers.reduce((max, r) => (r.endNs > max ? r.endNs : max), readers[0].endNs);
  const updaters = config.scenario.updater ? results.slice(config.workers, config.workers + config.updaters) : [];
  const fakeWriters = config.scenario.updater ? results.slice(config.workers + config.updaters) : [];
  return {
    elapsedNs: Number(end - start),
    busyNs: readers.some((r) => r.runQueueWaitNs === undefined)
      ? undefined
      : sum(readers, (r) => Number(r.endNs - r.startNs) - r.runQueueWaitNs!),
    ops: sum(readers, (r) => r.ops),
    readerOps: readers.map((r) => r.ops),
    fakeWriterGracePeriods: fakeWriters.map((r) => r.fakeGracePeriods),
    stats: machine.totalStats(readers.map((_, i) => i + 1)),
    gracePeriodsNs: results.slice(config.workers).flatMap((r) => r.gracePeriodsNs),
    updaterElapsedNs: config.scenario.updater ? sum(updaters, (r) => Number(r.endNs - r.startNs)) : undefined,
    staleEntries: Number(machine.staleEntries()),
    unaccountedInstalls: Math.abs(Number(machine.unaccountedInstalls())),
  };
}

/** One repetition of `trial` from its passes: the time, the operations and every counter summed over them;
 *  how many readers ran side by side (their summed time on a CPU over the elapsed time); the steal read
 *  before and after it. */
export function repetition(
  trial: Trial,
  order: RunOrder,
  passes: Pass[],
  steal: { before: number | undefined; after: number | undefined },
  threadIds: number[],
): Measurement {
  const { config } = trial;
  const elapsedNs = sum(passes, (p) => p.elapsedNs);
  const busy = passes.every((p) => p.busyNs !== undefined) ? sum(passes, (p) => p.busyNs!) : undefined;
  return {
    config,
    rep: trial.rep,
    order,
    position: trial.position,
    passes: passes.length,
    elapsedNs,
    ops: sum(passes, (p) => p.ops),
    readerOps: passes[0].readerOps.map((_, reader) => sum(passes, (p) => p.readerOps[reader])),
    fakeWriterGracePeriods: passes[0].fakeWriterGracePeriods.map((_, w) =>
      sum(passes, (p) => p.fakeWriterGracePeriods[w]),
    ),
    stats: passes.map((p) => p.stats).reduce(addStats),
    gracePeriodsNs: passes.flatMap((p) => p.gracePeriodsNs),
    updaterElapsedNs: config.scenario.updater ? sum(passes, (p) => p.updaterElapsedNs!) : undefined,
    staleEntries: sum(passes, (p) => p.staleEntries),
    unaccountedInstalls: sum(passes, (p) => p.unaccountedInstalls),
    readerParallelism: busy === undefined || elapsedNs <= 0 ? undefined : busy / elapsedNs,
    threadIds,
    stealNs: steal.before === undefined || steal.after === undefined ? undefined : steal.after - steal.before,
  };
}

/** Measures a group of repetitions of one configuration, on one pool of workers started for them: `warmup`
 *  uncounted runs, then one measured run per trial. `onRun` is told of each run as it starts (the trial, or
 *  undefined for a warm-up). */
export async function measureGroup(
  machine: DaxMachine,
  trials: Trial[],
  order: RunOrder,
  settings: MeasureSettings,
  onRun: (trial: Trial | undefined) => void = () => {},
): Promise<Measurement[]> {
  const config = trials[0].config;
  const jobs = jobsFor(config, settings.stopOnViolation ?? false);
  const timedNs = config.scenario.timed ? config.durationNs : undefined;
  const pool = await WorkerPool.start(machine, jobs.length, config.seed);
  const stopPool = () => void pool.stop();
  settings.signal?.addEventListener("abort", stopPool);
  const measurements: Measurement[] = [];
  try {
    for (let run = 0; run < settings.warmup; run++) {
      settings.signal?.throwIfAborted();
      onRun(undefined);
      prepare(machine, config);
      const durationNs = timedNs === undefined ? undefined : Math.min(timedNs, WARMUP_RUN_NS);
      await pool.run(jobs, { durationNs, timeoutMs: settings.timeoutMs });
    }
    for (const trial of trials) {
      onRun(trial);
      const stealBefore = cpuStealNs();
      const passes: Pass[] = [];
      const started = process.hrtime.bigint();
      do {
        settings.signal?.throwIfAborted();
        prepare(machine, config);
        passes.push(
          pass(machine, config, await pool.run(jobs, { durationNs: timedNs, timeoutMs: settings.timeoutMs })),
        );
      } while (
        timedNs === undefined &&
        wantsAnotherPass(
          sum(passes, (p) => p.elapsedNs),
          Number(process.hrtime.bigint() - started),
          config.minTimeNs,
        )
      );
      const stealAfter = cpuStealNs();
      measurements.push(
        repetition(
          trial,
          order,
          passes,
          { before: stealBefore, after: stealAfter },
          pool.workers.map((worker) => worker.threadId),
        ),
      );
    }
  } finally {
    settings.signal?.removeEventListener("abort", stopPool);
    await pool.stop();
  }
  return measurements;
}

/** `repeat` repetitions of one configuration back to back on one pool, on a machine of their own: what torture
 *  and native's wasm side measure. */
export function measureConfiguration(config: Configuration, settings: MeasureSettings): Promise<Measurement[]> {
  const trials = Array.from({ length: settings.repeat }, (_, r) => ({ config, rep: r + 1, position: r + 1 }));
  return measureGroup(new DaxMachine(), trials, "sequential", settings);
}
