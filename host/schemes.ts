// The protection schemes of dev->alive (assembly/protection.ts), each defined once: the name the CLI and the
// CSV use, the core's constant set_protection() takes (held to the build by test/bindings.test.ts, through
// host/core-codes.ts), what it is, what it stands for in the kernel or liburcu, whether it is broken on purpose,
// and which native read sides calibrate it. SchemeName is derived from this table; the machine, the matrix,
// the micro cases, native and torture read it; nothing else decides what a scheme is. It sits below every stage
// (beside types.ts, which names schemes in a configuration). test/schemes.test.ts holds it to the core.

/** The read sides bench/native/readside.c implements, by the name it takes as its first argument, in the
 *  order `daxbench native` measures them. */
export const NATIVE_FLAVOURS = [
  "load",
  "percpu",
  "mutex",
  "rwlock",
  "urcu-memb",
  "urcu-qsbr",
  "refcount",
  "percpu-ref",
  "seqlock",
] as const;
export type NativeFlavour = (typeof NATIVE_FLAVOURS)[number];

export interface Scheme {
  /** As --protection and the CSV's protection column spell it. */
  name: string;
  /** The core's constant for it (assembly/protection.ts). */
  code: `SCHEME_${string}`;
  /** One line for `daxbench list`. */
  description: string;
  /** What it is, or stands for, in the kernel or liburcu. */
  counterpart: string;
  /** Wrong on purpose, so that torture has something it must catch: never in a benchmark table. */
  brokenOnPurpose: boolean;
  /** Whether it can guard alive: once teardown's synchronize() returns, no fault of the dead generation
   *  installs. Torture must end SUCCESS for a scheme that can and FAILURE for one that cannot. */
  guardsAlive: boolean;
  /** Whether teardown's synchronize() is a grace period and nothing else, so that torture's fake writers
   *  (rcutorture's) may call it beside the updater: not for the reference counts (it kills the base reference)
   *  nor the seqlock (it is a write). */
  graceOnlySync: boolean;
  /** Whether its read side counts on SRCU's per-CPU counters, which torture's migrating readers (`--migrate`)
   *  unlock on another CPU's line, and whose domain several devices (`--devices`) share or each have. */
  srcuCounters: boolean;
  /** The native read sides that `daxbench native` sets beside this scheme's wasm one. */
  native: readonly NativeFlavour[];
}

export const SCHEMES = [
  {
    name: "none",
    code: "SCHEME_NONE",
    description: "no protection: teardown does not wait (unsafe; the baseline torture must catch)",
    counterpart: "kill_dax() without its synchronize_srcu(): a flag and nothing that orders it",
    brokenOnPurpose: false,
    guardsAlive: false,
    graceOnlySync: true,
    srcuCounters: false,
    native: ["load"],
  },
  {
    name: "rcu",
    code: "SCHEME_RCU",
    description: "SRCU's per-CPU lock/unlock counters; teardown waits for a grace period",
    counterpart:
      "SRCU (kernel/rcu/srcutree.c): dax_read_lock() is srcu_read_lock(), kill_dax() calls synchronize_srcu()",
    brokenOnPurpose: false,
    guardsAlive: true,
    graceOnlySync: true,
    srcuCounters: true,
    native: ["percpu", "urcu-memb"],
  },
  {
    name: "mutex",
    code: "SCHEME_MUTEX",
    description: "a futex mutex held around every fault; teardown takes it once",
    counterpart: "mutex_lock()/mutex_unlock() around every fault, as the reviewers proposed; natively a pthread mutex",
    brokenOnPurpose: false,
    guardsAlive: true,
    graceOnlySync: true,
    srcuCounters: false,
    native: ["mutex"],
  },
  {
    name: "rwlock",
    code: "SCHEME_RWLOCK",
    description: "a futex reader-writer lock around every fault; teardown takes it for writing",
    counterpart: "an rw_semaphore: down_read() around every fault, down_write() in teardown; natively a pthread rwlock",
    brokenOnPurpose: false,
    guardsAlive: true,
    graceOnlySync: true,
    srcuCounters: false,
    native: ["rwlock"],
  },
  {
    name: "qsbr",
    code: "SCHEME_QSBR",
    description: "liburcu's QSBR: free read side, readers offline between batches; grace periods wait for batches",
    counterpart:
      "liburcu urcu-qsbr (rcu_thread_online/offline, synchronize_rcu); classic non-preemptible rcu_read_lock()",
    brokenOnPurpose: false,
    guardsAlive: true,
    graceOnlySync: true,
    srcuCounters: false,
    native: ["urcu-qsbr"],
  },
  {
    name: "rcu-pointer",
    code: "SCHEME_RCU_POINTER",
    description:
      "SRCU guarding a pointer to a copy of the device state: updates publish a copy, " +
      "free the old after a grace period",
    counterpart:
      "rcu_assign_pointer()/srcu_dereference() of a copied struct, synchronize_srcu(), then kfree() of the old one",
    brokenOnPurpose: false,
    guardsAlive: true,
    graceOnlySync: true,
    srcuCounters: true,
    native: [],
  },
  {
    name: "refcount",
    code: "SCHEME_REFCOUNT",
    description: "a reference count with inc_not_zero: a fault takes one unless it is zero; teardown waits for zero",
    counterpart:
      "refcount_inc_not_zero()/refcount_dec_and_test() (kref_get_unless_zero), the reference counts Dan's reply " +
      "says protect the dax_dev object; teardown puts the base reference and waits for the release",
    brokenOnPurpose: false,
    guardsAlive: true,
    graceOnlySync: false,
    srcuCounters: false,
    native: ["refcount"],
  },
  {
    name: "percpu-ref",
    code: "SCHEME_PERCPU_REF",
    description:
      "a per-CPU reference count: counts on each CPU while live; kill switches it to one shared count " +
      "after an RCU-sched grace period and waits for it to drain",
    counterpart:
      "percpu_ref (lib/percpu-refcount.c) as mm/memremap.c guards a device's pages: percpu_ref_tryget_live() " +
      "on lookup, percpu_ref_kill() then wait_for_completion() at teardown",
    brokenOnPurpose: false,
    guardsAlive: true,
    graceOnlySync: false,
    srcuCounters: false,
    native: ["percpu-ref"],
  },
  {
    name: "seqlock",
    code: "SCHEME_SEQLOCK",
    description:
      "a seqlock reader: sample the sequence, read, re-check, retry; the writer waits for no reader, " +
      "so it cannot guard alive (torture catches it)",
    counterpart:
      "read_seqbegin()/read_seqretry() (include/linux/seqlock.h), refscale's seqlock reader; write_seqlock() " +
      "in teardown. A fault's install is a side effect a retry cannot take back",
    brokenOnPurpose: false,
    guardsAlive: false,
    graceOnlySync: false,
    srcuCounters: false,
    native: ["seqlock"],
  },
  {
    name: "rcu-skip-scan2",
    code: "SCHEME_RCU_SKIP_SCAN2",
    description: "SRCU whose grace period skips its second scan: too short on purpose (torture must catch it)",
    counterpart: "synchronize_srcu() without the scan after the srcu_idx flip",
    brokenOnPurpose: true,
    guardsAlive: false,
    graceOnlySync: true,
    srcuCounters: true,
    native: [],
  },
  {
    name: "rcu-pointer-free-early",
    code: "SCHEME_RCU_POINTER_FREE_EARLY",
    description: "rcu-pointer freeing the old copy before the grace period: broken on purpose (torture must catch it)",
    counterpart: "rcu-pointer with kfree() of the old copy before synchronize_srcu(): a use after free",
    brokenOnPurpose: true,
    guardsAlive: false,
    graceOnlySync: true,
    srcuCounters: true,
    native: [],
  },
  {
    name: "rcu-check-outside",
    code: "SCHEME_RCU_CHECK_OUTSIDE",
    description:
      "SRCU, but a fault checks alive before entering the read side: broken on purpose (torture must catch it)",
    counterpart: "dax_alive() tested before dax_read_lock() instead of inside it",
    brokenOnPurpose: true,
    guardsAlive: false,
    graceOnlySync: true,
    srcuCounters: true,
    native: [],
  },
  {
    name: "rcu-zap-early",
    code: "SCHEME_RCU_ZAP_EARLY",
    description:
      "SRCU, but teardown zaps the mappings before the grace period: broken on purpose (torture must catch it)",
    counterpart: "kill_dev_dax() calling unmap_mapping_range() before kill_dax()'s synchronize_srcu() instead of after",
    brokenOnPurpose: true,
    guardsAlive: false,
    graceOnlySync: true,
    srcuCounters: true,
    native: [],
  },
] as const satisfies readonly Scheme[];

/** A scheme of the table. */
export type RegisteredScheme = (typeof SCHEMES)[number];
/** The schemes' names, as --protection and the CSV spell them. */
export type SchemeName = RegisteredScheme["name"];

/** Every scheme's name, in the table's order. */
/** The schemes torture's fake writers may run beside (Scheme.graceOnlySync). */
export const FAKE_WRITER_SCHEMES: readonly SchemeName[] = SCHEMES.filter((scheme) => scheme.graceOnlySync).map(
  (scheme) => scheme.name,
);

/** The schemes torture's migrating readers and several devices apply to (Scheme.srcuCounters). */
export const SRCU_SCHEMES: readonly SchemeName[] = SCHEMES.filter((scheme) => scheme.srcuCounters).map(
  (scheme) => scheme.name,
);

export const SCHEME_NAMES: readonly SchemeName[] = SCHEMES.map((scheme) => scheme.name);

/** The scheme named `name`, or undefined for a name that is none of them (typed by a user, read from a file). */
export function findScheme(name: string): RegisteredScheme | undefined {
  return SCHEMES.find((scheme) => scheme.name === name);
}

/** The schemes a benchmark table may hold: every one but those broken on purpose. */
export const BENCHMARKED_SCHEMES: readonly SchemeName[] = SCHEMES.filter((scheme) => !scheme.brokenOnPurpose).map(
  (scheme) => scheme.name,
);

/** The scheme whose wasm read side the native flavour `flavour` calibrates. */
export function schemeCalibratedBy(flavour: NativeFlavour): RegisteredScheme {
  const found = SCHEMES.find((scheme) => (scheme.native as readonly NativeFlavour[]).includes(flavour));
  if (!found) throw new Error(`no scheme in host/schemes.ts names the native flavour ${flavour}`);
  return found;
}

/** How several devices' read sides are grouped into SRCU domains (srcu_structs): one for every device, as later
 *  Linux's dax_srcu (drivers/dax/super.c), so a kill waits for the readers of all; or one per device. */
export const SRCU_DOMAINS = ["shared", "per-device"] as const;
export type SrcuDomain = (typeof SRCU_DOMAINS)[number];
