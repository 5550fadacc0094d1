// `daxbench torture`: churn with every install checked against the teardown guarantee, each configuration
// judged as it ends (results/torture.ts).

import { measureConfiguration } from "./runner.ts";
import type { Configuration } from "../types.ts";
import { judge, type TortureVerdict } from "../results/torture.ts";

/** How it is run. */
export interface TortureOptions {
  stopOnViolation: boolean;
  timeoutNs: number;
  signal: AbortSignal;
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
