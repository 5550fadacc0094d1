import { CHECK_VMA_OK, CHECK_VMA_DEAD, CHECK_VMA_PRIVATE, CHECK_VMA_UNALIGNED, CHECK_VMA_NEEDS_DONTFORK,
  CHECK_VMA_NOT_DAX, MMAP_OVERFLOW, check_vma_errno } from "../vma";
import { dax_dev_mark_dead } from "../device";
import {
  PFN_DEV, VM_SHARED, VM_MAYSHARE, VM_DONTCOPY, VM_DAX, VM_READ, VM_WRITE, ENXIO, EINVAL, EOVERFLOW,
} from "../kernel";
import { device, map, MiB, SHARED_DAX, USER } from "./fixtures";

describe("check_vma", () => {
  it("accepts a shared, aligned, DAX-capable vma", () => {
    device(2 * MiB, 64 * MiB);
    expect(map(64 * MiB)).toBe(CHECK_VMA_OK);
  });

  it("rule 1: rejects a dead device with -ENXIO", () => {
    device(2 * MiB, 64 * MiB);
    dax_dev_mark_dead();
    expect(map(64 * MiB)).toBe(CHECK_VMA_DEAD);
    expect(check_vma_errno(CHECK_VMA_DEAD)).toBe(-ENXIO);
  });

  it("rule 2: rejects a private mapping, and accepts a read-only shared one (VM_MAYSHARE)", () => {
    device(2 * MiB, 64 * MiB);
    expect(map(64 * MiB, VM_READ | VM_WRITE | VM_DAX)).toBe(CHECK_VMA_PRIVATE);
    expect(check_vma_errno(CHECK_VMA_PRIVATE)).toBe(-EINVAL);
    expect(map(64 * MiB, VM_READ | VM_MAYSHARE | VM_DAX)).toBe(CHECK_VMA_OK);
  });

  it("rule 3: rejects a vma whose start or end is not a multiple of the alignment", () => {
    device(2 * MiB, 64 * MiB);
    expect(map(64 * MiB, SHARED_DAX, USER + 4096)).toBe(CHECK_VMA_UNALIGNED);
    expect(map(64 * MiB - 4096)).toBe(CHECK_VMA_UNALIGNED);
    expect(check_vma_errno(CHECK_VMA_UNALIGNED)).toBe(-EINVAL);
    device(4096, 64 * MiB);
    expect(map(64 * MiB, SHARED_DAX, USER + 4096)).toBe(CHECK_VMA_OK);
  });

  it("rule 4: PFN_DEV without PFN_MAP needs VM_DONTCOPY (MADV_DONTFORK)", () => {
    device(2 * MiB, 64 * MiB, PFN_DEV);
    expect(map(64 * MiB)).toBe(CHECK_VMA_NEEDS_DONTFORK);
    expect(map(64 * MiB, SHARED_DAX | VM_DONTCOPY)).toBe(CHECK_VMA_OK);
  });

  it("rule 5: rejects a vma that is not DAX-capable", () => {
    device(2 * MiB, 64 * MiB);
    expect(map(64 * MiB, VM_READ | VM_SHARED | VM_MAYSHARE)).toBe(CHECK_VMA_NOT_DAX);
  });

  it("tests the rules in the kernel's order: a dead device with a bad vma reports -ENXIO", () => {
    device(2 * MiB, 64 * MiB, PFN_DEV);
    dax_dev_mark_dead();
    expect(map(64 * MiB - 4096, VM_READ, USER + 4096)).toBe(CHECK_VMA_DEAD);
    device(2 * MiB, 64 * MiB, PFN_DEV);
    expect(map(64 * MiB - 4096, VM_READ, USER + 4096)).toBe(CHECK_VMA_PRIVATE);
    expect(map(64 * MiB - 4096, VM_READ | VM_MAYSHARE, USER + 4096)).toBe(CHECK_VMA_UNALIGNED);
    expect(map(64 * MiB, VM_READ | VM_MAYSHARE)).toBe(CHECK_VMA_NEEDS_DONTFORK);
    expect(map(64 * MiB, VM_READ | VM_MAYSHARE | VM_DONTCOPY)).toBe(CHECK_VMA_NOT_DAX);
  });

  it("refuses a file offset whose range would pass 2^64 bytes, as the mm's file_mmap_ok() does", () => {
    device(2 * MiB, 64 * MiB);
    const last: u64 = <u64>-1 >> 12; // the largest pgoff whose byte offset fits
    expect(map(64 * MiB, SHARED_DAX, USER, last + 1)).toBe(MMAP_OVERFLOW);
    expect(map(64 * MiB, SHARED_DAX, USER, last)).toBe(MMAP_OVERFLOW, "offset fits, offset + length does not");
    expect(map(64 * MiB, SHARED_DAX, USER, last - (64 * MiB >> 12) + 1)).toBe(MMAP_OVERFLOW, "one page past the end");
    expect(map(64 * MiB, SHARED_DAX, USER, last - (64 * MiB >> 12))).toBe(CHECK_VMA_OK, "ends exactly at the top");
    expect(check_vma_errno(MMAP_OVERFLOW)).toBe(-EOVERFLOW);
  });
});
