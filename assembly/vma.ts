// The vma that maps the device, check_vma() and dax_mmap(), after drivers/dax/device.c.

import { VMA_START, VMA_END, VMA_PGOFF, VMA_FLAGS } from "./layout";
import {
  PAGE_SHIFT, VM_MAYSHARE, VM_DONTCOPY, VM_DAX, PFN_DEV, PFN_MAP, ENXIO, EINVAL, ENOMEM, EOVERFLOW,
} from "./kernel";
import {
  dax_dev_alive, dax_dev_deref, dax_region_align, dax_region_pfn_flags, dax_region_policy, POLICY_DEVICE,
} from "./device";
import { read_lock, read_unlock, read_lock_refused, SchemeSetNow } from "./protection";
import { pagetables_bytes, pagetables_setup } from "./pagetable";

// check_vma()'s rejections, in the order it tests them; each has its own reason and errno.
export const CHECK_VMA_OK: i32 = 0;
export const CHECK_VMA_DEAD: i32 = 1; // !dax_alive()                       -> -ENXIO
export const CHECK_VMA_PRIVATE: i32 = 2; // "attempted private mapping"      -> -EINVAL
export const CHECK_VMA_UNALIGNED: i32 = 3; // "unaligned vma"                -> -EINVAL
export const CHECK_VMA_NEEDS_DONTFORK: i32 = 4; // "dax range requires MADV_DONTFORK" -> -EINVAL
export const CHECK_VMA_NOT_DAX: i32 = 5; // "vma is not DAX capable"          -> -EINVAL
/** Not check_vma(): dax_mmap() found no room in the shared memory for the vma's page tables. */
export const MMAP_NO_MEMORY: i32 = 6; // -> -ENOMEM
/** Not check_vma(): the mm's file_mmap_ok() (since 4.17): the file range [pgoff, pgoff + len) would pass
 *  2^64 bytes. Checked before the driver sees the vma. */
export const MMAP_OVERFLOW: i32 = 7; // -> -EOVERFLOW

@inline export function vm_start(): u64 {
  return load<u64>(VMA_START);
}

@inline export function vm_end(): u64 {
  return load<u64>(VMA_END);
}

@inline export function vm_pgoff(): u64 {
  return load<u64>(VMA_PGOFF);
}

@inline function vm_flags(): u64 {
  return load<u64>(VMA_FLAGS);
}

/** check_vma(): runs at mmap and at the start of every fault, inside the read side, on the device state
 *  that read side dereferenced. */
@inline export function check_vma(dev: usize): i32 {
  if (!dax_dev_alive(dev)) return CHECK_VMA_DEAD;
  // prevent private mappings from being established (v4.7 tested VM_WRITE without VM_SHARED; later kernels
  // require VM_MAYSHARE, which also admits read-only shared maps)
  if ((vm_flags() & VM_MAYSHARE) != VM_MAYSHARE) return CHECK_VMA_PRIVATE;
  const mask = dax_region_align() - 1;
  // fs-dax accepts any vma: it maps what it can with pmds and the rest with ptes.
  if (dax_region_policy() == POLICY_DEVICE && ((vm_start() | vm_end()) & mask) != 0) return CHECK_VMA_UNALIGNED;
  // without struct pages (PFN_DEV, no PFN_MAP) fork() cannot copy the mapping
  if ((dax_region_pfn_flags() & (PFN_DEV | PFN_MAP)) == PFN_DEV && (vm_flags() & VM_DONTCOPY) == 0) {
    return CHECK_VMA_NEEDS_DONTFORK;
  }
  if ((vm_flags() & VM_DAX) == 0) return CHECK_VMA_NOT_DAX; // vma_is_dax()
  return CHECK_VMA_OK;
}

/** The errno the kernel returns for each check_vma() reason. */
export function check_vma_errno(reason: i32): i32 {
  if (reason == CHECK_VMA_OK) return 0;
  if (reason == CHECK_VMA_DEAD) return -ENXIO;
  if (reason == MMAP_NO_MEMORY) return -ENOMEM;
  if (reason == MMAP_OVERFLOW) return -EOVERFLOW;
  return -EINVAL;
}

/** How many bytes of page tables a vma [start, end) needs; the host grows the memory by this first. */
export function dax_mmap_tables_bytes(start: u64, end: u64): u64 {
  return pagetables_bytes(start, end);
}

/** check_vma() under the read lock of the scheme set now; a refused read side is a dead device. */
function check_vma_read_side(): i32 {
  let reason: i32;
  let retry: bool;
  do {
    const id = read_lock<SchemeSetNow>();
    if (read_lock_refused<SchemeSetNow>(id)) return CHECK_VMA_DEAD;
    reason = check_vma(dax_dev_deref());
    retry = read_unlock<SchemeSetNow>(id);
  } while (retry);
  return reason;
}

/** dax_mmap(): check_vma() under the read lock, then set up the vma and its empty page tables.
 *  The host has already rejected start >= end, as the mm does before any driver sees the vma. */
export function dax_mmap(start: u64, end: u64, pgoff: u64, flags: u64): i32 {
  // file_mmap_ok(): the offset in bytes must fit, and so must offset + length (u64 arithmetic wraps silently).
  const len = end - start;
  if (pgoff > (<u64>-1 >> PAGE_SHIFT) || (pgoff << PAGE_SHIFT) > <u64>-1 - len) return MMAP_OVERFLOW;
  store<u64>(VMA_START, start);
  store<u64>(VMA_END, end);
  store<u64>(VMA_PGOFF, pgoff);
  store<u64>(VMA_FLAGS, flags);
  const reason = check_vma_read_side();
  if (reason != CHECK_VMA_OK) return reason;
  if (!pagetables_setup(start, end)) return MMAP_NO_MEMORY;
  return CHECK_VMA_OK;
}

/** The mm's thp_vma_suitable_order(): a huge size is tried only where the file offset and the virtual
 *  address agree modulo that size and the aligned range lies inside the vma. */
@inline export function huge_fault_suitable(addr: u64, size: u64): bool {
  const pages = size >> PAGE_SHIFT;
  if ((((vm_start() >> PAGE_SHIFT) - vm_pgoff()) & (pages - 1)) != 0) return false;
  const haddr = addr & ~(size - 1);
  return haddr >= vm_start() && haddr + size <= vm_end();
}
