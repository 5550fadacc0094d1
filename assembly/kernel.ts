// Constants with the Linux kernel's names and values, so a kernel reader recognises them.

export const PAGE_SHIFT: u64 = 12;
export const PAGE_SIZE: u64 = 1 << PAGE_SHIFT; // 4 KiB: a pte maps one
export const PMD_SIZE: u64 = 1 << 21; // 2 MiB
export const PUD_SIZE: u64 = 1 << 30; // 1 GiB

// include/linux/mm_types.h, enum vm_fault_reason
export const VM_FAULT_OOM: u32 = 0x000001;
export const VM_FAULT_SIGBUS: u32 = 0x000002;
export const VM_FAULT_NOPAGE: u32 = 0x000100;
export const VM_FAULT_FALLBACK: u32 = 0x000800;
/** Not a kernel code: a touch whose address an entry already covers takes no fault at all. */
export const NO_FAULT: u32 = 0;

// include/uapi/asm-generic/errno-base.h
export const ENXIO: i32 = 6;
export const ENOMEM: i32 = 12;
export const EBUSY: i32 = 16;
export const EINVAL: i32 = 22;
// include/uapi/asm-generic/errno.h
export const EOVERFLOW: i32 = 75;

// include/linux/mm.h, vm_flags
export const VM_READ: u64 = 0x00000001;
export const VM_WRITE: u64 = 0x00000002;
export const VM_SHARED: u64 = 0x00000008;
export const VM_MAYSHARE: u64 = 0x00000080;
export const VM_DONTCOPY: u64 = 0x00020000; // set by madvise(MADV_DONTFORK)
export const VM_HUGEPAGE: u64 = 0x20000000;
/** Model only: the kernel asks vma_is_dax(vma), i.e. whether the file's inode is DAX; daxbench keeps it in a flag. */
export const VM_DAX: u64 = 1 << 32;

// include/linux/pfn_t.h (64-bit)
export const PFN_DEV: u64 = 1 << 61;
export const PFN_MAP: u64 = 1 << 60;
