// The daxbench wasm core: what the host may call and the constants it reads instead of repeating them.
// Every export here is usable from any worker on the shared memory; none allocates. Only what host/, bench/
// or test/ uses is exported: the specs import the modules themselves. host/machine/core.ts declares the same
// exports for the host, and test/bindings.test.ts fails when the two differ.

export {
  MAX_CPUS, MAX_DEVICES, MAX_EXTENTS, STATS, STATS_STRIDE, TLB_PER_CPU, CONTROL_END, TLB_END, TABLES_BASE,
} from "./layout";
export { VM_READ, VM_WRITE, VM_SHARED, VM_MAYSHARE, VM_DAX, PFN_DEV, PFN_MAP } from "./kernel";
export {
  DEV_OK, POLICY_DEVICE, POLICY_FS, DEV_ERR_POLICY, DEV_ERR_ALIGN, DEV_ERR_PFN_FLAGS, DEV_ERR_TOO_MANY_EXTENTS,
  DEV_ERR_EMPTY_EXTENT, DEV_ERR_UNALIGNED_EXTENT, DEV_ERR_OVERLAPPING_EXTENT, DEV_ERR_EXTENT_TOO_HIGH,
  DEV_ERR_NO_EXTENTS, DEV_ERR_ALIVE, MAX_PHYS, dax_region_create, dax_dev_add_extent, dax_dev_enable,
  dax_set_pgtable_budget, dax_pgtable_budget,
} from "./device";
export {
  CHECK_VMA_OK, CHECK_VMA_DEAD, CHECK_VMA_PRIVATE, CHECK_VMA_UNALIGNED, CHECK_VMA_NEEDS_DONTFORK, CHECK_VMA_NOT_DAX,
  MMAP_NO_MEMORY, MMAP_OVERFLOW, check_vma_errno, dax_mmap, dax_mmap_tables_bytes,
} from "./vma";
export { PTE_LEVEL, PMD_LEVEL, count_entries, count_stale_entries, count_unaccounted_installs } from "./pagetable";
export {
  SIGBUS_DEAD, SIGBUS_BAD_VMA, SIGBUS_BELOW_ALIGN, SIGBUS_NO_DEVMAP, SIGBUS_OUTSIDE_VMA, SIGBUS_NO_PHYS,
  SIGBUS_INSERT_FAILED, count_misplaced_entries, set_fault_cost,
} from "./fault";
export {
  STAT_PTE_INSTALLS, STAT_PMD_INSTALLS, STAT_PUD_INSTALLS, STAT_RACED, STAT_SIGBUS, STAT_FALLBACK, STAT_OOM, STAT_HITS,
  STATS_SIGBUS_OFFSET, STATS_PIPE_OFFSET, STATS_POISON_OFFSET, STATS_MMAP_REJECTED_OFFSET, STATS_TLB_OFFSET,
  PIPE_LENGTH, attach, this_cpu_violations, per_cpu_violations, nr_cpu_ids, forget_other_cpus,
} from "./percpu";
export {
  SCHEME_NONE, SCHEME_RCU, SCHEME_MUTEX, SCHEME_RWLOCK, SCHEME_QSBR, SCHEME_RCU_POINTER, SCHEME_RCU_SKIP_SCAN2,
  SCHEME_RCU_POINTER_FREE_EARLY, SCHEME_RCU_CHECK_OUTSIDE, SCHEME_RCU_ZAP_EARLY, SCHEME_REFCOUNT, SCHEME_PERCPU_REF,
  SCHEME_SEQLOCK, set_protection, set_devices,
} from "./protection";
export { dax_select_device, dax_device_span } from "./devices";
export { set_read_delay, set_random_delay, set_long_delays, set_migration, set_invariant_check, spin } from "./torture";
export { populate, touch_random, readside, mmap_mix, touch_random_tlb } from "./batch";
export {
  TLB_STAT_ACCESSES, TLB_STAT_L1_MISSES, TLB_STAT_WALKS, TLB_STAT_WALK_LEVELS, tlb_configure, tlb_flush_all,
} from "./tlb";
export { kill_dev_dax, revive_dax, last_grace_period_ns, set_gp_cost, fake_writer } from "./teardown";
export {
  bench_empty, bench_check_vma, bench_pgoff_to_phys, bench_fault_zap, bench_cas, bench_futex_handover,
  handover_wakeup_ns,
} from "./micro";
// Probes for test/loops.test.ts: where the read sides' locks and alive live, and each CPU's read-side counters.
export { DEV_ALIVE, MUTEX_WORD, RWLOCK_WORD, REFCOUNT_WORD, PERCPU_REF_MODE, SEQLOCK_SEQUENCE } from "./layout";
export { PERCPU_REF_DEAD } from "./percpu_ref";
export { RW_WRITER } from "./rwlock";
export {
  STATS_ALIVE_SEEN_OFFSET, STATS_FAULT_COSTS_OFFSET, STATS_LONG_DELAYS_OFFSET, STATS_SHORT_DELAYS_OFFSET,
  STATS_MIGRATIONS_OFFSET,
} from "./percpu";
export { srcu_lock_count, srcu_unlock_count, qsbr_reader_ctr, set_qsbr_reader_ctr } from "./probe";
