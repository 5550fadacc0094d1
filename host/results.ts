// The result schema: one row per configuration and repetition. The fixed columns come first and in this
// order; the CSV, and every later format, writes ROW_COLUMNS.

import type { Measurement } from "./runner.ts";
import type { Stats } from "./dax.ts";
import { MMAP_MIX_VMAS } from "../bench/scenarios.ts";

export const FIXED_COLUMNS = [
  "scenario", "protection", "align", "workers", "rep", "mapping_bytes", "elapsed_ns", "ops", "faults", "ns_per_op",
  "ops_per_sec", "sigbus", "fallback", "raced", "kills", "gp_p50_ns", "gp_p99_ns", "violations", "node", "cpu",
  "commit", "started_at",
] as const;

/** More figures, after the fixed ones. */
export const EXTRA_COLUMNS = [
  "duration_ns", "kill_period_ns", "read_delay_ns", "pte_installs", "pmd_installs", "pud_installs", "hits", "oom",
  "gp_max_ns", "stale_entries", "rme_percent", "policy", "mmaps_rejected", "faults_per_gib",
  "tlb_l1_misses_per_1k", "tlb_walks_per_1k", "tlb_walk_levels_per_1k", "daxbench_version",
] as const;

export const ROW_COLUMNS = [...FIXED_COLUMNS, ...EXTRA_COLUMNS] as const;

/** Columns that hold words; every other column holds a number. */
export const TEXT_COLUMNS: ReadonlySet<string> = new Set([
  "scenario", "protection", "align", "node", "cpu", "commit", "started_at", "daxbench_version", "policy",
]);
/** Number columns that may be empty: the figure does not apply to every scenario. */
export const OPTIONAL_COLUMNS: ReadonlySet<string> = new Set([
  "gp_p50_ns", "gp_p99_ns", "violations", "duration_ns", "kill_period_ns", "gp_max_ns", "stale_entries", "rme_percent",
  "mmaps_rejected", "faults_per_gib", "tlb_l1_misses_per_1k", "tlb_walks_per_1k", "tlb_walk_levels_per_1k",
]);

export type Column = (typeof ROW_COLUMNS)[number];
/** A value of "" means the figure does not apply (grace periods of a run without kills). */
export type ResultRow = Record<Column, string | number>;

/** Where and with what the run was made: the same on every row of a run. */
export interface RunMetadata {
  node: string;
  cpu: string;
  commit: string;
  started_at: string;
  daxbench_version: string;
}

/** Nearest-rank percentile of an unsorted sample; "" when there is none. */
export function percentile(values: number[], p: number): number | "" {
  if (values.length === 0) return "";
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function toRow(m: Measurement, meta: RunMetadata): ResultRow {
  const s = m.stats;
  const installs = s.pte_installs + s.pmd_installs + s.pud_installs;
  const updater = m.config.scenario.updater;
  const mmapMix = m.config.scenario.name === "mmap-mix";
  const tlbModel = m.config.scenario.tlb === true;
  // Bytes the run mapped and populated: the mapping once (populate), or every vma mmap-mix did not refuse.
  const mappedBytes = m.config.scenario.name === "populate" ? Number(m.config.size)
    : mmapMix ? (Number(MMAP_MIX_VMAS) - Number(s.mmaps_rejected)) * Number(m.config.size) : 0;
  return {
    scenario: m.config.scenario.name,
    protection: m.config.protection,
    align: m.config.align,
    workers: m.config.workers,
    rep: m.rep,
    mapping_bytes: Number(m.config.size),
    elapsed_ns: m.elapsedNs,
    ops: m.ops,
    faults: Number(installs),
    // Per reader, like liburcu's "ns per read": the cost of one operation on one CPU.
    ns_per_op: round((m.elapsedNs * m.config.workers) / m.ops),
    ops_per_sec: Math.round(m.ops / (m.elapsedNs / 1e9)),
    sigbus: Number(s.sigbus),
    fallback: Number(s.fallback),
    raced: Number(s.raced),
    kills: updater ? m.gracePeriodsNs.length : 0,
    gp_p50_ns: percentile(m.gracePeriodsNs, 50),
    gp_p99_ns: percentile(m.gracePeriodsNs, 99),
    violations: updater ? Number(violations(s)) : "",
    node: meta.node,
    cpu: meta.cpu,
    commit: meta.commit,
    started_at: meta.started_at,
    duration_ns: m.config.scenario.timed ? m.config.durationNs : "",
    kill_period_ns: updater ? (m.config.killPeriodNs ?? "") : "", // empty: never
    read_delay_ns: m.config.readDelayNs,
    pte_installs: Number(s.pte_installs),
    pmd_installs: Number(s.pmd_installs),
    pud_installs: Number(s.pud_installs),
    hits: Number(s.hits),
    oom: Number(s.oom),
    gp_max_ns: percentile(m.gracePeriodsNs, 100),
    stale_entries: updater ? m.staleEntries : "",
    rme_percent: "",
    policy: m.config.policy,
    mmaps_rejected: mmapMix ? Number(s.mmaps_rejected) : "",
    faults_per_gib: mappedBytes ? Math.round((Number(installs) / mappedBytes) * 2 ** 30) : "",
    tlb_l1_misses_per_1k: tlbModel ? perThousand(s.tlb_l1_misses, s.tlb_accesses) : "",
    tlb_walks_per_1k: tlbModel ? perThousand(s.tlb_walks, s.tlb_accesses) : "",
    tlb_walk_levels_per_1k: tlbModel ? perThousand(s.tlb_walk_levels, s.tlb_accesses) : "",
    daxbench_version: meta.daxbench_version,
  };
}

/** Installs that landed after their generation's grace period (Reader Pipe stages 2 and up), plus reads of
 *  device state that had been freed: the same count the core's this_cpu_violations() keeps. */
export function violations(stats: Stats): bigint {
  return Object.entries(stats)
    .filter(([name]) => (name.startsWith("pipe_") && Number(name.slice(5)) >= 2) || name === "poison_reads")
    .reduce((sum, [, count]) => sum + count, 0n);
}

function perThousand(count: bigint, of: bigint): number {
  return of === 0n ? 0 : round((Number(count) * 1000) / Number(of));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The columns that identify a configuration: rows that agree on them are repetitions of one another. */
export const CONFIGURATION_COLUMNS = [
  "scenario", "protection", "align", "policy", "workers", "mapping_bytes", "kill_period_ns", "read_delay_ns",
] as const;

export function configurationKey(row: ResultRow): string {
  return CONFIGURATION_COLUMNS.map((column) => row[column]).join("|");
}
