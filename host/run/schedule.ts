// The order in which a run measures its repetitions. Repetitions of one configuration run back to back on one
// set of workers share whatever state the machine is in (where the threads landed, the clock, whether a
// contended lock spins or sleeps): their spread measures the noise inside that state, and a comparison sets
// two states against each other. So by default every repetition gets workers of its own, and the repetitions
// of every configuration are shuffled together (Google Benchmark's --benchmark_enable_random_interleaving;
// pyperf's values from many processes), so that both sides of a comparison meet the same phases of the
// machine. `sequential` is the older order, kept to compare against.

import { shuffleInPlace } from "simple-statistics";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import type { Configuration, RunOrder } from "../types.ts";

export const RUN_ORDERS: readonly RunOrder[] = ["interleaved", "sequential"];

/** One measured repetition of a configuration: its number among the configuration's repetitions (1 for the
 *  first that runs) and its place in the whole run's order (1 for the run's first). */
export interface Trial {
  config: Configuration;
  rep: number;
  position: number;
}

/** The run's repetitions in the order they run, in groups: a group runs on one set of workers, started for it
 *  and warmed up once. `interleaved`: every repetition is a group of its own, the groups shuffled by `seed`;
 *  `sequential`: one group per configuration, in the matrix's order. The same arguments give the same order,
 *  so a shard (a slice of the matrix) is scheduled the same way wherever it runs. */
export function schedule(configs: Configuration[], repeat: number, order: RunOrder, seed: bigint): Trial[][] {
  if (order === "sequential") {
    return configs.map((config, c) =>
      Array.from({ length: repeat }, (_, r) => ({ config, rep: r + 1, position: c * repeat + r + 1 })),
    );
  }
  const slots = configs.flatMap((config) => Array.from({ length: repeat }, () => config));
  const rng = xoroshiro128plus(seed32(seed));
  shuffleInPlace(slots, () => uniformFloat64(rng));
  const reps = new Map<Configuration, number>();
  return slots.map((config, i) => {
    const rep = (reps.get(config) ?? 0) + 1;
    reps.set(config, rep);
    return [{ config, rep, position: i + 1 }];
  });
}

/** pure-rand's generators take a 32-bit seed: the run's seed (up to 2^53) folded into one. */
function seed32(seed: bigint): number {
  return Number(BigInt.asUintN(32, seed ^ (seed >> 32n)));
}
