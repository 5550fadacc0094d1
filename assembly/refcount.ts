// A reference count with inc_not_zero, the refcount scheme (the kernel's refcount_inc_not_zero() and kref's
// kref_get_unless_zero()): the device holds a base reference while it lives; a fault takes one more unless
// the count is zero, and puts it after; teardown drops the base reference and sleeps until the count drains
// to zero. Every fault writes the one shared word twice, so its cache line moves between CPUs, as an
// rwlock's does.

import { REFCOUNT_WORD } from "./layout";

/** refcount_inc_not_zero(): false once teardown has dropped the base reference and the last fault is out. */
@inline export function refcount_tryget(): bool {
  let count = atomic.load<i32>(REFCOUNT_WORD);
  while (count != 0) {
    const seen = atomic.cmpxchg<i32>(REFCOUNT_WORD, count, count + 1);
    if (seen == count) return true;
    count = seen; // another fault moved it: try again from what it is now
  }
  return false;
}

/** refcount_dec_and_test(), and the release it calls: the last reference out wakes the teardown. */
@inline export function refcount_put(): void {
  if (atomic.sub<i32>(REFCOUNT_WORD, 1) == 1) atomic.notify(REFCOUNT_WORD);
}

/** Teardown: put the base reference, then wait for the faults in flight to put theirs (the kernel's
 *  wait_for_completion() on the release). A fault that starts afterwards finds zero and is refused. */
export function refcount_kill_and_wait(): void {
  atomic.sub<i32>(REFCOUNT_WORD, 1);
  for (let count = atomic.load<i32>(REFCOUNT_WORD); count > 0; count = atomic.load<i32>(REFCOUNT_WORD)) {
    memory.atomic.wait32(REFCOUNT_WORD, count); // returns at once if a put moved the count meanwhile
  }
}

/** The device lives again: its base reference, and nothing else (teardown waited for zero). */
export function refcount_reinit(): void {
  atomic.store<i32>(REFCOUNT_WORD, 1);
}
