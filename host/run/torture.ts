// `daxbench torture`: churn with every install checked against the teardown guarantee, judged like
// rcutorture: any install past Reader Pipe stage 1, any stale entry, or installs that the page tables do not
// account for, is a FAILURE; a run in which the updater never killed the device tested nothing and is
// UNTESTED, never a SUCCESS.

import { measureConfiguration } from "./runner.ts";
import type { Configuration, Measurement, TortureOutcome, TortureVerdict } from "../types.ts";

/** How it is run. */
export interface TortureOptions {
  stopOnViolation: boolean;
  timeoutNs: number;
  signal: AbortSignal;
}

/** FAILURE when any install broke the guarantee, any entry outlived its device, or the installs counted do
 *  not add up to the entries the page tables received (two CPUs installed one slot). */
export function judge(measurement: Measurement): TortureVerdict {
  const found = measurement.stats.violations;
  const kills = measurement.gracePeriodsNs.length;
  const unaccounted = measurement.unaccountedInstalls ?? 0;
  const broken = found > 0n || measurement.staleEntries > 0 || unaccounted !== 0;
  const outcome: TortureOutcome = broken ? "FAILURE" : kills === 0 ? "UNTESTED" : "SUCCESS";
  return {
    measurement,
    violations: found,
    staleEntries: measurement.staleEntries,
    unaccountedInstalls: unaccounted,
    kills,
    achievedKillPeriodNs: kills > 0 ? measurement.updaterElapsedNs! / kills : undefined,
    outcome,
  };
}

/** Tortures each configuration in turn; `report` is called with each verdict as it comes. */
export async function runTorture(
  configs: Configuration[],
  options: TortureOptions,
  report: (verdict: TortureVerdict) => void,
): Promise<TortureVerdict[]> {
  const verdicts: TortureVerdict[] = [];
  for (const config of configs) {
    const [measurement] = await measureConfiguration(config, {
      repeat: 1,
      warmup: 0,
      timeoutMs: (config.durationNs + options.timeoutNs) / 1e6,
      signal: options.signal,
      stopOnViolation: options.stopOnViolation,
    });
    const verdict = judge(measurement);
    report(verdict);
    verdicts.push(verdict);
  }
  return verdicts;
}
