// JSON export: every repetition's figures, grouped by configuration with the summary of its headline figure,
// and the metadata of the machines the rows came from. Written in pieces, one configuration per line.

import { ROW_COLUMNS, CONFIGURATION_COLUMNS, METADATA_COLUMNS, type ResultRow } from "../results/schema.ts";
import { byConfiguration } from "../results/configurations.ts";

/** The JSON document in pieces, one configuration per line, so that a large run is never one string. */
export function* jsonText(rows: ResultRow[]): Generator<string> {
  const machines = new Map<string, Record<string, string | number>>();
  for (const row of rows) {
    const machine = Object.fromEntries(METADATA_COLUMNS.map((column) => [column, row[column]]));
    machines.set(JSON.stringify(machine), machine);
  }
  const head = { format: "daxbench-results", columns: ROW_COLUMNS, machines: [...machines.values()] };
  yield `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "configurations": [`;
  let first = true;
  for (const c of byConfiguration(rows)) {
    const configuration = {
      ...Object.fromEntries(CONFIGURATION_COLUMNS.map((column) => [column, c.identity[column]])),
      headline: {
        column: c.scenario.headline.column,
        meaning: c.scenario.headline.meaning,
        scale: c.scenario.headline.scale,
        // ci95: the 95% interval of the geometric mean (Student's t on the logarithms); null when n < 2.
        summary: c.headline
          ? { ...c.headline, geomean: c.headline.geomean ?? null, ci95: c.headline.ci95 ?? null }
          : null,
      },
      repetitions: c.reps,
    };
    yield `${first ? "" : ","}\n    ${JSON.stringify(configuration)}`;
    first = false;
  }
  yield "\n  ]\n}\n";
}
