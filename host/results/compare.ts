// benchstat for daxbench: per configuration, the two medians of its scenario's headline figure (ns per
// completed touch, walk levels per 1,000 touches...), the change in percent and a Mann-Whitney U p-value;
// "~" when the change is not significant at alpha, or when the samples are too small for it ever to be (the
// one rule of stats.ts); and a geometric-mean row. Either two files (base, new) or one file split along a
// dimension (each value against the first); or several runs of one matrix split along a dimension, judged
// with the run as the unit (compareAcrossRuns).

import { geometricMean, median } from "simple-statistics";
import { byConfiguration, describe, headlineValues, type ConfigurationResult } from "./configurations.ts";
import { CONFIGURATION_COLUMNS, type ResultRow } from "./schema.ts";
import { comparePair, runsNeeded, smallestSignedRankP, wilcoxonSignedRank, type TooSmall } from "./stats.ts";
import { UsageError } from "../errors.ts";

export interface Delta {
  label: string;
  base: ConfigurationResult;
  next: ConfigurationResult;
  /** (median new - median base) / median base, in percent; on the difference scale (counts that may be
   *  zero), median new - median base. Undefined for a percent of a base that is not positive. */
  change: number | undefined;
  p: number;
  significant: boolean;
  /** Why no verdict was possible whatever the data (too few repetitions); undefined when one was. */
  tooSmall: TooSmall | undefined;
}

export interface ComparisonTable {
  baseName: string;
  nextName: string;
  deltas: Delta[];
  /** Geometric mean of the median ratios new / base (of the configurations compared by ratio), as a change
   *  in percent; NaN when there is none. */
  geomeanPercent: number;
}

/** Configurations with a headline figure on both sides: a side that completed no operation has none. */
function comparable(base: ConfigurationResult, next: ConfigurationResult | undefined): next is ConfigurationResult {
  return next !== undefined && base.headline !== undefined && next.headline !== undefined;
}

function delta(label: string, base: ConfigurationResult, next: ConfigurationResult, alpha: number): Delta {
  const { scale } = base.scenario.headline;
  const pair = comparePair(headlineValues(base), headlineValues(next), alpha, scale);
  const [from, to] = [base.headline!.median, next.headline!.median];
  const change = scale === "difference" ? to - from : from > 0 ? ((to - from) / from) * 100 : undefined;
  return { label, base, next, change, p: pair.p, significant: pair.significant, tooSmall: pair.tooSmall };
}

function table(baseName: string, nextName: string, deltas: Delta[]): ComparisonTable {
  const ratios = deltas
    .filter((d) => d.base.scenario.headline.scale === "ratio")
    .map((d) => d.next.headline!.median / d.base.headline!.median)
    .filter((r) => r > 0 && Number.isFinite(r));
  return { baseName, nextName, deltas, geomeanPercent: ratios.length ? (geometricMean(ratios) - 1) * 100 : NaN };
}

/** BASE.csv against NEW.csv, configuration by configuration. */
export function compareRuns(
  base: { name: string; rows: ResultRow[] },
  next: { name: string; rows: ResultRow[] },
  alpha: number,
): ComparisonTable {
  const nextByKey = new Map(byConfiguration(next.rows).map((c) => [c.key, c]));
  const deltas = byConfiguration(base.rows)
    .filter((c) => comparable(c, nextByKey.get(c.key)))
    .map((c) => delta(describe(c.name), c, nextByKey.get(c.key)!, alpha));
  if (deltas.length === 0) {
    throw new UsageError(`${base.name} and ${next.name} have no configuration in common: nothing to compare`);
  }
  return table(base.name, next.name, deltas);
}

/** One file split along `by` (protection, align or policy): every other value against the first one in the file. */
export function compareWithin(
  name: string,
  rows: ResultRow[],
  by: "protection" | "align" | "policy",
  alpha: number,
): ComparisonTable[] {
  const results = byConfiguration(rows);
  const values = [...new Set(results.map((c) => String(c.identity[by])))];
  if (values.length < 2)
    throw new UsageError(`${name}: every row has ${by} ${values[0] ?? "(none)"}; --by ${by} needs two or more`);
  const others = CONFIGURATION_COLUMNS.filter((column) => column !== by);
  const keyOf = (c: ConfigurationResult) => others.map((column) => c.identity[column]).join("|");
  const [first, ...rest] = values;
  const bases = new Map(results.filter((c) => c.identity[by] === first).map((c) => [keyOf(c), c]));
  const tables = rest.map((value) => {
    const deltas = results
      .filter((c) => c.identity[by] === value && bases.has(keyOf(c)) && comparable(bases.get(keyOf(c))!, c))
      .map((c) => delta(describe(c.name, by), bases.get(keyOf(c))!, c, alpha));
    return deltas.length ? table(`${by} ${first}`, `${by} ${value}`, deltas) : undefined;
  });
  const found = tables.filter((t): t is ComparisonTable => t !== undefined);
  if (found.length === 0)
    throw new UsageError(`${name}: no configuration has both ${by} ${first} and another ${by}: nothing to compare`);
  return found;
}

/** One pair of configurations (a value of the dimension against the first) across several runs of one matrix:
 *  each run's verdict by the one rule, and a verdict with the run as the unit. Repetitions inside a run share
 *  the phase of the machine the run met; runs made at different times do not, so a difference that holds
 *  across runs is one a second run will find. */
export interface RunsDelta {
  label: string;
  /** The two sides in the first run (for the unit and the scale). */
  base: ConfigurationResult;
  next: ConfigurationResult;
  /** Each run's medians compared: next / base on the ratio scale, next - base on the difference scale. */
  perRun: number[];
  /** How many runs found next lower (faster), higher, or no significant difference. */
  calls: { lower: number; higher: number; none: number };
  /** The median of perRun (on the ratio scale, of their logarithms, taken back); NaN when a ratio is not
   *  positive. */
  estimate: number;
  /** The Wilcoxon signed-rank test of perRun (its logarithms on the ratio scale) against no difference. */
  p: number;
  significant: boolean;
  /** Why no verdict was possible whatever the data: a run whose median is not positive (a ratio needs two
   *  positive medians), or too few runs that differ at all for any p below alpha. Undefined when one was. */
  noVerdict: NoVerdictAcrossRuns | undefined;
}

export type NoVerdictAcrossRuns =
  | { reason: "median-not-positive" }
  | { reason: "too-few-runs"; runs: number; differing: number; smallestP: number; needed: number };

export interface RunsTable {
  baseName: string;
  nextName: string;
  runs: number;
  deltas: RunsDelta[];
}

/** Several runs of one matrix, each split along `by` as compareWithin splits one: the configurations found in
 *  every run, each pair judged in each run and then across the runs. */
export function compareAcrossRuns(
  runs: { name: string; rows: ResultRow[] }[],
  by: "protection" | "align" | "policy",
  alpha: number,
): RunsTable[] {
  const perRun = runs.map((run) => compareWithin(run.name, run.rows, by, alpha));
  const [first, ...later] = perRun;
  // A pair is the same pair in every run when both its configurations are (each run's base is the first value
  // in its own file, so a table of the same other value may be against another base): matched by both keys.
  const samePair = (a: Delta, b: Delta) => a.base.key === b.base.key && a.next.key === b.next.key;
  const tables = first.map((table) => {
    const found = later.map((tables) => tables.find((t) => t.nextName === table.nextName));
    const deltas = table.deltas.flatMap((delta) => {
      const across = [delta, ...found.map((t) => t?.deltas.find((d) => samePair(d, delta)))];
      return across.every((d): d is Delta => d !== undefined) ? [runsDelta(across, alpha)] : [];
    });
    return { baseName: table.baseName, nextName: table.nextName, runs: runs.length, deltas };
  });
  const kept = tables.filter((t) => t.deltas.length > 0);
  if (kept.length === 0)
    throw new UsageError(
      `${runs.map((r) => r.name).join(", ")}: no pair along ${by} is in every run: nothing to compare across them`,
    );
  return kept;
}

function runsDelta(deltas: Delta[], alpha: number): RunsDelta {
  const [{ label, base, next }] = deltas;
  const ratio = base.scenario.headline.scale === "ratio";
  const perRun = deltas.map((d) =>
    ratio ? d.next.headline!.median / d.base.headline!.median : d.next.headline!.median - d.base.headline!.median,
  );
  const calls = { lower: 0, higher: 0, none: 0 };
  for (const d of deltas) {
    const lower = d.next.headline!.median < d.base.headline!.median;
    calls[!d.significant ? "none" : lower ? "lower" : "higher"]++;
  }
  // A ratio of a cost that is zero on a side has no logarithm: such a pair gets no verdict across runs.
  const defined = !ratio || perRun.every((r) => r > 0 && Number.isFinite(r));
  const differences = defined ? perRun.map((r) => (ratio ? Math.log(r) : r)) : [];
  const { n, p } = defined ? wilcoxonSignedRank(differences) : { n: 0, p: 1 };
  const smallest = smallestSignedRankP(n);
  const noVerdict: NoVerdictAcrossRuns | undefined = !defined
    ? { reason: "median-not-positive" }
    : smallest >= alpha
      ? { reason: "too-few-runs", runs: deltas.length, differing: n, smallestP: smallest, needed: runsNeeded(alpha) }
      : undefined;
  return {
    label,
    base,
    next,
    perRun,
    calls,
    estimate: !defined ? NaN : ratio ? Math.exp(median(differences)) : median(differences),
    p,
    significant: defined && p < alpha,
    noVerdict,
  };
}
