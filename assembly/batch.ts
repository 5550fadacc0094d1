// Batch entry points: one call from JavaScript runs many operations, so the call's cost vanishes in the batch.
// Each returns how many operations it completed (for touches: how many ended mapped, touch_completed());
// everything else they did, refused touches included, is counted in the calling CPU's stats.
//
// The hot batches read the scheme once and run a loop instantiated for its read side (`*_with<S>`, S a marker
// type of protection.ts), through protection.ts's one dispatch, with_read_side: no scheme test is left in the
// loop (the qsbr loop is a bare load of alive; the rcu loop adds the two counter stores). A scheme runs the loop
// of the read side it shares (read_side_of): the broken variants differ on the update side or, for
// rcu-check-outside, on the fault path, which gets its own.

import { PAGE_SHIFT, PAGE_SIZE, PMD_SIZE } from "./kernel";
import { vm_start, vm_end, dax_mmap, CHECK_VMA_OK } from "./vma";
import { VMA_FLAGS } from "./layout";
import { zap_device, entry_ptr, entry_present, PTE_LEVEL } from "./pagetable";
import { dax_region_align } from "./device";
import { handle_mm_fault_with, touch_completed } from "./fault";
import { dax_alive_word, dax_alive_ptr } from "./device";
import {
  read_lock, read_unlock, read_lock_refused, batch_begin, batch_end, with_read_side, SchemeSetNow,
} from "./protection";
import {
  this_cpu_random, this_cpu_inc_mmap_rejected, this_cpu_add_alive_seen, this_cpu_inc, STAT_HITS,
} from "./percpu";
import { tlb_access, mapping_level } from "./tlb";

/** Touches every 4 KiB page of [vm_start + from, vm_start + to) once, in order: the populate workload. */
export function populate(from: u64, to: u64): u64 {
  return with_read_side<Populate>(from, to);
}

@final @unmanaged class Populate {
  @inline run<S>(from: u64, to: u64): u64 {
    return populate_with<S>(from, to);
  }
}

@inline function populate_with<S>(from: u64, to: u64): u64 {
  const start = vm_start() + from;
  const end = vm_start() + to;
  let completed: u64 = 0;
  batch_begin<S>();
  for (let addr = start; addr < end; addr += PAGE_SIZE) completed += touch_completed(handle_mm_fault_with<S>(addr));
  batch_end<S>();
  return completed;
}

/** A page index of the vma's `pages` chosen uniformly at random. The index is the high half of a 32 x 32-bit product,
 *  not a remainder (Lemire, "Fast Random Integer Generation in an Interval", 2019): a multiply instead of a
 *  64-bit division on every touch. Its bias is below pages / 2^32, nothing for the model's at most 2^24 pages. */
@inline function random_index(pages: u64): u64 {
  return ((this_cpu_random() >> 32) * pages) >> 32;
}

/** The vma's pages, read once per batch: a batch of touches runs on one vma (only mmap-mix remaps, and it does
 *  not touch at random). */
@inline function vma_pages(): u64 {
  return (vm_end() - vm_start()) >> PAGE_SHIFT;
}

/** Touches `count` pages chosen uniformly at random over the whole vma: the random and churn workloads. */
export function touch_random(count: u64): u64 {
  return with_read_side<TouchRandom>(count, 0);
}

@final @unmanaged class TouchRandom {
  @inline run<S>(count: u64, _b: u64): u64 {
    return touch_random_with<S>(count);
  }
}

@inline function touch_random_with<S>(count: u64): u64 {
  const start = vm_start();
  const pages = vma_pages();
  // handle_mm_fault's first test, a hit on a pte, with the pte table's address taken once per batch rather
  // than loaded for every touch (the loop's atomics keep the compiler from hoisting those loads itself).
  const ptes = entry_ptr(PTE_LEVEL, start);
  let completed: u64 = 0;
  batch_begin<S>();
  for (let i: u64 = 0; i < count; i++) {
    const page = random_index(pages);
    if (entry_present(atomic.load<u64>(ptes + (<usize>page << 3)))) {
      this_cpu_inc(STAT_HITS);
      completed++;
    } else {
      completed += touch_completed(handle_mm_fault_with<S>(start + (page << PAGE_SHIFT)));
    }
  }
  batch_end<S>();
  return completed;
}

/** `count` empty read-side critical sections that only load alive: the readside workload (refscale).
 *  The load is atomic, so the compiler cannot drop it; what it finds is summed, as native's loop sums it, and
 *  added to this CPU's alive_seen once the batch ends (nothing kills the device meanwhile: all of them). */
export function readside(count: u64): u64 {
  return with_read_side<Readside>(count, 0);
}

@final @unmanaged class Readside {
  @inline run<S>(count: u64, _b: u64): u64 {
    return readside_with<S>(count);
  }
}

@inline function readside_with<S>(count: u64): u64 {
  let seen: u64 = 0;
  const alive_ptr = dax_alive_ptr();
  batch_begin<S>();
  for (let i: u64 = 0; i < count; i++) {
    for (;;) {
      const id = read_lock<S>();
      if (read_lock_refused<S>(id)) break; // the device is dead: alive is not to be read
      const alive = dax_alive_word(alive_ptr);
      if (!read_unlock<S>(id)) {
        seen += <u64>alive;
        break;
      }
    }
  }
  batch_end<S>();
  this_cpu_add_alive_seen(seen);
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
  batch_begin<SchemeSetNow>();
  for (let i: u64 = 0; i < count; i++) {
    let start = base + (this_cpu_random() % 16) * step;
    if (this_cpu_random() % 1000 >= aligned_permille) {
      start += (1 + this_cpu_random() % ((step >> PAGE_SHIFT) - 1)) << PAGE_SHIFT;
    }
    if (dax_mmap(start, start + bytes, 0, flags) != CHECK_VMA_OK) {
      this_cpu_inc_mmap_rejected();
      continue;
    }
    for (let addr = start; addr < start + bytes; addr += PAGE_SIZE) {
      completed += touch_completed(handle_mm_fault_with<SchemeSetNow>(addr));
    }
    zap_device(); // munmap
  }
  batch_end<SchemeSetNow>();
  return completed;
}

/** `count` random touches over the whole vma, each also an access through the TLB model with the page size
 *  that maps it: the tlb workload (run after the mapping is populated). */
export function touch_random_tlb(count: u64): u64 {
  // Hits only (the mapping is populated first): no read side runs, so one loop serves every scheme.
  const start = vm_start();
  const pages = vma_pages();
  let completed: u64 = 0;
  batch_begin<SchemeSetNow>();
  for (let i: u64 = 0; i < count; i++) {
    const addr = start + (random_index(pages) << PAGE_SHIFT);
    completed += touch_completed(handle_mm_fault_with<SchemeSetNow>(addr));
    tlb_access(addr, mapping_level(addr));
  }
  batch_end<SchemeSetNow>();
  return completed;
}
