// The host's view of the wasm core's exports (assembly/index.ts), written once: every function with the wasm
// types of its parameters and result, every constant by its exact name. Everything the host calls or reads
// goes through these names, so TypeScript checks each use (core.exports.X, constant("X"), the tables in
// dax.ts and host/core-codes.ts). test/bindings.test.ts holds this file to the built module: an export added,
// renamed, removed or retyped in assembly/ fails it until this file says the same, and so does a declared
// export nothing in host/, bench/ or test/ uses.

import { NAMED_CODES } from "../core-codes.ts";

/** The wasm types that cross the boundary: an i32 (bool, i32, u32, usize) arrives as a number, an i64 (i64,
 *  u64) as a BigInt, and each must be passed as one. */
type ValueType = "i32" | "i64";

interface Signature {
  readonly params: readonly ValueType[];
  readonly result: ValueType | "void";
}

type JsValue<T> = T extends "i64" ? bigint : T extends "i32" ? number : void;
type JsValues<P extends readonly ValueType[]> = { -readonly [I in keyof P]: JsValue<P[I]> };
type CoreFunction<S extends Signature> = (...args: JsValues<S["params"]>) => JsValue<S["result"]>;

/** The functions, by the file of assembly/ that defines them; the comments name the parameters. */
export const CORE_FUNCTIONS = {
  // percpu.ts
  attach: { params: ["i32", "i64"], result: "i32" }, // (cpu, seed): 0, or -1 for a cpu out of range
  this_cpu_violations: { params: [], result: "i64" },
  per_cpu_violations: { params: ["i32"], result: "i64" }, // (cpu)
  nr_cpu_ids: { params: [], result: "i32" }, // one more than the highest CPU attached: where every scan stops
  forget_other_cpus: { params: [], result: "void" }, // once the workers have exited: nr_cpu_ids covers the caller alone
  // device.ts: DEV_OK or a DEV_ERR_* code
  dax_region_create: { params: ["i64", "i64", "i32"], result: "i32" }, // (align, pfn_flags, policy)
  dax_dev_add_extent: { params: ["i64", "i64"], result: "i32" }, // (start, end inclusive)
  dax_dev_enable: { params: [], result: "i32" },
  dax_set_pgtable_budget: { params: ["i64"], result: "void" }, // (tables): a budget of pte tables, < 0 for none
  dax_pgtable_budget: { params: [], result: "i64" }, // the pte tables still allowed, < 0 for no budget
  // vma.ts
  // (start, end, pgoff, flags): CHECK_VMA_OK or why not
  dax_mmap: { params: ["i64", "i64", "i64", "i64"], result: "i32" },
  dax_mmap_tables_bytes: { params: ["i64", "i64"], result: "i64" }, // (start, end)
  check_vma_errno: { params: ["i32"], result: "i32" }, // (reason)
  // pagetable.ts and fault.ts: censuses of the page tables
  count_entries: { params: ["i32"], result: "i64" }, // (level)
  count_misplaced_entries: { params: ["i32"], result: "i64" }, // (level)
  count_stale_entries: { params: [], result: "i64" },
  count_unaccounted_installs: { params: [], result: "i64" }, // installs minus the entries zapped and present
  // protection.ts
  set_protection: { params: ["i32"], result: "i32" }, // (SCHEME_*): 0, or -EINVAL
  // (count, srcu_per_device): after dax_mmap, the vma split among devices; 0, or -EINVAL where it does not split
  set_devices: { params: ["i32", "i32"], result: "i32" },
  // devices.ts
  dax_select_device: { params: ["i32"], result: "void" }, // (device): the one this CPU kills, revives, reports
  dax_device_span: { params: ["i64", "i64", "i32"], result: "i64" }, // (length, align, count): a share, 0 if none
  // fault.ts and torture.ts: spins are counted in an i32
  set_fault_cost: { params: ["i32"], result: "void" }, // (spins)
  set_read_delay: { params: ["i32"], result: "void" }, // (spins)
  set_random_delay: { params: ["i32"], result: "void" }, // (spins)
  set_long_delays: { params: ["i32", "i64", "i32", "i64"], result: "void" }, // (long odds, ns, short odds, ns)
  set_migration: { params: ["i32"], result: "void" }, // (odds): one SRCU unlock in odds on another CPU; 0 never
  set_invariant_check: { params: ["i32"], result: "void" }, // (enabled)
  spin: { params: ["i32"], result: "void" }, // (spins)
  // batch.ts: each returns the operations it completed
  populate: { params: ["i64", "i64"], result: "i64" }, // (from, to)
  touch_random: { params: ["i64"], result: "i64" }, // (count)
  readside: { params: ["i64"], result: "i64" }, // (count)
  mmap_mix: { params: ["i64", "i64", "i64"], result: "i64" }, // (count, bytes, aligned_permille)
  touch_random_tlb: { params: ["i64"], result: "i64" }, // (count)
  // tlb.ts
  // entries, ways of each array
  tlb_configure: { params: ["i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"], result: "i32" },
  tlb_flush_all: { params: [], result: "void" },
  // teardown.ts
  kill_dev_dax: { params: [], result: "i64" }, // returns the entries it zapped
  revive_dax: { params: [], result: "void" },
  last_grace_period_ns: { params: [], result: "i64" },
  set_gp_cost: { params: ["i64"], result: "void" }, // (ns)
  fake_writer: { params: ["i64"], result: "i64" }, // (count): grace periods back to back; returns count
  // micro.ts: the micro-benchmarks' batches of `count` operations
  bench_empty: { params: ["i64"], result: "i64" }, // (count)
  bench_check_vma: { params: ["i64"], result: "i64" }, // (count)
  bench_pgoff_to_phys: { params: ["i64", "i64"], result: "i64" }, // (count, pages)
  bench_fault_zap: { params: ["i64", "i64"], result: "i64" }, // (count, size)
  bench_cas: { params: ["i64"], result: "i64" }, // (count)
  // (count): two CPUs of different parity at once; returns the wake-ups timed
  bench_futex_handover: { params: ["i64"], result: "i64" },
  handover_wakeup_ns: { params: [], result: "i64" }, // their summed latency so far
  // probe.ts: a CPU's read-side state, for the tests
  srcu_lock_count: { params: ["i32"], result: "i64" }, // (cpu): its srcu_read_lock() calls
  srcu_unlock_count: { params: ["i32"], result: "i64" }, // (cpu): its srcu_read_unlock() calls
  qsbr_reader_ctr: { params: ["i32"], result: "i32" }, // (cpu): 0 offline, else the grace period it saw
  set_qsbr_reader_ctr: { params: ["i32", "i32"], result: "void" }, // (cpu, value)
} as const satisfies Record<string, Signature>;

/** The constants (immutable wasm globals), by the file of assembly/ that defines them. */
export const CORE_CONSTANTS = [
  // the families of host/core-codes.ts: schemes, policies, stat slots, SIGBUS reasons, TLB slots
  ...NAMED_CODES,
  // layout.ts
  "MAX_CPUS",
  "MAX_DEVICES",
  "MAX_EXTENTS",
  "STATS",
  "STATS_STRIDE",
  "TLB_PER_CPU",
  "CONTROL_END",
  "TLB_END",
  "TABLES_BASE",
  // kernel.ts
  "VM_READ",
  "VM_WRITE",
  "VM_SHARED",
  "VM_MAYSHARE",
  "VM_DAX",
  "PFN_DEV",
  "PFN_MAP",
  // device.ts
  "DEV_OK",
  "DEV_ERR_POLICY",
  "DEV_ERR_ALIGN",
  "DEV_ERR_PFN_FLAGS",
  "DEV_ERR_TOO_MANY_EXTENTS",
  "DEV_ERR_EMPTY_EXTENT",
  "DEV_ERR_UNALIGNED_EXTENT",
  "DEV_ERR_OVERLAPPING_EXTENT",
  "DEV_ERR_EXTENT_TOO_HIGH",
  "DEV_ERR_NO_EXTENTS",
  "DEV_ERR_ALIVE",
  "MAX_PHYS",
  // vma.ts
  "CHECK_VMA_OK",
  "CHECK_VMA_DEAD",
  "CHECK_VMA_PRIVATE",
  "CHECK_VMA_UNALIGNED",
  "CHECK_VMA_NEEDS_DONTFORK",
  "CHECK_VMA_NOT_DAX",
  "MMAP_NO_MEMORY",
  "MMAP_OVERFLOW",
  // pagetable.ts
  "PTE_LEVEL",
  "PMD_LEVEL",
  // percpu.ts
  "STATS_SIGBUS_OFFSET",
  "STATS_PIPE_OFFSET",
  "STATS_POISON_OFFSET",
  "STATS_MMAP_REJECTED_OFFSET",
  "STATS_TLB_OFFSET",
  "PIPE_LENGTH",
  // the probes' addresses and slots (layout.ts, rwlock.ts, percpu_ref.ts, percpu.ts)
  "DEV_ALIVE",
  "MUTEX_WORD",
  "RWLOCK_WORD",
  "RW_WRITER",
  "REFCOUNT_WORD",
  "PERCPU_REF_MODE",
  "PERCPU_REF_DEAD",
  "SEQLOCK_SEQUENCE",
  "STATS_ALIVE_SEEN_OFFSET",
  "STATS_FAULT_COSTS_OFFSET",
  "STATS_LONG_DELAYS_OFFSET",
  "STATS_MIGRATIONS_OFFSET",
  "STATS_SHORT_DELAYS_OFFSET",
] as const;

export type CoreFunctionName = keyof typeof CORE_FUNCTIONS;
export type CoreConstant = (typeof CORE_CONSTANTS)[number];

/** The functions as the host calls them: u64 and i64 parameters and results are BigInts, the rest numbers. */
export type CoreExports = { readonly [K in CoreFunctionName]: CoreFunction<(typeof CORE_FUNCTIONS)[K]> };
