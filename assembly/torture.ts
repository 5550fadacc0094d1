// Instrumentation of the fault path for torture (the kernel's teardown: kill_dax() clears alive, then synchronize), in the manner of rcutorture:
// a read-side delay between check_vma() and the install, and the Reader Pipe, which files every install
// under the stage its generation had reached when the install landed:
//   0  the generation was alive
//   1  its kill had begun (alive = false) but synchronize() had not returned
//   2+ synchronize() had returned (2 + how many generations later): a violation of the guarantee

import { DEV_KILL_BEGUN_GENERATION, DEV_SYNCED_GENERATION, READ_DELAY_SPINS, INVARIANT_CHECK, SLEEP_WORD } from "./layout";
import { this_cpu_inc_pipe, PIPE_LENGTH } from "./percpu";

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
