// The statistics behind summaries and compare, against answers worked out by hand or in textbooks.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  summarize,
  mannWhitneyU,
  comparePair,
  smallestP,
  repetitionsNeeded,
  sampleConcerns,
  wilcoxonSignedRank,
  smallestSignedRankP,
} from "../host/results/stats.ts";
import { tooSmallText } from "../host/print/pairs.ts";
import { shard, expandMatrix, timing, FULL_MATRICES, SWEEPS } from "../host/run/matrix.ts";
import { matrixConfigurations, shardOption } from "../host/cli/options.ts";
import { DaxMachine } from "../host/machine/dax.ts";

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not ${expected} ± ${tolerance}`);

test("Mann-Whitney U: two fully separated samples of five (exact: p = 2 / C(10,5))", () => {
  const { u, p } = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  assert.equal(u, 0);
  close(p, 2 / 252, 1e-12, "p");
});

test("Mann-Whitney U: textbook samples of 5 and 4 (U = 17, exact p = 0.111)", () => {
  const { u, p } = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
  assert.equal(u, 17);
  close(p, 14 / 126, 1e-12, "p"); // 7 of the 126 arrangements have U >= 17, doubled for two sides
});

test("Mann-Whitney U with ties uses the normal approximation with tie and continuity corrections", () => {
  // Ranks 1, 3, 3, 5 for the first sample: U = 2; σ² = 16/12 × (9 − 24/56); z = 5.5 / σ = 1.6269.
  const { u, p } = mannWhitneyU([1, 2, 2, 3], [2, 4, 5, 6]);
  assert.equal(u, 2);
  close(p, 0.10374, 2e-4, "p");
});

test("Mann-Whitney U: identical samples are not significant", () => {
  assert.equal(mannWhitneyU([5, 5, 5], [5, 5, 5]).p, 1);
});

test("summary: mean, σ, median, range, and the 95% interval of the geometric mean (Student's t on ln x)", () => {
  const s = summarize([1, 2, 3, 4, 5]);
  assert.equal(s.n, 5);
  assert.equal(s.mean, 3);
  close(s.sd, Math.sqrt(2.5), 1e-12, "sd");
  assert.equal(s.median, 3);
  assert.deepEqual([s.min, s.max], [1, 5]);
  const logs = [1, 2, 3, 4, 5].map(Math.log);
  const m = logs.reduce((a, b) => a + b) / 5;
  const sdLog = Math.sqrt(logs.reduce((a, x) => a + (x - m) ** 2, 0) / 4);
  close(s.geomean!, Math.exp(m), 1e-12, "geomean");
  close(s.ci95![0], Math.exp(m - 2.7764451 * (sdLog / Math.sqrt(5))), 1e-6, "ci low");
  close(s.ci95![1], Math.exp(m + 2.7764451 * (sdLog / Math.sqrt(5))), 1e-6, "ci high");
  assert.equal(s.outliers, 0);
});

test("intervals of positive, skewed samples never go below zero (Student's t on the values would)", () => {
  // The README's own example: two repetitions far apart, and a skewed sample of three.
  for (const sample of [
    [6, 25],
    [1, 1, 100],
    [3.5, 3.7, 13.5, 3.9, 4.1],
    [82, 210, 150],
  ]) {
    const s = summarize(sample);
    assert.ok(s.ci95![0] > 0, `${sample}: ${s.ci95}`);
    assert.ok(s.ci95![0] <= s.geomean! && s.geomean! <= s.ci95![1]);
  }
  assert.equal(summarize([5]).ci95, undefined, "no interval from one value");
  assert.equal(summarize([0, 1, 2]).ci95, undefined, "no log interval when a value is not positive");
});

test("summary: flags an outlier by modified z-score, and too few repetitions", () => {
  assert.equal(summarize([10, 11, 12, 13, 100]).outliers, 1);
  assert.deepEqual(sampleConcerns(summarize([10, 11, 12, 13, 100])), [{ concern: "outliers", count: 1, z: 3.5 }]);
  assert.deepEqual(sampleConcerns(summarize([10, 12])), [{ concern: "too-few-repetitions", n: 2, least: 3 }]);
});

test("a pair: the Hodges-Lehmann ratio and its interval from the pairwise ratios, significant by Mann-Whitney", () => {
  const pair = comparePair([9, 10, 11, 10.5, 9.5], [18, 20, 22, 21, 19], 0.05);
  assert.equal(pair.estimate, 2, "the median of the 25 ratios b/a");
  // 5 + 5 at alpha 0.05: P(U <= 2) = 4/252 <= 0.025 < P(U <= 3), so the interval is [3rd, 23rd] of the ratios.
  const ratios = [9, 10, 11, 10.5, 9.5].flatMap((a) => [18, 20, 22, 21, 19].map((b) => b / a)).sort((x, y) => x - y);
  assert.deepEqual(pair.interval, [ratios[2], ratios[22]]);
  assert.ok(pair.interval![0] > 0 && pair.interval![0] < 2 && pair.interval![1] > 2);
  assert.equal(pair.significant, true);
  close(pair.p, 2 / 252, 1e-12, "p");
});

test(
  "the Hodges-Lehmann ratio of an even count of ratios is the geometric mean of the middle two, " +
    "and swapping inverts it",
  () => {
    // The 12 ratios b/a are 1 ×3, 1.1 ×3, 1.5 ×3, 2 ×3: the middle two are 1.1 and 1.5, so √1.65, not 1.3.
    const a = [100, 100, 100];
    const b = [100, 110, 150, 200];
    close(comparePair(a, b, 0.05).estimate!, Math.sqrt(1.1 * 1.5), 1e-12, "b / a");
    close(comparePair(b, a, 0.05).estimate!, 1 / Math.sqrt(1.1 * 1.5), 1e-12, "a / b");
  },
);

test(
  "property: the ratio of b to a is the inverse of the ratio of a to b, " + "and its interval the inverse interval",
  () => {
    const sample = fc.array(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(sample, sample, fc.constantFrom(0.01, 0.05, 0.2), (a, b, alpha) => {
        const forth = comparePair(a, b, alpha);
        const back = comparePair(b, a, alpha);
        close(forth.estimate! * back.estimate!, 1, 1e-12, `estimates of ${a} and ${b}`);
        assert.equal(forth.interval === undefined, back.interval === undefined);
        if (forth.interval && back.interval) {
          close(forth.interval[0] * back.interval[1], 1, 1e-12, "one end");
          close(forth.interval[1] * back.interval[0], 1, 1e-12, "the other");
        }
      }),
      { numRuns: 500 },
    );
  },
);

/** pmf[n1][n2][u] = P(U = u) for samples of n1 and n2, every size up to max, by the recurrence on which
 *  value is the largest: P(i, j; u) = i / (i + j) P(i - 1, j; u - j) + j / (i + j) P(i, j - 1; u). Not the
 *  code's way (a product of Gaussian binomial factors), so the test does not take its word for the null. */
function nullPmfs(max: number): Float64Array[][] {
  const pmf: Float64Array[][] = [];
  for (let i = 0; i <= max; i++) {
    pmf.push([]);
    for (let j = 0; j <= max; j++) {
      const p = new Float64Array(i * j + 1);
      if (i === 0 || j === 0) p[0] = 1;
      else {
        pmf[i - 1][j].forEach((q, u) => (p[u + j] += (i / (i + j)) * q));
        pmf[i][j - 1].forEach((q, u) => (p[u] += (j / (i + j)) * q));
      }
      pmf[i].push(p);
    }
  }
  return pmf;
}

test(
  "the ratio's interval covers at least 1 - alpha, and one rank narrower would not: " +
    "exactly, at every size up to 60 a side",
  () => {
    // With continuous data, the true ratio is below the C-th smallest of the n1 n2 pairwise ratios with probability
    // P(U <= C - 1) under the null, and above the C-th largest with the same, so the interval [C-th, C-th from the
    // top] covers with 1 - 2 P(U <= C - 1). The normal approximation's rank (with either quantile) left 8 + 53 at
    // alpha 0.2 below 0.8, and 7 + 59 at alpha 0.5 below 0.5.
    // distinct ratios
    const spread = (count: number, step: number) => Array.from({ length: count }, (_, i) => Math.exp((i * step) % 1));
    const pmfs = nullPmfs(60);
    for (let n1 = 1; n1 <= 60; n1++) {
      for (let n2 = n1; n2 <= 60; n2++) {
        const a = spread(n1, Math.SQRT2);
        const b = spread(n2, Math.sqrt(3));
        const ratios = Float64Array.from(a.flatMap((x) => b.map((y) => y / x))).sort();
        let sum = 0;
        const cumulative = pmfs[n1][n2].map((p) => (sum += p));
        const cdf = (k: number) => cumulative[k];
        for (const alpha of [0.01, 0.05, 0.1, 0.2, 0.5]) {
          const { interval } = comparePair(a, b, alpha);
          const rank = interval ? ratios.indexOf(interval[0]) + 1 : 0;
          if (interval)
            assert.equal(
              interval[1],
              ratios[ratios.length - rank],
              `${n1} + ${n2} at ${alpha}: the interval's ends are the same rank from each side`,
            );
          const coverage = rank === 0 ? 1 : 1 - 2 * cdf(rank - 1);
          assert.ok(coverage >= 1 - alpha - 1e-12, `${n1} + ${n2} at alpha ${alpha}: rank ${rank} covers ${coverage}`);
          assert.ok(
            1 - 2 * cdf(rank) < 1 - alpha + 1e-12,
            `${n1} + ${n2} at alpha ${alpha}: rank ${rank + 1} would still cover ${1 - 2 * cdf(rank)}`,
          );
        }
      }
    }
  },
);

test("the signed-rank test over runs gives SciPy's exact p-values, with ties and zero differences", () => {
  // scipy.stats.wilcoxon(x, method="exact") (SciPy 1.17.1); with ties or zeros,
  // method=PermutationMethod(n_resamples=inf), zero_method="wilcox": every assignment of signs.
  const cases: [string, number[], number, number][] = [
    ["six on one side", [0.03, 0.05, 0.01, 0.08, 0.02, 0.04], 6, 0.03125],
    ["five on one side", [0.03, 0.05, 0.01, 0.08, 0.02], 5, 0.0625],
    ["one against seven, the smallest", [0.03, 0.05, -0.01, 0.08, 0.02, 0.04, 0.06], 7, 0.03125],
    ["mixed", [0.031, -0.052, 0.013, 0.084, -0.027, 0.045, 0.066, -0.019], 8, 0.3828125],
    ["tied magnitudes", [1, 1, -1, 2, 2, 3, -3, 4], 8, 0.2421875],
    ["zero differences dropped", [0, 0, 0.5, 0.7, -0.2, 0.9, 1.1, 0.3], 6, 0.0625],
  ];
  for (const [name, differences, n, p] of cases) {
    const result = wilcoxonSignedRank(differences);
    assert.equal(result.n, n, name);
    assert.ok(Math.abs(result.p - p) < 1e-12, `${name}: p ${result.p}, SciPy ${p}`);
  }
  assert.deepEqual(wilcoxonSignedRank([0, 0]), { n: 0, p: 1 });
  assert.deepEqual([5, 6].map(smallestSignedRankP), [0.0625, 0.03125]);
});

test("the interval's ranks at large and lopsided sizes are SciPy's exact critical values", () => {
  // One more than the count of c with P(U <= c) <= alpha / 2, from scipy.stats._mannwhitneyu._MWU(n1, n2).cdf
  // (SciPy 1.17.1); 500 + 500 is the size QUANTILES brings large samples to, where the counts reach 2.7e299.
  // distinct ratios
  const spread = (count: number, step: number) => Array.from({ length: count }, (_, i) => Math.exp((i * step) % 1));
  for (const [n1, n2, alpha, rank] of [
    [40, 400, 0.01, 6034],
    [40, 400, 0.2, 7016],
    [500, 500, 0.01, 113244],
    [500, 500, 0.05, 116051],
  ]) {
    const a = spread(n1, Math.SQRT2);
    const b = spread(n2, Math.sqrt(3));
    const ratios = Float64Array.from(a.flatMap((x) => b.map((y) => y / x))).sort();
    assert.equal(ratios.indexOf(comparePair(a, b, alpha).interval![0]) + 1, rank, `${n1} + ${n2} at alpha ${alpha}`);
  }
});

test("a pair inside the noise is not significant, and its interval holds 1", () => {
  const pair = comparePair([10, 12, 9, 11, 13], [11, 10, 12, 14, 9.5], 0.05);
  assert.equal(pair.significant, false);
  assert.ok(pair.p > 0.05);
  assert.ok(pair.interval![0] < 1 && pair.interval![1] > 1, `${pair.interval}`);
});

test("no verdict at n = 1 or with too few repetitions for any p below alpha, and the count that would do", () => {
  const one = comparePair([10], [100], 0.05);
  assert.equal(one.significant, false);
  assert.match(tooSmallText(one.tooSmall!), /n=1\+1: too few repetitions/);
  const three = comparePair([1, 2, 3], [10, 20, 30], 0.05);
  assert.equal(three.significant, false, "3 + 3 can never reach p < 0.05: its smallest p is 0.1");
  close(smallestP(3, 3), 0.1, 1e-12, "smallest p at 3+3");
  assert.match(
    tooSmallText(three.tooSmall!),
    /n=3\+3: no p below 0.05 is possible \(smallest 0.100\); 4\+ repetitions each are needed/,
  );
  assert.equal(three.interval, undefined, "no 95% interval from 3 + 3");
  assert.equal(repetitionsNeeded(0.05), 4);
  assert.equal(repetitionsNeeded(0.01), 5);
  assert.equal(comparePair([1, 2, 3, 4], [10, 20, 30, 40], 0.05).significant, true, "4 + 4 fully separated: p = 2/70");
});

test("a ratio needs positive figures: none when a side holds a zero", () => {
  const pair = comparePair([0, 0, 0, 0, 0], [5, 6, 7, 8, 9], 0.05);
  assert.equal(pair.estimate, undefined);
  assert.equal(pair.interval, undefined);
  assert.equal(pair.significant, true);
});

test("--shard I/N slices cover the full matrix exactly once", () => {
  const configs = FULL_MATRICES.flatMap((m) => expandMatrix(m, timing({ durationNs: 1e9 })));
  for (let n = 1; n <= 5; n++) {
    const slices = Array.from({ length: n }, (_, i) => shard(configs, shardOption(`${i + 1}/${n}`)));
    const seen = slices.flat();
    assert.equal(seen.length, configs.length, `${n} shards`);
    assert.equal(new Set(seen).size, configs.length, `${n} shards overlap`);
  }
  assert.throws(() => shardOption("3/2"), /--shard 3\/2 is not I\/N/);
  assert.throws(() => shardOption("0/2"), /--shard 0\/2 is not I\/N/);
});

test("--sweep update-rate expands to every scheme at every kill period, never included", () => {
  const configs = SWEEPS["update-rate"].matrices.flatMap((m) => expandMatrix(m, timing({ durationNs: 1e9 })));
  assert.equal(configs.length, 4 * 5);
  assert.deepEqual([...new Set(configs.map((c) => c.killPeriodNs))], [null, 10e6, 1e6, 100e3, 0]);
  const delays = SWEEPS["cs-length"].matrices.flatMap((m) => expandMatrix(m, timing({ durationNs: 1e9 })));
  assert.deepEqual([...new Set(delays.map((c) => c.readDelayNs))], [0, 100, 1000, 10000]);
});

test("a matrix expands only the dimensions a scenario uses: readside once per scheme and worker count", () => {
  const spec = {
    scenario: ["readside,populate"],
    protection: ["rcu,mutex"],
    align: ["4k,2m"],
    workers: ["1,2"],
    size: ["64m,128m"],
    readDelay: ["0,100"],
  };
  const configs = matrixConfigurations(spec, { duration: "1s" }, new DaxMachine());
  const readside = configs.filter((c) => c.scenario.name === "readside");
  assert.deepEqual(
    readside.map((c) => `${c.protection} ${c.workers}`),
    ["rcu 1", "rcu 2", "mutex 1", "mutex 2"],
  );
  assert.equal(
    configs.filter((c) => c.scenario.name === "populate").length,
    2 * 2 * 2 * 2 * 2,
    "populate uses all five",
  );
  const tlb = matrixConfigurations({ ...spec, scenario: ["tlb"] }, { duration: "1s" }, new DaxMachine());
  assert.equal(tlb.length, 2 * 2, "tlb: align x size; no scheme runs on its hits, one worker");
  assert.ok(tlb.every((c) => c.workers === 1));
});

test("large samples: U by ranking agrees with counting, and thousands of repetitions stay cheap", () => {
  const a = Array.from({ length: 600 }, (_, i) => 10 + ((i * 7919) % 600) / 100);
  const b = Array.from({ length: 600 }, (_, i) => 12 + ((i * 104729) % 600) / 100);
  const small = mannWhitneyU(a.slice(0, 300), b.slice(0, 300)); // counted pair by pair
  let u = 0;
  for (const x of a.slice(0, 300)) for (const y of b.slice(0, 300)) u += x > y ? 1 : x === y ? 0.5 : 0;
  assert.equal(small.u, u);
  const large = mannWhitneyU(a, b); // 360,000 pairs: by ranking
  let uLarge = 0;
  for (const x of a) for (const y of b) uLarge += x > y ? 1 : x === y ? 0.5 : 0;
  assert.equal(large.u, uLarge);
  // 20,000 + 20,000 repetitions are summarised by quantiles, not expanded into 400 million pairs.
  const pair = comparePair(
    Array.from({ length: 20000 }, (_, i) => 10 + (i % 97) / 100),
    Array.from({ length: 20000 }, (_, i) => 20 + (i % 89) / 100),
    0.05,
  );
  assert.ok(
    pair.significant &&
      pair.estimate! > 1.9 &&
      pair.estimate! < 2.1 &&
      pair.interval![0] < pair.estimate! &&
      pair.interval![1] > pair.estimate!,
  );
});
