// Pairs of configurations that differ in one compared dimension (protection, align, policy or, between several
// devices, their SRCU domains) and in nothing
// else, each with a verdict by the one rule of stats.ts: "X is k× faster than Y" is said only with enough
// repetitions and a Mann-Whitney p below alpha, with the ratio's interval from the data; otherwise the pair
// is "~". A dimension the scenario does not use is never compared (readside has no alignment to compare).

import { CONFIGURATION_COLUMNS } from "./schema.ts";
import {
  headlineValues,
  COMPARED_COLUMNS,
  type ComparedDimension,
  type ConfigurationResult,
} from "./configurations.ts";
import { comparePair, type PairComparison } from "./stats.ts";
import { groupBy } from "./group.ts";

const COMPARED = Object.keys(COMPARED_COLUMNS) as ComparedDimension[];

export interface PairVerdict {
  dimension: ComparedDimension;
  /** The side with the lower headline median, and the other. */
  better: ConfigurationResult;
  worse: ConfigurationResult;
  /** worse's headline against better's, on the headline's scale. */
  comparison: PairComparison;
}

export function pairVerdicts(results: ConfigurationResult[], alpha: number): PairVerdict[] {
  const verdicts: PairVerdict[] = [];
  for (const dimension of COMPARED) {
    const others = CONFIGURATION_COLUMNS.filter((column) => column !== COMPARED_COLUMNS[dimension]);
    const compared = results.filter((c) => c.scenario.dimensions.includes(dimension) && c.headline !== undefined);
    const groups = groupBy(compared, (c) => others.map((column) => c.identity[column]).join("|"));
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i++) {
        for (let j = i + 1; j < group.length; j++) {
          const [better, worse] =
            group[i].headline!.median <= group[j].headline!.median ? [group[i], group[j]] : [group[j], group[i]];
          const scale = better.scenario.headline.scale;
          verdicts.push({
            dimension,
            better,
            worse,
            comparison: comparePair(headlineValues(better), headlineValues(worse), alpha, scale),
          });
        }
      }
    }
  }
  return verdicts;
}
