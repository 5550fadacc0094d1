// Statistics over repetitions, on simple-statistics and stdlib's t quantile: a summary per configuration
// (hyperfine's, with an interval fit for small samples of positive figures), the Mann-Whitney U test that
// benchstat uses, and the one rule by which any "X is k times faster than Y" may be said.
//
// Every figure daxbench measures is a positive cost (ns per operation, walk levels per 1,000 touches) from a
// handful of repetitions, usually skewed to the right. So:
// - a configuration's interval is Student's t on the logarithms, taken back: a 95% interval of the
//   geometric mean that cannot go below zero (Student's t on the values themselves can);
// - a pair's ratio is the Hodges-Lehmann estimate on the logarithms (the median of every ratio b_j / a_i)
//   and its interval the order statistics of those ratios at Mann-Whitney's critical value (Bauer 1972):
//   from the data, positive, and in agreement with the test that says whether the pair differs at all.

import {
  mean,
  median,
  min,
  max,
  sampleStandardDeviation,
  medianAbsoluteDeviation,
  errorFunction,
} from "simple-statistics";
import { createRequire } from "node:module";
import type { Scale } from "../types.ts";

type TQuantile = (p: number, dof: number) => number;

/** stdlib's t quantile, loaded on first use: its hundred small modules take 0.15 s to load, which every
 *  command paid at start-up, those that compute no interval too. */
let loadedTQuantile: TQuantile | undefined;
function tQuantile(p: number, dof: number): number {
  loadedTQuantile ??= createRequire(import.meta.url)("@stdlib/stats-base-dists-t-quantile") as TQuantile;
  return loadedTQuantile(p, dof);
}

/** Fewer repetitions than this on either side cannot support a comparison (benchstat asks for more, too). */
export const MIN_COMPARABLE_N = 3;
/** Iglewicz and Hoaglin's cut-off for the modified z-score. */
const OUTLIER_Z = 3.5;

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation; 0 when n = 1. */
  sd: number;
  median: number;
  min: number;
  max: number;
  /** exp(mean(ln x)): the centre of ci95. Undefined when a value is not positive. */
  geomean: number | undefined;
  /** 95% confidence interval of the geometric mean (Student's t on ln x, taken back by exp): never below
   *  zero. Undefined when n < 2 or a value is not positive. */
  ci95: [number, number] | undefined;
  /** Values whose modified z-score (on the median absolute deviation) exceeds 3.5. */
  outliers: number;
}

export function summarize(values: number[]): Summary {
  if (values.length === 0) throw new Error("no values to summarize");
  const n = values.length;
  const positive = values.every((x) => x > 0);
  const logs = positive ? values.map(Math.log) : [];
  const logMean = positive ? mean(logs) : NaN;
  let ci95: [number, number] | undefined;
  if (positive && n > 1) {
    const half = tQuantile(0.975, n - 1) * (sampleStandardDeviation(logs) / Math.sqrt(n));
    ci95 = [Math.exp(logMean - half), Math.exp(logMean + half)];
  }
  return {
    n,
    mean: mean(values),
    sd: n > 1 ? sampleStandardDeviation(values) : 0,
    median: median(values),
    min: min(values),
    max: max(values),
    geomean: positive ? Math.exp(logMean) : undefined,
    ci95,
    outliers: countOutliers(values),
  };
}

/** Modified z-score M = 0.6745 (x - median) / MAD; a MAD of 0 marks nothing. */
export function countOutliers(values: number[]): number {
  const mad = medianAbsoluteDeviation(values);
  if (mad === 0) return 0;
  const mid = median(values);
  return values.filter((x) => Math.abs((0.6745 * (x - mid)) / mad) > OUTLIER_Z).length;
}

/** Why a summary should be read with care (print/warnings.ts says it in words). */
export type SampleConcern =
  | { concern: "too-few-repetitions"; n: number; least: number }
  | { concern: "outliers"; count: number; z: number };

/** What makes a summary one to read with care, or [] when nothing does. */
export function sampleConcerns(summary: Summary): SampleConcern[] {
  const found: SampleConcern[] = [];
  if (summary.n < MIN_COMPARABLE_N)
    found.push({ concern: "too-few-repetitions", n: summary.n, least: MIN_COMPARABLE_N });
  if (summary.outliers > 0) found.push({ concern: "outliers", count: summary.outliers, z: OUTLIER_Z });
  return found;
}

export interface MannWhitney {
  /** U of the first sample. */
  u: number;
  /** Two-sided p-value: exact when there are no ties and the samples are small, else the normal
   *  approximation with tie and continuity corrections. */
  p: number;
}

/** Samples this small (n1 × n2) and without ties get exact p-values (critical values are exact at every size). */
const EXACT_LIMIT = 400;
/** Up to this many pairs of values (n1 × n2), every pair is computed; beyond, samples are summarised by
 *  QUANTILES quantiles each (a merged history can hold thousands of repetitions of one configuration). */
const PAIRS_LIMIT = 250_000;
const QUANTILES = 500;

export function mannWhitneyU(a: number[], b: number[]): MannWhitney {
  const n1 = a.length;
  const n2 = b.length;
  // U counts the pairs in which a's value is the larger, a tie counting one half: the rank sum's meaning,
  // without ranking for the usual handful of repetitions, by ranking for large samples.
  let u = 0;
  if (n1 * n2 <= PAIRS_LIMIT) for (const x of a) for (const y of b) u += x > y ? 1 : x === y ? 0.5 : 0;
  else u = rankSum(a, b) - (n1 * (n1 + 1)) / 2;
  const ties = tieGroups([...a, ...b]);
  if (ties.length === 0 && n1 * n2 <= EXACT_LIMIT)
    return { u, p: Math.min(1, 2 * uCdf(Math.min(u, n1 * n2 - u), n1, n2)) };
  const n = n1 + n2;
  const tieTerm = ties.reduce((sum, t) => sum + (t * t * t - t), 0) / (n * (n - 1));
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm));
  if (sigma === 0) return { u, p: 1 };
  const z = (Math.abs(u - (n1 * n2) / 2) - 0.5) / sigma;
  return { u, p: Math.min(1, 2 * (1 - standardNormalCdf(Math.max(0, z)))) };
}

/** The smallest two-sided p-value Mann-Whitney can give for samples of n1 and n2 (complete separation):
 *  2 / C(n1 + n2, n1). With 3 + 3 repetitions it is 0.1, so nothing can be significant at 0.05. */
export function smallestP(n1: number, n2: number): number {
  return Math.min(1, 2 / binomial(n1 + n2, n1));
}

/** How many repetitions per side make a p-value below alpha possible at all. */
export function repetitionsNeeded(alpha: number): number {
  let n = 1;
  while (smallestP(n, n) >= alpha) n++;
  return n;
}

/** How `b` compares with `a`, judged by the one rule every "faster" claim follows: at least
 *  MIN_COMPARABLE_N repetitions on each side and a Mann-Whitney p below alpha. */
export interface PairComparison {
  n1: number;
  n2: number;
  scale: Scale;
  /** The Hodges-Lehmann estimate: of b / a on the ratio scale (the median of every ratio b_j / a_i, on their
   *  logarithms: the geometric mean of the middle two for an even count, so that a / b is its inverse), of
   *  b - a on the difference scale (the median of every b_j - a_i). Undefined on the ratio scale when a value
   *  is not positive (a ratio of costs needs positive costs). */
  estimate: number | undefined;
  /** Its distribution-free interval at confidence 1 - alpha (at least; the order statistics at Mann-Whitney's
   *  exact critical value). Undefined when the samples are too small for any such interval, or estimate is. */
  interval: [number, number] | undefined;
  p: number;
  significant: boolean;
  /** Why the pair is not significant, when that is not the data's doing: too few repetitions on a side, or
   *  too few for any p below alpha. Undefined when the sample sizes allow a verdict. */
  tooSmall: TooSmall | undefined;
}

/** Why a pair cannot be significant whatever its data (print/pairs.ts's tooSmallText says it in words). */
export type TooSmall =
  | { reason: "too-few-repetitions"; n1: number; n2: number; least: number }
  | { reason: "no-p-below-alpha"; n1: number; n2: number; alpha: number; smallestP: number; needed: number };

export function comparePair(a: number[], b: number[], alpha: number, scale: Scale = "ratio"): PairComparison {
  const n1 = a.length;
  const n2 = b.length;
  const { p } = mannWhitneyU(a, b);
  const defined = scale === "difference" || (a.every((x) => x > 0) && b.every((x) => x > 0));
  // Every pair of values is kept while that stays small; beyond, each sample gives way to QUANTILES of its
  // evenly spaced quantiles, whose smaller sizes also set the interval's ranks: a wider, conservative interval.
  const [qa, qb] = n1 * n2 <= PAIRS_LIMIT ? [a, b] : [quantiles(a, QUANTILES), quantiles(b, QUANTILES)];
  const pairwise = new Float64Array(defined ? qa.length * qb.length : 0);
  if (defined) {
    let k = 0;
    for (const x of qa) for (const y of qb) pairwise[k++] = scale === "ratio" ? y / x : y - x;
    pairwise.sort();
  }
  const rank = defined ? criticalRank(qa.length, qb.length, alpha) : 0;
  let tooSmall: TooSmall | undefined;
  if (Math.min(n1, n2) < MIN_COMPARABLE_N) {
    tooSmall = { reason: "too-few-repetitions", n1, n2, least: MIN_COMPARABLE_N };
  } else if (smallestP(n1, n2) >= alpha) {
    tooSmall = {
      reason: "no-p-below-alpha",
      n1,
      n2,
      alpha,
      smallestP: smallestP(n1, n2),
      needed: repetitionsNeeded(alpha),
    };
  }
  return {
    n1,
    n2,
    scale,
    estimate: defined ? (scale === "ratio" ? ratioMedian(pairwise) : sortedMedian(pairwise)) : undefined,
    interval: rank > 0 ? [pairwise[rank - 1], pairwise[pairwise.length - rank]] : undefined,
    p,
    significant: tooSmall === undefined && p < alpha,
    tooSmall,
  };
}

export type Verdict = "met" | "missed" | "inconclusive";

/** The verdict on a bar "figure ≤ bound" (`at most`) or "figure ≥ bound" (`at least`), from the figure's
 *  interval: met only when the whole interval is on the right side of the bound, missed only when the whole
 *  interval is on the wrong side, inconclusive when it straddles the bound or there is no interval. */
export function barVerdict(
  interval: readonly [number, number] | undefined,
  bar: { atMost: number } | { atLeast: number },
): Verdict {
  if (!interval) return "inconclusive";
  const [lo, hi] = interval;
  if ("atMost" in bar) return hi < bar.atMost ? "met" : lo > bar.atMost ? "missed" : "inconclusive";
  return lo > bar.atLeast ? "met" : hi < bar.atLeast ? "missed" : "inconclusive";
}

/** The interval of a / b from the intervals of a and b, taken at their ends: it holds a / b whenever both
 *  hold theirs, so its confidence is at least 1 - (the two misses added up) (Bonferroni), whatever their
 *  dependence. Undefined when either is, or b's could be zero. */
export function quotientInterval(
  a: readonly [number, number] | undefined,
  b: readonly [number, number] | undefined,
): [number, number] | undefined {
  if (!a || !b || !(b[0] > 0)) return undefined;
  return [a[0] / b[1], a[1] / b[0]];
}

/** C_alpha of Hollander and Wolfe: the interval of the shift is [D_(C), D_(N+1-C)] of the N = n1 n2 sorted
 *  pairwise differences (here ratios); 0 when no interval at confidence 1 - alpha exists. C is one more than
 *  the largest c with P(U <= c) <= alpha / 2, from the exact null distribution at every size: the normal
 *  approximation, even with an exact quantile, gave intervals below 1 - alpha (8 + 53 at alpha 0.2, 4 + 101 at
 *  0.12, and thousands of unbalanced sizes beyond 60 a side), since U is far from normal when one side is small. */
function criticalRank(n1: number, n2: number, alpha: number): number {
  let c = -1;
  while (uCdf(c + 1, n1, n2) <= alpha / 2) c++;
  return c + 1;
}

/** Φ(z) from the error function (simple-statistics' table lookup rounds z to two decimals). */
function standardNormalCdf(z: number): number {
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}

/** Sizes of the groups of equal values (only groups of two or more). */
function tieGroups(values: number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  const groups: number[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    if (j - i > 1) groups.push(j - i);
    i = j;
  }
  return groups;
}

/** The sum of a's ranks in the two samples together, ties given their mean rank. */
function rankSum(a: number[], b: number[]): number {
  const all = [...a.map((value) => ({ value, first: true })), ...b.map((value) => ({ value, first: false }))].sort(
    (x, y) => x.value - y.value,
  );
  let sum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i + 1;
    while (j < all.length && all[j].value === all[i].value) j++;
    const rank = (i + 1 + j) / 2; // ranks i+1..j share their mean
    for (let k = i; k < j; k++) if (all[k].first) sum += rank;
    i = j;
  }
  return sum;
}

/** `count` evenly spaced quantiles of a sample (nearest rank). */
function quantiles(values: number[], count: number): number[] {
  const sorted = Float64Array.from(values).sort();
  return Array.from(
    { length: count },
    (_, i) => sorted[Math.min(sorted.length - 1, Math.floor(((i + 0.5) / count) * sorted.length))],
  );
}

function sortedMedian(sorted: Float64Array): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The median of sorted positive ratios taken on their logarithms: for an even count, the geometric mean of
 *  the two middle ones. The arithmetic mean would not be swap-invariant: the ratios of a to b are the
 *  reciprocals of those of b to a, and only the geometric mean of two reciprocals is the reciprocal of theirs. */
function ratioMedian(sorted: Float64Array): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : Math.sqrt(sorted[middle - 1]) * Math.sqrt(sorted[middle]);
}

/** Cumulative null distributions of U, by "n1,n2": computed once, since every pair of a table has the same
 *  sample sizes (a 300,000-row file asks for the same one 60,000 times). */
const nullCdfs = new Map<string, Float64Array>();

/** P(U <= k) under the null hypothesis, by counting rank arrangements. Only the lower half is counted: U is
 *  symmetric about n1 n2 / 2, so P(U <= k) = 1 - P(U <= n1 n2 - k - 1) gives the rest. */
function uCdf(k: number, n1: number, n2: number): number {
  if (k < 0) return 0;
  const half = Math.floor((n1 * n2) / 2);
  if (k > half) return 1 - uCdf(n1 * n2 - k - 1, n1, n2);
  const key = `${n1},${n2}`;
  let cdf = nullCdfs.get(key);
  if (!cdf) {
    cdf = cumulative(arrangements(n1, n2, half), binomial(n1 + n2, n1));
    nullCdfs.set(key, cdf);
  }
  return cdf[k];
}

/** counts[u] for u <= limit: arrangements of n1 values of A and n2 of B in which A's U is u. They are the
 *  coefficients of the Gaussian binomial [n1 + n2 choose n1]_q = prod over i = 1..m of (1 - q^(n + i)) / (1 - q^i),
 *  m and n the smaller and larger size: m passes over the counts, where the recurrence over every (i, j) up to
 *  (n1, n2) takes some n1² n2² / 4 steps (1.6e10 at 500 + 500, the size that QUANTILES brings large samples to).
 *  Every count, and every partial result, is an integer no larger than C(n1 + n2, n1): exact while that is below
 *  2^53 (every size up to 28 + 28), so a P(U <= c) equal to alpha / 2 is not lost to rounding; C(1000, 500), the
 *  largest PAIRS_LIMIT allows, is 2.7e299, still a double. */
function arrangements(n1: number, n2: number, limit: number): Float64Array {
  const m = Math.min(n1, n2);
  const n = Math.max(n1, n2);
  const counts = new Float64Array(limit + 1);
  counts[0] = 1; // [n choose 0]_q = 1
  for (let i = 1; i <= m; i++) {
    // From [n + i - 1 choose i - 1]_q to [n + i choose i]_q: times (1 - q^(n + i)), then divided by (1 - q^i).
    for (let u = limit; u >= n + i; u--) counts[u] -= counts[u - n - i];
    for (let u = i; u <= limit; u++) counts[u] += counts[u - i];
  }
  return counts;
}

function cumulative(counts: Float64Array, total: number): Float64Array {
  const cdf = new Float64Array(counts.length);
  let sum = 0;
  counts.forEach((count, u) => (cdf[u] = (sum += count) / total));
  return cdf;
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}

/** Holm's step-down procedure (Holm 1979) over m p-values: which hypotheses are rejected with the chance of
 *  rejecting any true one kept at most alpha, whatever the dependence between the tests. The smallest p is
 *  held to alpha / m, the next to alpha / (m - 1), and so on, stopping at the first that is not below its
 *  bound. Returns each p-value's bound where it was rejected, undefined where it was not. */
export function holm(pValues: number[], alpha: number): (number | undefined)[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const bounds: (number | undefined)[] = pValues.map(() => undefined);
  for (const [rank, { p, i }] of order.entries()) {
    const bound = alpha / (m - rank);
    if (!(p <= bound)) break;
    bounds[i] = bound;
  }
  return bounds;
}

/** The Wilcoxon signed-rank test of paired differences against zero (the runs of one matrix, each giving one
 *  difference between the two sides of a pair): two-sided, exact. Zero differences are dropped (Wilcoxon's
 *  method, SciPy's default); tied magnitudes share their mean rank, and the p-value is then the exact one
 *  over every assignment of signs to those ranks (a permutation test), as it is without ties. `n` is the count
 *  of differences left. */
export function wilcoxonSignedRank(differences: number[]): { n: number; p: number } {
  const nonzero = differences.filter((d) => d !== 0);
  const n = nonzero.length;
  if (n === 0) return { n, p: 1 };
  // Ranks of the magnitudes, doubled so that mean ranks of ties stay whole numbers.
  const order = nonzero.map((d, i) => [Math.abs(d), i] as const).sort((x, y) => x[0] - y[0]);
  const doubled = new Array<number>(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) doubled[order[k][1]] = i + j + 2; // 2 × the mean of ranks i+1..j+1
    i = j + 1;
  }
  const total = doubled.reduce((sum, r) => sum + r, 0);
  const positive = nonzero.reduce((sum, d, i) => sum + (d > 0 ? doubled[i] : 0), 0);
  // counts[s]: how many of the 2^n sign assignments give the positive ranks a (doubled) sum of s.
  let counts = new Float64Array(total + 1);
  counts[0] = 1;
  for (const r of doubled) {
    const next = Float64Array.from(counts);
    for (let s = r; s <= total; s++) next[s] += counts[s - r];
    counts = next;
  }
  // Two-sided: the assignments at least as far from the centre (total / 2) as the one observed.
  const distance = Math.abs(positive - total / 2);
  let extreme = 0;
  for (let s = 0; s <= total; s++) if (Math.abs(s - total / 2) >= distance) extreme += counts[s];
  return { n, p: Math.min(1, extreme / 2 ** n) };
}

/** The smallest two-sided p-value the signed-rank test can give with n differences (every one on one side). */
export function smallestSignedRankP(n: number): number {
  return Math.min(1, 2 / 2 ** n);
}

/** How many differing runs the signed-rank test needs for a p below alpha to be possible. */
export function runsNeeded(alpha: number): number {
  let n = 1;
  while (smallestSignedRankP(n) >= alpha) n++;
  return n;
}
