// dax_region and dax_dev: the region's alignment and pfn flags, the device's extents and its alive flag.
// After drivers/dax/bus.c (alloc_dax_region, devm_create_dev_dax) and drivers/dax/device.c (dax_pgoff_to_phys).

import {
  DEV_ALIVE, DEV_GENERATION, DEV_NR_EXTENTS, DEV_PGTABLE_BUDGET, DEV_KILL_BEGUN_GENERATION, DEV_SYNCED_GENERATION,
  DEV_STATE_PTR, REGION_ALIGN, REGION_PFN_FLAGS, REGION_POLICY, SRCU_COUNTERS, SRCU_COUNTERS_END,
  EXTENTS, EXTENT_SIZE, MAX_EXTENTS, CONTROL_END,
} from "./layout";
import { PAGE_SHIFT, PAGE_SIZE, PMD_SIZE, PUD_SIZE, PFN_DEV, PFN_MAP } from "./kernel";
import { this_cpu_inc_poison_reads } from "./percpu";
import { random_delay } from "./torture";
import { dev_field, dax_select_device } from "./devices";

// Why a device could not be created: the kernel refuses each of these with -EINVAL. The host names them.
export const DEV_OK: i32 = 0;
export const DEV_ERR_ALIGN: i32 = 1; // align is not 4 KiB, 2 MiB or 1 GiB
export const DEV_ERR_PFN_FLAGS: i32 = 2; // pfn_flags has bits other than PFN_DEV and PFN_MAP
export const DEV_ERR_TOO_MANY_EXTENTS: i32 = 3; // more than MAX_EXTENTS
export const DEV_ERR_EMPTY_EXTENT: i32 = 4; // end < start
export const DEV_ERR_UNALIGNED_EXTENT: i32 = 5; // start or size not a multiple of align
export const DEV_ERR_OVERLAPPING_EXTENT: i32 = 6; // shares an address with an earlier extent
export const DEV_ERR_EXTENT_TOO_HIGH: i32 = 7; // beyond MAX_PHYS: an entry holds a 40-bit pfn
export const DEV_ERR_NO_EXTENTS: i32 = 8; // enabling a device with nothing to map
export const DEV_ERR_ALIVE: i32 = 9; // extents may change only while the device is not alive
export const DEV_ERR_POLICY: i32 = 10; // policy is not POLICY_DEVICE or POLICY_FS

/** Device-DAX: every mapping matches the region's alignment, misaligned mmaps are refused. */
export const POLICY_DEVICE: i32 = 0;
/** fs-dax: any vma is accepted and a pmd is used only where one fits, ptes elsewhere (opportunistic). */
export const POLICY_FS: i32 = 1;

@inline export function dax_region_policy(): i32 {
  return load<i32>(REGION_POLICY);
}

/** Page-table entries keep 40 bits of pfn, so physical addresses stay below 2^52 (x86-64's own limit). */
export const MAX_PHYS: u64 = 1 << 52;

@inline export function dax_region_align(): u64 {
  return load<u64>(REGION_ALIGN);
}

@inline export function dax_region_pfn_flags(): u64 {
  return load<u64>(REGION_PFN_FLAGS);
}

@inline export function dax_alive(): bool {
  return dax_alive_word(dax_alive_ptr()) != 0;
}

/** Where the alive flag of the device this CPU works on lives. A loop that reads it pass after pass takes it
 *  once: the device's offset is a wasm global, and its load and add in the loop made qsbr's readside pair half
 *  as long again as native's (0.45 against 0.3 ns). */
@inline export function dax_alive_ptr(): usize {
  return dev_field(DEV_ALIVE);
}

/** alive as the word it is stored in at `ptr` (dax_alive_ptr): 1 alive, 0 dead. A loop that sums what it
 *  loads adds this, as native's loop adds the int: made a bool first (a compare and a widening on every pass),
 *  the readside loop took twice as long as native's (0.7 against 0.3 ns a pair), the conversion and not the
 *  load being measured. */
@inline export function dax_alive_word(ptr: usize): u32 {
  return <u32>atomic.load<i32>(ptr);
}

/** What freed device state reads as (the slab allocator's POISON_FREE, 0x6b, in every byte). */
export const DEV_POISON: i32 = 0x6b6b6b6b;

/** rcu_dereference() of the device: the state this read side uses until it ends. */
@inline export function dax_dev_deref(): usize {
  return <usize>atomic.load<u32>(dev_field(DEV_STATE_PTR));
}

/** True, and counted as a use after free, when the dereferenced state has been freed (poisoned). */
@inline export function dax_dev_freed(dev: usize): bool {
  if (atomic.load<i32>(dev) != DEV_POISON) return false;
  this_cpu_inc_poison_reads();
  return true;
}

/** dax_alive() through the dereferenced state; freed state counts as a use after free and as dead. */
@inline export function dax_dev_alive(dev: usize): bool {
  return !dax_dev_freed(dev) && atomic.load<i32>(dev) != 0;
}

@inline export function dax_generation(): i32 {
  return atomic.load<i32>(dev_field(DEV_GENERATION));
}

@inline function extent_start(i: i32): u64 {
  return load<u64>(EXTENTS + <usize>i * EXTENT_SIZE);
}

@inline function extent_end(i: i32): u64 {
  return load<u64>(EXTENTS + <usize>i * EXTENT_SIZE + 8);
}

@inline function nr_extents(): i32 {
  return load<i32>(DEV_NR_EXTENTS);
}

/** Forgets every earlier device, lock and counter: the control region from DEV_ALIVE on and SRCU's counters
 *  start from zero (the CPUs in use before it are the machine's, not the device's), one device again, this CPU
 *  on it; so call it only while no worker runs. */
export function dax_region_create(align: u64, pfn_flags: u64, policy: i32): i32 {
  if (align != PAGE_SIZE && align != PMD_SIZE && align != PUD_SIZE) return DEV_ERR_ALIGN;
  if ((pfn_flags & ~(PFN_DEV | PFN_MAP)) != 0) return DEV_ERR_PFN_FLAGS;
  if (policy != POLICY_DEVICE && policy != POLICY_FS) return DEV_ERR_POLICY;
  memory.fill(DEV_ALIVE, 0, CONTROL_END - DEV_ALIVE);
  memory.fill(SRCU_COUNTERS, 0, SRCU_COUNTERS_END - SRCU_COUNTERS);
  dax_select_device(0);
  store<u64>(REGION_ALIGN, align);
  store<u64>(REGION_PFN_FLAGS, pfn_flags);
  store<i32>(REGION_POLICY, policy);
  store<i64>(DEV_PGTABLE_BUDGET, -1);
  return DEV_OK;
}

/** Adds res[i] = [start, end] (inclusive end), as devm_create_dev_dax() checks each resource. */
export function dax_dev_add_extent(start: u64, end: u64): i32 {
  const n = nr_extents();
  if (dax_alive()) return DEV_ERR_ALIVE;
  if (n >= MAX_EXTENTS) return DEV_ERR_TOO_MANY_EXTENTS;
  if (end < start) return DEV_ERR_EMPTY_EXTENT;
  // A filesystem's extents are block-granular: under fs only 4 KiB alignment is required of them.
  const mask = (dax_region_policy() == POLICY_FS ? PAGE_SIZE : dax_region_align()) - 1;
  if ((start & mask) != 0 || ((end - start + 1) & mask) != 0) return DEV_ERR_UNALIGNED_EXTENT;
  if (end >= MAX_PHYS) return DEV_ERR_EXTENT_TOO_HIGH;
  for (let i = 0; i < n; i++) {
    if (start <= extent_end(i) && extent_start(i) <= end) return DEV_ERR_OVERLAPPING_EXTENT;
  }
  store<u64>(EXTENTS + <usize>n * EXTENT_SIZE, start);
  store<u64>(EXTENTS + <usize>n * EXTENT_SIZE + 8, end);
  store<i32>(DEV_NR_EXTENTS, n + 1);
  return DEV_OK;
}

/** The device goes live as generation 1: new mappings are possible from now on. */
export function dax_dev_enable(): i32 {
  if (nr_extents() == 0) return DEV_ERR_NO_EXTENTS;
  atomic.store<i32>(dev_field(DEV_GENERATION), 1);
  atomic.store<i32>(dev_field(DEV_ALIVE), 1);
  atomic.store<u32>(dev_field(DEV_STATE_PTR), <u32>dev_field(DEV_ALIVE));
  return DEV_OK;
}

/** Limits how many pte tables faults may still allocate (< 0: no limit); past it an insert fails -ENOMEM,
 *  which the fault returns as VM_FAULT_OOM, as when the kernel's pte_alloc() fails. */
export function dax_set_pgtable_budget(tables: i64): void {
  atomic.store<i64>(DEV_PGTABLE_BUDGET, tables);
}

/** The pte tables faults may still allocate (< 0: no limit): what a budget leaves tells how many were taken. */
export function dax_pgtable_budget(): i64 {
  return atomic.load<i64>(DEV_PGTABLE_BUDGET);
}

/** pgoff_to_phys(): walk the extents in order; valid only if [phys, phys + size) stays in one extent.
 *  Returns -1 (as u64) when it does not, which the fault handlers turn into SIGBUS. */
export function pgoff_to_phys(pgoff: u64, size: u64): u64 {
  const n = nr_extents();
  for (let i = 0; i < n; i++) {
    const start = extent_start(i);
    const end = extent_end(i);
    const phys = (pgoff << PAGE_SHIFT) + start;
    if (phys >= start && phys <= end) {
      return phys + size - 1 <= end ? phys : <u64>-1;
    }
    pgoff -= (end - start + 1) >> PAGE_SHIFT;
  }
  return <u64>-1;
}

/** kill_dax(), first half: no new mapping may start once the caller's grace period has ended.
 *  The generation whose kill begins is published first, for torture's Reader Pipe. */
export function dax_dev_mark_dead(): void {
  atomic.store<i32>(dev_field(DEV_KILL_BEGUN_GENERATION), dax_generation());
  atomic.store<i32>(dev_field(DEV_ALIVE), 0);
}

/** kill_dax(), after its grace period: publishes that this generation's readers are all done. */
export function dax_dev_mark_synchronized(): void {
  atomic.store<i32>(dev_field(DEV_SYNCED_GENERATION), dax_generation());
}

/** Not a kernel operation: the model brings the device back as a new generation so churn can repeat. */
export function dax_dev_revive(): void {
  atomic.add<i32>(dev_field(DEV_GENERATION), 1);
  random_delay(); // torture only: between the new generation and alive, which must come after it
  atomic.store<i32>(dev_field(DEV_ALIVE), 1);
}
