// A configuration followed across runs: result files of many runs read together, each configuration's runs
// in the order they were made (started_at, then commit), and the change points of its headline figure by
// E-divisive means (changepoints.ts), each judged across the change by compare's rule (stats.ts: Hodges-
// Lehmann ratio with its interval, and "slower" or "faster" only with a Mann-Whitney p below alpha and 3+
// repetitions a side). A series is one configuration on one machine (CPU model and count, Node version):
// runs of other machines differ for reasons no commit made, and are kept apart unless allowMixed. A change
// point falls only where the commit changes: runs of one commit are replicates, and how far apart they lie
// is the yardstick a change must pass before the gate fails on it.

import { closeSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { readResultFile } from "./file.ts";
import { byConfiguration, describe, headlineValues, type ConfigurationResult } from "./configurations.ts";
import { configurationKey, type ResultRow } from "./schema.ts";
import { comparePair, holm, MIN_COMPARABLE_N, type PairComparison } from "./stats.ts";
import { eDivisive } from "./changepoints.ts";
import { groupBy } from "./group.ts";
import { machineOf } from "./merge.ts";
import { UsageError } from "../errors.ts";
import type { Scenario } from "../types.ts";

export interface HistoryOptions {
  alpha: number;
  /** Shuffles of the permutation test. */
  permutations: number;
  seed: number;
  /** Put runs of different machines in one series. */
  allowMixed: boolean;
}

/** One run of a configuration. */
export interface RunPoint {
  commit: string;
  startedAt: string;
  result: ConfigurationResult;
}

export type Direction = "slower" | "faster" | "~";

/** A change point, and what changed across it. */
export interface Shift {
  /** The index in the series' points of the first run after the change. */
  at: number;
  /** The last run before the change and the first after it: the commit range to look in. */
  from: RunPoint;
  to: RunPoint;
  /** The permutation test's p-value (E-divisive). */
  permutationP: number;
  /** The repetitions after the change (up to the next one) against those before it (from the previous one). */
  comparison: PairComparison;
  /** "slower" or "faster" only when the comparison is significant; the headline is a cost. */
  direction: Direction;
  /** The change is no bigger than the series' own runs of one commit differ (Series.replicates): the gate
   *  passes over it. */
  withinReplicates: boolean;
}

/** How far apart the runs of one commit lie in a series: the most their medians differ, as a ratio (the
 *  largest median over the smallest) for costs or as a difference otherwise, over every commit run more
 *  than once. Those runs measured the same code, so this much change is what running again alone gives. */
export interface ReplicateSpread {
  /** The ratio (scale "ratio") or difference (scale "difference") of the farthest-apart medians. */
  spread: number;
  scale: "ratio" | "difference";
  /** The commit whose runs differ most, and how many runs it has. */
  commit: string;
  runs: number;
}

export interface Series {
  label: string;
  /** "cpu xN, Node vX", or "" when machines are mixed on purpose. */
  machine: string;
  scenario: Scenario;
  points: RunPoint[];
  shifts: Shift[];
  /** Undefined when no commit of the series was run more than once. */
  replicates?: ReplicateSpread;
}

export interface History {
  series: Series[];
  /** Distinct commits over all runs. */
  commits: number;
  machines: string[];
  options: HistoryOptions;
}

/** Whether a file starts as a run's result does ("scenario,"), read from its first bytes only. */
function isRunResult(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(9);
    return head.subarray(0, readSync(fd, head, 0, 9, 0)).toString() === "scenario,";
  } finally {
    closeSync(fd);
  }
}

/** The result files named, and those found under the directories named (recursively, in name order);
 *  a CSV found in a directory that is not a run's result (another schema: micro, native, kernel) is passed
 *  over with a note, a file named on its own must be one. */
export function resultPaths(paths: string[]): { files: string[]; notes: string[] } {
  const files: string[] = [];
  const notes: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".csv")) {
        if (isRunResult(path)) files.push(path);
        else
          notes.push(
            `note: ${path} is not a run's result file (its header does not start with "scenario"): passed over`,
          );
      }
    }
  };
  for (const path of paths) {
    let directory = false;
    try {
      directory = statSync(path).isDirectory();
    } catch {
      throw new UsageError(`${path}: cannot be read`);
    }
    if (directory) walk(path);
    else files.push(path);
  }
  if (files.length === 0)
    throw new UsageError(`${paths.join(", ")}: no result file (a CSV written by daxbench run) found`);
  return { files, notes };
}

/** The rows of every file, checked as `compare` and `report` check them. */
export function readRuns(files: string[]): ResultRow[] {
  return files.flatMap((path) => readResultFile(path).rows);
}

/** A series' headline values as E-divisive sees them: costs on the logarithmic scale (a change is a ratio, as
 *  in compare), counts that may be zero as they are. */
function observations(series: { scenario: Scenario; points: RunPoint[] }): number[][] {
  const values = series.points.map((point) => headlineValues(point.result));
  const logs = series.scenario.headline.scale === "ratio" && values.every((run) => run.every((v) => v > 0));
  return logs ? values.map((run) => run.map(Math.log)) : values;
}

function direction(comparison: PairComparison, before: number[], after: number[]): Direction {
  if (!comparison.significant) return "~";
  // Without an estimate (a ratio of a figure that may be zero) the medians tell the direction.
  const up =
    comparison.estimate !== undefined
      ? comparison.estimate > (comparison.scale === "ratio" ? 1 : 0)
      : after.reduce((a, b) => a + b, 0) / after.length > before.reduce((a, b) => a + b, 0) / before.length;
  return up ? "slower" : "faster";
}

/** The series' runs as E-divisive's groups: consecutive runs of one commit are one group, since a change point
 *  is a change of the code and the code did not change between them. A run without a commit (made outside git)
 *  is a group of its own. Each group is given by the index of its first run. */
function commitGroups(runs: RunPoint[]): number[] {
  return runs.flatMap((point, i) => (i > 0 && point.commit !== "" && point.commit === runs[i - 1].commit ? [] : [i]));
}

/** The ReplicateSpread of a series, or undefined without a commit run twice. */
function replicateSpread(runs: RunPoint[], scale: Scenario["headline"]["scale"]): ReplicateSpread | undefined {
  let widest: ReplicateSpread | undefined;
  for (const [commit, points] of groupBy(
    runs.filter((point) => point.commit !== ""),
    (point) => point.commit,
  )) {
    if (points.length < 2) continue;
    const medians = points.map((point) => point.result.headline!.median);
    const [low, high] = [Math.min(...medians), Math.max(...medians)];
    const ratio = scale === "ratio" && low > 0;
    const spread = ratio ? high / low : high - low;
    if (!widest || spread > widest.spread)
      widest = { spread, scale: ratio ? "ratio" : "difference", commit, runs: points.length };
  }
  return widest;
}

/** Whether a shift's estimate is no bigger than the spread of the series' runs of one commit. */
function withinReplicates(comparison: PairComparison, replicates: ReplicateSpread | undefined): boolean {
  const { estimate, scale } = comparison;
  if (!replicates || estimate === undefined || scale !== replicates.scale) return false;
  const size = scale === "ratio" ? Math.max(estimate, 1 / estimate) : Math.abs(estimate);
  return size <= replicates.spread;
}

export function history(rows: ResultRow[], options: HistoryOptions): History {
  const keyOf = (row: ResultRow) =>
    options.allowMixed ? configurationKey(row) : `${configurationKey(row)}|${machineOf(row)}`;
  const series: Series[] = [];
  for (const seriesRows of groupBy(rows, keyOf).values()) {
    const runs = [...groupBy(seriesRows, (row) => `${row.started_at}|${row.commit}`).values()]
      .map((reps) => ({
        commit: reps[0].commit,
        startedAt: reps[0].started_at,
        result: byConfiguration(reps)[0],
      }))
      .filter((point) => point.result.headline !== undefined)
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.commit.localeCompare(b.commit));
    if (runs.length === 0) continue;
    const first = runs[0].result;
    const entry: Series = {
      label: describe(first.name),
      machine: options.allowMixed ? "" : machineOf(first.identity),
      scenario: first.scenario,
      points: runs,
      shifts: [],
    };
    entry.replicates = replicateSpread(runs, first.scenario.headline.scale);
    const perRun = observations(entry);
    const starts = commitGroups(runs);
    const groups = starts.map((start, g) => perRun.slice(start, starts[g + 1] ?? runs.length).flat());
    const found = eDivisive(groups, { ...options, minSize: MIN_COMPARABLE_N }).map((change) => ({
      ...change,
      at: starts[change.at],
    }));
    const bounds = [0, ...found.map((change) => change.at), runs.length];
    entry.shifts = found.map((change, i) => {
      const values = (from: number, to: number) =>
        runs.slice(from, to).flatMap((point) => headlineValues(point.result));
      const [before, after] = [values(bounds[i], bounds[i + 1]), values(bounds[i + 1], bounds[i + 2])];
      const comparison = comparePair(before, after, options.alpha, first.scenario.headline.scale);
      return {
        at: change.at,
        from: runs[change.at - 1],
        to: runs[change.at],
        permutationP: change.p,
        comparison,
        direction: direction(comparison, before, after),
        withinReplicates: withinReplicates(comparison, entry.replicates),
      };
    });
    series.push(entry);
  }
  return {
    series,
    commits: new Set(rows.map((row) => row.commit)).size,
    machines: [...new Set(rows.map(machineOf))],
    options,
  };
}

/** The change in percent a shift's estimate amounts to: of the ratio, or of a difference against the median
 *  before the change. Undefined without an estimate (or a median of zero to take a percent of). */
export function changePercent(shift: Shift): number | undefined {
  const { estimate, scale } = shift.comparison;
  if (estimate === undefined) return undefined;
  if (scale === "ratio") return (estimate - 1) * 100;
  const median = shift.from.result.headline!.median;
  return median > 0 ? (estimate / median) * 100 : undefined;
}

/** The one-sided p-value that a shift's runs after the change are slower than those before: Mann-Whitney's
 *  two-sided p halved in the direction its estimate points, its complement against it. */
export function slowdownP(shift: Shift): number {
  const { p, estimate, scale } = shift.comparison;
  const slower = shift.direction === "slower" || (estimate !== undefined && estimate > (scale === "ratio" ? 1 : 0));
  return slower ? p / 2 : 1 - p / 2;
}

/** A regression the gate fails on, with the p-value that failed it and the bound Holm held it to. */
export interface Regression {
  series: Series;
  shift: Shift;
  p: number;
  bound: number;
}

/** The regressions a CI gate fails on. Every series is one test of "its newest change point made it slower",
 *  by slowdownP (1 for a series with no change point); the tests are held together to alpha by Holm's
 *  procedure, so that with many series the chance that any unchanged one fails the gate stays at alpha, not
 *  alpha times the number of series. A rejected test fails the gate when its change is a significant slowdown
 *  of at least `minChangePercent` and bigger than the series' runs of one commit differ. */
export function regressions(h: History, minChangePercent: number): Regression[] {
  const tested = h.series.map((series) => ({ series, shift: series.shifts.at(-1) }));
  const bounds = holm(
    tested.map(({ shift }) => (shift ? slowdownP(shift) : 1)),
    h.options.alpha,
  );
  return tested.flatMap(({ series, shift }, i) => {
    const bound = bounds[i];
    if (!shift || bound === undefined || shift.direction !== "slower" || shift.withinReplicates) return [];
    const percent = changePercent(shift);
    return percent === undefined || percent >= minChangePercent ? [{ series, shift, p: slowdownP(shift), bound }] : [];
  });
}
