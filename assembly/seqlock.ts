// A sequence count, the seqlock scheme, after include/linux/seqlock.h as refscale's seqlock reader uses it:
// a reader samples the sequence (waiting while a writer is inside, an odd count), reads, and re-checks the
// sequence, running its read side again if a writer came by. The writer never waits for readers. That is
// why it cannot guard alive: a fault's install is a side effect that a retry cannot take back, so a fault
// that saw alive before teardown can install after the zap and only then learn, at its re-check, that it
// must retry. Torture must catch it; it is measured for what its free read side costs.

import { SEQLOCK_SEQUENCE, GP_MUTEX_WORD } from "./layout";
import { futex_mutex_lock, futex_mutex_unlock } from "./futex";

/** read_seqbegin(): the sequence, once no writer is inside. */
@inline export function read_seqbegin(): i32 {
  let sequence = atomic.load<i32>(SEQLOCK_SEQUENCE);
  while ((sequence & 1) != 0) sequence = atomic.load<i32>(SEQLOCK_SEQUENCE);
  return sequence;
}

/** read_seqretry(): true when a writer came by since read_seqbegin() returned `sequence`. */
@inline export function read_seqretry(sequence: i32): bool {
  return atomic.load<i32>(SEQLOCK_SEQUENCE) != sequence;
}

/** write_seqlock() and write_sequnlock() around the update that precedes it (teardown has stored alive =
 *  false): readers inside now will retry. Writers serialise on the grace-period mutex, as on the seqlock's
 *  spinlock. */
export function write_seqcount_bump(): void {
  futex_mutex_lock(GP_MUTEX_WORD);
  atomic.add<i32>(SEQLOCK_SEQUENCE, 1);
  atomic.add<i32>(SEQLOCK_SEQUENCE, 1);
  futex_mutex_unlock(GP_MUTEX_WORD);
}
