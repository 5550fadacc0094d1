// `npm run results:gate`: does `history --fail-on regression` cry wolf, and does it still catch a real
// slowdown? Synthetic histories made from results/reference.csv: sets of three runs of "different commits",
// no change; then the same sets with a SLOWDOWN planted in one configuration (drawn at random) of the third
// run. The gate is run on each set with its defaults, as CI runs it. Two kinds of noise (NoiseModel): the
// issue's, every repetition within ±NOISE of its configuration's median, on which the goals are judged; and
// this machine's, every repetition the reference's own repetition times such a factor, which keeps the spread
// the reference run measured. The goals are judged on the first JUDGED sets; the rates over all the sets (200
// by default) say how far those are from luck. The figures go to results/gate.md and
// docs/continuous-benchmarking.md.
//
//   node --import tsx bench/gate.ts [--sets N] [--reference PATH]

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { readResultFile } from "../host/results/file.ts";
import { byConfiguration, describe, headlineValues } from "../host/results/configurations.ts";
import { history, regressions, type HistoryOptions } from "../host/results/history.ts";
import { markdownTable } from "../host/export/markdown.ts";
import { replaceSection } from "../host/export/readme.ts";
import { writeFileAtomic } from "../host/output-files.ts";
import { wholeNumberOption } from "../host/cli/options.ts";
import { UsageError } from "../host/errors.ts";
import type { ResultRow } from "../host/results/schema.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** What is planted and what is asked of the gate (the terms). */
export const NOISE = 0.02;
export const SLOWDOWN = 1.1;
export const GOALS = { falseAlarmsAtMost: 1, caughtAtLeast: 19 } as const;
/** The sets the goals are judged on: the first 20. */
export const JUDGED = 20;

/** `history --fail-on regression`'s defaults. */
const DEFAULTS: HistoryOptions = { alpha: 0.05, permutations: 199, seed: 1, allowMixed: false };

/** What a synthetic repetition is made from, before its factor within ±NOISE: its configuration's median
 *  in the reference ("median": the runs' only noise is ±NOISE, the issue's terms), or the reference's
 *  repetition at its position ("repetitions": the spread between repetitions this machine gave as well). */
export type NoiseModel = "median" | "repetitions";
export const NOISE_MODELS: readonly NoiseModel[] = ["median", "repetitions"];

/** One set: whether the gate failed with no change, and on the set with a configuration slowed, whether it
 *  failed on that one and whether on any other. */
interface SetOutcome {
  falseAlarm: boolean;
  slowed: string;
  caught: boolean;
  alsoFailed: boolean;
}

/** Three runs of the reference's configurations, each value made by `model` and scaled by a factor within
 *  ±NOISE; `slow` is the key of a configuration whose third run is SLOWDOWN times slower. */
function syntheticRuns(
  reference: ResultRow[],
  model: NoiseModel,
  set: number,
  slow: string | undefined,
  next: () => number,
): ResultRow[] {
  const rows: ResultRow[] = [];
  for (let run = 1; run <= 3; run++) {
    for (const c of byConfiguration(reference)) {
      const column = c.scenario.headline.column;
      for (const rep of c.reps) {
        const base = model === "median" ? c.headline!.median : Number(rep[column]);
        const factor = (1 + NOISE * (2 * next() - 1)) * (run === 3 && c.key === slow ? SLOWDOWN : 1);
        rows.push({
          ...rep,
          [column]: base * factor,
          commit: `set${set}-run${run}`,
          started_at: `2026-01-0${run}T00:00:00.000Z`,
        });
      }
    }
  }
  return rows;
}

/** Set `set` (1 and up): its runs are drawn from a generator seeded with its number, so set k is the same
 *  whatever the number of sets. */
export function gateSet(reference: ResultRow[], model: NoiseModel, set: number): SetOutcome {
  const configurations = byConfiguration(reference);
  const rng = xoroshiro128plus(set);
  const next = () => uniformFloat64(rng);
  const gate = (slow: string | undefined) =>
    regressions(history(syntheticRuns(reference, model, set, slow, next), DEFAULTS), 0);
  const falseAlarm = gate(undefined).length > 0;
  const slowed = configurations[uniformInt(rng, 0, configurations.length - 1)];
  const failing = gate(slowed.key);
  return {
    falseAlarm,
    slowed: describe(slowed.name),
    caught: failing.some(({ series }) => series.points[0].result.key === slowed.key),
    alsoFailed: failing.some(({ series }) => series.points[0].result.key !== slowed.key),
  };
}

export interface Tally {
  sets: number;
  falseAlarms: number;
  caught: number;
  alsoFailed: number;
}

function tally(outcomes: SetOutcome[]): Tally {
  const count = (test: (o: SetOutcome) => boolean) => outcomes.filter(test).length;
  return {
    sets: outcomes.length,
    falseAlarms: count((o) => o.falseAlarm),
    caught: count((o) => o.caught),
    alsoFailed: count((o) => o.alsoFailed),
  };
}

/** The goals' verdicts on the judged sets: at most GOALS.falseAlarmsAtMost unchanged histories failed, and at
 *  least GOALS.caughtAtLeast planted slowdowns caught. */
export function gateGoals(judged: Tally): { falseAlarms: boolean; caught: boolean } {
  return { falseAlarms: judged.falseAlarms <= GOALS.falseAlarmsAtMost, caught: judged.caught >= GOALS.caughtAtLeast };
}

const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;

/** What each model is, in a table's first column and the summary. */
const MODEL_LABEL: Record<NoiseModel, string> = {
  median: `each repetition within ±${NOISE * 100}% of its configuration's median (the issue's noise)`,
  repetitions: `each repetition within ±${NOISE * 100}% of the reference's repetition (this machine's spread kept)`,
};

function modelRows(model: NoiseModel, outcomes: SetOutcome[]): string[][] {
  const met = (ok: boolean) => (ok ? "met" : "**missed**");
  const judged = tally(outcomes.slice(0, JUDGED));
  const goals = gateGoals(judged);
  const all = tally(outcomes);
  const judgedOnly = model === "median";
  return [
    [
      `${MODEL_LABEL[model]}: no change`,
      `${judged.falseAlarms} of ${judged.sets}`,
      `at most ${GOALS.falseAlarmsAtMost}`,
      judgedOnly ? met(goals.falseAlarms) : "",
      `${all.falseAlarms} (${percent(all.falseAlarms, all.sets)})`,
    ],
    [
      `${MODEL_LABEL[model]}: ${slowerWords()}`,
      `${judged.caught} of ${judged.sets} on it` + (judged.alsoFailed ? ` (${judged.alsoFailed} also on another)` : ""),
      `at least ${GOALS.caughtAtLeast}`,
      judgedOnly ? met(goals.caught) : "",
      `${all.caught} caught (${percent(all.caught, all.sets)})` +
        (all.alsoFailed ? `, ${all.alsoFailed} also on another` : ""),
    ],
  ];
}

const slowerWords = () => `${Math.round((SLOWDOWN - 1) * 100)}% slower in one configuration`;

function markdown(
  outcomes: Record<NoiseModel, SetOutcome[]>,
  rows: ResultRow[],
  reference: string,
  commit: string,
): string {
  const sets = outcomes.median.length;
  const spread = repetitionSpread(rows);
  return [
    "# The regression gate on synthetic histories",
    "",
    `Generated by \`npm run results:gate\` from ${reference} (its rows name commit ${commit}): sets of three runs ` +
      `of different commits with no change, then the same sets with one configuration, drawn at random, of the ` +
      `third run made ${slowerWords().replace(" in one configuration", "")}. \`daxbench history --fail-on ` +
      "regression` runs on each set with its defaults, as CI runs it. Two kinds of noise: the issue's, every " +
      `repetition its configuration's median in the reference times a factor drawn within ±${NOISE * 100}%, on ` +
      "which the goals are judged; and this machine's, every repetition the reference's own repetition times such " +
      `a factor, which keeps the spread between repetitions the reference run measured (${spread}). The goals are ` +
      `judged on the first ${JUDGED} sets; the rates over all ${sets} say how much of that is luck.`,
    "",
    markdownTable(
      ["synthetic runs", `gates failed, first ${JUDGED} sets`, "goal", "", `over ${sets} sets`],
      NOISE_MODELS.flatMap((model) => modelRows(model, outcomes[model])),
      ["left", "right", "right", "left", "right"],
    ),
    "",
    "A slowdown is missed where the configuration's own repetitions spread as far as the slowdown: no rule can tell " +
      "it from noise in five repetitions against ten, held to alpha over every series. Missed with this machine's " +
      "spread, over all sets:",
    "",
    markdownTable(["configuration slowed", "missed"], missedBy(outcomes.repetitions), ["left", "right"]),
    "",
  ].join("\n");
}

/** How far apart the reference's repetitions lie, in words: the median over configurations of the largest
 *  repetition over the smallest. */
function repetitionSpread(reference: ResultRow[]): string {
  const ratios = byConfiguration(reference)
    .map((c) => headlineValues(c))
    .filter((values) => values.length > 0 && Math.min(...values) > 0)
    .map((values) => Math.max(...values) / Math.min(...values))
    .sort((a, b) => a - b);
  return `a configuration's repetitions lie a median ${ratios[Math.floor(ratios.length / 2)].toFixed(2)}× apart`;
}
/** One model's figures in a sentence. */
function summaryOf(model: NoiseModel, outcomes: SetOutcome[]): string {
  const [judged, all] = [tally(outcomes.slice(0, JUDGED)), tally(outcomes)];
  const noise = model === "median" ? "with the issue's noise" : "with this machine's spread between repetitions";
  return (
    `${noise}, ${judged.falseAlarms} of the first ${JUDGED} unchanged histories failed the gate ` +
    `(${percent(all.falseAlarms, all.sets)} of ${all.sets}) and ${judged.caught} of ${JUDGED} with one ` +
    `configuration ${Math.round((SLOWDOWN - 1) * 100)}% slower caught it (${percent(all.caught, all.sets)})`
  );
}

function missedBy(outcomes: SetOutcome[]): string[][] {
  const missed = new Map<string, number>();
  for (const o of outcomes) if (!o.caught) missed.set(o.slowed, (missed.get(o.slowed) ?? 0) + 1);
  return [...missed].sort((a, b) => b[1] - a[1]).map(([name, count]) => [name, String(count)]);
}

function main(args: string[]): number {
  let sets = 200;
  let reference = "results/reference.csv";
  try {
    for (let i = 0; i < args.length; i += 2) {
      if (args[i] === "--sets") sets = wholeNumberOption("sets", args[i + 1], 200, JUDGED, 10_000);
      else if (args[i] === "--reference" && args[i + 1]) reference = args[i + 1];
      else throw new UsageError(`${args[i]} is not an option: use --sets N and --reference PATH`);
    }
  } catch (error) {
    console.error(`gate: ${(error as Error).message}`);
    return 2;
  }
  const rows = readResultFile(join(root, reference)).rows;
  const run = (model: NoiseModel) => Array.from({ length: sets }, (_, i) => gateSet(rows, model, i + 1));
  const outcomes = { median: run("median"), repetitions: run("repetitions") };
  const commit = String(rows[0]?.commit ?? "");
  writeFileAtomic(join(root, "results", "gate.md"), markdown(outcomes, rows, reference, commit));
  const sentences = NOISE_MODELS.map((model) => summaryOf(model, outcomes[model])).join("; ");
  const summary = sentences[0].toUpperCase() + sentences.slice(1);
  replaceSection(
    join(root, "docs", "continuous-benchmarking.md"),
    "gate",
    `${summary}: [results/gate.md](../results/gate.md), from ${reference} at ${commit}.`,
  );
  console.log(summary);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
