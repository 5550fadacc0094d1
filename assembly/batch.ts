// Batch entry points: one call from JavaScript runs many operations, so the call's cost vanishes in the batch.
// Each returns how many operations it ran; what they did is counted in the calling CPU's stats.

import { PAGE_SHIFT, PAGE_SIZE } from "./kernel";
import { vm_start, vm_end } from "./vma";
import { handle_mm_fault } from "./fault";
import { dax_alive } from "./device";
import { read_lock, read_unlock, batch_begin, batch_end } from "./protection";
import { this_cpu_random } from "./percpu";

/** Touches every 4 KiB page of [vm_start + from, vm_start + to) once, in order: the populate workload. */
export function populate(from: u64, to: u64): u64 {
  const start = vm_start() + from;
  const end = vm_start() + to;
  let ops: u64 = 0;
  batch_begin();
  for (let addr = start; addr < end; addr += PAGE_SIZE) {
    handle_mm_fault(addr);
    ops++;
  }
  batch_end();
  return ops;
}

/** Touches `count` pages chosen uniformly at random over the whole vma: the random and churn workloads. */
export function touch_random(count: u64): u64 {
  const pages = (vm_end() - vm_start()) >> PAGE_SHIFT;
  batch_begin();
  for (let i: u64 = 0; i < count; i++) {
    handle_mm_fault(vm_start() + ((this_cpu_random() % pages) << PAGE_SHIFT));
  }
  batch_end();
  return count;
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
