// The vma's page tables: one slot per 4 KiB (pte), per 2 MiB (pmd) and per 1 GiB (pud) of the vma.
// Tables are indexed relative to vm_start, so their size follows the mapping, not the 64-bit address.
//
// A slot is 0 (none), ENTRY_TABLE (a lower-level table hangs here: pmd_alloc()/pte_alloc() have run) or a leaf:
// bit 63 present, bits 40..62 the device generation that installed it, bits 0..39 the pfn.

import {
  TABLES_BASE, TABLE_BASES, TABLE_FIRST_INDEX, TABLE_SLOTS, DEV_PGTABLE_BUDGET, DEV_GENERATION, DEV_STALE_ENTRIES,
  DEV_ZAPPED_ENTRIES, CACHE_LINE,
} from "./layout";
import { dev_field, dev_vma_start, dev_vma_end, dax_devices, dax_select_device } from "./devices";
import { PAGE_SHIFT, PMD_SIZE, PUD_SIZE, ENOMEM, EBUSY } from "./kernel";
import { random_delay } from "./torture";
import { all_cpus_installs } from "./percpu";

export const PTE_LEVEL: i32 = 0;
export const PMD_LEVEL: i32 = 1;
export const PUD_LEVEL: i32 = 2;
const LEVELS: i32 = 3;

const ENTRY_PRESENT: u64 = 1 << 63;
const ENTRY_TABLE: u64 = 1;
const ENTRY_GENERATION_SHIFT: u64 = 40;
const ENTRY_GENERATION_MASK: u64 = (1 << 23) - 1;
const ENTRY_PFN_MASK: u64 = (1 << ENTRY_GENERATION_SHIFT) - 1;

@inline export function level_shift(level: i32): u64 {
  return PAGE_SHIFT + 9 * <u64>level;
}

@inline function table_base(level: i32): usize {
  return <usize>load<u32>(TABLE_BASES + (<usize>level << 2));
}

@inline function table_first_index(level: i32): u64 {
  return load<u64>(TABLE_FIRST_INDEX + (<usize>level << 3));
}

@inline function table_slots(level: i32): u64 {
  return load<u64>(TABLE_SLOTS + (<usize>level << 3));
}

@inline function slots_spanned(start: u64, end: u64, level: i32): u64 {
  const shift = level_shift(level);
  return ((end - 1) >> shift) - (start >> shift) + 1;
}

@inline function table_bytes(slots: u64): u64 {
  return (slots * 8 + CACHE_LINE - 1) & ~(<u64>CACHE_LINE - 1);
}

export function pagetables_bytes(start: u64, end: u64): u64 {
  let bytes: u64 = 0;
  for (let level = 0; level < LEVELS; level++) bytes += table_bytes(slots_spanned(start, end, level));
  return bytes;
}

/** Lays out empty tables for [start, end) at TABLES_BASE; false when the memory is too small for them. */
export function pagetables_setup(start: u64, end: u64): bool {
  const bytes = pagetables_bytes(start, end);
  if (<u64>TABLES_BASE + bytes > (<u64>memory.size() << 16)) return false;
  let base = TABLES_BASE;
  for (let level = 0; level < LEVELS; level++) {
    const slots = slots_spanned(start, end, level);
    store<u32>(TABLE_BASES + (<usize>level << 2), <u32>base);
    store<u64>(TABLE_FIRST_INDEX + (<usize>level << 3), start >> level_shift(level));
    store<u64>(TABLE_SLOTS + (<usize>level << 3), slots);
    base += <usize>table_bytes(slots);
  }
  memory.fill(TABLES_BASE, 0, <usize>bytes);
  return true;
}

/** The slot of `level` that covers addr, which must lie inside the vma. */
@inline export function entry_ptr(level: i32, addr: u64): usize {
  return table_base(level) + (<usize>((addr >> level_shift(level)) - table_first_index(level)) << 3);
}

@inline export function entry_present(entry: u64): bool {
  return (entry & ENTRY_PRESENT) != 0;
}

@inline export function entry_generation(entry: u64): i32 {
  return <i32>((entry >> ENTRY_GENERATION_SHIFT) & ENTRY_GENERATION_MASK);
}

@inline export function entry_pfn(entry: u64): u64 {
  return entry & ENTRY_PFN_MASK;
}

@inline function make_entry(pfn: u64, generation: i32): u64 {
  return ENTRY_PRESENT | ((<u64>generation & ENTRY_GENERATION_MASK) << ENTRY_GENERATION_SHIFT) | pfn;
}

/** pmd_alloc(): the walk moves below this slot, so a table now hangs there. */
@inline export function populate_table_slot(slot: usize): void {
  if (atomic.load<u64>(slot) == 0) atomic.cmpxchg<u64>(slot, 0, ENTRY_TABLE);
}

/** Takes one pte table from the budget, or fails -ENOMEM when it is spent (a budget < 0 is unlimited). */
function pgtable_budget_take(): i32 {
  let budget = atomic.load<i64>(DEV_PGTABLE_BUDGET);
  while (budget >= 0) {
    if (budget == 0) return -ENOMEM;
    const seen = atomic.cmpxchg<i64>(DEV_PGTABLE_BUDGET, budget, budget - 1);
    if (seen == budget) return 0;
    budget = seen;
  }
  return 0;
}

/** pte_alloc(): insert_pfn() allocates the pte table under the pmd on its first pte. */
function pte_alloc(pmd_slot: usize): i32 {
  if (atomic.load<u64>(pmd_slot) != 0) return 0;
  const err = pgtable_budget_take();
  if (err != 0) return err;
  random_delay(); // torture only: between finding the pmd slot empty and hanging a table there (a lost race)
  if (atomic.cmpxchg<u64>(pmd_slot, 0, ENTRY_TABLE) != 0 && atomic.load<i64>(DEV_PGTABLE_BUDGET) >= 0) {
    atomic.add<i64>(DEV_PGTABLE_BUDGET, 1); // another CPU allocated it first: give ours back
  }
  return 0;
}

/** vmf_insert_mixed() / vmf_insert_pfn_pmd() / vmf_insert_pfn_pud(): install by compare-and-swap.
 *  Returns 0, -EBUSY when the slot was already filled, or -ENOMEM when no pte table could be allocated. */
export function insert_pfn(level: i32, haddr: u64, pfn: u64, generation: i32): i32 {
  if (level == PTE_LEVEL) {
    const err = pte_alloc(entry_ptr(PMD_LEVEL, haddr));
    if (err != 0) return err;
  }
  const slot = entry_ptr(level, haddr);
  if (atomic.load<u64>(slot) != 0) return -EBUSY; // insert_pfn(): if (!pte_none(*pte)) goto out_unlock
  random_delay(); // torture only: between reading the slot and installing it
  // set_pte_at() under the pte lock, which makes the check and the store one step: here, a compare-and-swap.
  const old = atomic.cmpxchg<u64>(slot, 0, make_entry(pfn, generation));
  return old == 0 ? 0 : -EBUSY;
}

/** True for a present entry installed by a generation other than `generation`. */
@inline function entry_stale(entry: u64, generation: i32): bool {
  return entry_present(entry) && entry_generation(entry) != (generation & <i32>ENTRY_GENERATION_MASK);
}

/** The slot of `level` that covers addr (inside the vma), and the one after the slot that covers end - 1: the
 *  slots of [addr, end), a device's share when both are its bounds. */
@inline function slot_of(level: i32, addr: u64): u64 {
  return (addr >> level_shift(level)) - table_first_index(level);
}

@inline function slot_after(level: i32, end: u64): u64 {
  return min(slot_of(level, end - 1) + 1, table_slots(level));
}

/** unmap_mapping_range() of the device this CPU works on: clears every leaf of its share of the vma (all of it
 *  with one device); page tables stay allocated, as they do in the kernel. Entries of an older generation than
 *  the device's survived an earlier zap: they are added to its DEV_STALE_ENTRIES (the user-visible harm of a
 *  broken grace period). Returns how many entries it cleared. */
export function zap_device(): u64 {
  const generation = atomic.load<i32>(dev_field(DEV_GENERATION));
  const start = dev_vma_start();
  const end = dev_vma_end();
  let zapped: u64 = 0;
  let stale: u64 = 0;
  for (let level = 0; level < LEVELS; level++) {
    const base = table_base(level);
    const last = slot_after(level, end);
    for (let i: u64 = slot_of(level, start); i < last; i++) {
      const slot = base + (<usize>i << 3);
      const entry = atomic.load<u64>(slot);
      if (entry_present(entry)) {
        atomic.store<u64>(slot, 0);
        zapped++;
        if (entry_stale(entry, generation)) stale++;
      }
    }
  }
  atomic.add<u64>(dev_field(DEV_STALE_ENTRIES), stale);
  atomic.add<u64>(dev_field(DEV_ZAPPED_ENTRIES), zapped);
  return zapped;
}

/** Stale entries: those counted by earlier zaps, plus present ones that their device's live generation did not
 *  install; over every device. Leaves this CPU on device 0. */
export function count_stale_entries(): u64 {
  let stale: u64 = 0;
  for (let dev = 0, devices = dax_devices(); dev < devices; dev++) {
    dax_select_device(dev);
    const generation = atomic.load<i32>(dev_field(DEV_GENERATION));
    stale += atomic.load<u64>(dev_field(DEV_STALE_ENTRIES));
    const start = dev_vma_start();
    const end = dev_vma_end();
    for (let level = 0; level < LEVELS; level++) {
      const last = slot_after(level, end);
      for (let i: u64 = slot_of(level, start); i < last; i++) {
        if (entry_stale(slot_entry(level, i), generation)) stale++;
      }
    }
  }
  dax_select_device(0);
  return stale;
}

/** Torture's census of installs, after the run: every install that succeeded put one entry in a slot that
 *  was none, so the installs counted must equal the entries zap_device() cleared (every device's zaps) plus
 *  those still present. More installs than entries means one landed on top of another (two CPUs both found the
 *  slot none); fewer, an entry nobody counted. Returns installs minus entries: 0 when they agree. Valid for one
 *  mapping's life (dax_mmap lays the tables out anew, and zap_entry, for micro-benchmarks only, is not counted). */
export function count_unaccounted_installs(): i64 {
  let entries: u64 = 0;
  for (let dev = 0, devices = dax_devices(); dev < devices; dev++) {
    dax_select_device(dev);
    entries += atomic.load<u64>(dev_field(DEV_ZAPPED_ENTRIES));
  }
  dax_select_device(0);
  for (let level = 0; level < LEVELS; level++) entries += count_entries(level);
  return <i64>(all_cpus_installs() - entries);
}

/** Clears the one entry of `level` that covers addr: a single-page unmap, for micro-benchmarks. */
export function zap_entry(level: i32, addr: u64): void {
  atomic.store<u64>(entry_ptr(level, addr), 0);
}

/** PTE_LEVEL for 4 KiB, PMD_LEVEL for 2 MiB, PUD_LEVEL for 1 GiB. */
@inline export function level_of_size(size: u64): i32 {
  return size == PMD_SIZE ? PMD_LEVEL : size == PUD_SIZE ? PUD_LEVEL : PTE_LEVEL;
}

/** The virtual address slot i of `level` maps. */
@inline export function slot_address(level: i32, i: u64): u64 {
  return (table_first_index(level) + i) << level_shift(level);
}

/** Present entries at `level`. */
export function count_entries(level: i32): u64 {
  let count: u64 = 0;
  const base = table_base(level);
  const slots = table_slots(level);
  for (let i: u64 = 0; i < slots; i++) {
    if (entry_present(atomic.load<u64>(base + (<usize>i << 3)))) count++;
  }
  return count;
}

/** Reads slot i of `level` (0 when none); for the census in fault.ts and for tests. */
@inline export function slot_entry(level: i32, i: u64): u64 {
  return atomic.load<u64>(table_base(level) + (<usize>i << 3));
}

export function level_slots(level: i32): u64 {
  return table_slots(level);
}
