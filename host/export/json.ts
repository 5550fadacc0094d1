// JSON export: every repetition's figures, grouped by configuration with its summaries, and the metadata of
// the machines the rows came from.

import { ROW_COLUMNS, type ResultRow } from "../results.ts";
import { byConfiguration } from "../configurations.ts";

/** Columns that describe the machine and the run, not the measurement: listed once, under "machines". */
const MACHINE_COLUMNS = ["node", "cpu", "commit", "started_at", "daxbench_version"] as const;

export function jsonText(rows: ResultRow[]): string {
  const machines = new Map<string, Record<string, string | number>>();
  for (const row of rows) {
    const machine = Object.fromEntries(MACHINE_COLUMNS.map((column) => [column, row[column]]));
    machines.set(JSON.stringify(machine), machine);
  }
  const configurations = byConfiguration(rows).map((c) => ({
    scenario: c.identity.scenario,
    protection: c.identity.protection,
    align: c.identity.align,
    workers: c.identity.workers,
    mapping_bytes: c.identity.mapping_bytes,
    summary: { ns_per_op: c.nsPerOp, ops_per_sec: c.opsPerSec, elapsed_ns: c.elapsedNs, gp_p50_ns: c.gpP50Ns ?? null },
    repetitions: c.reps,
  }));
  return JSON.stringify({ format: "daxbench-results", columns: ROW_COLUMNS, machines: [...machines.values()], configurations }, null, 2) + "\n";
}
