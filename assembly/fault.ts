// The fault path: one handler for every size (the kernel's __dev_dax_{pte,pmd,pud}_fault), its dispatch
// dev_dax_huge_fault(), and the part of the mm (__handle_mm_fault) that picks which size to try.

import {
  PAGE_SHIFT, PAGE_SIZE, PFN_DEV, PFN_MAP, ENOMEM, EBUSY,
  VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_NOPAGE, VM_FAULT_FALLBACK, NO_FAULT,
} from "./kernel";
import {
  dax_region_align, dax_region_pfn_flags, dax_region_policy, dax_generation, pgoff_to_phys, dax_dev_deref,
  dax_dev_freed, POLICY_FS,
} from "./device";
import { check_vma, huge_fault_suitable, vm_start, vm_end, vm_pgoff, CHECK_VMA_OK, CHECK_VMA_DEAD } from "./vma";
import {
  PTE_LEVEL, PUD_LEVEL, level_shift, entry_ptr, entry_present, entry_pfn, insert_pfn,
  populate_table_slot, slot_entry, slot_address, level_slots, level_of_size,
} from "./pagetable";
import { read_lock, read_unlock, read_lock_refused, checks_outside_read_side, SchemeSetNow } from "./protection";
import { read_delay, random_delay, check_invariant, spin } from "./torture";
import { FAULT_ENTRY_SPINS } from "./layout";
import { dax_select_device_of } from "./devices";
import {
  this_cpu_inc, this_cpu_inc_sigbus_reason, this_cpu_inc_fault_costs, STAT_PTE_INSTALLS, STAT_RACED, STAT_SIGBUS,
  STAT_FALLBACK, STAT_OOM, STAT_HITS,
} from "./percpu";

// Why a fault returned SIGBUS: the kernel's dev_dbg() messages, counted per CPU (line two of its stats).
export const SIGBUS_DEAD: i32 = 0; // check_vma(): device not alive
export const SIGBUS_BAD_VMA: i32 = 1; // check_vma(): any other rejection
export const SIGBUS_BELOW_ALIGN: i32 = 2; // "alignment > fault size"
export const SIGBUS_NO_DEVMAP: i32 = 3; // "region lacks devmap flags"
export const SIGBUS_OUTSIDE_VMA: i32 = 4; // the aligned range leaves the vma
export const SIGBUS_NO_PHYS: i32 = 5; // "pgoff_to_phys(%#lx) failed"
export const SIGBUS_INSERT_FAILED: i32 = 6; // insert failed with an error other than -EBUSY / -ENOMEM

@inline function sigbus(reason: i32): u32 {
  this_cpu_inc_sigbus_reason(reason);
  return VM_FAULT_SIGBUS;
}

/** check_vma() failed for this reason: the SIGBUS it becomes. */
@inline function refused(reason: i32): u32 {
  return sigbus(reason == CHECK_VMA_DEAD ? SIGBUS_DEAD : SIGBUS_BAD_VMA);
}

/** __dev_dax_pte_fault / __dev_dax_pmd_fault / __dev_dax_pud_fault as one handler that takes the size.
 *  Called inside the read side of alive's protection. `checked` is the generation a check made before the
 *  read side vouched for (rcu-check-outside, broken on purpose), or -1: check here, inside. */
export function __dev_dax_fault(addr: u64, fault_size: u64, checked: i32 = -1): u32 {
  const dev = dax_dev_deref();
  let generation = checked;
  if (generation < 0) {
    const reason = check_vma(dev);
    if (reason != CHECK_VMA_OK) return refused(reason);
    random_delay(); // between seeing alive and reading the generation
    // Read after alive was seen true: inside a correct read side no revive can come between, so this is the
    // generation that was alive. (Read before, it could be the dead one a revive was just replacing.)
    generation = dax_generation();
  }
  const align = dax_region_align();
  const opportunistic = dax_region_policy() == POLICY_FS; // fs-dax: fall back to a smaller size, never refuse
  if (fault_size < align && !opportunistic) return sigbus(SIGBUS_BELOW_ALIGN); // a pte fault on a 2 MiB region
  if (fault_size > align) return VM_FAULT_FALLBACK; // let the mm retry with a smaller size
  // dax pmd and pud mappings require pfn_t_devmap()
  if (fault_size > PAGE_SIZE && (dax_region_pfn_flags() & (PFN_DEV | PFN_MAP)) != (PFN_DEV | PFN_MAP)) {
    return sigbus(SIGBUS_NO_DEVMAP);
  }
  const haddr = addr & ~(fault_size - 1);
  if (haddr < vm_start() || haddr + fault_size > vm_end()) {
    return opportunistic ? VM_FAULT_FALLBACK : sigbus(SIGBUS_OUTSIDE_VMA);
  }
  const pgoff = vm_pgoff() + ((haddr - vm_start()) >> PAGE_SHIFT); // linear_page_index()
  const phys = pgoff_to_phys(pgoff, fault_size);
  if (phys == <u64>-1 || (phys & (fault_size - 1)) != 0) {
    // fs-dax (dax_iomap_pmd_fault) falls back when the blocks under the range are not one aligned extent.
    if (opportunistic && fault_size > PAGE_SIZE) return VM_FAULT_FALLBACK;
    if (phys == <u64>-1) return sigbus(SIGBUS_NO_PHYS);
  }
  read_delay(); // a longer read side, for torture and critical-section sweeps: alive was seen true above
  random_delay(); // between check_vma and the install
  // The read side uses the device again (the kernel's dev_dax->region, pgmap...): under a correct scheme it
  // cannot have been freed by now; under rcu-pointer-free-early it can.
  if (dax_dev_freed(dev)) return sigbus(SIGBUS_DEAD);
  const level = level_of_size(fault_size);
  const err = insert_pfn(level, haddr, phys >> PAGE_SHIFT, generation);
  if (err == -ENOMEM) return VM_FAULT_OOM;
  if (err == -EBUSY) {
    this_cpu_inc(STAT_RACED); // another CPU installed it first: still NOPAGE
  } else if (err != 0) {
    return sigbus(SIGBUS_INSERT_FAILED);
  } else {
    this_cpu_inc(STAT_PTE_INSTALLS + level);
    check_invariant(generation);
  }
  return VM_FAULT_NOPAGE;
}

/** dev_dax_huge_fault(): every attempt runs inside the read side, as dax_read_lock() brackets it. Under
 *  torture, random delays open the boundaries: before the lock, inside it, after the unlock. Inlined with
 *  the read side of the batch that calls it (S, protection.ts), so that read side is compiled in. `first`:
 *  this is the touch's first attempt, which first pays what the kernel spends before calling the handler
 *  (fault_entry), outside every read side. */
@inline export function dev_dax_huge_fault_with<S>(addr: u64, fault_size: u64, first: bool): u32 {
  if (first) fault_entry();
  dax_select_device_of(addr); // the file this vma maps: the device, and with it the SRCU domain its read side enters
  let ret: u32 = 0;
  let checked: i32 = -1;
  if (checks_outside_read_side<S>()) {
    const reason = check_vma(dax_dev_deref());
    checked = reason == CHECK_VMA_OK ? dax_generation() : -2;
    ret = reason == CHECK_VMA_OK ? 0 : refused(reason);
  }
  if (checked != -2) {
    for (;;) {
      random_delay(); // before the lock
      const id = read_lock<S>();
      if (read_lock_refused<S>(id)) {
        ret = refused(CHECK_VMA_DEAD); // a reference count's tryget failed: the device is dead
        break;
      }
      random_delay(); // inside, before the handler
      ret = __dev_dax_fault(addr, fault_size, checked);
      const retry = read_unlock<S>(id);
      random_delay(); // after the unlock
      if (!retry) break; // a seqlock's writer came by: the fault is run again
    }
  }
  if (ret == VM_FAULT_SIGBUS) this_cpu_inc(STAT_SIGBUS);
  else if (ret == VM_FAULT_FALLBACK) this_cpu_inc(STAT_FALLBACK);
  else if (ret == VM_FAULT_OOM) this_cpu_inc(STAT_OOM);
  return ret;
}

/** dev_dax_huge_fault() under the scheme set now: for callers off the hot path (the specs, micro). */
export function dev_dax_huge_fault(addr: u64, fault_size: u64): u32 {
  return dev_dax_huge_fault_with<SchemeSetNow>(addr, fault_size, false);
}

/** What a real fault costs that the model does not run, before the kernel calls dev_dax_huge_fault (the trap
 *  into the kernel, the mm's walk of the page tables, mmap_lock and the page-table lock): `spins` of spin(),
 *  set by the host for the region's page size, from a duration or from this machine's kernel (daxbench
 *  kernel). 0 leaves the model's own cost. */
export function set_fault_cost(spins: i32): void {
  store<i32>(FAULT_ENTRY_SPINS, spins);
}

/** Pays, once per touch that faults, the cost set_fault_cost() set: outside the read side, as the kernel pays
 *  it before dax_read_lock(). Hits never come here. Each payment is counted (a probe: the count must equal
 *  the touches that faulted, and a test holding the read side's lock sees it paid before the lock). */
@inline function fault_entry(): void {
  const spins = load<i32>(FAULT_ENTRY_SPINS);
  if (spins > 0) {
    this_cpu_inc_fault_costs();
    spin(spins);
  }
}

/** 1 when a touch ended with its address mapped (a hit, or an install won or raced), else 0. This is what
 *  every workload counts as an operation: a SIGBUS or OOM touch is refused work, counted in its own stat. */
@inline export function touch_completed(ret: u32): u64 {
  return ret == NO_FAULT || ret == VM_FAULT_NOPAGE ? 1 : 0;
}

/** __handle_mm_fault() for the three levels daxbench models: a touch of addr (inside the vma). An entry
 *  already covering addr means no fault. Otherwise the largest size the vma allows is tried first (pud,
 *  then pmd), only where its slot is still none, and a FALLBACK moves on to the next size down. Inlined
 *  into each batch's loop for its scheme (batch.ts). */
@inline export function handle_mm_fault_with<S>(addr: u64): u32 {
  // The commonest touch first, a hit on a pte: a present pte covers addr whatever lies above it (its pmd and
  // pud slots are tables, or a huge entry that won a race with it, which covers addr too).
  if (entry_present(atomic.load<u64>(entry_ptr(PTE_LEVEL, addr)))) {
    this_cpu_inc(STAT_HITS);
    return NO_FAULT;
  }
  let entered = false; // a fault is entered once, however many sizes it then tries
  for (let level = PUD_LEVEL; level > PTE_LEVEL; level--) {
    const slot = entry_ptr(level, addr);
    const entry = atomic.load<u64>(slot);
    if (entry_present(entry)) {
      this_cpu_inc(STAT_HITS);
      return NO_FAULT;
    }
    const size: u64 = 1 << level_shift(level);
    if (entry == 0 && huge_fault_suitable(addr, size)) {
      const ret = dev_dax_huge_fault_with<S>(addr, size, !entered);
      entered = true;
      if (ret != VM_FAULT_FALLBACK) return ret;
    }
    if (level == PUD_LEVEL) populate_table_slot(slot); // pmd_alloc(); the pte table comes with the first pte
  }
  if (entry_present(atomic.load<u64>(entry_ptr(PTE_LEVEL, addr)))) {
    this_cpu_inc(STAT_HITS);
    return NO_FAULT;
  }
  return dev_dax_huge_fault_with<S>(addr, PAGE_SIZE, !entered);
}

/** handle_mm_fault() under the scheme set now: for callers off the hot path (the specs, mmap-mix). */
export function handle_mm_fault(addr: u64): u32 {
  return handle_mm_fault_with<SchemeSetNow>(addr);
}

/** Present entries at `level` whose pfn is not the one pgoff_to_phys() gives for their address: a census
 *  that must be 0 however many CPUs raced to install them. */
export function count_misplaced_entries(level: i32): u64 {
  const size: u64 = 1 << level_shift(level);
  const slots = level_slots(level);
  let misplaced: u64 = 0;
  for (let i: u64 = 0; i < slots; i++) {
    const entry = slot_entry(level, i);
    if (!entry_present(entry)) continue;
    const pgoff = vm_pgoff() + ((slot_address(level, i) - vm_start()) >> PAGE_SHIFT);
    if (entry_pfn(entry) != pgoff_to_phys(pgoff, size) >> PAGE_SHIFT) misplaced++;
  }
  return misplaced;
}
