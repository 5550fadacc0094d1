// daxbench history: E-divisive means against its definition, and the CLI on result files with a planted
// slowdown, on files of one code, and on runs of two machines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { bestSplit, eDivisive } from "../host/results/changepoints.ts";
import { history, regressions } from "../host/results/history.ts";
import { holm } from "../host/results/stats.ts";
import { csvText } from "../host/export/csv.ts";
import { syntheticRows, type SyntheticConfig } from "./synthetic.ts";
import { daxbench } from "./daxbench.ts";

const E = { alpha: 0.05, permutations: 199, seed: 1, minSize: 3 };

/** Q̂ of one split straight from Matteson and James' definition. */
function statistic(x: number[], y: number[]): number {
  const [m, n] = [x.length, y.length];
  let between = 0;
  for (const a of x) for (const b of y) between += Math.abs(a - b);
  const within = (v: number[]) => {
    let sum = 0;
    for (let i = 0; i < v.length; i++) for (let k = i + 1; k < v.length; k++) sum += Math.abs(v[i] - v[k]);
    return v.length > 1 ? sum / ((v.length * (v.length - 1)) / 2) : 0;
  };
  return ((m * n) / (m + n)) * ((2 * between) / (m * n) - within(x) - within(y));
}

test("bestSplit finds the split of largest Q̂, each Q̂ as the paper defines it", () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 30 }), (z) => {
      const offsets = Array.from({ length: z.length - 1 }, (_, i) => i + 1);
      const found = bestSplit(z, offsets)!;
      const each = offsets.map((m) => statistic(z.slice(0, m), z.slice(m)));
      const best = Math.max(...each);
      assert.ok(
        Math.abs(found.statistic - best) <= 1e-9 * Math.max(1, Math.abs(best)),
        `${found.statistic} against ${best}`,
      );
      assert.ok(Math.abs(each[found.offset - 1] - best) <= 1e-9 * Math.max(1, Math.abs(best)));
    }),
    { numRuns: 200 },
  );
});

/** `count` draws of base × (1 ± spread), from a seeded generator. */
function draws(seed: number, count: number, base: number, spread = 0.02): number[] {
  const rng = xoroshiro128plus(seed);
  return Array.from({ length: count }, () => base * (1 + spread * (2 * uniformFloat64(rng) - 1)));
}

test("E-divisive: a shift is found where it is, with the smallest p the shuffles allow; noise gives none", () => {
  const runs = [draws(1, 5, 100), draws(2, 5, 100), draws(3, 5, 200), draws(4, 5, 200)];
  assert.deepEqual(
    eDivisive(runs, E).map(({ at, p }) => ({ at, p })),
    [{ at: 2, p: 1 / 200 }],
  );
  assert.deepEqual(eDivisive([draws(1, 5, 100), draws(2, 5, 100), draws(3, 5, 100), draws(4, 5, 100)], E), []);
  const twice = [
    draws(5, 5, 100),
    draws(6, 5, 100),
    draws(7, 5, 150),
    draws(8, 5, 150),
    draws(9, 5, 100),
    draws(10, 5, 100),
  ];
  assert.deepEqual(
    eDivisive(twice, E).map((c) => c.at),
    [2, 4],
    "a slowdown and its undoing",
  );
  assert.deepEqual(eDivisive(twice, E), eDivisive(twice, E), "the same seed, the same answer");
});

test("E-divisive: no split leaves fewer than minSize observations on a side", () => {
  assert.deepEqual(
    eDivisive([draws(1, 5, 100), draws(2, 2, 300)], E),
    [],
    "two repetitions after the change are too few",
  );
  assert.deepEqual(
    eDivisive([draws(1, 5, 100), draws(2, 3, 300)], E).map((c) => c.at),
    [1],
  );
});

const scratch = () => mkdtempSync(join(tmpdir(), "daxbench-history-"));

/** One run's result file: four configurations, made at commit `commit` on day `day`. */
function runFile(
  dir: string,
  name: string,
  commit: string,
  day: number,
  seed: number,
  slower: { align: string; protection: string; by: number } | undefined,
  cells: SyntheticConfig["cells"] = {},
) {
  const configs: SyntheticConfig[] = [];
  let k = 0;
  for (const protection of ["rcu", "mutex"]) {
    for (const align of ["4k", "2m"]) {
      const factor = slower && slower.align === align && slower.protection === protection ? slower.by : 1;
      const base = (align === "4k" ? 100 : 10) * (protection === "rcu" ? 1 : 1.3) * factor;
      configs.push({
        protection,
        align,
        nsPerOp: draws(seed * 10 + k++, 5, base),
        cells: { commit, started_at: `2026-01-0${day}T12:00:00.000Z`, ...cells },
      });
    }
  }
  writeFileSync(join(dir, name), csvText(syntheticRows(configs)));
  return join(dir, name);
}

test(
  "history names the configuration and the commit of a planted 2× slowdown, " + "and --fail-on regression exits 1",
  async () => {
    const dir = scratch();
    // Given out of order: history orders the runs by when they were made.
    const files = [
      runFile(dir, "c.csv", "ccc333", 3, 3, { protection: "mutex", align: "2m", by: 2 }),
      runFile(dir, "a.csv", "aaa111", 1, 1, undefined),
      runFile(dir, "b.csv", "bbb222", 2, 2, undefined),
    ];
    const shown = await daxbench("history", ...files);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(
      shown.stdout,
      new RegExp(
        "^1 change point:\\n- populate mutex 2m 1w 1g: bbb222\\.\\.ccc333: 2\\.\\d\\d× slower " +
          "\\(95% CI [\\d.]+…[\\d.]+, p=0\\.00\\d, n=10\\+5\\); E-divisive p=0\\.005$",
        "m",
      ),
    );
    assert.match(shown.stdout, /4 series over 3 commits/);
    assert.match(
      shown.stdout,
      /^no commit was run more than once, so how far apart runs of unchanged code lie is unknown here/m,
    );
    const gate = await daxbench("history", ...files, "--fail-on", "regression");
    assert.equal(gate.status, 1);
    assert.match(gate.stderr, /^regression: populate mutex 2m 1w 1g: bbb222\.\.ccc333: 2\.\d\d× slower/);
    assert.equal(gate.stderr.trim().split("\n").length, 1, gate.stderr);
    const threshold = await daxbench("history", ...files, "--fail-on", "regression", "--min-change", "150%");
    assert.equal(threshold.status, 0, "a slowdown of 100% is under --min-change 150%");
  },
);

test("history finds nothing in three runs of the same code, and the gate passes", async () => {
  const dir = scratch();
  const files = [1, 2, 3].map((day) => runFile(dir, `run-${day}.csv`, `same${day}`, day, day, undefined));
  const result = await daxbench("history", ...files, "--fail-on", "regression");
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^no change point$/m);
  assert.equal(result.stderr, "");
});

test(
  "runs of one commit are replicates: " + "a run twice as slow as its siblings is no change point, and the gate passes",
  async () => {
    const dir = scratch();
    // The third run of one commit is slower as a whole, as a run whose threads landed badly is: no code changed.
    const files = [1, 2, 3].map((day) =>
      runFile(
        dir,
        `run-${day}.csv`,
        "same",
        day,
        day,
        day === 3 ? { protection: "mutex", align: "2m", by: 2 } : undefined,
      ),
    );
    const result = await daxbench("history", ...files, "--fail-on", "regression");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^no change point$/m);
    assert.match(
      result.stdout,
      new RegExp(
        "^4 series have a commit run more than once; " +
          "their runs of one commit differ by up to 2\\.\\d\\d× at same \\(3 runs\\), in populate mutex 2m 1w 1g",
        "m",
      ),
    );
    assert.doesNotMatch(result.stdout, /no commit was run more than once/);
  },
);

test(
  "a change no bigger than the series' runs of one commit differ is shown, and not failed on; " + "a bigger one fails",
  async () => {
    const dir = scratch();
    const mutex2m = (by: number) => ({ protection: "mutex", align: "2m", by });
    const base = [runFile(dir, "1.csv", "c1", 1, 1, undefined), runFile(dir, "2.csv", "c1", 2, 2, mutex2m(1.3))];
    const modest = await daxbench(
      "history",
      ...base,
      runFile(dir, "3.csv", "c2", 3, 3, mutex2m(1.4)),
      "--fail-on",
      "regression",
    );
    assert.equal(modest.status, 0, modest.stderr);
    assert.match(
      modest.stdout,
      new RegExp(
        "^- populate mutex 2m 1w 1g: c1\\.\\.c2: 1\\.\\d\\d× slower .*; " +
          "no bigger than runs of one commit differ \\(1\\.3\\d× at c1 \\(2 runs\\)\\): not failed on$",
        "m",
      ),
    );
    const large = await daxbench(
      "history",
      ...base,
      runFile(dir, "4.csv", "c3", 4, 4, mutex2m(3)),
      "--fail-on",
      "regression",
    );
    assert.equal(large.status, 1, large.stdout);
    assert.match(large.stderr, /^regression: populate mutex 2m 1w 1g: c1\.\.c3: 2\.\d\d× slower/);
  },
);

test(
  "a slowdown undone later is not the newest change point: the gate passes; " +
    "a directory is searched for result files",
  async () => {
    const dir = scratch();
    const slower = { protection: "rcu", align: "4k", by: 2 };
    runFile(dir, "1.csv", "c1", 1, 1, undefined);
    runFile(dir, "2.csv", "c2", 2, 2, undefined);
    runFile(dir, "3.csv", "c3", 3, 3, slower);
    runFile(dir, "4.csv", "c4", 4, 4, slower);
    mkdirSync(join(dir, "later"));
    runFile(join(dir, "later"), "5.csv", "c5", 5, 5, undefined);
    runFile(join(dir, "later"), "6.csv", "c6", 6, 6, undefined);
    writeFileSync(join(dir, "micro.csv"), "case,ns_per_op\nx,1\n");
    const result = await daxbench("history", dir, "--fail-on", "regression");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /- populate rcu 4k 1w 1g: c2\.\.c3: 2\.\d\d× slower/);
    assert.match(result.stdout, /- populate rcu 4k 1w 1g: c4\.\.c5: 2\.\d\d× faster/);
    assert.match(result.stderr, /micro\.csv is not a run's result file .*: passed over/);
  },
);

test("runs of another machine are a series of their own unless --allow-mixed", async () => {
  const dir = scratch();
  const files = [
    runFile(dir, "a.csv", "c1", 1, 1, undefined),
    runFile(dir, "b.csv", "c2", 2, 2, undefined),
    runFile(dir, "c.csv", "c3", 3, 3, { protection: "rcu", align: "2m", by: 2 }, { cpu: "other cpu" }),
  ];
  const apart = await daxbench("history", ...files, "--fail-on", "regression");
  assert.equal(apart.status, 0, apart.stderr);
  assert.match(
    apart.stdout,
    /^8 series over 3 commits, on test cpu x8, Node v20\.0\.0; other cpu x8, Node v20\.0\.0$/m,
  );
  assert.match(apart.stdout, /^no change point$/m);
  const mixed = await daxbench("history", ...files, "--fail-on", "regression", "--allow-mixed");
  assert.equal(mixed.status, 1);
  assert.match(mixed.stderr, /regression: populate rcu 2m 1w 1g: c2\.\.c3: [12]\.\d\d× slower/);
});

test("history refuses bad input with one line and exit 2, before reading any file", async () => {
  const dir = scratch();
  const file = runFile(dir, "a.csv", "c1", 1, 1, undefined);
  for (const [args, message] of [
    [["--fail-on", "slower"], /--fail-on slower is not one of: regression/],
    [
      ["--permutations", "10"],
      /--permutations 10 cannot give a p below --alpha 0\.05 \(the smallest is 1\/11\); give at least 20/,
    ],
    [["--permutations", "many"], /--permutations many is not a whole number/],
    [["--min-change", "-5"], /--min-change -5 is not a percentage of 0 or more/],
    [["--seed", "4294967296"], /--seed 4294967296 is not a whole number from 0 to 4,294,967,295/],
    [["--alpha", "2"], /--alpha 2 is not a number between 0 and 1/],
  ] as const) {
    const result = await daxbench("history", join(dir, "missing.csv"), ...args);
    assert.equal(result.status, 2, `${args}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split("\n").length, 1);
  }
  const missing = await daxbench("history", file, join(dir, "missing.csv"));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /missing\.csv: cannot be read/);
  const empty = await daxbench("history", mkdtempSync(join(tmpdir(), "daxbench-empty-")));
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /no result file \(a CSV written by daxbench run\) found/);
});

test(
  "the gate holds all its series to alpha together (Holm): " +
    "a borderline slowdown fails alone, not as one of twenty",
  () => {
    const before = [10, 10.2, 10.4, 10.6, 10.8];
    const borderline = [10.5, 10.9, 11.0, 11.1, 11.2]; // one-sided Mann-Whitney p = 0.004 against runs 1 and 2
    const clear = before.map((x) => x * 2);
    const runs = (series: number, third: (k: number) => number[]) =>
      [1, 2, 3].flatMap((run) =>
        syntheticRows(
          Array.from({ length: series }, (_, k) => ({
            workers: k + 1,
            nsPerOp: run === 3 ? third(k) : before.map((x) => x + run * 0.01),
            cells: { commit: `c${run}`, started_at: `2026-01-0${run}T00:00:00.000Z` },
          })),
        ),
      );
    const options = { alpha: 0.05, permutations: 199, seed: 1, allowMixed: false };
    assert.equal(
      regressions(
        history(
          runs(1, () => borderline),
          options,
        ),
        0,
      ).length,
      1,
      "alone, 0.004 is below alpha",
    );
    assert.deepEqual(
      regressions(
        history(
          runs(20, () => borderline),
          options,
        ),
        0,
      ),
      [],
      "one of twenty, 0.004 is above alpha / 20",
    );
    const one = regressions(
      history(
        runs(20, (k) => (k === 7 ? clear : before.map((x) => x + 0.03))),
        options,
      ),
      0,
    );
    assert.deepEqual(
      one.map((r) => r.series.label),
      ["populate rcu 4k 8w 1g"],
      "a clear slowdown among twenty still fails",
    );
    assert.ok(Math.abs(one[0].bound - 0.05 / 20) < 1e-12);
  },
);

test(
  "Holm's procedure: " +
    "the smallest p against alpha / m, the next against alpha / (m - 1), stopping at the first above",
  () => {
    assert.deepEqual(holm([0.01, 0.04, 0.03, 0.005], 0.05), [0.05 / 3, undefined, undefined, 0.05 / 4]);
    assert.deepEqual(holm([0.2, 0.5], 0.05), [undefined, undefined]);
    assert.deepEqual(holm([], 0.05), []);
  },
);
