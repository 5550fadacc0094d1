// A worker is a CPU. Its identity lives in wasm globals, which are per instance and so per worker: the
// kernel's this_cpu. Everything it counts lives in its own lines of the shared memory (layout.ts).
//
// The layout has room for MAX_CPUS (the kernel's NR_CPUS); a run attaches a few. nr_cpu_ids, kept in shared
// memory, is one more than the highest CPU attached, and every scan over the CPUs stops there, so a run of 2
// workers does not pay for the CPUs it leaves unused.

import {
  MAX_CPUS, NR_CPU_IDS, PERCPU_READERS, CACHE_LINE, STATS, STATS_STRIDE, TLB_BASE, TLB_PER_CPU, SRCU_COUNTERS,
  SRCU_COUNTERS_PER_CPU,
} from "./layout";

// Line one of a CPU's statistics (u64 slots). The host names its columns after these exports.
export const STAT_PTE_INSTALLS: i32 = 0;
export const STAT_PMD_INSTALLS: i32 = 1;
export const STAT_PUD_INSTALLS: i32 = 2;
/** An install that found its slot already filled: the kernel's -EBUSY, still VM_FAULT_NOPAGE. */
export const STAT_RACED: i32 = 3;
export const STAT_SIGBUS: i32 = 4;
export const STAT_FALLBACK: i32 = 5;
export const STAT_OOM: i32 = 6;
/** Touches whose address an entry already covered: no fault. */
export const STAT_HITS: i32 = 7;

// Line two: why each SIGBUS was returned, one counter per reason (fault.ts).
export const STATS_SIGBUS_OFFSET: usize = CACHE_LINE;
// Line three: the Reader Pipe, installs by the stage their generation had reached (torture.ts).
export const STATS_PIPE_OFFSET: usize = 2 * CACHE_LINE;
export const PIPE_LENGTH: i32 = 8;
// Line four: counters of particular workloads: reads of device state that had been freed (poisoned; a use
// after free, a violation too), mmaps that check_vma refused (mmap-mix), read-side pairs that saw alive true
// (readside: what its load of alive found, as native's loop sums it), faults that paid the fault cost
// (fault.ts, fault_entry; counted only while a cost is set), torture's long and short read-side delays
// taken (torture.ts, long_read_delay), and its migrated unlocks (srcu.ts). The alive and fault-cost counts
// are probes: test/loops.test.ts tells by them where a loop loads alive and where a fault pays its cost,
// without timing anything.
export const STATS_POISON_OFFSET: usize = 3 * CACHE_LINE;
export const STATS_MMAP_REJECTED_OFFSET: usize = STATS_POISON_OFFSET + 8;
export const STATS_ALIVE_SEEN_OFFSET: usize = STATS_POISON_OFFSET + 16;
export const STATS_FAULT_COSTS_OFFSET: usize = STATS_POISON_OFFSET + 24;
export const STATS_LONG_DELAYS_OFFSET: usize = STATS_POISON_OFFSET + 32;
export const STATS_SHORT_DELAYS_OFFSET: usize = STATS_POISON_OFFSET + 40;
// And the SRCU read sides that unlocked on another CPU (srcu.ts, a migrating reader's).
export const STATS_MIGRATIONS_OFFSET: usize = STATS_POISON_OFFSET + 48;
// Line five: the TLB model's counters (tlb.ts names the slots).
export const STATS_TLB_OFFSET: usize = 4 * CACHE_LINE;

let this_cpu: i32 = 0;
let this_cpu_readers: usize = PERCPU_READERS;
/** This CPU's counters in the SRCU domain it uses now: where its read sides count. */
let this_cpu_srcu: usize = SRCU_COUNTERS;
/** How far that domain's set lies into each CPU's counters (devices.ts chooses the domain). */
let srcu_set: usize = 0;
let this_cpu_stats: usize = STATS;
let rng_state: u64 = 0x9e3779b97f4a7c15;

/** Makes this instance CPU `cpu` and raises nr_cpu_ids to cover it; writes nothing else shared. Returns 0, or
 *  -1 when cpu is out of range. */
export function attach(cpu: i32, seed: u64): i32 {
  if (cpu < 0 || cpu >= MAX_CPUS) return -1;
  this_cpu = cpu;
  this_cpu_readers = per_cpu_reader_line(cpu);
  this_cpu_srcu = per_cpu_srcu(cpu) + srcu_set;
  this_cpu_stats = STATS + <usize>cpu * STATS_STRIDE;
  rng_state = seed | 1; // xorshift state must not be 0
  raise_nr_cpu_ids(cpu + 1);
  return 0;
}

/** setup_nr_cpu_ids(): nr_cpu_ids is one more than the highest possible CPU. Raised before the CPU's first
 *  read side, so a grace period that began without it began before that read side too. */
function raise_nr_cpu_ids(ids: i32): void {
  for (let seen = atomic.load<i32>(NR_CPU_IDS); seen < ids; ) {
    const was = atomic.cmpxchg<i32>(NR_CPU_IDS, seen, ids);
    if (was == seen) return;
    seen = was;
  }
}

/** The CPUs a scan covers: for_each_possible_cpu() runs from 0 to nr_cpu_ids. */
@inline export function nr_cpu_ids(): i32 {
  return atomic.load<i32>(NR_CPU_IDS);
}

/** Forgets every CPU above this one (the host's CPU 0): nr_cpu_ids falls back to cover this one. Each CPU
 *  forgotten leaves an empty TLB, as a CPU comes up with one, so tlb_flush_all() need flush only the CPUs in
 *  use. Call it only once every other CPU has stopped for good (the host, after its workers have exited). */
export function forget_other_cpus(): void {
  const forgotten = nr_cpu_ids();
  if (forgotten > this_cpu + 1) {
    memory.fill(TLB_BASE + <usize>(this_cpu + 1) * TLB_PER_CPU, 0, <usize>(forgotten - this_cpu - 1) * TLB_PER_CPU);
  }
  atomic.store<i32>(NR_CPU_IDS, this_cpu + 1);
}

export function smp_processor_id(): i32 {
  return this_cpu;
}

/** This CPU's SRCU counters in the domain it uses now (one global: the read side pays no more than a per-CPU
 *  line's address). */
@inline export function this_cpu_srcu_counters(): usize {
  return this_cpu_srcu;
}

/** CPU `cpu`'s SRCU counters in the domain this CPU uses now, read from any CPU: what an SRCU grace period
 *  scans, and where a migrated unlock lands. */
@inline export function per_cpu_srcu_counters(cpu: i32): usize {
  return per_cpu_srcu(cpu) + srcu_set;
}

/** Makes this CPU's read sides and scans use the domain whose counters lie `set` bytes into each CPU's. */
export function use_srcu_counter_set(set: usize): void {
  srcu_set = set;
  this_cpu_srcu = per_cpu_srcu(this_cpu) + set;
}

/** CPU `cpu`'s SRCU counters, every domain's set. */
@inline function per_cpu_srcu(cpu: i32): usize {
  return SRCU_COUNTERS + <usize>cpu * SRCU_COUNTERS_PER_CPU;
}

/** This CPU's reader line: its QSBR counter and percpu-ref's count. */
@inline export function this_cpu_reader_line(): usize {
  return this_cpu_readers;
}

/** CPU `cpu`'s reader line, read from any CPU: what a grace period scans. */
@inline export function per_cpu_reader_line(cpu: i32): usize {
  return PERCPU_READERS + <usize>cpu * CACHE_LINE;
}

/** Adds one to the counter at `offset` in this CPU's stats lines. Only this CPU writes them, so a plain add is
 *  enough; readers sum them after the run. */
@inline function this_cpu_add(offset: usize, n: u64): void {
  const slot = this_cpu_stats + offset;
  store<u64>(slot, load<u64>(slot) + n);
}

@inline function this_cpu_count(offset: usize): void {
  this_cpu_add(offset, 1);
}

@inline export function this_cpu_inc(stat: i32): void {
  this_cpu_count(<usize>stat << 3);
}

@inline export function this_cpu_inc_sigbus_reason(reason: i32): void {
  this_cpu_count(STATS_SIGBUS_OFFSET + (<usize>reason << 3));
}

@inline export function this_cpu_inc_pipe(stage: i32): void {
  this_cpu_count(STATS_PIPE_OFFSET + (<usize>stage << 3));
}

@inline export function this_cpu_inc_poison_reads(): void {
  this_cpu_count(STATS_POISON_OFFSET);
}

@inline export function this_cpu_inc_mmap_rejected(): void {
  this_cpu_count(STATS_MMAP_REJECTED_OFFSET);
}

/** Adds `seen` read-side pairs that found alive true: once a batch, not once a pair. */
@inline export function this_cpu_add_alive_seen(seen: u64): void {
  this_cpu_add(STATS_ALIVE_SEEN_OFFSET, seen);
}

@inline export function this_cpu_inc_fault_costs(): void {
  this_cpu_count(STATS_FAULT_COSTS_OFFSET);
}

@inline export function this_cpu_inc_long_delays(): void {
  this_cpu_count(STATS_LONG_DELAYS_OFFSET);
}

@inline export function this_cpu_inc_short_delays(): void {
  this_cpu_count(STATS_SHORT_DELAYS_OFFSET);
}

@inline export function this_cpu_inc_migrations(): void {
  this_cpu_count(STATS_MIGRATIONS_OFFSET);
}

@inline export function this_cpu_tlb_inc(slot: i32): void {
  this_cpu_count(STATS_TLB_OFFSET + (<usize>slot << 3));
}

/** What the CPU whose stats lines start at `stats` saw break the guarantee: installs after their
 *  generation's grace period (Reader Pipe stages 2 and up) and reads of freed device state. The one
 *  definition of a violation: the worker's check and the host's count both come here. */
@inline function violations(stats: usize): u64 {
  let violations: u64 = load<u64>(stats + STATS_POISON_OFFSET);
  for (let stage = 2; stage < PIPE_LENGTH; stage++) {
    violations += load<u64>(stats + STATS_PIPE_OFFSET + (<usize>stage << 3));
  }
  return violations;
}

/** This CPU's violations: a worker checks them after each batch when torture stops at the first. */
export function this_cpu_violations(): u64 {
  return violations(this_cpu_stats);
}

/** CPU `cpu`'s violations, read from any CPU: the host's count, for every reader after a run. */
export function per_cpu_violations(cpu: i32): u64 {
  return violations(STATS + <usize>cpu * STATS_STRIDE);
}

/** Installs counted by every CPU (STAT_PTE_INSTALLS, STAT_PMD_INSTALLS, STAT_PUD_INSTALLS), read from any CPU
 *  once the workers have stopped: one side of torture's census (pagetable.ts, count_unaccounted_installs). */
export function all_cpus_installs(): u64 {
  let installs: u64 = 0;
  for (let cpu = 0; cpu < MAX_CPUS; cpu++) {
    const stats = STATS + <usize>cpu * STATS_STRIDE;
    for (let stat = STAT_PTE_INSTALLS; stat <= STAT_PUD_INSTALLS; stat++) {
      installs += load<u64>(stats + (<usize>stat << 3));
    }
  }
  return installs;
}

/** xorshift64*: cheap, per CPU, and reproducible from the host's seed. */
@inline export function this_cpu_random(): u64 {
  let x = rng_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng_state = x;
  return x * 0x2545f4914f6cdd1d;
}
