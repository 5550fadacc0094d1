// Instrumentation of the fault path and of teardown for torture, in the manner of rcutorture: a read-side
// delay between check_vma() and the install; random delays at every step boundary, which open the narrow
// windows an ordering bug needs (rcutorture's stutter); rcutorture's rcu_read_delay(), rare read sides that
// last hundreds of microseconds or milliseconds; and the Reader Pipe, which files
// every install under the stage its generation had reached when the install landed:
//   0  the generation was alive
//   1  its kill had begun (alive = false) but synchronize() had not returned
//   2+ synchronize() had returned (2 + how many generations later): a violation of the guarantee

import {
  DEV_KILL_BEGUN_GENERATION, DEV_SYNCED_GENERATION, READ_DELAY_SPINS, INVARIANT_CHECK, SLEEP_WORD, RANDOM_DELAY_SPINS,
  LONG_DELAY_ODDS, SHORT_DELAY_ODDS, LONG_DELAY_NS, SHORT_DELAY_NS, MIGRATE_ODDS,
} from "./layout";
import { clock_ns, spin_until } from "./clock";
import { dev_field } from "./devices";
import { futex_sleep } from "./futex";
import {
  this_cpu_inc_pipe, this_cpu_random, this_cpu_inc_long_delays, this_cpu_inc_short_delays, PIPE_LENGTH,
} from "./percpu";

/** The longest random delay at a step boundary, in spins; 0 turns them off (every benchmark). */
export function set_random_delay(max_spins: i32): void {
  store<i32>(RANDOM_DELAY_SPINS, max_spins);
}

/** At a step boundary, or inside a primitive (SRCU's read lock, the install, QSBR's quiescent states): one
 *  time in 64, spin for a random time up to the maximum, drawn from this CPU's seeded generator (so a run's
 *  delays are the seed's). Outside torture the maximum is 0 and this is one load and one branch, never taken:
 *  the benchmarks' hot paths (srcu_read_lock among them) pay nothing else. */
@inline export function random_delay(): void {
  const most = load<i32>(RANDOM_DELAY_SPINS);
  if (most > 0) random_delay_draw(<u64>most);
}

function random_delay_draw(most: u64): void {
  if ((this_cpu_random() & 63) == 0) spin(<i32>min(this_cpu_random() % most, <u64>i32.MAX_VALUE));
}

/** How much longer a delay around a QSBR quiescent state may be than one at a step boundary. */
const QUIESCENT_DELAY_FACTOR: u64 = 64;

/** Around a quiescent state (qsbr.ts): like random_delay(), but up to QUIESCENT_DELAY_FACTOR times as long. A
 *  reader announces one per batch, so these cost little; and a grace period that sleeps between its scans
 *  (for at least the OS timer's slack, tens of microseconds) can end inside one only if it is that long. */
@inline export function random_delay_quiescent(): void {
  const most = load<i32>(RANDOM_DELAY_SPINS);
  if (most > 0) random_delay_draw(<u64>most * QUIESCENT_DELAY_FACTOR);
}

/** How long every fault's read side lasts beyond its own work, in spins of spin() (the host calibrates). */
export function set_read_delay(spins: i32): void {
  store<i32>(READ_DELAY_SPINS, spins);
}

/** Whether each install files itself in the Reader Pipe. */
export function set_invariant_check(enabled: bool): void {
  store<i32>(INVARIANT_CHECK, enabled ? 1 : 0);
}

/** Busy-waits `spins` iterations; each is an atomic load, so the loop cannot be optimised away. */
export function spin(spins: i32): void {
  for (let i = 0; i < spins; i++) atomic.load<i32>(SLEEP_WORD);
}

@inline export function read_delay(): void {
  const spins = load<i32>(READ_DELAY_SPINS);
  if (spins > 0) spin(spins);
  // Both odds in one load (adjacent words): the benchmarks' faults pay one load and one branch, never taken.
  if (load<u64>(LONG_DELAY_ODDS) != 0) long_read_delay();
}

/** Makes one SRCU read side in `odds` unlock on another CPU, as a task that migrated between its lock and its
 *  unlock (srcu.ts); 0 turns migrations off. */
export function set_migration(odds: u32): void {
  store<u32>(MIGRATE_ODDS, odds);
}

/** Sets the rare long read-side delays: one read side in `long_odds` sleeps `long_ns`, one in `short_odds` spins
 *  `short_ns` (0 odds: never). The host sets rcutorture's (200 us and 300 ms, at odds that grow with the
 *  readers), or turns them off. */
export function set_long_delays(long_odds: u32, long_ns: i64, short_odds: u32, short_ns: i64): void {
  store<u32>(LONG_DELAY_ODDS, long_odds);
  store<i64>(LONG_DELAY_NS, long_ns);
  store<u32>(SHORT_DELAY_ODDS, short_odds);
  store<i64>(SHORT_DELAY_NS, short_ns);
}

/** Inside a read side, as rcu_read_delay() does: now and then the reader is away for a long time, asleep (as a
 *  reader preempted inside its read side would be), or busy (udelay). A grace period must wait for either. */
function long_read_delay(): void {
  const draw = this_cpu_random();
  const long_odds = <u64>load<u32>(LONG_DELAY_ODDS);
  const short_odds = <u64>load<u32>(SHORT_DELAY_ODDS);
  if (long_odds > 0 && draw % long_odds == 0) {
    this_cpu_inc_long_delays();
    futex_sleep(load<i64>(LONG_DELAY_NS));
  } else if (short_odds > 0 && draw % short_odds == 0) {
    this_cpu_inc_short_delays();
    spin_until(clock_ns() + <u64>load<i64>(SHORT_DELAY_NS)); // udelay(shortdelay_us)
  }
}

/** Called right after an install tagged `generation`, still inside the read side, on the fault's device. */
@inline export function check_invariant(generation: i32): void {
  if (load<i32>(INVARIANT_CHECK) == 0) return;
  const synced = atomic.load<i32>(dev_field(DEV_SYNCED_GENERATION));
  if (synced >= generation) {
    this_cpu_inc_pipe(min(2 + synced - generation, PIPE_LENGTH - 1));
  } else {
    this_cpu_inc_pipe(atomic.load<i32>(dev_field(DEV_KILL_BEGUN_GENERATION)) >= generation ? 1 : 0);
  }
}
