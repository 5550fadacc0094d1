// SRCU's per-CPU counters, after kernel/rcu/srcutree.c (__srcu_read_lock, __srcu_read_unlock,
// srcu_readers_active_idx_check, srcu_flip). One worker is one CPU, so each counter has a single writer, but
// under torture's migrating readers: a task may move to another CPU between lock and unlock, and its unlock
// then counts on that CPU's line (the sums over every CPU still balance, which is all SRCU asks).
// Each srcu_struct is a domain (devices.ts): a read side and a grace period use the domain of the device the
// CPU works on, its srcu_idx, its srcu_gp_mutex and its set of every CPU's counters.
//
// Every wasm atomic is sequentially consistent, and V8 emits a seq-cst store as xchg (a full barrier): the
// store that bumps a counter is also the smp_mb() the kernel places beside it.

import {
  SRCU_IDX, SRCU_GP_MUTEX_WORD, SRCU_LOCK_COUNT, SRCU_UNLOCK_COUNT, MIGRATE_ODDS, RANDOM_DELAY_SPINS,
} from "./layout";
import {
  nr_cpu_ids, this_cpu_random, this_cpu_inc_migrations, smp_processor_id, this_cpu_srcu_counters,
  per_cpu_srcu_counters,
} from "./percpu";
import { srcu_field } from "./devices";
import { futex_mutex_lock, futex_mutex_unlock, futex_sleep } from "./futex";
import { random_delay } from "./torture";

/** try_check_zero() retries in quick succession before it sleeps: read sides are short. */
const SCANS_BEFORE_SLEEP: i32 = 64;
const SLEEP_BETWEEN_SCANS_NS: i64 = 5000; // SRCU_RETRY_CHECK_DELAY is 5 us

@inline function this_cpu_counter_inc(counter: usize): void {
  atomic.store<u64>(counter, load<u64>(counter) + 1);
}

// The token srcu_read_lock() returns is the index, in bit 0; under torture's migrating readers it also says
// where the unlock lands (from bit TOKEN_CPU_SHIFT) and that it is an atomic add (TOKEN_MIGRATING).
const TOKEN_MIGRATING: i32 = 2;
const TOKEN_CPU_SHIFT: i32 = 8;

@inline export function srcu_read_lock(): i32 {
  const idx = atomic.load<i32>(srcu_field(SRCU_IDX)) & 1;
  // Torture's settings, both in one load (RANDOM_DELAY_SPINS and MIGRATE_ODDS are adjacent): a benchmark's
  // read side pays this load and one branch, never taken.
  const token = load<u64>(RANDOM_DELAY_SPINS) != 0 ? srcu_read_lock_torture(idx) : idx;
  // this_cpu_inc(lock_count[idx]); smp_mb() /* B */: the critical section cannot leak above this.
  this_cpu_counter_inc(this_cpu_srcu_counters() + SRCU_LOCK_COUNT + (<usize>idx << 3));
  return token;
}

/** Torture's part of a read lock: a reader delayed between READ_ONCE(srcu_idx) and its increment, the window
 *  SCAN1 closes; and, with migrating readers, where the task will be when it unlocks. One time in
 *  MIGRATE_ODDS that is another CPU, drawn from every attached CPU (the updater's too: a task runs where the
 *  scheduler puts it). An unlock counter then has two writers, the CPU's own read sides and the tasks that moved
 *  in, so every unlock is an atomic add while migrations are on (the kernel's this_cpu_inc is one instruction on
 *  the CPU the task runs on). */
function srcu_read_lock_torture(idx: i32): i32 {
  random_delay();
  const odds = load<u32>(MIGRATE_ODDS);
  if (odds == 0) return idx;
  let cpu = smp_processor_id();
  if (this_cpu_random() % <u64>odds == 0) {
    cpu = <i32>(this_cpu_random() % <u64>nr_cpu_ids());
    this_cpu_inc_migrations();
  }
  return idx | TOKEN_MIGRATING | (cpu << TOKEN_CPU_SHIFT);
}

@inline export function srcu_read_unlock(token: i32): void {
  // smp_mb() /* C */; this_cpu_inc(unlock_count[idx]): nor below this.
  if (token < TOKEN_MIGRATING) {
    this_cpu_counter_inc(this_cpu_srcu_counters() + SRCU_UNLOCK_COUNT + (<usize>token << 3));
  } else {
    const counters = per_cpu_srcu_counters(token >> TOKEN_CPU_SHIFT);
    atomic.add<u64>(counters + SRCU_UNLOCK_COUNT + (<usize>(token & 1) << 3), 1);
  }
}

function srcu_readers_sum(counter: usize): u64 {
  let sum: u64 = 0;
  // for_each_possible_cpu(), as srcu_readers_lock_idx() sums: a CPU beyond nr_cpu_ids has never read.
  for (let cpu = 0, cpus = nr_cpu_ids(); cpu < cpus; cpu++) {
    sum += atomic.load<u64>(per_cpu_srcu_counters(cpu) + counter);
  }
  return sum;
}

/** srcu_readers_active_idx_check(): unlocks are summed before locks, so a reader that locks and unlocks
 *  during the scan can make the sums differ (retry) but never makes them falsely equal. */
function srcu_readers_active_idx_check(idx: i32): bool {
  const unlocks = srcu_readers_sum(SRCU_UNLOCK_COUNT + (<usize>idx << 3));
  atomic.fence(); // smp_mb() /* A */
  return srcu_readers_sum(SRCU_LOCK_COUNT + (<usize>idx << 3)) == unlocks;
}

function srcu_wait_for_readers(idx: i32): void {
  let scans = 0;
  while (!srcu_readers_active_idx_check(idx)) {
    if (++scans >= SCANS_BEFORE_SLEEP) futex_sleep(SLEEP_BETWEEN_SCANS_NS);
  }
}

function srcu_flip(): void {
  atomic.fence(); // smp_mb() /* D */
  atomic.add<i32>(srcu_field(SRCU_IDX), 1);
  atomic.fence(); // smp_mb() /* E */
}

/** synchronize_srcu() on this CPU's domain: wait out readers still on the inactive slot, flip, then wait out the
 *  old slot.
 *  With scan2 false the last wait is skipped: a grace period too short on purpose, for torture to catch. */
export function synchronize_srcu(scan2: bool): void {
  const gp_mutex = srcu_field(SRCU_GP_MUTEX_WORD);
  futex_mutex_lock(gp_mutex); // srcu_gp_mutex: one grace period at a time in a domain
  const idx = atomic.load<i32>(srcu_field(SRCU_IDX));
  // SRCU_STATE_SCAN1 (srcu_advance_state): a reader that loaded this index before the last flip may have
  // incremented it after that flip's scan; it must be waited for before the index becomes current again.
  srcu_wait_for_readers(1 ^ (idx & 1)); // SRCU_STATE_SCAN1
  srcu_flip();
  if (scan2) srcu_wait_for_readers(idx & 1); // SRCU_STATE_SCAN2
  futex_mutex_unlock(gp_mutex);
}
