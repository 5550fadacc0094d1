// `npm run results:gate`: does `history --fail-on regression` cry wolf, and does it still catch a real
// slowdown? Synthetic histories made from results/reference.csv: sets of three runs of "different commits",
// each repetition the reference's value times a random factor within ±NOISE, no change; then the same sets
// with a SLOWDOWN planted in one configuration (drawn at random) of the third run. The gate is run on each set
// with its defaults, as CI runs it. The goals are judged on the first JUDGED sets; the rates over all the
// sets (200 by default) say how far those are from luck. The figures go to results/gate.md and
// docs/continuous-benchmarking.md.
//
//   node --import tsx bench/gate.ts [--sets N] [--reference PATH]

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { readResultFile } from "../host/results/file.ts";
import { byConfiguration, describe } from "../host/results/configurations.ts";
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

/** One set: whether the gate failed with no change, and on the set with a configuration slowed, whether it
 *  failed on that one and whether on any other. */
interface SetOutcome {
  falseAlarm: boolean;
  slowed: string;
  caught: boolean;
  alsoFailed: boolean;
}

/** Three runs of the reference's configurations, each value scaled by a factor within ±NOISE; `slow` is the
 *  key of a configuration whose third run is SLOWDOWN times slower. */
function syntheticRuns(reference: ResultRow[], set: number, slow: string | undefined, next: () => number): ResultRow[] {
  const rows: ResultRow[] = [];
  for (let run = 1; run <= 3; run++) {
    for (const c of byConfiguration(reference)) {
      const column = c.scenario.headline.column;
      for (const rep of c.reps) {
        const factor = (1 + NOISE * (2 * next() - 1)) * (run === 3 && c.key === slow ? SLOWDOWN : 1);
        rows.push({
          ...rep,
          [column]: Number(rep[column]) * factor,
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
export function gateSet(reference: ResultRow[], set: number): SetOutcome {
  const configurations = byConfiguration(reference);
  const rng = xoroshiro128plus(set);
  const next = () => uniformFloat64(rng);
  const falseAlarm = regressions(history(syntheticRuns(reference, set, undefined, next), DEFAULTS), 0).length > 0;
  const slowed = configurations[uniformInt(rng, 0, configurations.length - 1)];
  const failing = regressions(history(syntheticRuns(reference, set, slowed.key, next), DEFAULTS), 0);
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

function markdown(outcomes: SetOutcome[], reference: string, commit: string): string {
  const met = (ok: boolean) => (ok ? "met" : "**missed**");
  const judged = tally(outcomes.slice(0, JUDGED));
  const goals = gateGoals(judged);
  const all = tally(outcomes);
  const slower = `${Math.round((SLOWDOWN - 1) * 100)}% slower in one configuration`;
  return [
    "# The regression gate on synthetic histories",
    "",
    `Generated by \`npm run results:gate\` from ${reference} (its rows name commit ${commit}): sets of three runs ` +
      `of different commits, every repetition the reference's value times a factor drawn within ±${NOISE * 100}%. ` +
      `\`daxbench history --fail-on regression\` with its defaults on each set, then on the same set with one ` +
      `configuration, drawn at random, of the third run made ${Math.round((SLOWDOWN - 1) * 100)}% slower. The goals ` +
      `are judged on the first ${JUDGED} sets; the rates over all ${all.sets} say ` +
      "how much of that is luck.",
    "",
    markdownTable(
      ["", `gates failed, first ${JUDGED} sets`, "goal", "", `over ${all.sets} sets`],
      [
        [
          "no change",
          `${judged.falseAlarms} of ${judged.sets}`,
          `at most ${GOALS.falseAlarmsAtMost}`,
          met(goals.falseAlarms),
          `${all.falseAlarms} (${percent(all.falseAlarms, all.sets)})`,
        ],
        [
          slower,
          `${judged.caught} of ${judged.sets} on it` +
            (judged.alsoFailed ? ` (${judged.alsoFailed} also on another)` : ""),
          `at least ${GOALS.caughtAtLeast}`,
          met(goals.caught),
          `${all.caught} caught (${percent(all.caught, all.sets)})` +
            (all.alsoFailed ? `, ${all.alsoFailed} also on another` : ""),
        ],
      ],
      ["left", "right", "right", "left", "right"],
    ),
    "",
    "A slowdown is missed where the configuration's own repetitions spread as far as the slowdown: no rule can tell " +
      "it from noise in five repetitions. Missed, over all sets:",
    "",
    markdownTable(["configuration slowed", "missed"], missedBy(outcomes), ["left", "right"]),
    "",
  ].join("\n");
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
  const outcomes = Array.from({ length: sets }, (_, i) => gateSet(rows, i + 1));
  const commit = String(rows[0]?.commit ?? "");
  writeFileAtomic(join(root, "results", "gate.md"), markdown(outcomes, reference, commit));
  const [judged, all] = [tally(outcomes.slice(0, JUDGED)), tally(outcomes)];
  const summary =
    `With no change, ${judged.falseAlarms} of the first ${JUDGED} gates failed (${all.falseAlarms} of ${all.sets}, ` +
    `${percent(all.falseAlarms, all.sets)}); with one configuration ${Math.round((SLOWDOWN - 1) * 100)}% slower, ` +
    `${judged.caught} of ${JUDGED} caught it (${percent(all.caught, all.sets)} of ${all.sets})`;
  replaceSection(
    join(root, "docs", "continuous-benchmarking.md"),
    "gate",
    `${summary}: [results/gate.md](../results/gate.md), from ${reference} at ${commit}.`,
  );
  console.log(summary);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
