// Result rows with known figures, for tests of what reads them (compare, exports, merge, warnings).
import { ROW_COLUMNS, type ResultRow } from "../host/results/schema.ts";

export interface SyntheticConfig {
  scenario?: string;
  protection?: string;
  align?: string;
  workers?: number;
  nsPerOp: number[];
  /** Any other cell, on every repetition. */
  cells?: Partial<ResultRow>;
}

export function syntheticRows(configs: SyntheticConfig[], version = "0.1.0"): ResultRow[] {
  let position = 0;
  return configs.flatMap((c) =>
    c.nsPerOp.map((ns, i) => {
      position++;
      const row = Object.fromEntries(ROW_COLUMNS.map((column) => [column, ""])) as unknown as ResultRow;
      const ops = 1_000_000;
      Object.assign(row, {
        scenario: c.scenario ?? "populate",
        protection: c.protection ?? "rcu",
        align: c.align ?? "4k",
        workers: c.workers ?? 1,
        rep: i + 1,
        mapping_bytes: 1 << 30,
        elapsed_ns: ns * ops,
        ops,
        faults: 262144,
        ns_per_op: ns,
        ops_per_sec: ns > 0 ? Math.round(1e9 / ns) : 0,
        sigbus: 0,
        fallback: 0,
        raced: 0,
        kills: 0,
        node: "v20.0.0",
        cpu: "test cpu",
        cpu_count: 8,
        load_avg_1m: 0.5,
        commit: "abc",
        started_at: "2026-01-01T00:00:00.000Z",
        read_delay_ns: 0,
        pte_installs: 262144,
        pmd_installs: 0,
        pud_installs: 0,
        hits: 0,
        oom: 0,
        random_delay_ns: 0,
        long_read_delays: 0,
        fake_writers: 0,
        fake_writer_grace_periods: "",
        migrating_readers: 0,
        seed: 1,
        order: "interleaved",
        position,
        passes: 1,
        daxbench_version: version,
        ...c.cells,
      });
      return row;
    }),
  );
}
