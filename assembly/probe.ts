// Probes of the read sides' state, for tests that must tell which read side a benchmark loop took without
// timing it (test/loops.test.ts): CPU `cpu`'s SRCU counters and QSBR counter, read through the same layout the
// read sides write. Off every hot path: nothing here runs unless the host calls it.

import {
  SRCU_COUNTERS, SRCU_COUNTERS_PER_CPU, SRCU_LOCK_COUNT, SRCU_UNLOCK_COUNT, SRCU_COUNTER_SET, MAX_DEVICES, QSBR_CTR,
} from "./layout";
import { per_cpu_reader_line as reader_line } from "./percpu";

/** CPU `cpu`'s SRCU counts at `counter` (SRCU_LOCK_COUNT or SRCU_UNLOCK_COUNT), over both indices and every
 *  domain. */
function srcu_count(cpu: i32, counter: usize): u64 {
  let count: u64 = 0;
  for (let domain = 0; domain < MAX_DEVICES; domain++) {
    const set = SRCU_COUNTERS + <usize>cpu * SRCU_COUNTERS_PER_CPU + <usize>domain * SRCU_COUNTER_SET + counter;
    count += atomic.load<u64>(set) + atomic.load<u64>(set + 8);
  }
  return count;
}

/** srcu_read_lock() calls CPU `cpu` has made, over both indices and every domain. */
export function srcu_lock_count(cpu: i32): u64 {
  return srcu_count(cpu, SRCU_LOCK_COUNT);
}

/** srcu_read_unlock() calls CPU `cpu` has made, over both indices and every domain. */
export function srcu_unlock_count(cpu: i32): u64 {
  return srcu_count(cpu, SRCU_UNLOCK_COUNT);
}

/** CPU `cpu`'s QSBR counter: 0 while it is offline, the grace-period counter it saw (odd) while online. */
export function qsbr_reader_ctr(cpu: i32): i32 {
  return atomic.load<i32>(reader_line(cpu) + QSBR_CTR);
}

/** Sets CPU `cpu`'s QSBR counter: a mark that only a batch under QSBR overwrites (with 0, as it goes offline).
 *  Only while no worker runs. */
export function set_qsbr_reader_ctr(cpu: i32, value: i32): void {
  atomic.store<i32>(reader_line(cpu) + QSBR_CTR, value);
}
