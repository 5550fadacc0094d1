// Batch entry points: one call from JavaScript runs many operations, so the call's cost vanishes in the batch.
// Each returns how many operations it completed (for touches: how many ended mapped, touch_completed());
// everything else they did, refused touches included, is counted in the calling CPU's stats.

import { PAGE_SHIFT, PAGE_SIZE, PMD_SIZE } from "./kernel";
import { vm_start, vm_end, dax_mmap, CHECK_VMA_OK } from "./vma";
import { VMA_FLAGS } from "./layout";
import { zap_all } from "./pagetable";
import { dax_region_align } from "./device";
import { handle_mm_fault, touch_completed } from "./fault";
import { dax_alive } from "./device";
import { read_lock, read_unlock, batch_begin, batch_end } from "./protection";
import { this_cpu_random, this_cpu_inc_mmap_rejected } from "./percpu";
import { tlb_access, mapping_level } from "./tlb";

/** Touches every 4 KiB page of [vm_start + from, vm_start + to) once, in order: the populate workload. */
export function populate(from: u64, to: u64): u64 {
  const start = vm_start() + from;
  const end = vm_start() + to;
  let completed: u64 = 0;
  batch_begin();
  for (let addr = start; addr < end; addr += PAGE_SIZE) completed += touch_completed(handle_mm_fault(addr));
  batch_end();
  return completed;
}

/** A page of the vma chosen uniformly at random. */
@inline function random_page(): u64 {
  return vm_start() + ((this_cpu_random() % ((vm_end() - vm_start()) >> PAGE_SHIFT)) << PAGE_SHIFT);
}

/** Touches `count` pages chosen uniformly at random over the whole vma: the random and churn workloads. */
export function touch_random(count: u64): u64 {
  let completed: u64 = 0;
  batch_begin();
  for (let i: u64 = 0; i < count; i++) completed += touch_completed(handle_mm_fault(random_page()));
  batch_end();
  return completed;
}

/** `count` empty read-side critical sections that only load alive: the readside workload (refscale).
 *  The load is atomic, so the compiler cannot drop it. */
export function readside(count: u64): u64 {
  batch_begin();
  for (let i: u64 = 0; i < count; i++) {
    const id = read_lock();
    dax_alive();
    read_unlock(id);
  }
  batch_end();
  return count;
}

/** The mmap-mix workload: `count` times, mmap a vma of `bytes` at a random place (an aligned start with
 *  probability aligned_permille / 1000, else one off by a random number of pages), touch every page of it, and
 *  unmap it. Refused mmaps are counted, and map nothing; the next vma is placed from the first one's start.
 *  Returns the pages touched (and mapped) in the vmas that were accepted. */
export function mmap_mix(count: u64, bytes: u64, aligned_permille: u64): u64 {
  const base = vm_start();
  const flags = load<u64>(VMA_FLAGS);
  const step = max(dax_region_align(), PMD_SIZE); // so that a 4 KiB region's vmas can be pmd-misaligned too
  let completed: u64 = 0;
  batch_begin();
  for (let i: u64 = 0; i < count; i++) {
    let start = base + (this_cpu_random() % 16) * step;
    if (this_cpu_random() % 1000 >= aligned_permille) start += (1 + this_cpu_random() % ((step >> PAGE_SHIFT) - 1)) << PAGE_SHIFT;
    if (dax_mmap(start, start + bytes, 0, flags) != CHECK_VMA_OK) {
      this_cpu_inc_mmap_rejected();
      continue;
    }
    for (let addr = start; addr < start + bytes; addr += PAGE_SIZE) completed += touch_completed(handle_mm_fault(addr));
    zap_all(); // munmap
  }
  batch_end();
  return completed;
}

/** `count` random touches over the whole vma, each also an access through the TLB model with the page size
 *  that maps it: the tlb workload (run after the mapping is populated). */
export function touch_random_tlb(count: u64): u64 {
  let completed: u64 = 0;
  batch_begin();
  for (let i: u64 = 0; i < count; i++) {
    const addr = random_page();
    completed += touch_completed(handle_mm_fault(addr));
    tlb_access(addr, mapping_level(addr));
  }
  batch_end();
  return completed;
}
