// How far the runs of one command agree with each other: runs made one after another of the same matrix, set
// side by side. Three measures: (a) for every pair of runs and every configuration, whether one run's 95%
// interval holds the other run's median (an interval that describes the noise of the machine holds it about
// as often as it claims); (b) for every comparison the runs make (pairs.ts), whether two runs contradict each
// other ("A faster" in one, "B faster" in another) and how often a "faster" verdict is repeated in the same
// direction by the other runs; (c) each configuration's spread of medians over the runs (largest over
// smallest). Beside (a), what (a) would be on a machine whose runs differed by nothing but the noise inside
// each: the same measure on simulated runs (idealIntervalHeld). Numbers only: the text is export/'s.

import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { probit } from "simple-statistics";
import { byConfiguration, headlineValues, type ComparedDimension, type ConfigurationResult } from "./configurations.ts";
import { summarize } from "./stats.ts";
import { pairVerdicts } from "./pairs.ts";
import { groupBy } from "./group.ts";
import type { ResultRow } from "./schema.ts";

/** One configuration's median and interval in every run that has it. */
export interface ConfigurationAcrossRuns {
  /** The first run's result, for its name and scenario. */
  result: ConfigurationResult;
  /** Its headline's values in each run. */
  values: number[][];
  medians: number[];
  intervals: ([number, number] | undefined)[];
  /** Largest median over smallest; undefined when a median is not positive. */
  spread: number | undefined;
}

/** What the runs said of one comparison pair: in each run, the side it called faster, or undefined for "~". */
export interface PairAcrossRuns {
  dimension: ComparedDimension;
  /** The pair's two configurations, as result rows name them (the first run's). */
  sides: [ConfigurationResult, ConfigurationResult];
  /** Per run: 0 or 1, the index in `sides` of the configuration called faster, or undefined for "~". */
  verdicts: (0 | 1 | undefined)[];
  /** Some run called one side faster and another run the other. */
  contradicted: boolean;
}

export interface Reproducibility {
  runs: number;
  configurations: ConfigurationAcrossRuns[];
  /** (a) Ordered pairs of runs (i, j) over configurations: run i's interval held run j's median. */
  intervalHeld: number;
  intervalCases: number;
  pairs: PairAcrossRuns[];
  /** (b) Ordered pairs of runs (i, j) where run i called a pair "faster": run j called it the same way. */
  verdictRepeated: number;
  verdictCases: number;
}

/** Splits rows into their runs (rows that share a start time), in the order the runs started. */
export function splitRuns(rows: ResultRow[]): ResultRow[][] {
  return [...groupBy(rows, (row) => row.started_at)].sort(([a], [b]) => a.localeCompare(b)).map(([, run]) => run);
}

export function reproducibility(runs: ResultRow[][], alpha: number): Reproducibility {
  const results = runs.map((rows) => new Map(byConfiguration(rows).map((c) => [c.key, c])));
  const configurations: ConfigurationAcrossRuns[] = [];
  let intervalHeld = 0;
  let intervalCases = 0;
  for (const [key, first] of results[0] ?? []) {
    const everyRun = results.map((run) => run.get(key)?.headline);
    if (everyRun.some((headline) => headline === undefined)) continue;
    const medians = everyRun.map((headline) => headline!.median);
    const intervals = everyRun.map((headline) => headline!.ci95);
    for (let i = 0; i < runs.length; i++) {
      for (let j = 0; j < runs.length; j++) {
        if (i === j) continue;
        intervalCases++;
        const interval = intervals[i];
        if (interval && interval[0] <= medians[j] && medians[j] <= interval[1]) intervalHeld++;
      }
    }
    const low = Math.min(...medians);
    configurations.push({
      result: first,
      values: results.map((run) => headlineValues(run.get(key)!)),
      medians,
      intervals,
      spread: low > 0 ? Math.max(...medians) / low : undefined,
    });
  }
  const pairs = comparisonPairs(results, alpha);
  let verdictRepeated = 0;
  let verdictCases = 0;
  for (const pair of pairs) {
    pair.verdicts.forEach((said, i) => {
      if (said === undefined) return;
      pair.verdicts.forEach((other, j) => {
        if (i === j) return;
        verdictCases++;
        if (other === said) verdictRepeated++;
      });
    });
  }
  return { runs: runs.length, configurations, intervalHeld, intervalCases, pairs, verdictRepeated, verdictCases };
}

/** Every comparison pair found in all runs, with each run's verdict on it. */
function comparisonPairs(results: Map<string, ConfigurationResult>[], alpha: number): PairAcrossRuns[] {
  const found = new Map<string, PairAcrossRuns>();
  results.forEach((run, r) => {
    for (const verdict of pairVerdicts([...run.values()], alpha)) {
      const [a, b] = [verdict.better.key, verdict.worse.key].sort();
      const id = `${verdict.dimension}|${a}|${b}`;
      let pair = found.get(id);
      if (!pair) {
        pair = {
          dimension: verdict.dimension,
          sides: [run.get(a)!, run.get(b)!],
          verdicts: results.map(() => undefined),
          contradicted: false,
        };
        found.set(id, pair);
      }
      pair.verdicts[r] = verdict.comparison.significant ? (verdict.better.key === a ? 0 : 1) : undefined;
    }
  });
  const inEveryRun = [...found.values()].filter((pair) =>
    results.every((run) => run.has(pair.sides[0].key) && run.has(pair.sides[1].key)),
  );
  for (const pair of inEveryRun) pair.contradicted = pair.verdicts.includes(0) && pair.verdicts.includes(1);
  return inEveryRun;
}

/** How many sets of runs idealIntervalHeld simulates per configuration. */
const IDEAL_SETS = 200;

/** Measure (a) on simulated runs that differ by nothing but the noise inside each: for every configuration, as
 *  many runs of as many repetitions as it had, every value drawn from one log-normal distribution, each run's
 *  median and interval computed as a run computes them. What the measure can reach on a machine without slow
 *  phases: below 95% even there, since the interval is of one run's centre and the other run's median carries
 *  noise of its own. The spread drawn does not matter (the interval and the median scale with it), only how
 *  many repetitions and runs there are. Seeded: the same runs give the same figure. Undefined without a
 *  configuration of two or more repetitions in every run. */
export function idealIntervalHeld(configurations: ConfigurationAcrossRuns[], seed = 1): number | undefined {
  const rng = xoroshiro128plus(seed);
  const normal = () => probit(Math.min(Math.max(uniformFloat64(rng), 1e-12), 1 - 1e-12));
  let held = 0;
  let cases = 0;
  for (const c of configurations) {
    const sizes = c.values.map((values) => values.length);
    if (sizes.some((n) => n < 2)) continue;
    for (let set = 0; set < IDEAL_SETS; set++) {
      const runs = sizes.map((n) => summarize(Array.from({ length: n }, () => Math.exp(normal()))));
      for (let i = 0; i < runs.length; i++) {
        for (let j = 0; j < runs.length; j++) {
          if (i === j) continue;
          cases++;
          const interval = runs[i].ci95!;
          if (interval[0] <= runs[j].median && runs[j].median <= interval[1]) held++;
        }
      }
    }
  }
  return cases > 0 ? held / cases : undefined;
}
