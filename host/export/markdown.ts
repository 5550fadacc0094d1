// Markdown export: one publishable table per scenario, the same columns as the screen
// (host/results/figures.ts) plus hyperfine's Relative column, judged by the one rule for "faster"
// (host/results/stats.ts).

import type { ResultRow } from "../results/schema.ts";
import { byConfiguration } from "../results/configurations.ts";
import { scenarioColumns, byScenario } from "../results/figures.ts";

/** The significance level of the Relative column when none is given. */
export const DEFAULT_ALPHA = 0.05;

export function markdownText(rows: ResultRow[], alpha = DEFAULT_ALPHA): string {
  return byScenario(byConfiguration(rows)).map(({ scenario, results }) => {
    const columns = scenarioColumns(scenario, results, { relative: { alpha } });
    const escape = (text: string) => text.replace(/\|/g, "\\|");
    const lines = [
      `| ${columns.map((column) => escape(column.header)).join(" | ")} |`,
      `|${columns.map((column) => (column.align === "left" ? ":--" : "--:")).join("|")}|`,
      ...results.map((c) => `| ${columns.map((column) => escape(column.cell(c))).join(" | ")} |`),
    ];
    return `### ${scenario.name}\n\n${scenario.headline.meaning}.\n\n${lines.join("\n")}\n`;
  }).join("\n");
}
