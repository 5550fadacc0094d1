// Pairs of configurations that differ in one compared dimension (protection, align or policy) and in nothing
// else, each with a verdict by the one rule of stats.ts: "X is k× faster than Y" is said only with enough
// repetitions and a Mann-Whitney p below alpha, with the ratio's interval from the data; otherwise the pair
// is "~". A dimension the scenario does not use is never compared (readside has no alignment to compare).

import { CONFIGURATION_COLUMNS } from "./schema.ts";
import { describeRow, headlineValues, type ComparedDimension, type ConfigurationResult } from "./configurations.ts";
import { comparePair, type PairComparison } from "./stats.ts";
import { figure, pValue } from "./figures.ts";
import { groupBy } from "./group.ts";

const COMPARED: readonly ComparedDimension[] = ["protection", "align", "policy"];

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
    const others = CONFIGURATION_COLUMNS.filter((column) => column !== dimension);
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

/** "populate 4k 1w 1g: rcu is 1.38× faster than mutex per completed touch (95% CI 1.30…1.45, p=0.008, n=5+5)",
 *  or "populate 4k 1w 1g: rcu ~ mutex (p=0.310, n=5+5)". */
export function pairText(v: PairVerdict, alpha: number): string {
  const { dimension, better, worse, comparison: k } = v;
  const context = describeRow(better.identity, dimension);
  const [a, b] = [String(better.identity[dimension]), String(worse.identity[dimension])];
  const n = `n=${k.n1}+${k.n2}`;
  if (!k.significant) return `${context}: ${a} ~ ${b} (${k.tooSmall ?? `${pValue(k.p)}, ${n}`})`;
  const level = `${Math.round((1 - alpha) * 1000) / 10}% CI`;
  if (k.estimate === undefined || k.interval === undefined) {
    // A figure of zero has no ratio: the medians say what differs.
    return (
      `${context}: ${a} has the lower ${better.scenario.headline.unit}: ${figure(better.headline!.median)} against ` +
      `${figure(worse.headline!.median)} for ${b} (${pValue(k.p)}, ${n})`
    );
  }
  const show = (x: number) => (k.scale === "ratio" ? x.toFixed(2) : figure(x));
  const claim = better.scenario.headline.claim(a, b, `${show(k.estimate)}${k.scale === "ratio" ? "×" : ""}`);
  const bounds = k.interval.map(show).join("…");
  return `${context}: ${claim} (${level} ${bounds}, ${pValue(k.p)}, ${n})`;
}
