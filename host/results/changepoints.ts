// Change points of a series by E-divisive means: Matteson and James, "A Nonparametric Approach for Multiple
// Change Point Analysis of Multivariate Data", Journal of the American Statistical Association 109(505),
// 2014, pp. 334-345 (the R package ecp's e.divisive); the method MongoDB runs on its performance history
// (Daly et al., "Change Point Detection in Software Performance Testing", ICPE 2020) and Hunter after it
// (Fleming et al., ICPE 2023). No JavaScript implementation of it is published on npm; this is a small one.
//
// The series is a list of groups (one run's repetitions each), in time order. A split may fall only between
// two groups, since a change can only come with a new run. For a segment of observations split into X (m of
// them) and Y (n), the divergence is
//     Ê = 2/(mn) Σ|X_i - Y_j| - Σ_{i<k}|X_i - X_k| / C(m,2) - Σ_{j<k}|Y_j - Y_k| / C(n,2)
// (distances to the power 1, the paper's alpha = 1) and the statistic Q̂ = mn/(m+n) Ê. Bisection, as in the
// paper: the best split of every current segment is found, the best of those is tested by a permutation test
// (observations shuffled within each segment, R times; p = (1 + #{max Q̂ of a shuffle >= the observed}) /
// (R + 1)), and accepted while p < alpha; each acceptance splits a segment and the search goes on.

import { shuffleInPlace } from "simple-statistics";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";

export interface EDivisiveOptions {
  /** The permutation test's significance level. */
  alpha: number;
  /** R, the number of shuffles (ecp's default is 199). */
  permutations: number;
  /** Seeds the shuffles: the same series and seed give the same change points. */
  seed: number;
  /** The fewest observations each side of a split may have. */
  minSize: number;
}

export interface ChangePoint {
  /** The index of the first group after the change. */
  at: number;
  /** Q̂ of the split. */
  statistic: number;
  /** The permutation test's p-value. */
  p: number;
}

/** A segment of groups [from, to). */
type Segment = [number, number];

/** The best split of one segment's observations at one of the allowed offsets (the number of observations
 *  before the split), or undefined when no offset is allowed. O(n²): the within-sums of every prefix and
 *  suffix are accumulated once, and the between-sum is what is left of the total. */
export function bestSplit(z: ArrayLike<number>, offsets: number[]): { offset: number; statistic: number } | undefined {
  const n = z.length;
  const before = new Float64Array(n + 1); // before[s] = Σ_{i<k<s} |z_i - z_k|
  for (let s = 1; s < n; s++) {
    let row = 0;
    for (let i = 0; i < s; i++) row += Math.abs(z[i] - z[s]);
    before[s + 1] = before[s] + row;
  }
  const after = new Float64Array(n + 1); // after[s] = Σ_{s<=i<k<n} |z_i - z_k|
  for (let s = n - 2; s >= 0; s--) {
    let row = 0;
    for (let k = s + 1; k < n; k++) row += Math.abs(z[s] - z[k]);
    after[s] = after[s + 1] + row;
  }
  let best: { offset: number; statistic: number } | undefined;
  for (const m of offsets) {
    const k = n - m;
    const between = before[n] - before[m] - after[m];
    const divergence =
      (2 * between) / (m * k) -
      (m > 1 ? before[m] / ((m * (m - 1)) / 2) : 0) -
      (k > 1 ? after[m] / ((k * (k - 1)) / 2) : 0);
    const statistic = ((m * k) / (m + k)) * divergence;
    if (best === undefined || statistic > best.statistic) best = { offset: m, statistic };
  }
  return best;
}

/** Every change point the bisection accepts, in time order. */
export function eDivisive(groups: number[][], options: EDivisiveOptions): ChangePoint[] {
  const rng = xoroshiro128plus(options.seed);
  const random = () => uniformFloat64(rng);
  const segments: Segment[] = [[0, groups.length]];
  const found: ChangePoint[] = [];
  const observations = ([from, to]: Segment) => groups.slice(from, to).flat();
  /** The allowed offsets of a segment, and the group each one starts. */
  const splits = ([from, to]: Segment) => {
    const total = observations([from, to]).length;
    const offsets: number[] = [];
    const at: number[] = [];
    let offset = 0;
    for (let g = from; g < to - 1; g++) {
      offset += groups[g].length;
      if (offset >= options.minSize && total - offset >= options.minSize) {
        offsets.push(offset);
        at.push(g + 1);
      }
    }
    return { offsets, at };
  };
  for (;;) {
    let candidate: { segment: number; at: number; statistic: number } | undefined;
    for (const [index, segment] of segments.entries()) {
      const { offsets, at } = splits(segment);
      const split = bestSplit(observations(segment), offsets);
      if (split && (candidate === undefined || split.statistic > candidate.statistic)) {
        candidate = { segment: index, at: at[offsets.indexOf(split.offset)], statistic: split.statistic };
      }
    }
    if (candidate === undefined) break;
    const p = permutationP(
      segments.map((segment) => ({ z: observations(segment), offsets: splits(segment).offsets })),
      candidate.statistic,
      options,
      random,
    );
    if (p === undefined) break;
    found.push({ at: candidate.at, statistic: candidate.statistic, p });
    const [from, to] = segments[candidate.segment];
    segments.splice(candidate.segment, 1, [from, candidate.at], [candidate.at, to]);
  }
  return found.sort((a, b) => a.at - b.at);
}

/** The permutation p-value of `observed` (the best Q̂ over all segments), or undefined as soon as it is certain
 *  not to fall below alpha: the shuffles left could only add to the count. */
function permutationP(
  segments: { z: number[]; offsets: number[] }[],
  observed: number,
  options: EDivisiveOptions,
  random: () => number,
): number | undefined {
  const R = options.permutations;
  // A shuffle that reproduces the observed split reaches the same Q̂ up to rounding: it counts as reaching it.
  const reached = observed - 1e-9 * Math.abs(observed);
  let count = 0;
  for (let r = 0; r < R; r++) {
    let most = -Infinity;
    for (const { z, offsets } of segments) {
      const split = bestSplit(shuffleInPlace([...z], random), offsets);
      if (split) most = Math.max(most, split.statistic);
    }
    if (most >= reached) count++;
    if ((1 + count) / (R + 1) >= options.alpha) return undefined;
  }
  return (1 + count) / (R + 1);
}
