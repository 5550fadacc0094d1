// `daxbench torture`: churn with every install checked against the teardown guarantee, each configuration
// judged as it ends (results/torture.ts). A soak (--soak) runs a configuration again and again, in rounds, until
// its time is up or a round does not end in SUCCESS, as rcutorture runs for hours and stops at the first error.

import { measureConfiguration } from "./runner.ts";
import type { Configuration } from "../types.ts";
import { judge, type TortureVerdict } from "../results/torture.ts";

/** How it is run. */
export interface TortureOptions {
  stopOnViolation: boolean;
  timeoutNs: number;
  signal: AbortSignal;
  /** Soak: rounds of the configuration's duration until this many ns have passed; undefined: one run. */
  soakNs?: number;
}

/** A configuration's torture: every round it ran (one without a soak), the last deciding the outcome. */
export interface TortureOfConfiguration {
  rounds: TortureVerdict[];
  verdict: TortureVerdict;
}

/** Hears each soak round as it ends: its verdict, its number (1 for the first), the soak's time so far. */
export type RoundListener = (verdict: TortureVerdict, round: number, elapsedNs: number) => void;

/** Tortures each configuration in turn; `report` is called with each configuration's verdict as it comes. */
export async function runTorture(
  configs: Configuration[],
  options: TortureOptions,
  report: (verdict: TortureVerdict) => void,
  onRound: RoundListener = () => {},
): Promise<TortureOfConfiguration[]> {
  const tortured: TortureOfConfiguration[] = [];
  for (const config of configs) {
    const rounds: TortureVerdict[] = [];
    const started = process.hrtime.bigint();
    const elapsedNs = () => Number(process.hrtime.bigint() - started);
    do {
      // Each round on fresh workers and a fresh device, its random delays drawn from the next seed.
      const round = { ...config, seed: config.seed + BigInt(rounds.length) };
      const [measurement] = await measureConfiguration(round, {
        repeat: 1,
        warmup: 0,
        timeoutMs: (config.durationNs + options.timeoutNs) / 1e6,
        signal: options.signal,
        stopOnViolation: options.stopOnViolation,
      });
      rounds.push(judge({ ...measurement, rep: rounds.length + 1 }));
      if (options.soakNs !== undefined) onRound(rounds.at(-1)!, rounds.length, elapsedNs());
    } while (
      options.soakNs !== undefined &&
      rounds.at(-1)!.outcome === "SUCCESS" &&
      elapsedNs() + config.durationNs <= options.soakNs
    );
    const verdict = rounds.at(-1)!;
    report(verdict);
    tortured.push({ rounds, verdict });
  }
  return tortured;
}
