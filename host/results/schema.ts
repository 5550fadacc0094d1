// The result schema: one row per configuration and repetition. The measured figures come first and in
// this order, then the figures only some scenarios have, then the metadata of the run; the CSV, and every
// later format, writes ROW_COLUMNS.

import { formatTlbGeometry } from "../machine/dax.ts";
import type { Dimension, Measurement, Scenario } from "../types.ts";
import type { RunMetadata } from "./metadata.ts";

export const FIXED_COLUMNS = [
  "scenario",
  "protection",
  "align",
  "workers",
  "rep",
  "mapping_bytes",
  "elapsed_ns",
  "ops",
  "faults",
  "ns_per_op",
  "ops_per_sec",
  "sigbus",
  "fallback",
  "raced",
  "kills",
  "gp_p50_ns",
  "gp_p99_ns",
  "violations",
] as const;

/** More figures, after the fixed ones. */
export const EXTRA_COLUMNS = [
  "duration_ns",
  "kill_period_ns",
  "kill_period_achieved_ns",
  "read_delay_ns",
  "fault_cost_ns",
  "fault_cost_source",
  "gp_cost_ns",
  "gp_cost_source",
  "devices",
  "srcu_domain",
  "pte_installs",
  "pmd_installs",
  "pud_installs",
  "hits",
  "oom",
  "gp_max_ns",
  "stale_entries",
  "policy",
  "vmas_mapped",
  "mmaps_rejected",
  "faults_per_gib",
  "tlb_geometry",
  "tlb_l1_misses_per_1k",
  "tlb_walks_per_1k",
  "tlb_walk_levels_per_1k",
  "random_delay_ns",
  "long_read_delays",
  "fake_writers",
  "fake_writer_grace_periods",
  "migrating_readers",
  "updaters",
  "seed",
  "order",
  "position",
  "min_time_ns",
  "passes",
  "reader_parallelism",
  "steal_ns",
] as const;

/** Columns that hold words; every other column holds a number. A word column is empty where the row's
 *  scenario does not use that dimension (readside has no alignment, tlb no protection scheme). */
const TEXT_COLUMN_NAMES = [
  "scenario",
  "protection",
  "align",
  "node",
  "cpu",
  "commit",
  "started_at",
  "daxbench_version",
  "policy",
  "tlb_geometry",
  "fault_cost_source",
  "gp_cost_source",
  "srcu_domain",
  "order",
  "cpu_governor",
  "thp_enabled",
  "thp_defrag",
] as const;
export const TEXT_COLUMNS: ReadonlySet<string> = new Set(TEXT_COLUMN_NAMES);
/** Number columns that may be empty: the figure does not apply to every scenario (or, for ns_per_op, a
 *  repetition completed no operation, so no time per operation exists). */
const OPTIONAL_COLUMN_NAMES = [
  "mapping_bytes",
  "ns_per_op",
  "gp_p50_ns",
  "gp_p99_ns",
  "violations",
  "duration_ns",
  "kill_period_ns",
  "kill_period_achieved_ns",
  "read_delay_ns",
  "fault_cost_ns",
  "gp_cost_ns",
  "devices",
  "gp_max_ns",
  "stale_entries",
  "vmas_mapped",
  "mmaps_rejected",
  "faults_per_gib",
  "tlb_l1_misses_per_1k",
  "tlb_walks_per_1k",
  "tlb_walk_levels_per_1k",
  "min_time_ns",
  "reader_parallelism",
  "steal_ns",
  "fake_writer_grace_periods",
  "updaters",
] as const;
export const OPTIONAL_COLUMNS: ReadonlySet<string> = new Set(OPTIONAL_COLUMN_NAMES);
/** Columns added after files of daxbench 0.2 were published, each with what a row of such a file holds: the
 *  setting it was measured with (no grace-period cost), so that history and compare go on reading a project's
 *  older runs and find the same configurations in them. */
export const LATER_COLUMNS: ReadonlyMap<string, (scenario: Scenario) => string | number> = new Map<
  string,
  (scenario: Scenario) => string | number
>([
  ["gp_cost_ns", (scenario: Scenario) => (scenario.dimensions.includes("gpCost") ? 0 : "")],
  ["gp_cost_source", () => ""],
  ["long_read_delays", () => 0],
  ["fake_writers", () => 0],
  ["fake_writer_grace_periods", () => ""],
  ["migrating_readers", () => 0],
  ["devices", (scenario: Scenario) => (scenario.dimensions.includes("devices") ? 1 : "")],
  ["updaters", (scenario: Scenario) => (scenario.updater ? 1 : "")],
  ["srcu_domain", (scenario: Scenario) => (scenario.dimensions.includes("srcuDomain") ? "shared" : "")],
]);

export type Column = (typeof ROW_COLUMNS)[number];
/** A value of "" means the figure does not apply (grace periods of a run without kills). */
export type ResultRow = {
  [C in Column]: C extends (typeof TEXT_COLUMN_NAMES)[number]
    ? string
    : C extends (typeof OPTIONAL_COLUMN_NAMES)[number]
      ? number | ""
      : number;
};

/** The metadata columns, in the order every result schema (run, micro, native) ends with them. */
export const METADATA_COLUMNS = [
  "node",
  "cpu",
  "cpu_count",
  "load_avg_1m",
  "cpu_governor",
  "thp_enabled",
  "thp_defrag",
  "commit",
  "started_at",
  "daxbench_version",
] as const satisfies readonly (keyof RunMetadata)[];
/** The metadata columns that hold words; cpu_count and load_avg_1m hold numbers. */
export const METADATA_TEXT_COLUMNS = [
  "node",
  "cpu",
  "cpu_governor",
  "thp_enabled",
  "thp_defrag",
  "commit",
  "started_at",
  "daxbench_version",
] as const satisfies readonly (typeof METADATA_COLUMNS)[number][];

export const ROW_COLUMNS = [...FIXED_COLUMNS, ...EXTRA_COLUMNS, ...METADATA_COLUMNS] as const;

/** Nearest-rank percentile of an unsorted sample; "" when there is none. */
export function percentile(values: number[], p: number): number | "" {
  if (values.length === 0) return "";
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function toRow(m: Measurement, meta: RunMetadata): ResultRow {
  const s = m.stats;
  const { scenario, workers } = m.config;
  const installs = s.pte_installs + s.pmd_installs + s.pud_installs;
  const uses = (dimension: Dimension) => scenario.dimensions.includes(dimension);
  const updater = scenario.updater;
  const mapsVmas = scenario.vmasPerRun !== undefined;
  const tlbModel = scenario.tlb === true;
  const vmasMapped = mapsVmas ? Number(BigInt(m.passes) * scenario.vmasPerRun! - s.mmaps_rejected) : 0;
  // Bytes the repetition mapped and populated: the mapping once a pass (populate), or every vma mmap did not
  // refuse (mmap-mix).
  const mappedBytes = scenario.populatesMapping ? m.passes * Number(m.config.size) : vmasMapped * Number(m.config.size);
  const kills = updater ? m.gracePeriodsNs.length : 0;
  return {
    scenario: scenario.name,
    // A dimension the scenario does not use is empty: the row claims no alignment for a run that had none.
    protection: uses("protection") ? m.config.protection : "",
    align: uses("align") ? m.config.align : "",
    workers,
    rep: m.rep,
    mapping_bytes: uses("size") ? Number(m.config.size) : "",
    elapsed_ns: m.elapsedNs,
    ops: m.ops,
    faults: Number(installs),
    // Per reader, like liburcu's "ns per read": the time one CPU spent per completed operation, refused
    // touches included in the time but not in the count. No completed operation: no such figure.
    ns_per_op: m.ops > 0 ? round((m.elapsedNs * workers) / m.ops) : "",
    ops_per_sec: Math.round(m.ops / (m.elapsedNs / 1e9)),
    sigbus: Number(s.sigbus),
    fallback: Number(s.fallback),
    raced: Number(s.raced),
    kills,
    gp_p50_ns: percentile(m.gracePeriodsNs, 50),
    gp_p99_ns: percentile(m.gracePeriodsNs, 99),
    violations: updater ? Number(s.violations) : "",
    duration_ns: scenario.timed ? m.config.durationNs : "",
    kill_period_ns: updater ? (m.config.killPeriodNs ?? "") : "", // empty: never
    // What each updater achieved: their summed run time over their kills (the requested sleep, plus the grace
    // period, the zap and the revive, plus any time it waited for a CPU).
    kill_period_achieved_ns: updater && kills > 0 ? Math.round(m.updaterElapsedNs! / kills) : "",
    read_delay_ns: uses("readDelay") ? m.config.readDelayNs : "",
    fault_cost_ns: uses("faultCost") ? m.config.faultCostNs : "",
    fault_cost_source: uses("faultCost") ? m.config.faultCostSource : "",
    gp_cost_ns: uses("gpCost") ? m.config.gpCostNs : "",
    gp_cost_source: uses("gpCost") ? m.config.gpCostSource : "",
    devices: uses("devices") ? m.config.devices : "",
    srcu_domain: uses("srcuDomain") ? m.config.srcuDomain : "",
    pte_installs: Number(s.pte_installs),
    pmd_installs: Number(s.pmd_installs),
    pud_installs: Number(s.pud_installs),
    hits: Number(s.hits),
    oom: Number(s.oom),
    gp_max_ns: percentile(m.gracePeriodsNs, 100),
    stale_entries: updater ? m.staleEntries : "",
    policy: uses("policy") ? m.config.policy : "",
    vmas_mapped: mapsVmas ? vmasMapped : "",
    mmaps_rejected: mapsVmas ? Number(s.mmaps_rejected) : "",
    faults_per_gib: mappedBytes ? Math.round((Number(installs) / mappedBytes) * 2 ** 30) : "",
    tlb_geometry: tlbModel ? formatTlbGeometry(m.config.tlbGeometry) : "",
    tlb_l1_misses_per_1k: tlbModel ? perThousand(s.tlb_l1_misses, s.tlb_accesses) : "",
    tlb_walks_per_1k: tlbModel ? perThousand(s.tlb_walks, s.tlb_accesses) : "",
    tlb_walk_levels_per_1k: tlbModel ? perThousand(s.tlb_walk_levels, s.tlb_accesses) : "",
    random_delay_ns: m.config.randomDelayNs,
    long_read_delays: m.config.longReadDelays ? 1 : 0,
    fake_writers: m.config.fakeWriters,
    migrating_readers: m.config.migratingReaders ? 1 : 0,
    updaters: updater ? m.config.updaters : "",
    fake_writer_grace_periods: m.fakeWriterGracePeriods.length ? m.fakeWriterGracePeriods.reduce((a, b) => a + b) : "",
    seed: Number(m.config.seed),
    order: m.order,
    position: m.position,
    min_time_ns: scenario.timed ? "" : m.config.minTimeNs,
    passes: m.passes,
    reader_parallelism: m.readerParallelism === undefined ? "" : round(m.readerParallelism),
    steal_ns: m.stealNs ?? "",
    ...meta,
  };
}

function perThousand(count: bigint, of: bigint): number {
  return of === 0n ? 0 : round((Number(count) * 1000) / Number(of));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The columns that identify a configuration, every setting that changes a result: rows that agree on them
 *  are repetitions of one another. */
export const CONFIGURATION_COLUMNS = [
  "scenario",
  "protection",
  "align",
  "policy",
  "workers",
  "mapping_bytes",
  "kill_period_ns",
  "read_delay_ns",
  "fault_cost_ns",
  "fault_cost_source",
  "gp_cost_ns",
  "gp_cost_source",
  "devices",
  "srcu_domain",
  "duration_ns",
  "min_time_ns",
  "tlb_geometry",
  "random_delay_ns",
  "long_read_delays",
  "fake_writers",
  "migrating_readers",
  "updaters",
  "seed",
  "order",
] as const;

export function configurationKey(row: ResultRow): string {
  return CONFIGURATION_COLUMNS.map((column) => row[column]).join("|");
}
