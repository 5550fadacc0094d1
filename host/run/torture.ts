// `daxbench torture`: churn with every install checked against the teardown guarantee, judged like
// rcutorture: any install past Reader Pipe stage 1, any stale entry, or installs that the page tables do not
// account for, is a FAILURE; a run in which the updater never killed the device tested nothing and is
// UNTESTED, never a SUCCESS.

import { torture } from "../registry/scenarios.ts";
import { DaxMachine } from "../machine/dax.ts";
import { expandMatrix, parseDurationOption, MAX_SPIN_NS } from "./matrix.ts";
import { measureConfiguration } from "./runner.ts";
import { UsageError } from "../errors.ts";
import type { Configuration, Measurement, TortureOutcome, TortureVerdict } from "../types.ts";

/** What a torture run is, as typed on the command line. */
export interface TortureSpec {
  /** One scheme, or a comma list: each is tortured in turn. */
  protection: string;
  seconds: number;
  workers: string;
  readDelay: string;
  killPeriod: string;
  align: string;
  size: string;
  seed: bigint;
  /** The longest random delay at a step boundary, as typed ("5us", "0"). */
  randomDelay: string;
}

/** How it is run. */
export interface TortureOptions {
  stopOnViolation: boolean;
  timeoutNs: number;
  signal: AbortSignal;
}

/** Checks the options (UsageError on a bad one) into the configurations a torture run measures, one per
 *  scheme. A run that never kills cannot test the guarantee, so `--kill-period never` is refused. */
export function tortureConfigurations(spec: TortureSpec): Configuration[] {
  if (spec.killPeriod.split(",").some((period) => period.trim() === "never")) {
    throw new UsageError(
      `--kill-period ${spec.killPeriod}: torture needs kills (never leaves the guarantee untested); ` +
        "give a period such as 200us, or 0 for back-to-back kills",
    );
  }
  return expandMatrix(
    {
      scenario: [torture.name],
      protection: [spec.protection],
      align: [spec.align],
      workers: [spec.workers],
      size: [spec.size],
      killPeriod: [spec.killPeriod],
      readDelay: [spec.readDelay],
    },
    {
      duration: `${spec.seconds}s`,
      seed: spec.seed,
      randomDelayNs: parseDurationOption("random-delay", spec.randomDelay, {
        allowZero: true,
        bareUnit: "ns",
        most: MAX_SPIN_NS,
      }),
    },
    new DaxMachine(),
  );
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
