// Batch entry points for the single-threaded micro-benchmarks (host/run/micro-cases.ts): each runs one operation
// `count` times, so benchmark.js times thousands of operations per JS-to-wasm call.

import { check_vma, vm_start } from "./vma";
import { pgoff_to_phys, dax_dev_deref } from "./device";
import { dev_dax_huge_fault } from "./fault";
import { zap_entry, level_of_size } from "./pagetable";
import { PAGE_SIZE } from "./kernel";
import { MICRO_CAS_WORD, HANDOVER_WORD, HANDOVER_STAMP, HANDOVER_WAKEUP_NS } from "./layout";
import { clock_ns } from "./clock";
import { this_cpu_reader_line, smp_processor_id } from "./percpu";

/** Nothing, `count` times: what is left is the cost of the call itself, the harness overhead. */
export function bench_empty(count: u64): u64 {
  return count;
}

/** check_vma() on the mapped vma (every rule passes, the longest path). */
export function bench_check_vma(count: u64): u64 {
  let rejected: u64 = 0;
  for (let i: u64 = 0; i < count; i++) if (check_vma(dax_dev_deref()) != 0) rejected++;
  return count - rejected;
}

/** pgoff_to_phys() over offsets spread evenly across a device of `pages` pages, so every extent is walked. */
export function bench_pgoff_to_phys(count: u64, pages: u64): u64 {
  const stride: u64 = (pages / count) | 1;
  let found: u64 = 0;
  let pgoff: u64 = 0;
  for (let i: u64 = 0; i < count; i++) {
    if (pgoff_to_phys(pgoff, PAGE_SIZE) != <u64>-1) found++;
    pgoff += stride; // stepping, not i * stride % pages: a division would cost more than one extent's walk
    if (pgoff >= pages) pgoff -= pages;
  }
  return found;
}

/** One fault of `size` at the vma's start, then a zap of just that entry, `count` times. */
export function bench_fault_zap(count: u64, size: u64): u64 {
  const addr = vm_start();
  const level = level_of_size(size);
  for (let i: u64 = 0; i < count; i++) {
    dev_dax_huge_fault(addr, size);
    zap_entry(level, addr);
  }
  return count;
}

/** `count` uncontended compare-and-swaps on a word of this CPU's own line: the least an install costs (its
 *  compare-and-swap of the entry), set beside a fault in the calibration. */
export function bench_cas(count: u64): u64 {
  const word = this_cpu_reader_line() + MICRO_CAS_WORD;
  let swapped: u64 = 0;
  for (let i: u64 = 0; i < count; i++) {
    const seen = atomic.load<u64>(word);
    if (atomic.cmpxchg<u64>(word, seen, seen + 1) == seen) swapped++;
  }
  return swapped;
}

/** `count` hand-overs of a futex word from this CPU to its partner, each side asleep in memory.atomic.wait32
 *  until the other's notify: what a contended futex mutex pays when its spin fails, set beside FUTEX_WAIT and
 *  FUTEX_WAKE in C in the calibration. Two CPUs of different parity run it together with the same count (the
 *  even one moves first); the word counts every hand-over, so calls may follow calls. A hand-over wakes a
 *  sleeper only when the partner got to sleep before the word moved, so only those are timed: from just
 *  before the word moved to the sleeper's return, added to HANDOVER_WAKEUP_NS. Returns how many it timed. */
export function bench_futex_handover(count: u64): u64 {
  const turn = smp_processor_id() & 1;
  let woken: u64 = 0;
  for (let i: u64 = 0; i < count; i++) {
    let seen = atomic.load<i32>(HANDOVER_WORD);
    while ((seen & 1) != turn) {
      const slept = memory.atomic.wait32(HANDOVER_WORD, seen, -1) == 0; // 0: "ok", woken by a notify
      seen = atomic.load<i32>(HANDOVER_WORD);
      if (slept && (seen & 1) == turn) {
        atomic.add<u64>(HANDOVER_WAKEUP_NS, clock_ns() - atomic.load<u64>(HANDOVER_STAMP));
        woken++;
      }
    }
    atomic.store<u64>(HANDOVER_STAMP, clock_ns());
    atomic.store<i32>(HANDOVER_WORD, seen + 1);
    atomic.notify(HANDOVER_WORD, 1);
  }
  return woken;
}

/** The summed latency of every wake-up bench_futex_handover has timed. */
export function handover_wakeup_ns(): u64 {
  return atomic.load<u64>(HANDOVER_WAKEUP_NS);
}
