// The protection of dev->alive behind one API, as liburcu puts its flavors behind one:
//   token = read_lock(scheme); ...read side...; retry = read_unlock(scheme, token);   and, on the update side,
//   synchronize(). A reference count's read_lock can refuse (READ_LOCK_REFUSED: the device is dead, and
//   nothing is to be unlocked); a seqlock's read_unlock can ask for the read side again.
// The scheme is chosen in one place, set_protection(), before workers start. The read side is generic over a
// marker type naming the read side it is compiled for: a batch reads the scheme once and runs the loop
// instantiated for its read side (batch.ts), so no operation pays a dispatch, as liburcu picks its flavour at
// compile time. (A constant scheme argument was not enough: binaryen folded the per-scheme loops back into
// one that tested the scheme on every operation. Instantiations of a generic are distinct code.)

import { PROTECTION_SCHEME, MUTEX_WORD, RWLOCK_WORD } from "./layout";
import { EINVAL } from "./kernel";
import { srcu_read_lock, srcu_read_unlock, synchronize_srcu } from "./srcu";
import { futex_mutex_lock, futex_mutex_unlock } from "./futex";
import { rwlock_read_lock, rwlock_read_unlock, rwlock_synchronize } from "./rwlock";
import { qsbr_online, qsbr_offline, synchronize_qsbr } from "./qsbr";
import { rcu_pointer_init, rcu_pointer_publish, rcu_pointer_free } from "./rcu_pointer";
import { refcount_tryget, refcount_put, refcount_kill_and_wait, refcount_reinit } from "./refcount";
import { percpu_ref_tryget_live, percpu_ref_put, percpu_ref_kill_and_wait, percpu_ref_reinit } from "./percpu_ref";
import { read_seqbegin, read_seqretry, write_seqcount_bump } from "./seqlock";
import { dax_split_devices, dax_select_device } from "./devices";

/** Teardown does not wait for readers: the unsafe baseline that torture must catch. */
export const SCHEME_NONE: i32 = 0;
/** SRCU's per-CPU counters (srcu.ts); later Linux dax_read_lock() is srcu_read_lock(). */
export const SCHEME_RCU: i32 = 1;
/** A futex mutex held around every fault; synchronize() takes and drops it. */
export const SCHEME_MUTEX: i32 = 2;
/** Broken on purpose, for torture: SRCU whose grace period skips its second scan, so it is too short. */
export const SCHEME_RCU_SKIP_SCAN2: i32 = 3;
/** A futex reader-writer lock around every fault (rwlock.ts); synchronize() takes it for writing. */
export const SCHEME_RWLOCK: i32 = 4;
/** liburcu's QSBR (qsbr.ts): a free read side; readers are online only inside a batch. */
export const SCHEME_QSBR: i32 = 5;
/** SRCU guarding a pointer to the device state instead of the flag (rcu_pointer.ts): updates publish a copy,
 *  wait for a grace period, then free the old one. */
export const SCHEME_RCU_POINTER: i32 = 6;
/** Broken on purpose, for torture: rcu-pointer that frees the old copy before its grace period. */
export const SCHEME_RCU_POINTER_FREE_EARLY: i32 = 7;
/** Broken on purpose, for torture: SRCU, but a fault checks alive (and takes the generation it vouches for)
 *  before entering the read side: the classic bug the review thread is about. */
export const SCHEME_RCU_CHECK_OUTSIDE: i32 = 8;
/** Broken on purpose, for torture: SRCU, but teardown zaps the mappings before the grace period. */
export const SCHEME_RCU_ZAP_EARLY: i32 = 9;
/** A reference count with inc_not_zero (refcount.ts): a fault takes a reference unless the count is zero;
 *  teardown drops the base reference and waits for zero. */
export const SCHEME_REFCOUNT: i32 = 10;
/** A per-CPU reference count (percpu_ref.ts), as mm/memremap.c guards a device's pages: kill switches it to
 *  the shared count after an RCU-sched grace period and waits for it to drain. */
export const SCHEME_PERCPU_REF: i32 = 11;
/** A seqlock reader (seqlock.ts): sample, read, re-check and retry. The writer never waits for readers, so it
 *  cannot guard alive, and torture must catch it. */
export const SCHEME_SEQLOCK: i32 = 12;
const SCHEME_COUNT: i32 = 13;

/** What read_lock returns when the scheme refused the read side: a reference count that is zero, a
 *  percpu-ref killed. The caller must not unlock, and treats the device as dead. */
export const READ_LOCK_REFUSED: i32 = -1;

/** The scheme set_protection() chose: read once per batch. */
@inline export function current_scheme(): i32 {
  return load<i32>(PROTECTION_SCHEME);
}

@inline function uses_srcu(scheme: i32): bool {
  return scheme == SCHEME_RCU || scheme == SCHEME_RCU_SKIP_SCAN2 || scheme == SCHEME_RCU_CHECK_OUTSIDE ||
    scheme == SCHEME_RCU_ZAP_EARLY || uses_device_pointer(scheme);
}

/** rcu-pointer and its free-early variant reach the device state through a pointer that may have been
 *  freed: only they need the check for a freed state on the fault path. */
@inline export function uses_device_pointer(scheme: i32): bool {
  return scheme == SCHEME_RCU_POINTER || scheme == SCHEME_RCU_POINTER_FREE_EARLY;
}

/** rcu-zap-early: teardown zaps before its grace period (teardown.ts). */
export function teardown_zaps_early(): bool {
  return load<i32>(PROTECTION_SCHEME) == SCHEME_RCU_ZAP_EARLY;
}

/** Returns 0, or -EINVAL for an unknown scheme. Call it after the device is enabled. */
export function set_protection(scheme: i32): i32 {
  if (scheme < 0 || scheme >= SCHEME_COUNT) return -EINVAL;
  store<i32>(PROTECTION_SCHEME, scheme);
  if (uses_device_pointer(scheme)) rcu_pointer_init();
  rearm(scheme);
  return 0;
}

/** Splits the mapped vma among `count` devices with one SRCU domain for all or one each (devices.ts), and
 *  gives each device under rcu-pointer its own published copy. Returns 0, or -EINVAL where the vma does not
 *  split. Call it after set_protection() and dax_mmap(), while no worker runs. */
export function set_devices(count: i32, srcu_per_device: bool): i32 {
  const err = dax_split_devices(count, srcu_per_device);
  if (err != 0) return err;
  if (uses_device_pointer(current_scheme())) {
    for (let dev = 1; dev < count; dev++) {
      dax_select_device(dev);
      rcu_pointer_init();
    }
    dax_select_device(0);
  }
  return 0;
}

/** The reference counts get their device's initial reference again, when the scheme is set and when the
 *  device is revived after a kill (which left them at zero). */
function rearm(scheme: i32): void {
  if (scheme == SCHEME_REFCOUNT) refcount_reinit();
  else if (scheme == SCHEME_PERCPU_REF) percpu_ref_reinit();
}

/** Before the device lives again (revive_dax): the reference counts' initial reference. */
export function protection_revive(): void {
  rearm(load<i32>(PROTECTION_SCHEME));
}

/** "Exchange the entire structure": under rcu-pointer, publishes a copy of the device state with `alive`,
 *  waits for a grace period and frees the old copy (the free-early variant frees it before waiting), and
 *  returns true. The flag schemes read the state in place and have nothing to exchange: false. */
export function exchange_device_state(alive: i32): bool {
  const scheme = load<i32>(PROTECTION_SCHEME);
  if (!uses_device_pointer(scheme)) return false;
  const retired = rcu_pointer_publish(alive);
  if (scheme == SCHEME_RCU_POINTER_FREE_EARLY) rcu_pointer_free(retired);
  synchronize();
  if (scheme == SCHEME_RCU_POINTER) rcu_pointer_free(retired);
  return true;
}

// ---- The read side, compiled per scheme ----

/** none: no read side at all. */
export class NoReadSide {}
/** SRCU's counters: rcu, and the SRCU variants broken on the update side or behind a pointer. */
export class SrcuReadSide {}
/** rcu-check-outside: SRCU's read side, but the fault path checks alive before entering it. */
export class SrcuCheckedOutside {}
export class MutexReadSide {}
export class RwlockReadSide {}
/** qsbr: nothing per operation; online and offline around each batch. */
export class QsbrReadSide {}
export class RefcountReadSide {}
/** percpu-ref: a count on this CPU per fault, inside QSBR's online batch (RCU-sched's read side). */
export class PercpuRefReadSide {}
export class SeqlockReadSide {}
/** The scheme set now, read at run time: for callers off the hot path (mmap, the specs). */
export class SchemeSetNow {}

@inline function is<S, T>(): bool {
  return idof<S>() == idof<T>();
}

/** The code of the scheme whose read side `scheme` runs (SCHEME_RCU for the SRCU variants that share it):
 *  what a batch dispatches on to pick its loop. */
@inline export function read_side_of(scheme: i32): i32 {
  return uses_srcu(scheme) && scheme != SCHEME_RCU_CHECK_OUTSIDE ? SCHEME_RCU : scheme;
}

/** Enters the read side: a token for read_unlock, or READ_LOCK_REFUSED (only where may_refuse<S>()). */
@inline export function read_lock<S>(): i32 {
  if (is<S, SchemeSetNow>()) return read_lock_now();
  if (is<S, SrcuReadSide>() || is<S, SrcuCheckedOutside>()) return srcu_read_lock();
  if (is<S, MutexReadSide>()) futex_mutex_lock(MUTEX_WORD);
  else if (is<S, RwlockReadSide>()) rwlock_read_lock(RWLOCK_WORD);
  else if (is<S, RefcountReadSide>()) return refcount_tryget() ? 0 : READ_LOCK_REFUSED;
  else if (is<S, PercpuRefReadSide>()) return percpu_ref_tryget_live() ? 0 : READ_LOCK_REFUSED;
  else if (is<S, SeqlockReadSide>()) return read_seqbegin();
  return 0;
}

/** Leaves the read side `token` entered; true when it must be run again (a seqlock's writer came by). */
@inline export function read_unlock<S>(token: i32): bool {
  if (is<S, SchemeSetNow>()) return read_unlock_now(token);
  if (is<S, SrcuReadSide>() || is<S, SrcuCheckedOutside>()) srcu_read_unlock(token);
  else if (is<S, MutexReadSide>()) futex_mutex_unlock(MUTEX_WORD);
  else if (is<S, RwlockReadSide>()) rwlock_read_unlock(RWLOCK_WORD);
  else if (is<S, RefcountReadSide>()) refcount_put();
  else if (is<S, PercpuRefReadSide>()) percpu_ref_put();
  else if (is<S, SeqlockReadSide>()) return read_seqretry(token);
  return false;
}

/** Whether read_lock<S> can refuse: false folds the caller's test away for every other read side. */
@inline export function may_refuse<S>(): bool {
  return is<S, RefcountReadSide>() || is<S, PercpuRefReadSide>() || is<S, SchemeSetNow>();
}

/** Whether read_lock<S> was refused: the device is dead, and there is nothing to unlock. */
@inline export function read_lock_refused<S>(token: i32): bool {
  return may_refuse<S>() && token == READ_LOCK_REFUSED;
}

/** Whether S's read side runs inside QSBR's online batches: qsbr's, and percpu-ref's RCU-sched. (Off the
 *  hot path, dax_mmap takes a percpu-ref outside any batch: it never runs beside a kill.) */
@inline function online_in_batches<S>(): bool {
  if (is<S, SchemeSetNow>()) return current_scheme() == SCHEME_QSBR || current_scheme() == SCHEME_PERCPU_REF;
  return is<S, QsbrReadSide>() || is<S, PercpuRefReadSide>();
}

/** A batch of read sides begins: under QSBR this reader comes online. Other schemes need nothing. */
@inline export function batch_begin<S>(): void {
  if (online_in_batches<S>()) qsbr_online();
}

/** A batch ends: under QSBR this reader goes offline, its quiescent state between batches. */
@inline export function batch_end<S>(): void {
  if (online_in_batches<S>()) qsbr_offline();
}

/** rcu-check-outside: the fault path checks alive before read_lock() (fault.ts). */
@inline export function checks_outside_read_side<S>(): bool {
  return is<S, SrcuCheckedOutside>() || (is<S, SchemeSetNow>() && current_scheme() == SCHEME_RCU_CHECK_OUTSIDE);
}

/** The one dispatch from the scheme set now to the read side it runs (read_side_of): `Op` is an operation
 *  compiled once per read side, a class without fields whose `run<S>(a, b)` is its code for the read side S
 *  (the batches' loops in batch.ts, read_lock_now and read_unlock_now below). AssemblyScript reaches a type
 *  parameter's members only through a value of that type, so `run` is called on a null reference it never
 *  reads: the call is inlined, and no object exists. */
@inline export function with_read_side<Op>(a: u64, b: u64): u64 {
  const op = changetype<Op>(0);
  const side = read_side_of(current_scheme());
  if (side == SCHEME_RCU) return op.run<SrcuReadSide>(a, b);
  if (side == SCHEME_QSBR) return op.run<QsbrReadSide>(a, b);
  if (side == SCHEME_MUTEX) return op.run<MutexReadSide>(a, b);
  if (side == SCHEME_RWLOCK) return op.run<RwlockReadSide>(a, b);
  if (side == SCHEME_RCU_CHECK_OUTSIDE) return op.run<SrcuCheckedOutside>(a, b);
  if (side == SCHEME_REFCOUNT) return op.run<RefcountReadSide>(a, b);
  if (side == SCHEME_PERCPU_REF) return op.run<PercpuRefReadSide>(a, b);
  if (side == SCHEME_SEQLOCK) return op.run<SeqlockReadSide>(a, b);
  return op.run<NoReadSide>(a, b);
}

@final @unmanaged class ReadLock {
  @inline run<S>(_a: u64, _b: u64): u64 {
    return <u64>read_lock<S>();
  }
}

@final @unmanaged class ReadUnlock {
  @inline run<S>(token: u64, _b: u64): u64 {
    return read_unlock<S>(<i32>token) ? 1 : 0;
  }
}

function read_lock_now(): i32 {
  return <i32>with_read_side<ReadLock>(0, 0);
}

function read_unlock_now(token: i32): bool {
  return with_read_side<ReadUnlock>(<u64>token, 0) != 0;
}

/** Returns once every read side that could have missed the updater's earlier stores has ended. With the
 *  mutex, taking and dropping the lock after `alive = false` is equivalent to holding it around the store:
 *  a reader either finished before we got the lock or takes it after the store, and then sees it. The
 *  reference counts drop the device's initial reference and wait for the count to drain: every later read
 *  side is refused until protection_revive(). The seqlock waits for nothing. */
export function synchronize(): void {
  const scheme = load<i32>(PROTECTION_SCHEME);
  if (uses_srcu(scheme)) synchronize_srcu(scheme != SCHEME_RCU_SKIP_SCAN2);
  else if (scheme == SCHEME_MUTEX) {
    futex_mutex_lock(MUTEX_WORD);
    futex_mutex_unlock(MUTEX_WORD);
  } else if (scheme == SCHEME_RWLOCK) rwlock_synchronize(RWLOCK_WORD);
  else if (scheme == SCHEME_QSBR) synchronize_qsbr();
  else if (scheme == SCHEME_REFCOUNT) refcount_kill_and_wait();
  else if (scheme == SCHEME_PERCPU_REF) percpu_ref_kill_and_wait();
  else if (scheme == SCHEME_SEQLOCK) write_seqcount_bump();
}
