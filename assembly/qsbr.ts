// Quiescent-state-based reclamation, after liburcu's urcu-qsbr: the read side costs nothing; each reader
// instead publishes, between its batches, that it holds no reference (a quiescent state). Here a reader is
// online only while it runs a batch and offline between batches, an extended quiescent state. A grace
// period bumps the global counter and waits until every reader is offline or has seen the new value, so it
// lasts as long as the longest batch in flight: a free read side for slower grace periods.

import { QSBR_GP_CTR, QSBR_CTR, GP_MUTEX_WORD } from "./layout";
import { this_cpu_reader_line, per_cpu_reader_line, nr_cpu_ids } from "./percpu";
import { futex_mutex_lock, futex_mutex_unlock, futex_sleep } from "./futex";
import { random_delay_quiescent } from "./torture";

const GP_ONLINE: i32 = 1; // URCU_QSBR_GP_ONLINE: a reader's counter is never 0 while online
const GP_CTR: i32 = 2; // URCU_QSBR_GP_CTR
const SCANS_BEFORE_SLEEP: i32 = 64;
const SLEEP_BETWEEN_SCANS_NS: i64 = 5000;

/** rcu_thread_online() / rcu_quiescent_state(): this reader has seen the current grace period. Under torture,
 *  delays around the quiescent state: between loading rcu_gp.ctr and publishing it (a grace period may begin
 *  between the two), and after it. */
@inline export function qsbr_online(): void {
  random_delay_quiescent();
  const gp = atomic.load<i32>(QSBR_GP_CTR);
  random_delay_quiescent();
  // _rcu_thread_online(): store the gp counter, then smp_mb() (the seq-cst store) before any read-side access.
  atomic.store<i32>(this_cpu_reader_line() + QSBR_CTR, gp | GP_ONLINE);
  random_delay_quiescent();
}

/** rcu_thread_offline(): this reader holds nothing until it comes online again. Under torture, delays on
 *  both sides of the extended quiescent state. */
@inline export function qsbr_offline(): void {
  random_delay_quiescent();
  atomic.store<i32>(this_cpu_reader_line() + QSBR_CTR, 0);
  random_delay_quiescent();
}

export function synchronize_qsbr(): void {
  futex_mutex_lock(GP_MUTEX_WORD);
  const gp = (atomic.add<i32>(QSBR_GP_CTR, GP_CTR) + GP_CTR) | GP_ONLINE;
  // liburcu waits for each registered reader; here a reader is a CPU, and none beyond nr_cpu_ids has attached.
  for (let cpu = 0, cpus = nr_cpu_ids(); cpu < cpus; cpu++) {
    const ctr = per_cpu_reader_line(cpu) + QSBR_CTR;
    let scans = 0;
    for (let seen = atomic.load<i32>(ctr); seen != 0 && seen != gp; seen = atomic.load<i32>(ctr)) {
      if (++scans >= SCANS_BEFORE_SLEEP) futex_sleep(SLEEP_BETWEEN_SCANS_NS);
    }
  }
  futex_mutex_unlock(GP_MUTEX_WORD);
}
