// A pair's verdict in words, as every screen and report says it: host/results/pairs.ts finds the pairs and
// judges them; this says what was found.

import { describe, comparedValue } from "../results/configurations.ts";
import type { PairVerdict } from "../results/pairs.ts";
import type { TooSmall } from "../results/stats.ts";
import { figure, pValue } from "./figures.ts";

/** Why a pair cannot be significant, in words: "n=2+5: too few repetitions to compare (want 3+ each)". */
export function tooSmallText(t: TooSmall): string {
  const n = `n=${t.n1}+${t.n2}`;
  if (t.reason === "too-few-repetitions") return `${n}: too few repetitions to compare (want ${t.least}+ each)`;
  return (
    `${n}: no p below ${t.alpha} is possible (smallest ${t.smallestP.toFixed(3)}); ` +
    `${t.needed}+ repetitions each are needed`
  );
}

/** "populate 4k 1w 1g: rcu is 1.38× faster than mutex per completed touch (95% CI 1.30…1.45, p=0.008, n=5+5)",
 *  or "populate 4k 1w 1g: rcu ~ mutex (p=0.310, n=5+5)". */
export function pairText(v: PairVerdict, alpha: number): string {
  const { dimension, better, worse, comparison: k } = v;
  const context = describe(better.name, dimension);
  const [a, b] = [comparedValue(better, dimension), comparedValue(worse, dimension)];
  const n = `n=${k.n1}+${k.n2}`;
  if (!k.significant)
    return `${context}: ${a} ~ ${b} (${k.tooSmall ? tooSmallText(k.tooSmall) : `${pValue(k.p)}, ${n}`})`;
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
