// Instrumentation of the fault path and of teardown for torture, in the manner of rcutorture: a read-side
// delay between check_vma() and the install; random delays at every step boundary, which open the narrow
// windows an ordering bug needs (rcutorture's rcu_read_delay and stutter); and the Reader Pipe, which files
// every install under the stage its generation had reached when the install landed:
//   0  the generation was alive
//   1  its kill had begun (alive = false) but synchronize() had not returned
//   2+ synchronize() had returned (2 + how many generations later): a violation of the guarantee

import {
  DEV_KILL_BEGUN_GENERATION, DEV_SYNCED_GENERATION, READ_DELAY_SPINS, INVARIANT_CHECK, SLEEP_WORD, RANDOM_DELAY_SPINS,
} from "./layout";
import { this_cpu_inc_pipe, this_cpu_random, PIPE_LENGTH } from "./percpu";

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
}

/** Called right after an install tagged `generation`, still inside the read side. */
@inline export function check_invariant(generation: i32): void {
  if (load<i32>(INVARIANT_CHECK) == 0) return;
  const synced = atomic.load<i32>(DEV_SYNCED_GENERATION);
  if (synced >= generation) {
    this_cpu_inc_pipe(min(2 + synced - generation, PIPE_LENGTH - 1));
  } else {
    this_cpu_inc_pipe(atomic.load<i32>(DEV_KILL_BEGUN_GENERATION) >= generation ? 1 : 0);
  }
}
