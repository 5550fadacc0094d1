// `daxbench torture`: churn with every install checked against the teardown guarantee, judged like
// rcutorture: any install past Reader Pipe stage 1, or any stale entry, is a FAILURE.

import { torture } from "../bench/scenarios.ts";
import { DaxMachine } from "./dax.ts";
import { expandMatrix } from "./matrix.ts";
import { measureConfiguration, type Configuration, type Measurement } from "./runner.ts";
import { toRow, violations } from "./results.ts";
import { runMetadata } from "./metadata.ts";
import { csvText } from "./export/csv.ts";
import { writeFileAtomic } from "./export/files.ts";
import { tortureReport } from "./print/torture.ts";

/** What a torture run is, as typed on the command line. */
export interface TortureSpec {
  protection: string;
  seconds: number;
  workers: string;
  readDelay: string;
  killPeriod: string;
  align: string;
  size: string;
}

/** How it is run. */
export interface TortureOptions {
  stopOnViolation: boolean;
  timeoutNs: number;
  out?: string;
  signal: AbortSignal;
}

export interface TortureVerdict {
  measurement: Measurement;
  violations: bigint;
  staleEntries: number;
  success: boolean;
}

/** Checks the options (UsageError on a bad one) into the one configuration a torture run measures. */
export function tortureConfiguration(spec: TortureSpec): Configuration {
  const [config] = expandMatrix(
    {
      scenario: [torture.name], protection: [spec.protection], align: [spec.align], workers: [spec.workers], size: [spec.size],
      killPeriod: [spec.killPeriod], readDelay: [spec.readDelay],
    },
    { duration: `${spec.seconds}s` },
    new DaxMachine(),
  );
  return config;
}

export async function runTorture(config: Configuration, options: TortureOptions): Promise<TortureVerdict> {
  const startedAt = new Date();
  const [measurement] = await measureConfiguration(config, {
    repeat: 1,
    warmup: 0,
    timeoutMs: (config.durationNs + options.timeoutNs) / 1e6,
    signal: options.signal,
    stopOnViolation: options.stopOnViolation,
  });
  const found = violations(measurement.stats);
  const verdict = { measurement, violations: found, staleEntries: measurement.staleEntries, success: found === 0n && measurement.staleEntries === 0 };
  if (options.out) writeFileAtomic(options.out, csvText([toRow(measurement, runMetadata(startedAt))]));
  console.log(tortureReport(verdict));
  return verdict;
}
