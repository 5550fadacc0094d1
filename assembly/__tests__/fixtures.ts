// Devices and vmas the specs map. Not a spec itself: imported by them.

import { dax_region_create, dax_dev_add_extent, dax_dev_enable, POLICY_DEVICE } from "../device";
import { dax_mmap, dax_mmap_tables_bytes } from "../vma";
import { set_protection, SCHEME_RCU } from "../protection";
import { TABLES_BASE, STATS } from "../layout";
import { STATS_SIGBUS_OFFSET } from "../percpu";
import { VM_READ, VM_WRITE, VM_SHARED, VM_MAYSHARE, VM_DAX, PFN_DEV, PFN_MAP, PAGE_SIZE } from "../kernel";

export const KiB: u64 = 1 << 10;
export const MiB: u64 = 1 << 20;
export const GiB: u64 = 1 << 30;
export const PHYS: u64 = 1 << 40;
export const USER: u64 = 0x7f0000000000;
export const SHARED_DAX: u64 = VM_READ | VM_WRITE | VM_SHARED | VM_MAYSHARE | VM_DAX;
export const DEVMAP: u64 = PFN_DEV | PFN_MAP;

/** A live device of one extent of `bytes` at PHYS, under rcu. */
export function device(align: u64, bytes: u64, pfn_flags: u64 = DEVMAP, policy: i32 = POLICY_DEVICE): void {
  make_room(0, 0); // everything below TABLES_BASE: dax_region_create clears SRCU's counters there
  expect(dax_region_create(align, pfn_flags, policy)).toBe(0, "region");
  expect(dax_dev_add_extent(PHYS, PHYS + bytes - 1)).toBe(0, "extent");
  expect(dax_dev_enable()).toBe(0, "enable");
  expect(set_protection(SCHEME_RCU)).toBe(0, "protection");
}

/** Grows the spec's memory until the vma's page tables fit above TABLES_BASE. */
export function make_room(start: u64, end: u64): void {
  const needed = <u64>TABLES_BASE + (end > start ? dax_mmap_tables_bytes(start, end) : 0);
  const have = <u64>memory.size() << 16;
  if (needed > have) memory.grow(<i32>((needed - have + 0xffff) >> 16));
}

/** mmap of [USER, USER + bytes) at pgoff 0; returns check_vma's reason. */
export function map(bytes: u64, flags: u64 = SHARED_DAX, start: u64 = USER, pgoff: u64 = 0): i32 {
  make_room(start, start + bytes);
  return dax_mmap(start, start + bytes, pgoff, flags);
}

/** CPU 0's counter `field` (a STAT_* slot). */
export function stat(field: i32): u64 {
  return load<u64>(STATS + (<usize>field << 3));
}

/** CPU 0's count of SIGBUS for `reason` (a SIGBUS_* code of fault.ts). */
export function sigbus_reason(reason: i32): u64 {
  return load<u64>(STATS + STATS_SIGBUS_OFFSET + (<usize>reason << 3));
}

export function pages(bytes: u64): u64 {
  return bytes / PAGE_SIZE;
}
