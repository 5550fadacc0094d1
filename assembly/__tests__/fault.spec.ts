import { dev_dax_huge_fault, handle_mm_fault, count_misplaced_entries, SIGBUS_NO_DEVMAP, SIGBUS_OUTSIDE_VMA,
  SIGBUS_NO_PHYS } from "../fault";
import { populate } from "../batch";
import { kill_dev_dax } from "../teardown";
import { dax_dev_revive, dax_dev_mark_dead, dax_set_pgtable_budget, POLICY_FS } from "../device";
import { count_entries, slot_entry, PTE_LEVEL, PMD_LEVEL, PUD_LEVEL } from "../pagetable";
import { set_protection, SCHEME_RCU, SCHEME_MUTEX, SCHEME_NONE } from "../protection";
import { CHECK_VMA_OK } from "../vma";
import { attach, STAT_PTE_INSTALLS, STAT_PMD_INSTALLS, STAT_FALLBACK, STAT_HITS, STAT_SIGBUS,
  STAT_OOM, STAT_RACED } from "../percpu";
import { PAGE_SIZE, PMD_SIZE, PUD_SIZE, VM_FAULT_SIGBUS, VM_FAULT_NOPAGE, VM_FAULT_FALLBACK, VM_FAULT_OOM,
  NO_FAULT, PFN_DEV, VM_DONTCOPY } from "../kernel";
import { device, map, MiB, GiB, USER, DEVMAP, SHARED_DAX, pages, stat, sigbus_reason } from "./fixtures";

describe("fault handlers", () => {
  beforeEach(() => {
    attach(0, 1);
  });

  it("pte fault on a 2 MiB region is SIGBUS", () => {
    device(PMD_SIZE, 64 * MiB);
    expect(map(64 * MiB)).toBe(0);
    expect(dev_dax_huge_fault(USER, PAGE_SIZE)).toBe(VM_FAULT_SIGBUS);
    expect(count_entries(PTE_LEVEL)).toBe(0);
  });

  it("pmd fault on a 4 KiB region falls back, then the pte fault maps it", () => {
    device(PAGE_SIZE, 64 * MiB);
    expect(map(64 * MiB)).toBe(0);
    expect(dev_dax_huge_fault(USER, PMD_SIZE)).toBe(VM_FAULT_FALLBACK);
    expect(dev_dax_huge_fault(USER, PAGE_SIZE)).toBe(VM_FAULT_NOPAGE);
    expect(count_entries(PTE_LEVEL)).toBe(1);
    expect(count_entries(PMD_LEVEL)).toBe(0);
  });

  it("pmd fault on a 2 MiB region installs a pmd", () => {
    device(PMD_SIZE, 64 * MiB);
    expect(map(64 * MiB)).toBe(0);
    expect(dev_dax_huge_fault(USER + 5 * PAGE_SIZE, PMD_SIZE)).toBe(VM_FAULT_NOPAGE);
    expect(count_entries(PMD_LEVEL)).toBe(1);
    expect(count_misplaced_entries(PMD_LEVEL)).toBe(0);
  });

  it("pmd fault whose range crosses the vma end is SIGBUS", () => {
    // check_vma() keeps a 2 MiB region's vma pmd-aligned, so only an address at the vma's end gives a pmd
    // range past it; the mm never passes one, the handler must refuse it anyway.
    device(PMD_SIZE, 64 * MiB);
    expect(map(4 * MiB)).toBe(0);
    expect(dev_dax_huge_fault(USER + 4 * MiB + PAGE_SIZE, PMD_SIZE)).toBe(VM_FAULT_SIGBUS);
    expect(count_entries(PMD_LEVEL)).toBe(0);
    expect(sigbus_reason(SIGBUS_OUTSIDE_VMA)).toBe(1);
  });

  it("pmd fault whose range starts below the vma is SIGBUS, refused as outside the vma", () => {
    device(PMD_SIZE, 64 * MiB);
    expect(map(4 * MiB, SHARED_DAX, USER + PMD_SIZE)).toBe(0);
    expect(dev_dax_huge_fault(USER + PAGE_SIZE, PMD_SIZE)).toBe(VM_FAULT_SIGBUS);
    expect(sigbus_reason(SIGBUS_OUTSIDE_VMA)).toBe(1);
    expect(count_entries(PMD_LEVEL)).toBe(0);
  });

  it("fs: a pmd fault whose range leaves the vma falls back instead", () => {
    device(PMD_SIZE, 64 * MiB, DEVMAP, POLICY_FS);
    expect(map(4 * MiB, SHARED_DAX, USER + PAGE_SIZE, 1)).toBe(CHECK_VMA_OK);
    expect(dev_dax_huge_fault(USER + PAGE_SIZE, PMD_SIZE)).toBe(VM_FAULT_FALLBACK);
    expect(dev_dax_huge_fault(USER + 4 * MiB, PMD_SIZE)).toBe(VM_FAULT_FALLBACK);
    expect(stat(STAT_SIGBUS)).toBe(0);
    expect(count_entries(PMD_LEVEL)).toBe(0);
  });

  it("pmd fault on a device without struct pages (PFN_DEV only) is SIGBUS; its pte faults map", () => {
    device(PMD_SIZE, 64 * MiB, PFN_DEV);
    expect(map(64 * MiB, SHARED_DAX | VM_DONTCOPY)).toBe(CHECK_VMA_OK);
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_SIGBUS);
    expect(sigbus_reason(SIGBUS_NO_DEVMAP)).toBe(1);
    expect(count_entries(PMD_LEVEL)).toBe(0);
    device(PAGE_SIZE, 64 * MiB, PFN_DEV);
    expect(map(64 * MiB, SHARED_DAX | VM_DONTCOPY)).toBe(CHECK_VMA_OK);
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_NOPAGE);
    expect(count_entries(PTE_LEVEL)).toBe(1);
  });

  it("a touch beyond the device's extents is SIGBUS and maps nothing", () => {
    device(PAGE_SIZE, 64 * MiB);
    expect(map(128 * MiB)).toBe(CHECK_VMA_OK, "check_vma does not compare the vma with the device's size");
    expect(handle_mm_fault(USER + 64 * MiB)).toBe(VM_FAULT_SIGBUS);
    expect(sigbus_reason(SIGBUS_NO_PHYS)).toBe(1);
    expect(count_entries(PTE_LEVEL)).toBe(0);
  });

  it("fs: beyond the extents a pmd falls back and the pte fault, with no smaller size to fall to, is SIGBUS", () => {
    device(PMD_SIZE, 64 * MiB, DEVMAP, POLICY_FS);
    expect(map(128 * MiB)).toBe(CHECK_VMA_OK);
    expect(handle_mm_fault(USER + 64 * MiB)).toBe(VM_FAULT_SIGBUS);
    expect(stat(STAT_FALLBACK)).toBe(1);
    expect(sigbus_reason(SIGBUS_NO_PHYS)).toBe(1);
    expect(count_entries(PTE_LEVEL)).toBe(0);
  });

  it("a file offset whose byte address passes 2^64 is SIGBUS, never a page below the device", () => {
    device(PAGE_SIZE, 64 * MiB);
    const pgoff: u64 = (<u64>-1 >> 12) - 1; // the last one-page vma file_mmap_ok() accepts
    expect(map(PAGE_SIZE, SHARED_DAX, USER, pgoff)).toBe(CHECK_VMA_OK);
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_SIGBUS);
    expect(sigbus_reason(SIGBUS_NO_PHYS)).toBe(1);
    expect(count_entries(PTE_LEVEL)).toBe(0);
  });

  it("a fault whose slot another CPU filled first keeps that entry, installs nothing and counts as raced", () => {
    device(PAGE_SIZE, 64 * MiB);
    expect(map(64 * MiB)).toBe(0);
    expect(dev_dax_huge_fault(USER, PAGE_SIZE)).toBe(VM_FAULT_NOPAGE);
    const first = slot_entry(PTE_LEVEL, 0);
    dax_dev_mark_dead();
    dax_dev_revive(); // a new generation: an entry installed now would differ from the first
    expect(dev_dax_huge_fault(USER, PAGE_SIZE)).toBe(VM_FAULT_NOPAGE, "a lost race is still NOPAGE");
    expect(slot_entry(PTE_LEVEL, 0)).toBe(first, "the entry the winner installed stays");
    expect(stat(STAT_PTE_INSTALLS)).toBe(1);
    expect(stat(STAT_RACED)).toBe(1);
    expect(stat(STAT_SIGBUS)).toBe(0);
  });

  it("a 2 MiB region under a 1 GiB vma tries the pud once: the walk below it allocates the pmd table", () => {
    device(PMD_SIZE, 2 * GiB);
    expect(map(GiB)).toBe(0);
    populate(0, 4 * MiB);
    expect(stat(STAT_FALLBACK)).toBe(1, "one pud fault, which falls back");
    expect(stat(STAT_PMD_INSTALLS)).toBe(2);
    expect(stat(STAT_HITS)).toBe(1022);
  });

  it("pud fault on a 2 MiB region falls back", () => {
    device(PMD_SIZE, 2 * GiB);
    expect(map(GiB)).toBe(0);
    expect(dev_dax_huge_fault(USER, PUD_SIZE)).toBe(VM_FAULT_FALLBACK);
    expect(count_entries(PUD_LEVEL)).toBe(0);
  });

  it("a touch on a 1 GiB region installs one pud that covers the whole GiB", () => {
    device(PUD_SIZE, 2 * GiB);
    expect(map(2 * GiB)).toBe(0);
    expect(handle_mm_fault(USER + 123 * PAGE_SIZE)).toBe(VM_FAULT_NOPAGE);
    expect(handle_mm_fault(USER + GiB - PAGE_SIZE)).toBe(NO_FAULT);
    expect(count_entries(PUD_LEVEL)).toBe(1);
    expect(count_misplaced_entries(PUD_LEVEL)).toBe(0);
  });

  it("an exhausted page-table budget makes the pte fault VM_FAULT_OOM", () => {
    device(PAGE_SIZE, 64 * MiB);
    expect(map(64 * MiB)).toBe(0);
    dax_set_pgtable_budget(1);
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_NOPAGE); // takes the one pte table
    expect(handle_mm_fault(USER + PAGE_SIZE)).toBe(VM_FAULT_NOPAGE); // same table
    expect(handle_mm_fault(USER + PMD_SIZE)).toBe(VM_FAULT_OOM); // needs a second
    expect(stat(STAT_OOM)).toBe(1);
  });
});

describe("populate", () => {
  beforeEach(() => {
    attach(0, 1);
  });

  it("installs exactly 16,384 ptes for 64 MiB on a 4 KiB region, then faults 0 times", () => {
    device(PAGE_SIZE, 64 * MiB);
    expect(map(64 * MiB)).toBe(0);
    expect(populate(0, 64 * MiB)).toBe(pages(64 * MiB));
    expect(stat(STAT_PTE_INSTALLS)).toBe(16384);
    expect(stat(STAT_PMD_INSTALLS)).toBe(0);
    expect(stat(STAT_FALLBACK)).toBe(32); // once per 2 MiB, before the pte table exists
    expect(count_entries(PTE_LEVEL)).toBe(16384);
    expect(count_misplaced_entries(PTE_LEVEL)).toBe(0);
    populate(0, 64 * MiB);
    expect(stat(STAT_PTE_INSTALLS)).toBe(16384);
    expect(stat(STAT_HITS)).toBe(16384);
  });

  it("installs exactly 32 pmds for 64 MiB on a 2 MiB region, then faults 0 times", () => {
    device(PMD_SIZE, 64 * MiB);
    expect(map(64 * MiB)).toBe(0);
    populate(0, 64 * MiB);
    expect(stat(STAT_PMD_INSTALLS)).toBe(32);
    expect(stat(STAT_PTE_INSTALLS)).toBe(0);
    expect(stat(STAT_HITS)).toBe(16384 - 32);
    expect(count_entries(PMD_LEVEL)).toBe(32);
    populate(0, 64 * MiB);
    expect(stat(STAT_PMD_INSTALLS)).toBe(32);
    expect(stat(STAT_HITS)).toBe(2 * 16384 - 32);
  });
});

function killed_device_refuses_every_touch(scheme: i32): void {
  device(PMD_SIZE, 64 * MiB);
  expect(set_protection(scheme)).toBe(0);
  expect(map(64 * MiB)).toBe(0);
  populate(0, 32 * MiB);
  expect(count_entries(PMD_LEVEL)).toBe(16);
  expect(kill_dev_dax()).toBe(16); // zapped
  expect(count_entries(PMD_LEVEL)).toBe(0);
  expect(populate(0, 64 * MiB)).toBe(0, "refused touches are not completed operations");
  expect(stat(STAT_SIGBUS)).toBe(16384); // every touch faults and is refused
  expect(count_entries(PMD_LEVEL)).toBe(0);
  dax_dev_revive();
  expect(populate(0, 64 * MiB)).toBe(16384);
  expect(count_entries(PMD_LEVEL)).toBe(32);
}

describe("kill", () => {
  beforeEach(() => {
    attach(0, 1);
  });

  it("with rcu: every touch after kill is SIGBUS and nothing is installed", () => {
    killed_device_refuses_every_touch(SCHEME_RCU);
  });

  it("with mutex: every touch after kill is SIGBUS and nothing is installed", () => {
    killed_device_refuses_every_touch(SCHEME_MUTEX);
  });

  it("with none: single-threaded, the same holds (the unsafe window needs concurrency)", () => {
    killed_device_refuses_every_touch(SCHEME_NONE);
  });

  it("zaps puds too: after kill no 1 GiB entry survives", () => {
    device(PUD_SIZE, 2 * GiB);
    expect(map(2 * GiB)).toBe(0);
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_NOPAGE);
    expect(handle_mm_fault(USER + GiB)).toBe(VM_FAULT_NOPAGE);
    expect(count_entries(PUD_LEVEL)).toBe(2);
    expect(kill_dev_dax()).toBe(2);
    expect(count_entries(PUD_LEVEL)).toBe(0);
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_SIGBUS);
  });
});
