// Measures one configuration of the matrix: a machine, a pool of worker CPUs, warm-up runs that are thrown
// away, then --repeat measured runs, each on a freshly created device and vma.

import { DaxMachine, simpleMapping, ALIGNMENTS, type AlignName, type PolicyName, type Stats, type TlbGeometry } from "../machine/dax.ts";
import { WorkerPool } from "./pool.ts";
import { describe, configurationName } from "../results/configurations.ts";
import type { WorkerJob } from "./protocol.ts";
import type { Scenario } from "../registry/scenarios.ts";
import type { SchemeName } from "../registry/schemes.ts";

export interface Configuration {
  scenario: Scenario;
  protection: SchemeName;
  align: AlignName;
  policy: PolicyName;
  workers: number;
  size: bigint;
  /** How long timed scenarios run per repetition. */
  durationNs: number;
  /** How often the updater kills the device, in scenarios that have one; null: never. */
  killPeriodNs: number | null;
  /** Extra length of every fault's read side, between check_vma and the install. */
  readDelayNs: number;
  /** What every fault pays before the dax handler, outside the read side (the kernel's cost the model leaves
   *  out), for this configuration's page size; 0 for none. */
  faultCostNs: number;
  /** Where faultCostNs came from: "1us" as typed, or the kernel results file and run; "" for none. */
  faultCostSource: string;
  /** The TLB model's geometry, for scenarios that use it. */
  tlbGeometry: TlbGeometry;
  /** Torture's random delays at every step boundary, up to this long; 0 for none (every benchmark). */
  randomDelayNs: number;
  /** The run's seed: every worker's random generator (touches, delays) starts from it and its CPU. */
  seed: bigint;
}

export interface RunSettings {
  repeat: number;
  warmup: number;
  timeoutMs: number;
  /** Aborting (Ctrl-C) terminates the workers at once; the measurement then rejects. */
  signal?: AbortSignal;
  /** Torture: end a repetition as soon as a reader sees a violation. */
  stopOnViolation?: boolean;
}

/** What one measured repetition produced. */
export interface Measurement {
  config: Configuration;
  rep: number;
  /** From the first reader's start to the last reader's end. */
  elapsedNs: number;
  /** Completed operations over all readers: touches that ended mapped, or read-side pairs. Refused touches
   *  (SIGBUS, OOM) are not operations; they are counted in stats. */
  ops: number;
  /** The readers' counters added up. */
  stats: Stats;
  gracePeriodsNs: number[];
  /** How long the updater ran, for the kill period it achieved; undefined without an updater. */
  updaterElapsedNs: number | undefined;
  /** Entries of dead generations that outlived a zap (count_stale_entries), after the run. */
  staleEntries: number;
}

export function describeConfiguration(config: Configuration): string {
  return describe(configurationName(config));
}

/** The worker CPUs a configuration uses: its readers, then the updater if the scenario has one. */
function jobsFor(config: Configuration, stopOnViolation: boolean): WorkerJob[] {
  const align = ALIGNMENTS[config.align];
  const jobs: WorkerJob[] = Array.from({ length: config.workers }, (_, reader) =>
    config.scenario.readerJob({ workers: config.workers, size: config.size, align, stopOnViolation }, reader),
  );
  if (config.scenario.updater) jobs.push({ role: "updater", killPeriodNs: config.killPeriodNs });
  return jobs;
}

export async function measureConfiguration(
  config: Configuration,
  settings: RunSettings,
  onRepetition: (rep: number) => void = () => {},
): Promise<Measurement[]> {
  const machine = new DaxMachine();
  const { device, vma } = simpleMapping(ALIGNMENTS[config.align], config.size, config.policy);
  const prepare = (): void => {
    machine.createDevice(device);
    machine.setProtection(config.protection);
    machine.setReadDelay(config.readDelayNs);
    machine.setFaultCost(config.faultCostNs);
    machine.setRandomDelay(config.randomDelayNs);
    machine.setInvariantCheck(config.scenario.updater);
    machine.mmap(vma);
    if (config.scenario.tlb) machine.setTlbGeometry(config.tlbGeometry);
    if (config.scenario.prepopulate) machine.core.exports.populate(0n, config.size);
  };
  prepare();
  const jobs = jobsFor(config, settings.stopOnViolation ?? false);
  const readers = Array.from({ length: config.workers }, (_, i) => i + 1);
  const pool = await WorkerPool.start(machine, jobs.length, config.seed);
  const stopPool = () => void pool.stop();
  settings.signal?.addEventListener("abort", stopPool);
  const measurements: Measurement[] = [];
  try {
    for (let run = -settings.warmup; run < settings.repeat; run++) {
      settings.signal?.throwIfAborted();
      onRepetition(run);
      prepare();
      const durationNs = config.scenario.timed ? config.durationNs : undefined;
      const results = await pool.run(jobs, { durationNs, timeoutMs: settings.timeoutMs });
      if (run < 0) continue; // warm-up: not counted
      const readerResults = results.slice(0, config.workers);
      const start = readerResults.reduce((min, r) => (r.startNs < min ? r.startNs : min), readerResults[0].startNs);
      const end = readerResults.reduce((max, r) => (r.endNs > max ? r.endNs : max), readerResults[0].endNs);
      measurements.push({
        config,
        rep: run + 1,
        elapsedNs: Number(end - start),
        ops: readerResults.reduce((sum, r) => sum + r.ops, 0),
        stats: machine.totalStats(readers),
        gracePeriodsNs: results.slice(config.workers).flatMap((r) => r.gracePeriodsNs),
        updaterElapsedNs: config.scenario.updater ? Number(results[config.workers].endNs - results[config.workers].startNs) : undefined,
        staleEntries: Number(machine.staleEntries()),
      });
    }
  } finally {
    settings.signal?.removeEventListener("abort", stopPool);
    await pool.stop();
  }
  return measurements;
}
