// Probes of the read sides' state, for tests that must tell which read side a benchmark loop took without
// timing it (test/loops.test.ts): CPU `cpu`'s SRCU counters and QSBR counter, read through the same layout the
// read sides write. Off every hot path: nothing here runs unless the host calls it.

import { SRCU_LOCK_COUNT, SRCU_UNLOCK_COUNT, QSBR_CTR } from "./layout";
import { per_cpu_reader_line as reader_line } from "./percpu";

/** srcu_read_lock() calls CPU `cpu` has made, over both indices. */
export function srcu_lock_count(cpu: i32): u64 {
  const line = reader_line(cpu);
  return atomic.load<u64>(line + SRCU_LOCK_COUNT) + atomic.load<u64>(line + SRCU_LOCK_COUNT + 8);
}

/** srcu_read_unlock() calls CPU `cpu` has made, over both indices. */
export function srcu_unlock_count(cpu: i32): u64 {
  const line = reader_line(cpu);
  return atomic.load<u64>(line + SRCU_UNLOCK_COUNT) + atomic.load<u64>(line + SRCU_UNLOCK_COUNT + 8);
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
