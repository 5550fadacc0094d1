// Statistics over repetitions, on simple-statistics and stdlib's t quantile: a summary per configuration
// (hyperfine's), speed-ups with their uncertainty, and the Mann-Whitney U test that benchstat uses.

import {
  mean, median, min, max, sampleStandardDeviation, medianAbsoluteDeviation, wilcoxonRankSum,
  errorFunction,
} from "simple-statistics";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";

/** Fewer repetitions than this cannot support a comparison (benchstat asks for more, too). */
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
  /** 95% confidence interval of the mean (Student's t); equal to the mean when n = 1. */
  ci95: [number, number];
  /** Values whose modified z-score (on the median absolute deviation) exceeds 3.5. */
  outliers: number;
}

export function summarize(values: number[]): Summary {
  if (values.length === 0) throw new Error("no values to summarize");
  const n = values.length;
  const m = mean(values);
  const sd = n > 1 ? sampleStandardDeviation(values) : 0;
  const half = n > 1 ? tQuantile(0.975, n - 1) * (sd / Math.sqrt(n)) : 0;
  return {
    n,
    mean: m,
    sd,
    median: median(values),
    min: min(values),
    max: max(values),
    ci95: [m - half, m + half],
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

/** Why a summary should be read with care, or [] when it need not be. */
export function warnings(summary: Summary): string[] {
  const found: string[] = [];
  if (summary.n < MIN_COMPARABLE_N) found.push(`n = ${summary.n}: too few repetitions to compare (want ${MIN_COMPARABLE_N}+)`);
  if (summary.outliers > 0) found.push(`${summary.outliers} outlier${summary.outliers > 1 ? "s" : ""} (modified z-score > ${OUTLIER_Z})`);
  return found;
}

/** How many times `slow` takes longer than `fast`, with the uncertainty hyperfine reports:
 *  ratio × sqrt((σ_fast / mean_fast)² + (σ_slow / mean_slow)²). */
export function speedup(fast: Summary, slow: Summary): { ratio: number; error: number } {
  const ratio = slow.mean / fast.mean;
  return { ratio, error: ratio * Math.hypot(fast.sd / fast.mean, slow.sd / slow.mean) };
}

export interface MannWhitney {
  /** U of the first sample. */
  u: number;
  /** Two-sided p-value: exact when there are no ties and the samples are small, else the normal
   *  approximation with tie and continuity corrections. */
  p: number;
}

export function mannWhitneyU(a: number[], b: number[]): MannWhitney {
  const n1 = a.length;
  const n2 = b.length;
  const u = wilcoxonRankSum(a, b) - (n1 * (n1 + 1)) / 2;
  const ties = tieGroups([...a, ...b]);
  if (ties.length === 0 && n1 * n2 <= 400) return { u, p: exactTwoSidedP(u, n1, n2) };
  const n = n1 + n2;
  const tieTerm = ties.reduce((sum, t) => sum + (t * t * t - t), 0) / (n * (n - 1));
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm));
  if (sigma === 0) return { u, p: 1 };
  const z = (Math.abs(u - (n1 * n2) / 2) - 0.5) / sigma;
  return { u, p: Math.min(1, 2 * (1 - standardNormalCdf(Math.max(0, z)))) };
}

/** Φ(z) from the error function (simple-statistics' table lookup rounds z to two decimals). */
function standardNormalCdf(z: number): number {
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}

/** Sizes of the groups of equal values (only groups of two or more). */
function tieGroups(values: number[]): number[] {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.values()].filter((c) => c > 1);
}

/** P(U <= u or U >= n1 n2 - u) under the null hypothesis, by counting rank arrangements. */
function exactTwoSidedP(u: number, n1: number, n2: number): number {
  const memo = new Map<string, number>();
  // Arrangements of i values of A and j of B in which A's U is k: the largest value is either A's (it
  // then beats all j of B's) or B's.
  const count = (i: number, j: number, k: number): number => {
    if (k < 0) return 0;
    if (i === 0 || j === 0) return k === 0 ? 1 : 0;
    const key = `${i},${j},${k}`;
    let total = memo.get(key);
    if (total === undefined) {
      total = count(i - 1, j, k - j) + count(i, j - 1, k);
      memo.set(key, total);
    }
    return total;
  };
  let below = 0;
  for (let k = 0; k <= Math.min(u, n1 * n2 - u); k++) below += count(n1, n2, k);
  return Math.min(1, (2 * below) / binomial(n1 + n2, n1));
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}
