import {
  tlb_configure, tlb_flush_all, tlb_trace_loop, TLB_STAT_ACCESSES, TLB_STAT_L1_MISSES, TLB_STAT_WALKS,
  TLB_STAT_WALK_LEVELS,
} from "../tlb";
import { attach, STATS_TLB_OFFSET } from "../percpu";
import { dax_region_create, POLICY_DEVICE } from "../device";
import { STATS, TLB_END } from "../layout";
import { PTE_LEVEL, PMD_LEVEL, PUD_LEVEL } from "../pagetable";
import { PAGE_SIZE, EINVAL } from "../kernel";
import { DEVMAP, make_room } from "./fixtures";

make_room(0, 0); // dax_region_create clears SRCU's counters, below TABLES_BASE

function tlb(slot: i32): u64 {
  return load<u64>(STATS + STATS_TLB_OFFSET + (<usize>slot << 3)); // CPU 0's TLB line
}

/** A fresh CPU 0 with Skylake's TLBs: L1 64/4, 32/4, 4/4; STLB 1536/12, 16/4. */
function skylake(): void {
  if (<usize>memory.size() << 16 < TLB_END) memory.grow(<i32>((TLB_END - (<usize>memory.size() << 16)) >> 16) + 1);
  expect(dax_region_create(PAGE_SIZE, DEVMAP, POLICY_DEVICE)).toBe(0); // zeroes the counters
  attach(0, 1);
  expect(tlb_configure(64, 4, 32, 4, 4, 4, 1536, 12, 16, 4)).toBe(0);
  tlb_flush_all();
}

describe("TLB model", () => {
  it("a loop over 64 pages fits the L1 TLB: 64 misses and walks, then none", () => {
    skylake();
    tlb_trace_loop(64, 2, PTE_LEVEL);
    expect(tlb(TLB_STAT_ACCESSES)).toBe(128);
    expect(tlb(TLB_STAT_L1_MISSES)).toBe(64);
    expect(tlb(TLB_STAT_WALKS)).toBe(64);
    expect(tlb(TLB_STAT_WALK_LEVELS)).toBe(64 * 4);
  });

  it("65 pages overflow one L1 set (5 pages for 4 ways), whose pages then miss L1 but hit the STLB", () => {
    skylake();
    tlb_trace_loop(65, 2, PTE_LEVEL);
    expect(tlb(TLB_STAT_L1_MISSES)).toBe(65 + 5);
    expect(tlb(TLB_STAT_WALKS)).toBe(65);
  });

  it("1,536 pages fit the STLB exactly (12 per set): the second pass walks nothing", () => {
    skylake();
    tlb_trace_loop(1536, 2, PTE_LEVEL);
    expect(tlb(TLB_STAT_WALKS)).toBe(1536);
  });

  it("2,000 pages overflow every STLB set (15 or 16 pages for 12 ways): the second pass walks every page", () => {
    skylake();
    tlb_trace_loop(2000, 2, PTE_LEVEL);
    expect(tlb(TLB_STAT_WALKS)).toBe(4000);
  });

  it("the same 8 MiB through four 2 MiB pages never walks again, and a walk is 3 levels", () => {
    skylake();
    tlb_trace_loop(4, 3, PMD_LEVEL);
    expect(tlb(TLB_STAT_L1_MISSES)).toBe(4);
    expect(tlb(TLB_STAT_WALK_LEVELS)).toBe(4 * 3);
  });

  it("1 GiB pages: 5 of them cycle through the 4-entry L1 array but stay in the 16-entry STLB; " +
    "a walk is 2 levels", () => {
    skylake();
    tlb_trace_loop(5, 2, PUD_LEVEL);
    expect(tlb(TLB_STAT_L1_MISSES)).toBe(10);
    expect(tlb(TLB_STAT_WALKS)).toBe(5);
    expect(tlb(TLB_STAT_WALK_LEVELS)).toBe(10);
  });

  it("refuses a geometry that is not a power-of-two number of sets or does not fit", () => {
    skylake();
    expect(tlb_configure(48, 4, 32, 4, 4, 4, 1536, 12, 16, 4)).toBe(-EINVAL);
    expect(tlb_configure(64, 4, 32, 4, 4, 4, 4096, 16, 16, 4)).toBe(-EINVAL);
  });
});
