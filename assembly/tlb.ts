// A TLB reach model for the random workload: per CPU, a set-associative L1 data TLB with separate arrays for
// 4 KiB, 2 MiB and 1 GiB pages, and a second-level TLB (one array shared by 4 KiB and 2 MiB pages, one for
// 1 GiB), LRU in every set. A miss in both levels is a page walk of 4 loads for a 4 KiB page (PML4, PDPT,
// PD, PT), 3 for 2 MiB and 2 for 1 GiB; paging-structure caches are not modelled.
//
// Default geometry: an Intel Skylake server core, whose TLBs are the Skylake client core's, from the TLB
// parameters table of the Skylake microarchitecture in the Intel 64 and IA-32 Architectures Optimization
// Reference Manual (248966; Table 2-15 in revision 045, February 2022; the numbering moves between revisions):
// DTLB 4 KiB 64 entries 4-way, 2 MiB 32 entries 4-way, 1 GiB 4 entries 4-way; STLB 4 KiB + 2 MiB 1536
// entries 12-way, 1 GiB 16 entries 4-way. The host passes these (or others) to tlb_configure().

import { TLB_GEOMETRY, TLB_BASE, TLB_PER_CPU } from "./layout";
import { EINVAL } from "./kernel";
import { smp_processor_id, this_cpu_tlb_inc, nr_cpu_ids } from "./percpu";
import { PTE_LEVEL, PMD_LEVEL, PUD_LEVEL, entry_ptr, entry_present, level_shift } from "./pagetable";

// Arrays, in TLB_GEOMETRY order: L1 4 KiB, L1 2 MiB, L1 1 GiB, STLB 4 KiB + 2 MiB, STLB 1 GiB.
const L1_4K: i32 = 0;
const STLB: i32 = 3;
const STLB_1G: i32 = 4;
const ENTRY_BYTES: usize = 16; // tag (u64, 0 = empty) and last use (u64)

// Per-CPU counters, line five of the stats (TLB_STAT_* are their slots).
export const TLB_STAT_ACCESSES: i32 = 0;
export const TLB_STAT_L1_MISSES: i32 = 1;
export const TLB_STAT_WALKS: i32 = 2;
export const TLB_STAT_WALK_LEVELS: i32 = 3;

let clock: u64 = 0; // this CPU's LRU clock: instance-local, like the arrays' owner

@inline function entries(array: i32): u32 {
  return load<u32>(TLB_GEOMETRY + (<usize>array << 3));
}

@inline function ways(array: i32): u32 {
  return load<u32>(TLB_GEOMETRY + (<usize>array << 3) + 4);
}

/** Where array `array` starts in this CPU's TLB. */
@inline function array_base(array: i32): usize {
  let base = TLB_BASE + <usize>smp_processor_id() * TLB_PER_CPU;
  for (let a = 0; a < array; a++) base += <usize>entries(a) * ENTRY_BYTES;
  return base;
}

/** Sets one array's entries and ways (entries / ways must be a power of two); false if they do not fit. */
function set_geometry(array: i32, n: u32, w: u32): bool {
  if (w == 0 || n % w != 0 || !isPowerOf2(n / w)) return false;
  store<u32>(TLB_GEOMETRY + (<usize>array << 3), n);
  store<u32>(TLB_GEOMETRY + (<usize>array << 3) + 4, w);
  return true;
}

/** Sets the five arrays' geometry; -EINVAL if one is not a power-of-two number of sets or all do not fit. */
export function tlb_configure(l1_4k: u32, l1_4k_ways: u32, l1_2m: u32, l1_2m_ways: u32, l1_1g: u32, l1_1g_ways: u32,
  stlb: u32, stlb_ways: u32, stlb_1g: u32, stlb_1g_ways: u32): i32 {
  const total = <usize>(l1_4k + l1_2m + l1_1g + stlb + stlb_1g) * ENTRY_BYTES;
  if (total > TLB_PER_CPU) return -EINVAL;
  const ok = set_geometry(0, l1_4k, l1_4k_ways) && set_geometry(1, l1_2m, l1_2m_ways) &&
    set_geometry(2, l1_1g, l1_1g_ways) && set_geometry(STLB, stlb, stlb_ways) &&
    set_geometry(STLB_1G, stlb_1g, stlb_1g_ways);
  return ok ? 0 : -EINVAL;
}

@inline function isPowerOf2(x: u32): bool {
  return x != 0 && (x & (x - 1)) == 0;
}

/** Empties every CPU's TLB (a full flush, as after the mapping changes). flush_tlb_all() flushes the online
 *  CPUs; one beyond nr_cpu_ids holds nothing (percpu.ts, forget_other_cpus). */
export function tlb_flush_all(): void {
  memory.fill(TLB_BASE, 0, <usize>nr_cpu_ids() * TLB_PER_CPU);
}

/** Looks `tag` up in one array; on a miss, installs it over the least recently used way. True on a hit. */
function lookup_or_fill(array: i32, tag: u64, index: u64): bool {
  const w = ways(array);
  const sets = entries(array) / w;
  const set = array_base(array) + <usize>((index & <u64>(sets - 1)) * w) * ENTRY_BYTES;
  let victim = set;
  clock++;
  for (let i: u32 = 0; i < w; i++) {
    const entry = set + <usize>i * ENTRY_BYTES;
    if (load<u64>(entry) == tag) {
      store<u64>(entry + 8, clock);
      return true;
    }
    if (load<u64>(entry + 8) < load<u64>(victim + 8)) victim = entry;
  }
  store<u64>(victim, tag);
  store<u64>(victim + 8, clock);
  return false;
}

/** One data access to addr through a translation of `level` (PTE_LEVEL, PMD_LEVEL or PUD_LEVEL). */
export function tlb_access(addr: u64, level: i32): void {
  const vpn = addr >> level_shift(level);
  const tag = ((vpn << 2) | <u64>level) + 1; // the STLB holds two page sizes: the size is part of the tag
  this_cpu_tlb_inc(TLB_STAT_ACCESSES);
  if (lookup_or_fill(L1_4K + level, tag, vpn)) return;
  this_cpu_tlb_inc(TLB_STAT_L1_MISSES);
  if (lookup_or_fill(level == PUD_LEVEL ? STLB_1G : STLB, tag, vpn)) return;
  this_cpu_tlb_inc(TLB_STAT_WALKS);
  for (let walked = 4 - level; walked > 0; walked--) this_cpu_tlb_inc(TLB_STAT_WALK_LEVELS);
}

/** The level whose entry maps addr in the vma's page tables (a pud or pmd leaf, else a pte). */
export function mapping_level(addr: u64): i32 {
  if (entry_present(atomic.load<u64>(entry_ptr(PUD_LEVEL, addr)))) return PUD_LEVEL;
  if (entry_present(atomic.load<u64>(entry_ptr(PMD_LEVEL, addr)))) return PMD_LEVEL;
  return PTE_LEVEL;
}

/** For hand-checked traces: `passes` loops over `pages` consecutive pages of `level` from address 0. */
export function tlb_trace_loop(pages: u64, passes: u32, level: i32): void {
  for (let pass: u32 = 0; pass < passes; pass++) {
    for (let page: u64 = 0; page < pages; page++) tlb_access(page << level_shift(level), level);
  }
}
