// The one memory layout shared by every worker's instance and by the host.
//
// Everything that must be seen by all workers lives at a fixed address in the shared memory: wasm globals are
// per instance (per worker), so they hold only a worker's own identity (see percpu.ts). The host reads the few
// offsets it needs (the per-CPU stats lines, where the page tables start) from the module's exports; it never
// repeats them.
//
//   [0, CONTROL_BASE)              left empty so that a stray null pointer touches nothing shared
//   [CONTROL_BASE, CONTROL_END)    control region: the CPUs in use, devices, vma, protection, per-CPU lines
//   [512 KiB, ...)                 static data (asconfig.json "memoryBase"); as-pect's heap in the specs
//   [TLB_BASE, TLB_END)            the TLB model's per-CPU arrays (tlb.ts)
//   [SRCU_COUNTERS, ...END)        SRCU's per-CPU counters, a set per domain (srcu.ts)
//   [TABLES_BASE, ...)             page tables of the mapped vma, sized by dax_mmap
//
// Static data sits above the control region on purpose: every instantiation re-copies the data segments, so
// nothing mutable may share their bytes (test/workers.test.ts, "a worker instantiated afterwards finds the
// shared state intact", proves it resets nothing).
//
// Everything below TABLES_BASE is used without growing the memory, so asconfig.json's "initialMemory" (in
// 64 KiB pages) must cover it, and its "memoryBase" must lie above CONTROL_END: raising MAX_CPUS lengthens
// the control region and moves TABLES_BASE (after the TLB arrays), so it may mean raising both.
// test/config.test.ts checks both against the built module.

/** Size of a cache line: every group of fields written by a different party gets its own. */
export const CACHE_LINE: usize = 64;
/** Workers are CPUs; each gets its own counter lines. CPU 0 is the host's main thread. The kernel's NR_CPUS:
 *  room for the largest two-socket servers (768 CPUs) with CPU 0 and an updater to spare. Scans stop at
 *  nr_cpu_ids, the CPUs in use (percpu.ts), so a run pays only for the CPUs it attaches. */
export const MAX_CPUS: i32 = 1024;
/** A device has at most this many physical extents (dax_dev->res[]). */
export const MAX_EXTENTS: i32 = 64;
/** A region carries at most this many devices (churn and torture's --devices), each with its own alive flag,
 *  generation and share of the vma, and with its own SRCU domain when they do not share one. */
export const MAX_DEVICES: i32 = 8;

export const CONTROL_BASE: usize = 1024;

// CPU line: nr_cpu_ids, raised by each attach, read by every grace period's scan (percpu.ts). It belongs to
// the machine, not the device: dax_region_create's reset starts at DEV_ALIVE, after it.
export const NR_CPU_IDS: usize = CONTROL_BASE; // i32

// Device blocks, MAX_DEVICES of DEVICE_STRIDE bytes (a device line and rcu-pointer's copies): the DEV_*
// addresses below are device 0's, and device d's field lies d * DEVICE_STRIDE further (devices.ts, dev_field).
// DEV_NR_EXTENTS and DEV_PGTABLE_BUDGET belong to the region: only device 0's are used.
// Device line: written by the updater (kill/revive), read by every fault.
export const DEV_ALIVE: usize = NR_CPU_IDS + CACHE_LINE; // i32, dax_dev->alive
export const DEV_GENERATION: usize = DEV_ALIVE + 4; // i32, bumped by revive
export const DEV_NR_EXTENTS: usize = DEV_ALIVE + 8; // i32, dax_dev->num_resources
export const DEV_PGTABLE_BUDGET: usize = DEV_ALIVE + 16; // i64, pte tables left to allocate; < 0 = unlimited
// The updater's progress through a kill, published for torture's Reader Pipe (torture.ts).
export const DEV_KILL_BEGUN_GENERATION: usize = DEV_ALIVE + 24; // i32, last generation whose kill began
export const DEV_SYNCED_GENERATION: usize = DEV_ALIVE + 28; // i32, last generation whose grace period ended
export const DEV_STALE_ENTRIES: usize = DEV_ALIVE + 32; // u64, dead generations' entries found by later zaps
// The device state readers dereference: { alive: i32, generation: i32 }. Every scheme but rcu-pointer leaves
// it at DEV_ALIVE (whose next word is DEV_GENERATION); rcu-pointer publishes copies (DEV_COPIES).
export const DEV_STATE_PTR: usize = DEV_ALIVE + 40; // u32
// How long the last teardown's grace period took (kill_dax, by the host's clock), for the updater to report.
export const DEV_LAST_GP_NS: usize = DEV_ALIVE + 48; // u64
// Entries zap_device() has cleared since the device was created: with the entries still present, what every
// install that succeeded must add up to (torture's census, pagetable.ts count_unaccounted_installs).
export const DEV_ZAPPED_ENTRIES: usize = DEV_ALIVE + 56; // u64

// rcu-pointer's two copies of the device state, 8 bytes each: the live one and the one being retired.
export const DEV_COPIES: usize = DEV_ALIVE + CACHE_LINE;
export const DEV_COPY_SIZE: usize = 8;
export const DEVICE_STRIDE: usize = 2 * CACHE_LINE;

// Region line: set once when the region is created, and its devices once the vma is mapped (devices.ts).
export const REGION_ALIGN: usize = DEV_ALIVE + <usize>MAX_DEVICES * DEVICE_STRIDE; // u64, dax_region->align
export const REGION_PFN_FLAGS: usize = REGION_ALIGN + 8; // u64, dax_region->pfn_flags
export const REGION_POLICY: usize = REGION_ALIGN + 16; // i32, POLICY_DEVICE or POLICY_FS
export const REGION_DEVICES: usize = REGION_ALIGN + 20; // i32, devices in use; 0 or 1: one
export const REGION_SRCU_PER_DEVICE: usize = REGION_ALIGN + 24; // i32, != 0: a domain per device, else one for all
export const REGION_DEVICE_SPAN: usize = REGION_ALIGN + 32; // u64, each device's share of the vma, in bytes

// VMA line: set by dax_mmap.
export const VMA_START: usize = REGION_ALIGN + CACHE_LINE; // u64, vm_start
export const VMA_END: usize = VMA_START + 8; // u64, vm_end
export const VMA_PGOFF: usize = VMA_START + 16; // u64, vm_pgoff
export const VMA_FLAGS: usize = VMA_START + 24; // u64, vm_flags

// Page-table geometry line, per level (0 = pte, 1 = pmd, 2 = pud): where the level's table starts in memory,
// the index of its first slot (vm_start >> shift) and how many slots it has.
export const TABLE_BASES: usize = VMA_START + CACHE_LINE; // u32[3]
export const TABLE_FIRST_INDEX: usize = TABLE_BASES + 16; // u64[3]
export const TABLE_SLOTS: usize = TABLE_FIRST_INDEX + 24; // u64[3]

// Protection line: set by the host before workers start, read by every fault.
export const PROTECTION_SCHEME: usize = TABLE_BASES + CACHE_LINE; // i32, which scheme guards alive
export const READ_DELAY_SPINS: usize = PROTECTION_SCHEME + 4; // i32, spins between check_vma and install
export const INVARIANT_CHECK: usize = PROTECTION_SCHEME + 8; // i32, != 0: each install checks the invariant
// i32: spins a fault pays before the dax handler, standing for the kernel's trap entry and the mm's walk and
// locks (fault.ts, fault_entry); 0 = the model's own cost only.
export const FAULT_ENTRY_SPINS: usize = PROTECTION_SCHEME + 12;
// i32: the longest random delay torture injects at the step boundaries of a fault and of teardown, in
// spins; 0 = none (torture.ts, random_delay).
export const RANDOM_DELAY_SPINS: usize = PROTECTION_SCHEME + 16;
// u32: torture's migrating readers (srcu.ts): one SRCU read side in MIGRATE_ODDS unlocks on another CPU's
// counter, as a task that moved between lock and unlock does; 0 = never (every benchmark). Beside
// RANDOM_DELAY_SPINS: srcu_read_lock reads both at once.
export const MIGRATE_ODDS: usize = PROTECTION_SCHEME + 20;
// i64: ns the updater sleeps inside each grace period, standing for what the kernel's synchronize_rcu() costs
// beyond the model's wait for its readers (teardown.ts, charge_gp_cost); 0 = the model's own cost only.
export const GP_COST_NS: usize = PROTECTION_SCHEME + 24;
// rcutorture's rare long read-side delays (torture.ts, long_read_delay): one read side in *_ODDS (0 = never)
// is delayed *_NS, the long one asleep, the short one busy. The odds are adjacent: the fault reads both at once.
export const LONG_DELAY_ODDS: usize = PROTECTION_SCHEME + 32; // u32
export const SHORT_DELAY_ODDS: usize = PROTECTION_SCHEME + 36; // u32
export const LONG_DELAY_NS: usize = PROTECTION_SCHEME + 40; // i64
export const SHORT_DELAY_NS: usize = PROTECTION_SCHEME + 48; // i64
// SRCU domains, MAX_DEVICES of SRCU_DOMAIN_STRIDE bytes (each an srcu_struct): srcu_idx, read by every reader
// and flipped by the updater, then srcu_gp_mutex on a line of its own. Domain 0's are these addresses; domain
// d's lie d * SRCU_DOMAIN_STRIDE further. Every device uses domain 0 when they share one (the kernel's
// dax_srcu), device d domain d otherwise (devices.ts).
export const SRCU_IDX: usize = PROTECTION_SCHEME + CACHE_LINE; // i32
export const SRCU_GP_MUTEX_WORD: usize = SRCU_IDX + CACHE_LINE; // i32
export const SRCU_DOMAIN_STRIDE: usize = 2 * CACHE_LINE;
// Futex words, one line each: the mutex scheme's lock and the other updaters' grace-period lock.
export const MUTEX_WORD: usize = SRCU_IDX + <usize>MAX_DEVICES * SRCU_DOMAIN_STRIDE; // i32
export const GP_MUTEX_WORD: usize = MUTEX_WORD + CACHE_LINE; // i32
// A futex word nobody ever changes: waiting on it with a timeout is how a spinning updater sleeps.
export const SLEEP_WORD: usize = GP_MUTEX_WORD + CACHE_LINE; // i32, always 0
// The TLB model's geometry (tlb.ts): entries and ways of each array, u32 pairs, set by tlb_configure.
export const TLB_GEOMETRY: usize = SLEEP_WORD + CACHE_LINE;
// The rwlock scheme's word: reader count, plus a writer bit.
export const RWLOCK_WORD: usize = TLB_GEOMETRY + CACHE_LINE; // i32
// QSBR's grace-period counter (liburcu's rcu_gp.ctr), bumped by each synchronize.
export const QSBR_GP_CTR: usize = RWLOCK_WORD + CACHE_LINE; // i32
// The calibration's wake-up measurement (micro.ts, bench_futex_handover): the futex word two CPUs hand back
// and forth (it counts the hand-overs, so its parity says whose turn it is), when the last one was handed
// over, and the wake-ups timed so far with their summed latency.
export const HANDOVER_WORD: usize = QSBR_GP_CTR + CACHE_LINE; // i32
export const HANDOVER_STAMP: usize = HANDOVER_WORD + 8; // u64, clock_ns() just before the word moved
export const HANDOVER_WAKEUP_NS: usize = HANDOVER_WORD + 16; // u64, summed latency of the wake-ups timed

// The refcount scheme's count (refcount.ts): the device's base reference, plus one per fault in flight.
export const REFCOUNT_WORD: usize = HANDOVER_WORD + CACHE_LINE; // i32
// percpu-ref's shared state (percpu_ref.ts): its mode, read by every fault, and its atomic count, written only
// once the ref is dead (while it lives, faults count on their own CPU's line).
export const PERCPU_REF_MODE: usize = REFCOUNT_WORD + CACHE_LINE; // i32, PERCPU_REF_LIVE or PERCPU_REF_DEAD
export const PERCPU_REF_COUNT: usize = PERCPU_REF_MODE + 8; // i64, biased by PERCPU_COUNT_BIAS while live
// The seqlock scheme's sequence count (seqlock.ts): odd while a writer is inside.
export const SEQLOCK_SEQUENCE: usize = PERCPU_REF_MODE + CACHE_LINE; // i32

// Extents: res[i] = { start: u64, end: u64 (inclusive) }.
export const EXTENTS: usize = SEQLOCK_SEQUENCE + CACHE_LINE;
export const EXTENT_SIZE: usize = 16;

// Per-CPU reader lines, one per CPU, written by that CPU only: QSBR's per-reader counter (i32; 0 = offline),
// then a word only micro's compare-and-swap batch uses (u64), then percpu-ref's count of this CPU's gets less
// its puts (i64; percpu_ref_reinit zeroes every CPU's, once none can be in use). SRCU's counters have a region
// of their own (SRCU_COUNTERS), a set per domain.
export const PERCPU_READERS: usize = EXTENTS + <usize>MAX_EXTENTS * EXTENT_SIZE;
export const QSBR_CTR: usize = 0;
export const MICRO_CAS_WORD: usize = 8;
export const PERCPU_REF_CPU_COUNT: usize = 16;

// Per-CPU statistics, five lines per CPU of u64 counters: STAT_* (line one), SIGBUS_* reasons (line two),
// the Reader Pipe (line three, PIPE_LENGTH stages), workload counters (line four) and TLB_* (line five).
export const STATS: usize = PERCPU_READERS + <usize>MAX_CPUS * CACHE_LINE;
export const STATS_STRIDE: usize = 5 * CACHE_LINE;

export const CONTROL_END: usize = STATS + <usize>MAX_CPUS * STATS_STRIDE;

/** The TLB model's per-CPU arrays (tlb.ts), TLB_PER_CPU bytes each, between static data and the tables. */
export const TLB_BASE: usize = 4 << 20;
export const TLB_PER_CPU: usize = 32 << 10;
export const TLB_END: usize = TLB_BASE + <usize>MAX_CPUS * TLB_PER_CPU;

/** SRCU's per-CPU counters, after the TLB arrays: for each CPU, for each domain, lock_count[2] and
 *  unlock_count[2] (u64 each, SRCU_LOCK_COUNT and SRCU_UNLOCK_COUNT into the domain's set). A CPU's sets are
 *  adjacent (SRCU_COUNTERS_PER_CPU bytes, whole lines), so no line has two CPUs writing it. */
export const SRCU_COUNTERS: usize = TLB_END;
export const SRCU_LOCK_COUNT: usize = 0;
export const SRCU_UNLOCK_COUNT: usize = 16;
export const SRCU_COUNTER_SET: usize = 32;
export const SRCU_COUNTERS_PER_CPU: usize = <usize>MAX_DEVICES * SRCU_COUNTER_SET;
export const SRCU_COUNTERS_END: usize = SRCU_COUNTERS + <usize>MAX_CPUS * SRCU_COUNTERS_PER_CPU;

/** Page tables start after SRCU's counters, far above static data and the spec runner's heap; dax_mmap sizes
 *  them. */
export const TABLES_BASE: usize = SRCU_COUNTERS_END;
