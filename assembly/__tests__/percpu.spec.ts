import { attach, nr_cpu_ids, forget_other_cpus } from "../percpu";
import { tlb_flush_all } from "../tlb";
import {
  MAX_CPUS, TLB_BASE, TLB_PER_CPU, TLB_END, CACHE_LINE, PERCPU_READERS, STATS, STATS_STRIDE, CONTROL_END,
} from "../layout";

/** The first and the last word of CPU `cpu`'s TLB arrays. */
function tlb_first(cpu: i32): usize {
  return TLB_BASE + <usize>cpu * TLB_PER_CPU;
}
function tlb_last(cpu: i32): usize {
  return tlb_first(cpu) + TLB_PER_CPU - 8;
}

/** CPU 0 alone, with memory up to the end of every CPU's TLB. */
function cpu0_alone(): void {
  if (<usize>memory.size() << 16 < TLB_END) memory.grow(<i32>((TLB_END - (<usize>memory.size() << 16)) >> 16) + 1);
  attach(0, 1);
  forget_other_cpus();
}

describe("nr_cpu_ids", () => {
  beforeEach(cpu0_alone);

  it("is one more than the highest CPU attached, whatever the order they attach in", () => {
    expect(nr_cpu_ids()).toBe(1);
    attach(5, 1);
    expect(nr_cpu_ids()).toBe(6);
    attach(3, 1);
    expect(nr_cpu_ids()).toBe(6, "a lower CPU attaching does not lower it");
    attach(MAX_CPUS - 1, 1);
    expect(nr_cpu_ids()).toBe(MAX_CPUS);
    expect(attach(MAX_CPUS, 1)).toBe(-1);
    expect(nr_cpu_ids()).toBe(MAX_CPUS, "a refused CPU does not raise it");
    attach(0, 1);
  });

  it("covers only the caller once the others are forgotten, and each forgotten CPU's TLB is empty", () => {
    attach(MAX_CPUS - 1, 1);
    store<u64>(tlb_first(MAX_CPUS - 1), 42);
    store<u64>(tlb_last(MAX_CPUS - 1), 42);
    store<u64>(tlb_last(1), 42);
    attach(0, 1);
    store<u64>(tlb_first(0), 7);
    forget_other_cpus();
    expect(nr_cpu_ids()).toBe(1);
    expect(load<u64>(tlb_first(MAX_CPUS - 1))).toBe(0);
    expect(load<u64>(tlb_last(MAX_CPUS - 1))).toBe(0);
    expect(load<u64>(tlb_last(1))).toBe(0);
    expect(load<u64>(tlb_first(0))).toBe(7, "the caller's own TLB is left as it was");
  });

  it("bounds tlb_flush_all: every CPU in use is flushed, up to the highest", () => {
    attach(2, 1);
    store<u64>(tlb_last(2), 9);
    attach(0, 1);
    store<u64>(tlb_first(0), 9);
    tlb_flush_all();
    expect(load<u64>(tlb_last(2))).toBe(0);
    expect(load<u64>(tlb_first(0))).toBe(0);
  });
});

describe("per-CPU lines", () => {
  it("every CPU's reader line and stats lines are lines of their own, " +
    "all MAX_CPUS of them inside the control region", () => {
    expect(PERCPU_READERS % CACHE_LINE).toBe(0);
    expect(STATS % CACHE_LINE).toBe(0);
    expect(STATS_STRIDE % CACHE_LINE).toBe(0);
    expect(PERCPU_READERS + <usize>MAX_CPUS * CACHE_LINE).toBeLessThanOrEqual(STATS);
    expect(STATS + <usize>MAX_CPUS * STATS_STRIDE).toBeLessThanOrEqual(CONTROL_END);
    expect(TLB_PER_CPU % CACHE_LINE).toBe(0);
  });
});
