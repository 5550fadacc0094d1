// The types the stages of the host share: what the machine is set up with, what a scenario is (and the job it
// gives its readers), a configuration of the matrix and what measuring it produced. They live here, below every
// stage, so that no stage imports another's to name its data (results/ need not import run/, print/ need not
// import run/). What one stage owns lives with it: the worker protocol in run/protocol.ts, the run's metadata in
// results/metadata.ts, torture's and micro's verdicts in results/torture.ts and results/micro.ts, the export
// formats in export/formats.ts.

// ---- The modelled machine (host/machine/) ----

import type { PolicyName, SigbusReason, StatSlot, TlbSlot } from "./core-codes.ts";
import type { SchemeName, SrcuDomain } from "./schemes.ts";

/** The region alignments, by the names the CLI and the CSV use (sizes in host/machine/dax.ts ALIGNMENTS). */
export type AlignName = "4k" | "2m" | "1g";

/** A CPU's counters, or several CPUs' added up (host/machine/dax.ts stats()): the slots by name,
 *  sigbus_<reason>, tlb_<name>, the Reader Pipe's stages as pipe_<stage>, poison_reads (uses of freed device
 *  state), mmaps_rejected, alive_seen (readside's pairs that found alive true), fault_costs_paid (faults that
 *  paid --fault-cost), long_delays and short_delays (torture's rare read-side delays taken), migrations (SRCU
 *  read sides that unlocked on another CPU), and violations (the
 *  core's count of what broke the teardown guarantee, per_cpu_violations). */
export type Stats = Record<
  | StatSlot
  | `sigbus_${SigbusReason}`
  | `tlb_${TlbSlot}`
  | `pipe_${number}`
  | "poison_reads"
  | "mmaps_rejected"
  | "alive_seen"
  | "fault_costs_paid"
  | "long_delays"
  | "short_delays"
  | "migrations"
  | "violations",
  bigint
>;

/** Entries and ways of each TLB array the model keeps per CPU (assembly/tlb.ts). */
export interface TlbGeometry {
  l1_4k: [number, number];
  l1_2m: [number, number];
  l1_1g: [number, number];
  stlb: [number, number];
  stlb_1g: [number, number];
}

// ---- Scenarios (host/registry/scenarios.ts) ----

/** How two samples are set against each other: by how many times one is the other (costs in time), or by
 *  how much one exceeds the other (counts per 1,000 touches, where zero is an ordinary value and a ratio to
 *  it means nothing). */
export type Scale = "ratio" | "difference";

export interface ScenarioConfig {
  workers: number;
  size: bigint;
  align: bigint;
  stopOnViolation: boolean;
}

/** The dimensions of a matrix (the flags that take comma lists). */
export type Dimension =
  | "protection"
  | "align"
  | "policy"
  | "workers"
  | "size"
  | "killPeriod"
  | "readDelay"
  | "faultCost"
  | "gpCost"
  | "devices"
  | "srcuDomain";

/** The figure a scenario is judged by: a cost, so lower is better. */
export interface Headline {
  /** The result column it is read from. */
  column: "ns_per_op" | "tlb_walk_levels_per_1k";
  /** How two configurations are set against each other: times (a time, always positive), or a difference (a
   *  count per 1,000 touches, which may be zero: "2,500,000 times fewer walks" says nothing). */
  scale: Scale;
  /** Its short name, for table headers: "ns/touch". */
  unit: string;
  /** What one unit is, in words: "ns per completed touch, per CPU". */
  meaning: string;
  /** The claim when `better`'s figure is lower than `worse`'s by `amount` ("1.38×" or "2,497"). */
  claim(better: string, worse: string, amount: string): string;
}

/** The report's charts of one scenario's configurations. */
export type ChartName = "churn-throughput" | "populate-time" | "tlb-reach";

/** Figures a scenario's tables show beside its headline (host/print/figures.ts draws them). */
export type FigureName =
  | "ops_per_sec"
  | "faults"
  | "faults_per_pass"
  | "sigbus_share"
  | "kill_period"
  | "grace_period"
  | "mmaps"
  | "ns_per_vma"
  | "tlb_l1_misses"
  | "tlb_walks"
  | "simulator_ns";

export interface Scenario {
  name: string;
  /** One line for `daxbench list`. */
  summary: string;
  /** What `ops` counts for this scenario, for the README and `list`. */
  operation: string;
  /** Runs for --duration and stops (true), or runs a fixed amount of work (false). */
  timed: boolean;
  /** One extra worker kills and revives the device every --kill-period; every install then checks the
   *  teardown guarantee (torture.ts), so these rows fill the violations column. */
  updater: boolean;
  /** The dimensions that change what this scenario measures: the matrix expands only these; the others keep
   *  run/matrix.ts's DIMENSION_DEFAULTS, are left out of the description and are empty in the result row. */
  dimensions: readonly Dimension[];
  headline: Headline;
  figures: readonly FigureName[];
  /** Populates the mapping from the main thread before each run, so that only hits are measured. */
  prepopulate?: boolean;
  /** Every touch also goes through the TLB model (assembly/tlb.ts). */
  tlb?: boolean;
  /** Touches every page of the mapping once: faults_per_gib divides its installs by the mapping's size. */
  populatesMapping?: boolean;
  /** Maps this many vmas of --size per run: the row fills vmas_mapped and mmaps_rejected, and faults_per_gib
   *  divides the installs by the vmas mmap accepted. */
  vmasPerRun?: bigint;
  /** The report's charts drawn from this scenario's configurations (host/export/charts.ts). */
  charts?: readonly ChartName[];
  /** The job of reader `reader` (0-based) of config.workers. */
  readerJob(config: ScenarioConfig, reader: number): ReaderJob;
}

// ---- A configuration and its measurement (host/run/) ----

export interface Configuration {
  scenario: Scenario;
  protection: SchemeName;
  align: AlignName;
  policy: PolicyName;
  workers: number;
  size: bigint;
  /** How long timed scenarios run per repetition. */
  durationNs: number;
  /** Fixed-work scenarios do their work again, each pass on a fresh device, until a repetition has been timed
   *  this long (0: one pass): pyperf's and Google Benchmark's minimum time per value, so that a value is not a
   *  few milliseconds that one preemption doubles. */
  minTimeNs: number;
  /** How often the updater kills the device, in scenarios that have one; null: never. */
  killPeriodNs: number | null;
  /** Extra length of every fault's read side, between check_vma and the install. */
  readDelayNs: number;
  /** What every fault pays before the dax handler, outside the read side (the kernel's cost the model leaves
   *  out), for this configuration's page size; 0 for none. */
  faultCostNs: number;
  /** Where faultCostNs came from: "1us" as typed, or the kernel results file and run; "" for none. */
  faultCostSource: string;
  /** What each grace period of the updater costs beyond the model's own wait (the updater sleeps it inside the
   *  grace period); 0 for none. */
  gpCostNs: number;
  /** Where gpCostNs came from: "16ms" as typed, or the kernel results file and run; "" for none. */
  gpCostSource: string;
  /** Devices sharing the region, each an equal share of the mapping that the readers fault and the updater
   *  kills in turn; 1 but in churn and torture's --devices. */
  devices: number;
  /** Whether those devices' read sides enter one SRCU domain (the kernel's dax_srcu) or one each. */
  srcuDomain: SrcuDomain;
  /** The TLB model's geometry, for scenarios that use it. */
  tlbGeometry: TlbGeometry;
  /** Torture's random delays at every step boundary, up to this long; 0 for none (every benchmark). */
  randomDelayNs: number;
  /** Torture's rare long read-side delays (rcutorture's rcu_read_delay: 200 us and 300 ms); false in benchmarks. */
  longReadDelays: boolean;
  /** Updaters killing and reviving at once, each its own devices in turn (torture's --updaters); 1 in
   *  benchmarks. */
  updaters: number;
  /** Torture's fake writers (rcutorture's nfakewriters): CPUs beside the updater that run grace periods back to
   *  back; 0 in benchmarks. */
  fakeWriters: number;
  /** Torture's migrating readers: one SRCU read side in MIGRATION_ODDS unlocks on another CPU; false in
   *  benchmarks. */
  migratingReaders: boolean;
  /** The run's seed: every worker's random generator (touches, delays) starts from it and its CPU. */
  seed: bigint;
}

/** The order of a run's repetitions (host/run/schedule.ts): each on workers of its own, shuffled together with
 *  every other configuration's, or each configuration's back to back on one set of workers. */
export type RunOrder = "interleaved" | "sequential";

/** What one measured repetition produced. */
export interface Measurement {
  config: Configuration;
  /** Its number among its configuration's repetitions, 1 for the first to run. */
  rep: number;
  /** Times the work was done: a timed scenario runs once; a fixed-work one repeats until minTimeNs. The time,
   *  the operations and every counter below are summed over the passes. */
  passes: number;
  /** The run's order, and this repetition's place in it (1 for the first repetition the run measured). */
  order: RunOrder;
  position: number;
  /** From the first reader's start to the last reader's end, summed over the passes. */
  elapsedNs: number;
  /** Completed operations over all readers: touches that ended mapped, or read-side pairs. Refused touches
   *  (SIGBUS, OOM) are not operations; they are counted in stats. */
  ops: number;
  /** Each reader's completed operations, in reader order (torture's forward-progress check). */
  readerOps: number[];
  /** Each fake writer's grace periods, in order (torture's forward-progress check); empty without them. */
  fakeWriterGracePeriods: number[];
  /** The readers' counters added up. */
  stats: Stats;
  gracePeriodsNs: number[];
  /** How long the updaters ran, summed, for the kill period each achieved; undefined without an updater. */
  updaterElapsedNs: number | undefined;
  /** Entries of dead generations that outlived a zap (count_stale_entries), after the run. */
  staleEntries: number;
  /** The readers' summed time in their loops less the time each waited for a CPU, over elapsedNs: how many
   *  readers ran side by side, on average (their count, ideally). Undefined where the system does not report
   *  run-queue waits. */
  readerParallelism: number | undefined;
  /** The worker threads that ran it (Node's threadId): each group of repetitions gets threads of its own. */
  threadIds: number[];
  /** CPU time the hypervisor took from this machine during the repetition (steal, summed over the CPUs, in
   *  10 ms steps); undefined where the system does not report it. */
  stealNs: number | undefined;
  /** Installs counted minus the entries they made (count_unaccounted_installs), either way, after the run:
   *  0 unless two CPUs both installed one slot. Undefined where it was not taken (rows read back from a CSV). */
  unaccountedInstalls?: number;
}

// ---- What a reader runs: the job each scenario gives its readers (the rest of the worker protocol is
// host/run/protocol.ts) ----

/** Readers run a batch entry point of the core: once (fixed work) or again and again until stopped. */
export interface ReaderJob {
  role: "reader";
  fn: "populate" | "touch_random" | "readside" | "mmap_mix" | "touch_random_tlb" | "bench_futex_handover";
  args: bigint[];
  untilStopped: boolean;
  /** Torture: the first violation this reader sees stops every worker. */
  stopOnViolation: boolean;
}
