// The protection of dev->alive behind one API, as liburcu puts its flavors behind one:
//   token = read_lock(); ...read side...; read_unlock(token);   and, on the update side, synchronize().
// The scheme is chosen in one place, set_protection(), before workers start.

import { PROTECTION_SCHEME, MUTEX_WORD } from "./layout";
import { EINVAL } from "./kernel";
import { srcu_read_lock, srcu_read_unlock, synchronize_srcu } from "./srcu";
import { futex_mutex_lock, futex_mutex_unlock } from "./futex";

/** Teardown does not wait for readers: the unsafe baseline that torture must catch. */
export const SCHEME_NONE: i32 = 0;
/** SRCU's per-CPU counters (srcu.ts); later Linux dax_read_lock() is srcu_read_lock(). */
export const SCHEME_RCU: i32 = 1;
/** A futex mutex held around every fault; synchronize() takes and drops it. */
export const SCHEME_MUTEX: i32 = 2;
/** Broken on purpose, for torture: SRCU whose grace period skips its second scan, so it is too short. */
export const SCHEME_RCU_SKIP_SCAN2: i32 = 3;
const SCHEME_COUNT: i32 = 4;

@inline function uses_srcu(scheme: i32): bool {
  return scheme == SCHEME_RCU || scheme == SCHEME_RCU_SKIP_SCAN2;
}

/** Returns 0, or -EINVAL for an unknown scheme. */
export function set_protection(scheme: i32): i32 {
  if (scheme < 0 || scheme >= SCHEME_COUNT) return -EINVAL;
  store<i32>(PROTECTION_SCHEME, scheme);
  return 0;
}

@inline export function read_lock(): i32 {
  const scheme = load<i32>(PROTECTION_SCHEME);
  if (uses_srcu(scheme)) return srcu_read_lock();
  if (scheme == SCHEME_MUTEX) futex_mutex_lock(MUTEX_WORD);
  return 0;
}

@inline export function read_unlock(token: i32): void {
  const scheme = load<i32>(PROTECTION_SCHEME);
  if (uses_srcu(scheme)) srcu_read_unlock(token);
  else if (scheme == SCHEME_MUTEX) futex_mutex_unlock(MUTEX_WORD);
}

/** Returns once every read side that could have missed the updater's earlier stores has ended. With the
 *  mutex, taking and dropping the lock after `alive = false` is equivalent to holding it around the store:
 *  a reader either finished before we got the lock or takes it after the store, and then sees it. */
export function synchronize(): void {
  const scheme = load<i32>(PROTECTION_SCHEME);
  if (uses_srcu(scheme)) synchronize_srcu(scheme == SCHEME_RCU);
  else if (scheme == SCHEME_MUTEX) {
    futex_mutex_lock(MUTEX_WORD);
    futex_mutex_unlock(MUTEX_WORD);
  }
}
