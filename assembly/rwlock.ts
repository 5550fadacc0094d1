// A futex reader-writer lock, the rwlock scheme: readers count themselves in one shared word (so every read
// side bounces its cache line between CPUs, as pthread_rwlock's does); a writer sets the writer bit, which
// stops new readers, and sleeps until the count drains. Writers serialise themselves on the grace-period
// mutex (GP_MUTEX_WORD), so a second writer waits there until the first has dropped the writer bit.

import { futex_mutex_lock, futex_mutex_unlock } from "./futex";
import { GP_MUTEX_WORD } from "./layout";

/** The writer bit of the rwlock word: set, it turns new readers away. */
export const RW_WRITER: i32 = 1 << 30;

export function rwlock_read_lock(word: usize): void {
  for (;;) {
    const v = atomic.load<i32>(word);
    if ((v & RW_WRITER) == 0) {
      if (atomic.cmpxchg<i32>(word, v, v + 1) == v) return;
    } else {
      memory.atomic.wait32(word, v); // a writer holds the lock or waits for it: sleep until the word changes
    }
  }
}

export function rwlock_read_unlock(word: usize): void {
  // The last reader out while a writer waits wakes it (and any reader asleep behind it, which sleeps again).
  if (atomic.sub<i32>(word, 1) - 1 == RW_WRITER) atomic.notify(word);
}

/** Takes the lock for writing and drops it: every reader that held it has left, later ones see the update. */
export function rwlock_synchronize(word: usize): void {
  futex_mutex_lock(GP_MUTEX_WORD); // one writer at a time
  atomic.or<i32>(word, RW_WRITER);
  for (let v = atomic.load<i32>(word); v != RW_WRITER; v = atomic.load<i32>(word)) {
    memory.atomic.wait32(word, v);
  }
  atomic.and<i32>(word, ~RW_WRITER);
  atomic.notify(word);
  futex_mutex_unlock(GP_MUTEX_WORD);
}
