// How far the runs of one command agree with each other: runs made one after another of the same matrix, set
// side by side. Three measures: (a) for every pair of runs and every configuration, whether one run's 95%
// interval holds the other run's median (an interval that describes the noise of the machine holds it about
// as often as it claims); (b) for every comparison the runs make (pairs.ts), whether two runs contradict each
// other ("A faster" in one, "B faster" in another) and how often a "faster" verdict is repeated in the same
// direction by the other runs; (c) each configuration's spread of medians over the runs (largest over
// smallest). Numbers only: the text is export/'s.

import { byConfiguration, type ComparedDimension, type ConfigurationResult } from "./configurations.ts";
import { pairVerdicts } from "./pairs.ts";
import { groupBy } from "./group.ts";
import type { ResultRow } from "./schema.ts";

/** One configuration's median and interval in every run that has it. */
export interface ConfigurationAcrossRuns {
  /** The first run's result, for its name and scenario. */
  result: ConfigurationResult;
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
