// A futex mutex on memory.atomic.wait32/notify, after Drepper's "Futexes Are Tricky" (mutex2):
// 0 = unlocked, 1 = locked, 2 = locked and someone may be sleeping.

import { SLEEP_WORD } from "./layout";

/** Spins this many times on a held lock before sleeping: the kernel's mutex spins while the owner runs too. */
const SPIN_BEFORE_SLEEP: i32 = 100;

export function futex_mutex_lock(word: usize): void {
  let c = atomic.cmpxchg<i32>(word, 0, 1);
  if (c == 0) return;
  for (let spin = 0; spin < SPIN_BEFORE_SLEEP; spin++) {
    if (atomic.load<i32>(word) == 0) {
      c = atomic.cmpxchg<i32>(word, 0, 1);
      if (c == 0) return;
    }
  }
  if (c != 2) c = atomic.xchg<i32>(word, 2);
  while (c != 0) {
    // Loop around the wait: a wake-up is a hint, not a hand-over.
    memory.atomic.wait32(word, 2);
    c = atomic.xchg<i32>(word, 2);
  }
}

export function futex_mutex_unlock(word: usize): void {
  if (atomic.sub<i32>(word, 1) != 1) {
    atomic.store<i32>(word, 0);
    atomic.notify(word, 1);
  }
}

/** Sleeps about `ns` nanoseconds (at least the OS timer's granularity) without burning the CPU. */
export function futex_sleep(ns: i64): void {
  memory.atomic.wait32(SLEEP_WORD, 0, ns);
}
