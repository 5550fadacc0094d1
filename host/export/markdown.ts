// Markdown export: one publishable table per scenario, the same columns as the screen
// (host/print/figures.ts) plus hyperfine's Relative column, judged by the one rule for "faster"
// (host/results/stats.ts).

import type { ResultRow } from "../results/schema.ts";
import { byConfiguration, byScenario, type ConfigurationResult } from "../results/configurations.ts";
import type { Scenario } from "../types.ts";
import { scenarioColumns } from "../print/figures.ts";
import type { History } from "../results/history.ts";
import { historyHeadline, historyTable, methodLines, shiftLines } from "../print/history.ts";
import type { Align } from "../print/table.ts";

/** The significance level of the Relative column when none is given. */
export const DEFAULT_ALPHA = 0.05;

/** A Markdown table, "|" in a cell escaped. */
export function markdownTable(head: string[], rows: string[][], aligns: Align[]): string {
  const escape = (text: string) => text.replace(/\|/g, "\\|");
  return [
    `| ${head.map(escape).join(" | ")} |`,
    `|${aligns.map((align) => (align === "left" ? ":--" : "--:")).join("|")}|`,
    ...rows.map((row) => `| ${row.map(escape).join(" | ")} |`),
  ].join("\n");
}

export function markdownText(rows: ResultRow[], alpha = DEFAULT_ALPHA): string {
  return markdownTables(byScenario(byConfiguration(rows)), alpha);
}

/** One table per scenario, of configurations already grouped. */
export function markdownTables(
  scenarios: { scenario: Scenario; results: ConfigurationResult[] }[],
  alpha: number,
): string {
  return scenarios
    .map(({ scenario, results }) => {
      const columns = scenarioColumns(scenario, results, { relative: { alpha } });
      const table = markdownTable(
        columns.map((column) => column.header),
        results.map((c) => columns.map((column) => column.cell(c))),
        columns.map((column) => column.align),
      );
      return `### ${scenario.name}\n\n${scenario.headline.meaning}.\n\n${table}\n`;
    })
    .join("\n");
}

/** The history's section of the Markdown report: the runs of every series, then its change points. */
export function markdownHistory(h: History): string {
  const table = historyTable(h);
  const shifts = shiftLines(h);
  return [
    "## History",
    "",
    `${historyHeadline(h)}.`,
    "",
    markdownTable(table.head, table.rows, table.aligns),
    "",
    ...methodLines(h).map((line) => `${line}.`),
    "",
    ...(shifts.length ? shifts.map((line) => `- ${line}`) : ["No change point."]),
    "",
  ].join("\n");
}
