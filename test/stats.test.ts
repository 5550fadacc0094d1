// The statistics behind summaries and compare, against answers worked out by hand or in textbooks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { summarize, mannWhitneyU, speedup, warnings } from "../host/stats.ts";
import { shard, expandMatrix, FULL_MATRICES, SWEEPS } from "../host/matrix.ts";
import { DaxMachine } from "../host/dax.ts";

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

test("summary: mean, σ, median, range and a Student-t 95% interval", () => {
  const s = summarize([1, 2, 3, 4, 5]);
  assert.equal(s.n, 5);
  assert.equal(s.mean, 3);
  close(s.sd, Math.sqrt(2.5), 1e-12, "sd");
  assert.equal(s.median, 3);
  assert.deepEqual([s.min, s.max], [1, 5]);
  close(s.ci95[0], 3 - 2.7764451 * Math.sqrt(2.5 / 5), 1e-6, "ci low");
  close(s.ci95[1], 3 + 2.7764451 * Math.sqrt(2.5 / 5), 1e-6, "ci high");
  assert.equal(s.outliers, 0);
});

test("summary: flags an outlier by modified z-score, and too few repetitions", () => {
  assert.equal(summarize([10, 11, 12, 13, 100]).outliers, 1);
  assert.match(warnings(summarize([10, 11, 12, 13, 100])).join(), /1 outlier/);
  assert.match(warnings(summarize([10, 12])).join(), /n = 2: too few repetitions/);
});

test("speed-up with hyperfine's uncertainty", () => {
  const fast = summarize([9, 10, 11]);
  const slow = summarize([18, 20, 22]);
  const { ratio, error } = speedup(fast, slow);
  assert.equal(ratio, 2);
  close(error, 2 * Math.hypot(1 / 10, 2 / 20), 1e-12, "error");
});

test("--shard I/N slices cover the full matrix exactly once", () => {
  const configs = FULL_MATRICES.flatMap((m) => expandMatrix(m, { duration: "1s" }, new DaxMachine()));
  for (let n = 1; n <= 5; n++) {
    const slices = Array.from({ length: n }, (_, i) => shard(configs, `${i + 1}/${n}`));
    const seen = slices.flat();
    assert.equal(seen.length, configs.length, `${n} shards`);
    assert.equal(new Set(seen).size, configs.length, `${n} shards overlap`);
  }
  assert.throws(() => shard(configs, "3/2"), /--shard 3\/2 is not I\/N/);
  assert.throws(() => shard(configs, "0/2"), /--shard 0\/2 is not I\/N/);
});

test("--sweep update-rate expands to every scheme at every kill period, never included", () => {
  const configs = SWEEPS["update-rate"].matrices.flatMap((m) => expandMatrix(m, { duration: "1s" }, new DaxMachine()));
  assert.equal(configs.length, 4 * 5);
  assert.deepEqual([...new Set(configs.map((c) => c.killPeriodNs))], [null, 10e6, 1e6, 100e3, 0]);
  const delays = SWEEPS["cs-length"].matrices.flatMap((m) => expandMatrix(m, { duration: "1s" }, new DaxMachine()));
  assert.deepEqual([...new Set(delays.map((c) => c.readDelayNs))], [0, 100, 1000, 10000]);
});
