// The reference of a run's CSV columns, as docs/csv.md gives it: every column of results/schema.ts's ROW_COLUMNS
// in order, what it holds (from the schema's own sets) and what it means. COLUMN_MEANINGS is keyed by the
// schema's Column type, so a column added without its meaning does not compile, and test/docs.test.ts holds
// docs/csv.md to what this file renders.

import {
  CONFIGURATION_COLUMNS,
  METADATA_COLUMNS,
  OPTIONAL_COLUMNS,
  ROW_COLUMNS,
  TEXT_COLUMNS,
  type Column,
} from "../results/schema.ts";
import { markdownTable } from "./markdown.ts";
import { MIGRATION_ODDS } from "../machine/dax.ts";

export const COLUMN_MEANINGS: Record<Column, string> = {
  scenario: "the workload (`daxbench list`): populate, random, churn, readside, mmap-mix or tlb",
  protection: "the scheme guarding `alive` (rcu, mutex, rwlock, qsbr, rcu-pointer, none, ...); empty for tlb",
  align: "the region's alignment, so the page size each fault installs: 4k, 2m or 1g; empty for readside",
  workers: "reader workers, one thread each (the updater a churn adds is not counted)",
  rep:
    "the repetition's number among its configuration's, 1 for the first to run (`position` says where in the run " +
    "it ran)",
  mapping_bytes: "the mapping's size in bytes (`--size`); empty for readside",
  elapsed_ns:
    "from the first reader's start to the last reader's end, timed inside the workers around the batches; " +
    "summed over the passes",
  ops:
    "completed operations over all readers: touches that ended mapped (`hits + faults + raced`), read-side pairs " +
    "(readside), pages of accepted vmas (mmap-mix); refused touches are never counted",
  faults: "entries installed: `VM_FAULT_NOPAGE` that won its compare-and-swap",
  ns_per_op:
    "`elapsed_ns × workers / ops`: the time one CPU spent per completed operation, refused touches in the time but " +
    "not in the count (liburcu's ns per read); empty when nothing completed",
  ops_per_sec: "the aggregate rate: `ops` over `elapsed_ns`",
  sigbus: "touches refused with SIGBUS (a dead device under churn, a rule of the fault handler)",
  fallback: "`VM_FAULT_FALLBACK` returns: a huge fault that could not be served at its size",
  raced: "installs that found the slot already filled (the kernel's `-EBUSY`)",
  kills: "the updater's kills (churn): `alive = false`, `synchronize`, zap, revive",
  gp_p50_ns: "the median latency of a kill's grace period (`alive = false` plus `synchronize`), nearest rank",
  gp_p99_ns: "its 99th percentile, nearest rank",
  violations: "installs that landed after their generation's `synchronize` returned; filled by runs with an updater",
  duration_ns: "how long a timed scenario runs per repetition (`--duration`)",
  kill_period_ns: "the time asked between kills (`--kill-period`); empty for `never` and for scenarios without kills",
  kill_period_achieved_ns:
    "the updaters' summed run time over their kills: the period each updater really kept; empty without a kill",
  read_delay_ns: "the calibrated spin added to every fault's read side (`--read-delay`)",
  fault_cost_ns: "what each fault paid before the dax handler, outside the read side (`--fault-cost`)",
  fault_cost_source: "where `fault_cost_ns` came from: as typed, or the kernel results file and run",
  gp_cost_ns:
    "what each of the updater's grace periods paid beyond the model's wait for its readers, slept inside it " +
    "(`--gp-cost`); 0 in files of daxbench 0.2",
  gp_cost_source: "where `gp_cost_ns` came from: as typed, or the kernel results file and run",
  devices:
    "churn and torture: devices sharing the region, each an equal share of the mapping, faulted by every reader " +
    "and killed in turn by the updater (`--devices`); 1 in files that predate it",
  srcu_domain:
    "churn and torture: `shared` (one SRCU domain for every device, the kernel's dax_srcu) or `per-device` " +
    "(`--srcu-domain`); `shared` in files that predate it",
  pte_installs: "4 KiB entries installed",
  pmd_installs: "2 MiB entries installed",
  pud_installs: "1 GiB entries installed",
  hits: "touches that found their page mapped",
  oom: "faults refused for want of a page-table page (`VM_FAULT_OOM`, from the optional pte-table budget)",
  gp_max_ns: "the longest grace period of the repetition",
  stale_entries: "entries of a dead generation left after a zap; filled by runs with an updater",
  policy: "the mapping policy: device (Device-DAX, misaligned mmaps refused) or fs (fs-dax, pmds when they fit)",
  vmas_mapped: "mmap-mix: vmas accepted by `check_vma`, over the passes",
  mmaps_rejected: "mmap-mix: vmas refused",
  faults_per_gib: "faults per GiB of accepted mapping (mmap-mix)",
  tlb_geometry: "the TLB model's entries/ways of L1 4k, L1 2m, L1 1g, STLB and STLB 1g (`--tlb-geometry`)",
  tlb_l1_misses_per_1k: "tlb: first-level TLB misses per 1,000 touches",
  tlb_walks_per_1k: "tlb: page walks (misses in both levels) per 1,000 touches",
  tlb_walk_levels_per_1k: "tlb: page-table levels walked per 1,000 touches, its headline",
  random_delay_ns: "torture's random delays: each up to this long, at one step boundary in 64 (0 in benchmarks)",
  long_read_delays:
    "1 where torture's readers took rcutorture's rare long read-side delays (200 us in one read side of " +
    "readers × 500, 300 ms in one of readers × 600,000; `--long-delays`), else 0",
  fake_writers:
    "torture's fake writers (rcutorture's): CPUs beside the updater running grace periods back to back " +
    "(`--fake-writers`; 0 in benchmarks)",
  fake_writer_grace_periods: "the grace periods the fake writers completed, summed; empty without fake writers",
  migrating_readers:
    `1 where torture's readers migrated: one SRCU read side in ${MIGRATION_ODDS} unlocked on another CPU's counter ` +
    "(`--migrate`), else 0",
  updaters:
    "churn and torture: updaters killing and reviving at once, updater u the devices u, u + updaters, ... in " +
    "turn (torture's `--updaters`); 1 in benchmarks and in files that predate it",
  seed: "the seed of every worker's random generator and of the order of the repetitions (`--seed`)",
  order: "`interleaved` (each repetition on workers of its own, all shuffled together) or `sequential`",
  position: "the repetition's place in the run's order, 1 for the run's first",
  min_time_ns: "the time a fixed-work repetition repeats its work to (`--min-time`); empty for timed scenarios",
  passes: "how many times a fixed-work repetition did its work (a timed one runs once)",
  reader_parallelism:
    "the readers' summed time in their loops less their waits for a CPU, over the repetition's time: how many " +
    "really ran side by side; empty where the system does not report run-queue waits",
  steal_ns: "CPU time the hypervisor took from this machine during the repetition (`/proc/stat`, in 10 ms steps)",
  node: "the Node version",
  cpu: "the CPU's model name, as the kernel reports it",
  cpu_count: "CPUs the operating system offers the process",
  load_avg_1m: "the 1-minute load average when the run started",
  cpu_governor: "the first CPU's frequency governor; empty where the system has none to read",
  thp_enabled: "transparent huge pages for anonymous memory, as the kernel was set; empty where not readable",
  thp_defrag: "their defrag policy; empty where not readable",
  commit: "daxbench's git commit, ending in `+dirty` with uncommitted changes; empty outside its own checkout",
  started_at: "when the run started (ISO 8601, UTC)",
  daxbench_version: "daxbench's version",
};

/** What a column holds, from the schema's sets. A text column's meaning says when it is empty. */
function holds(column: Column): string {
  if (TEXT_COLUMNS.has(column)) return "text";
  return OPTIONAL_COLUMNS.has(column) ? "number, may be empty" : "number";
}

/** docs/csv.md's generated section. */
export function csvReference(): string {
  const key = new Set<string>(CONFIGURATION_COLUMNS);
  const rows = ROW_COLUMNS.map((column) => [
    `\`${column}\``,
    holds(column),
    key.has(column) ? "yes" : "",
    COLUMN_MEANINGS[column],
  ]);
  return [
    `${ROW_COLUMNS.length} columns, in the order a run writes them; the last ${METADATA_COLUMNS.length} are the ` +
      "run's metadata, the same on every row of a run. A column marked in *key* is part of a configuration's " +
      "identity: rows that agree on all of them are repetitions of one configuration.",
    "",
    markdownTable(["column", "holds", "key", "meaning"], rows, ["left", "left", "left", "left"]),
  ].join("\n");
}
