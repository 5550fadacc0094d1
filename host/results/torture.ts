// Torture's verdict on a measurement, judged like rcutorture: any install past Reader Pipe stage 1, any stale
// entry, installs that the page tables do not account for, or a reader that completed no touch or a fake writer
// no grace period (no forward progress, however the updater flooded them with kills), is a FAILURE; a run in
// which the updater never killed the device tested nothing and is UNTESTED, never a SUCCESS.

import type { Measurement } from "../types.ts";

export type TortureOutcome = "SUCCESS" | "FAILURE" | "UNTESTED";

/** A reader is judged on its forward progress only in runs at least this long: in a shorter one, on a busy
 *  machine, a kill flood can leave a reader no alive window to complete a touch in without anything being stuck. */
export const FORWARD_PROGRESS_MIN_NS = 1e9;

export interface TortureVerdict {
  measurement: Measurement;
  violations: bigint;
  staleEntries: number;
  /** Installs the page tables do not account for (Measurement.unaccountedInstalls; 0 when not taken). */
  unaccountedInstalls: number;
  /** The readers (their CPUs, 1 for the first) that completed no touch in the whole run; judged only in runs of
   *  FORWARD_PROGRESS_MIN_NS or more (always empty in shorter ones). */
  stalledReaders: number[];
  /** The fake writers (1 for the first) that completed no grace period, judged as stalledReaders is. */
  stalledFakeWriters: number[];
  kills: number;
  /** The updaters' summed run time over their kills (each updater's period); undefined without a kill. */
  achievedKillPeriodNs: number | undefined;
  outcome: TortureOutcome;
}

/** FAILURE when any install broke the guarantee, any entry outlived its device, or the installs counted do
 *  not add up to the entries the page tables received (two CPUs installed one slot). */
export function judge(measurement: Measurement): TortureVerdict {
  const found = measurement.stats.violations;
  const kills = measurement.gracePeriodsNs.length;
  const unaccounted = measurement.unaccountedInstalls ?? 0;
  const judged = measurement.elapsedNs >= FORWARD_PROGRESS_MIN_NS;
  const idle = (counts: number[]) => (judged ? counts.flatMap((n, i) => (n === 0 ? [i + 1] : [])) : []);
  const stalledReaders = idle(measurement.readerOps);
  const stalledFakeWriters = idle(measurement.fakeWriterGracePeriods);
  const stalled = stalledReaders.length + stalledFakeWriters.length > 0;
  const broken = found > 0n || measurement.staleEntries > 0 || unaccounted !== 0 || stalled;
  const outcome: TortureOutcome = broken ? "FAILURE" : kills === 0 ? "UNTESTED" : "SUCCESS";
  return {
    measurement,
    violations: found,
    staleEntries: measurement.staleEntries,
    unaccountedInstalls: unaccounted,
    stalledReaders,
    stalledFakeWriters,
    kills,
    achievedKillPeriodNs: kills > 0 ? measurement.updaterElapsedNs! / kills : undefined,
    outcome,
  };
}
