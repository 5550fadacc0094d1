// What a run prints on screen: one table per scenario (its headline figure summarised over repetitions, and
// the figures the scenario lists), then the pairs that differ in one dimension with their verdicts, then what
// a reader should know before trusting the figures.

import { textTable } from "./table.ts";
import { byScenario, type ConfigurationResult } from "../results/configurations.ts";
import { scenarioColumns } from "./figures.ts";
import { pairVerdicts } from "../results/pairs.ts";
import { pairText } from "./pairs.ts";
import { runWarnings } from "./warnings.ts";

export function summaryTable(results: ConfigurationResult[]): string {
  return byScenario(results)
    .map(({ scenario, results: members }) => {
      const columns = scenarioColumns(scenario, members);
      const table = textTable(
        columns.map((column) => column.header),
        members.map((c) => columns.map((column) => column.cell(c))),
        columns.map((column) => column.align),
      );
      return `${scenario.name}: ${scenario.headline.meaning}\n${table}`;
    })
    .join("\n\n");
}

export function summaryWarnings(results: ConfigurationResult[]): string[] {
  return runWarnings(results);
}

/** One line per pair that differs in one compared dimension: a claim with its interval, or "~". */
export function comparisons(results: ConfigurationResult[], alpha: number): string[] {
  return pairVerdicts(results, alpha).map((verdict) => pairText(verdict, alpha));
}
