// The mm's thp_vma_suitable_order(), as huge_fault_suitable(): a pmd is tried only where the file offset is
// aligned like the address and the whole aligned range lies inside the vma. Under device policy a vma that
// fails it gets no pmd at all (its pte faults are below the alignment: SIGBUS); under fs it gets ptes.
import { handle_mm_fault, count_misplaced_entries, SIGBUS_BELOW_ALIGN } from "../fault";
import { populate } from "../batch";
import { count_entries, slot_entry, entry_pfn, PTE_LEVEL, PMD_LEVEL } from "../pagetable";
import { POLICY_FS } from "../device";
import { CHECK_VMA_OK } from "../vma";
import { attach, STAT_PTE_INSTALLS, STAT_PMD_INSTALLS, STAT_FALLBACK, STAT_SIGBUS } from "../percpu";
import { PAGE_SIZE, PMD_SIZE, VM_FAULT_SIGBUS } from "../kernel";
import { device, map, MiB, USER, PHYS, DEVMAP, SHARED_DAX, stat, sigbus_reason } from "./fixtures";

describe("huge_fault_suitable: pgoff congruence", () => {
  beforeEach(() => {
    attach(0, 1);
  });

  it("device: a vma whose pgoff is not a multiple of 512 pages takes no pmd fault, so its touches are SIGBUS", () => {
    device(PMD_SIZE, 64 * MiB);
    expect(map(4 * MiB, SHARED_DAX, USER, 1)).toBe(CHECK_VMA_OK, "check_vma tests the address, not the offset");
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_SIGBUS);
    populate(0, 4 * MiB);
    expect(count_entries(PMD_LEVEL)).toBe(0);
    expect(count_entries(PTE_LEVEL)).toBe(0);
    expect(stat(STAT_PMD_INSTALLS)).toBe(0);
    expect(sigbus_reason(SIGBUS_BELOW_ALIGN)).toBe(1 + 1024, "every touch is a pte fault below the alignment");
  });

  it("device: a pgoff that is a multiple of 512 pages takes pmds, each mapping its own file offset", () => {
    device(PMD_SIZE, 64 * MiB);
    expect(map(4 * MiB, SHARED_DAX, USER, 512)).toBe(CHECK_VMA_OK);
    populate(0, 4 * MiB);
    expect(count_entries(PMD_LEVEL)).toBe(2);
    expect(entry_pfn(slot_entry(PMD_LEVEL, 0))).toBe((PHYS + 2 * MiB) >> 12);
    expect(entry_pfn(slot_entry(PMD_LEVEL, 1))).toBe((PHYS + 4 * MiB) >> 12);
    expect(count_misplaced_entries(PMD_LEVEL)).toBe(0);
  });

  it("fs: a pgoff not aligned like the address maps every page with ptes and never tries a pmd", () => {
    device(PMD_SIZE, 64 * MiB, DEVMAP, POLICY_FS);
    expect(map(4 * MiB, SHARED_DAX, USER, 1)).toBe(CHECK_VMA_OK);
    populate(0, 4 * MiB);
    expect(stat(STAT_PTE_INSTALLS)).toBe(1024);
    expect(stat(STAT_PMD_INSTALLS)).toBe(0);
    expect(stat(STAT_FALLBACK)).toBe(0, "no pmd fault was tried");
    expect(stat(STAT_SIGBUS)).toBe(0);
    expect(count_misplaced_entries(PTE_LEVEL)).toBe(0);
  });
});

describe("huge_fault_suitable: the aligned range inside the vma", () => {
  beforeEach(() => {
    attach(0, 1);
  });

  it("fs: a vma off the 2 MiB grid takes a pmd exactly where a whole aligned range lies inside it", () => {
    device(PMD_SIZE, 64 * MiB, DEVMAP, POLICY_FS);
    // [USER + 4 KiB, USER + 4 MiB + 4 KiB) at pgoff 1: address and offset agree modulo 2 MiB, and only
    // [USER + 2 MiB, USER + 4 MiB) is a whole 2 MiB range inside the vma.
    expect(map(4 * MiB, SHARED_DAX, USER + PAGE_SIZE, 1)).toBe(CHECK_VMA_OK);
    populate(0, 4 * MiB);
    expect(stat(STAT_PMD_INSTALLS)).toBe(1);
    expect(stat(STAT_PTE_INSTALLS)).toBe(512, "511 pages below the pmd, 1 above it");
    expect(stat(STAT_FALLBACK)).toBe(0, "no pmd fault was tried where its range leaves the vma");
    expect(stat(STAT_SIGBUS)).toBe(0);
    expect(count_misplaced_entries(PMD_LEVEL)).toBe(0);
    expect(count_misplaced_entries(PTE_LEVEL)).toBe(0);
  });
});
