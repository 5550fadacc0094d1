// The one rule by which daxbench says "faster" or "slower" (README, "When daxbench says faster"): at least 3
// repetitions on each side, however far apart the sides are and whatever their sizes, and a Mann-Whitney p
// strictly below --alpha; and --alpha is the level that compare, report and history judge by, not 0.05.
import { tooSmallText } from "../host/print/pairs.ts";
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { comparePair, mannWhitneyU } from "../host/results/stats.ts";
import { compareRuns } from "../host/results/compare.ts";
import { byConfiguration } from "../host/results/configurations.ts";
import { comparisons } from "../host/print/summary.ts";
import { history, regressions } from "../host/results/history.ts";
import { csvText } from "../host/export/csv.ts";
import { syntheticRows } from "./synthetic.ts";
import { daxbench } from "./daxbench.ts";

const two = [10, 10.1];
const three = [10, 10.1, 10.2];
const eight = [20, 20.1, 20.2, 20.3, 20.4, 20.5, 20.6, 20.7];

test(
  "no verdict with fewer than 3 repetitions on either side, " +
    "even 2 against 8 that Mann-Whitney alone would call (p = 0.044)",
  () => {
    assert.ok(mannWhitneyU(two, eight).p < 0.05, "the test alone is below alpha: only the rule stops it");
    for (const [a, b] of [
      [two, eight],
      [eight, two],
    ]) {
      const pair = comparePair(a, b, 0.05);
      assert.equal(pair.significant, false, `n=${a.length}+${b.length}`);
      assert.equal(
        pair.tooSmall && tooSmallText(pair.tooSmall),
        `n=${a.length}+${b.length}: too few repetitions to compare (want 3+ each)`,
      );
    }
    for (const [a, b] of [
      [three, eight],
      [eight, three],
    ]) {
      const pair = comparePair(a, b, 0.05);
      assert.equal(pair.significant, true, `n=${a.length}+${b.length}: 3 a side is enough (p = ${pair.p})`);
      assert.equal(pair.tooSmall, undefined);
    }
    // The same rule wherever a verdict is given: compare's table, and the pairs of run and report.
    const base = syntheticRows([
      { align: "4k", nsPerOp: two },
      { align: "2m", nsPerOp: three },
    ]);
    const next = syntheticRows([
      { align: "4k", nsPerOp: eight },
      { align: "2m", nsPerOp: eight },
    ]);
    const [short, enough] = compareRuns({ name: "base", rows: base }, { name: "new", rows: next }, 0.05).deltas;
    assert.deepEqual(
      [short.significant, short.tooSmall],
      [false, { reason: "too-few-repetitions", n1: 2, n2: 8, least: 3 }],
    );
    assert.deepEqual([enough.significant, enough.tooSmall], [true, undefined]);
    const lines = comparisons(
      byConfiguration(
        syntheticRows([
          { protection: "rcu", nsPerOp: two },
          { protection: "mutex", nsPerOp: eight },
          { protection: "rcu", align: "2m", nsPerOp: three },
          { protection: "mutex", align: "2m", nsPerOp: eight },
        ]),
      ),
      0.05,
    );
    assert.ok(
      lines.includes("populate 4k 1w 1g: rcu ~ mutex (n=2+8: too few repetitions to compare (want 3+ each))"),
      lines.join("\n"),
    );
    const faster = new RegExp(
      "^populate 2m 1w 1g: rcu is 2\\.0\\d× faster than mutex per completed touch " +
        "\\(95% CI .*, p=0\\.012, n=3\\+8\\)$",
    );
    assert.ok(
      lines.some((line) => faster.test(line)),
      lines.join("\n"),
    );
  },
);

/** Five repetitions a side, one pair out of order: U = 1, an exact p of 2 × 2 / C(10, 5) = 4 / 252 = 0.016. */
const base = [10, 11, 12, 13, 14];
const slower = [13.5, 15, 16, 17, 18];
const P = 4 / 252;

test("a p-value equal to alpha is not below it, and a p between two alphas is significant only at the larger", () => {
  assert.equal(mannWhitneyU(base, slower).p, P);
  assert.equal(comparePair(base, slower, P).significant, false, "p = alpha: not below alpha");
  assert.equal(comparePair(base, slower, 0.05).significant, true);
  assert.equal(comparePair(base, slower, 0.01).significant, false);
  // The interval is the ratio's at confidence 1 - alpha: wider at 0.01 than at 0.05.
  const [wide, narrow] = [comparePair(base, slower, 0.01).interval!, comparePair(base, slower, 0.05).interval!];
  assert.ok(wide[0] < narrow[0] && wide[1] > narrow[1], `99%: ${wide}, 95%: ${narrow}`);
  // At alpha 2 / 252 the outermost ratios miss with probability P(U = 0) + P(U = 25) = 2 / 252 = alpha exactly:
  // they still cover 1 - alpha, so that interval is given, not none.
  assert.deepEqual(comparePair(base, slower, 2 / 252).interval, [13.5 / 14, 18 / 10]);
  // 3 + 3 can reach p = 0.1 and no lower: at alpha 0.1 no verdict is possible, at 0.2 one is.
  assert.match(
    tooSmallText(comparePair([1, 2, 3], [4, 5, 6], 0.1).tooSmall!),
    /^n=3\+3: no p below 0\.1 is possible \(smallest 0\.100\); 4\+ repetitions each are needed$/,
  );
  assert.equal(comparePair([1, 2, 3], [4, 5, 6], 0.2).significant, true);
});

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-verdicts-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test("compare judges at --alpha: p = 0.016 is a change at 0.05 and ~ at 0.01", async () => {
  const dir = scratch({
    "base.csv": csvText(syntheticRows([{ nsPerOp: base }])),
    "new.csv": csvText(syntheticRows([{ nsPerOp: slower }])),
    "both.csv": csvText(
      syntheticRows([
        { protection: "rcu", nsPerOp: base },
        { protection: "mutex", nsPerOp: slower },
      ]),
    ),
  });
  const files = [join(dir, "base.csv"), join(dir, "new.csv")];
  const usual = await daxbench("compare", ...files);
  assert.equal(usual.status, 0, usual.stderr);
  assert.match(usual.stdout, /populate rcu 4k 1w 1g .* \+33\.33% \(p=0\.016 n=5\+5\)/);
  const strict = await daxbench("compare", ...files, "--alpha", "0.01");
  assert.equal(strict.status, 0, strict.stderr);
  assert.match(strict.stdout, /populate rcu 4k 1w 1g .* ~ \(p=0\.016 n=5\+5\)/);
  assert.match(strict.stdout, /^~: not significant at alpha 0\.01 /m);
  const within = await daxbench("compare", join(dir, "both.csv"), "--by", "protection", "--alpha", "0.01");
  assert.match(within.stdout, /populate 4k 1w 1g .* ~ \(p=0\.016 n=5\+5\)/);
  const small = await daxbench("compare", ...files, "--alpha", "0.001");
  assert.match(
    small.stdout,
    /note: n=5\+5: no p below 0\.001 is possible \(smallest 0\.008\); 7\+ repetitions each are needed/,
  );
});

test("report judges its pairs and its Relative column at --alpha, and names the interval's level", async () => {
  const dir = scratch({
    "run.csv": csvText(
      syntheticRows([
        { protection: "rcu", nsPerOp: base },
        { protection: "mutex", nsPerOp: slower },
      ]),
    ),
  });
  const report = async (...alpha: string[]) => {
    const result = await daxbench("report", join(dir, "run.csv"), "--format", "md", ...alpha);
    assert.equal(result.status, 0, result.stderr);
    return readFileSync(join(dir, "run.md"), "utf8");
  };
  const usual = await report();
  assert.match(
    usual,
    new RegExp(
      "^- populate 4k 1w 1g: rcu is 1\\.33× faster than mutex per completed touch " +
        "\\(95% CI [\\d.]+…[\\d.]+, p=0\\.016, n=5\\+5\\)$",
      "m",
    ),
  );
  assert.match(usual, /^\| mutex 4k 1w 1g \|.*\| 1\.33 \([\d.]+…[\d.]+\) \|/m);
  const strict = await report("--alpha", "0.01");
  assert.match(strict, /^- populate 4k 1w 1g: rcu ~ mutex \(p=0\.016, n=5\+5\)$/m);
  assert.match(strict, /^\| mutex 4k 1w 1g \|.*\| ~ 1\.33 \|/m);
  assert.match(strict, /judged at alpha 0\.01/);
  const loose = await report("--alpha", "0.2");
  assert.match(loose, /^- populate 4k 1w 1g: rcu is 1\.33× faster than mutex per completed touch \(80% CI /m);
});

/** Three runs of one configuration at three commits, the third slower: ten repetitions before, five after,
 *  their Mann-Whitney p 0.012 (between 0.01 and 0.05), and E-divisive's p 0.005 (below both). */
function historyFiles(dir: string, after = [10.5, 11.5, 11.5, 12, 12.5]): string[] {
  const before = [10, 10.2, 10.4, 10.6, 10.8];
  return [1, 2, 3].map((run) => {
    const path = join(dir, `run-${run}.csv`);
    writeFileSync(
      path,
      csvText(
        syntheticRows([
          {
            nsPerOp: run === 3 ? after : before.map((x) => x + run * 0.01),
            cells: { commit: `c${run}`, started_at: `2026-01-0${run}T00:00:00.000Z` },
          },
        ]),
      ),
    );
    return path;
  });
}

test("history judges a change point at --alpha: slower, and failed on, at 0.05; ~ and passed at 0.01", async () => {
  const files = historyFiles(scratch({}));
  const usual = await daxbench("history", ...files, "--fail-on", "regression");
  assert.equal(usual.status, 1, usual.stdout);
  assert.match(
    usual.stdout,
    new RegExp(
      "^- populate rcu 4k 1w 1g: c2\\.\\.c3: 1\\.\\d\\d× slower " +
        "\\(95% CI [\\d.]+…[\\d.]+, p=0\\.012, n=10\\+5\\); E-divisive p=0\\.005$",
      "m",
    ),
  );
  const strict = await daxbench("history", ...files, "--fail-on", "regression", "--alpha", "0.01");
  assert.equal(strict.status, 0, strict.stderr);
  assert.match(
    strict.stdout,
    /^- populate rcu 4k 1w 1g: c2\.\.c3: ~ 1\.\d\d× \(p=0\.012, n=10\+5\); E-divisive p=0\.005$/m,
  );
  assert.match(strict.stdout, /at alpha 0\.01/);
  assert.equal(strict.stderr, "");
});

test(
  "the gate holds its series together at --alpha: at 0.01, " +
    "a slowdown of one-sided p 0.0003 among 40 series is not enough (0.01 / 40)",
  () => {
    const before = [10, 10.2, 10.4, 10.6, 10.8];
    const rows = [1, 2, 3].flatMap((run) =>
      syntheticRows(
        Array.from({ length: 40 }, (_, k) => ({
          workers: k + 1,
          nsPerOp: run === 3 && k === 5 ? before.map((x) => 2 * x) : before.map((x) => x + run * 0.01),
          cells: { commit: `c${run}`, started_at: `2026-01-0${run}T00:00:00.000Z` },
        })),
      ),
    );
    const at = (alpha: number) =>
      regressions(history(rows, { alpha, permutations: 199, seed: 1, allowMixed: false }), 0);
    const [found] = at(0.05);
    assert.equal(found.series.label, "populate rcu 4k 6w 1g");
    assert.ok(Math.abs(found.p - 1 / 3003) < 1e-12, `one-sided p ${found.p}: 10 before, 5 after, all slower`);
    assert.ok(Math.abs(found.bound - 0.05 / 40) < 1e-12);
    assert.deepEqual(at(0.01), [], "1 / 3003 is above 0.01 / 40: at 0.01 the gate passes");
  },
);

test("history calls no change point with fewer than 3 repetitions after it, however far they moved", async () => {
  const dir = scratch({});
  const files = historyFiles(dir, [30, 31]);
  const result = await daxbench("history", ...files, "--fail-on", "regression");
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^no change point$/m, "two repetitions three times as slow are too few to split on");
  const three = await daxbench("history", ...historyFiles(scratch({}), [30, 31, 32]), "--fail-on", "regression");
  assert.equal(three.status, 1, "three are enough");
});
