// Teardown, after the kernel's kill_dax() and kill_dev_dax(): the guarantee daxbench tests is that once
// synchronize() has returned, no fault on the dead generation installs an entry. The whole teardown runs
// here, in the order the kernel's has, and the updater calls it as it is: torture tests this code, not a copy.

import { dax_dev_mark_dead, dax_dev_mark_synchronized, dax_dev_revive } from "./device";
import { synchronize, exchange_device_state, teardown_zaps_early, protection_revive } from "./protection";
import { zap_device } from "./pagetable";
import { random_delay } from "./torture";
import { DEV_LAST_GP_NS, GP_COST_NS } from "./layout";
import { clock_ns, spin_until } from "./clock";
import { futex_sleep } from "./futex";
import { dev_field, dax_devices, dax_select_device } from "./devices";

/** What a real grace period costs that the model's does not wait for (the kernel's synchronize_rcu() waits
 *  for every CPU to pass a quiescent state, milliseconds): `ns` slept inside each grace period by the updater,
 *  set by the host from a duration or from this machine's kernel (daxbench kernel). 0 leaves the model's own. */
export function set_gp_cost(ns: i64): void {
  store<i64>(GP_COST_NS, ns);
}

/** A sleep's wake-up comes this late or less, on the machines measured (about 90 us): the last stretch of a
 *  grace-period cost is spun on the clock instead, so that the cost charged is the cost asked. */
const WAKEUP_MARGIN_NS: i64 = 150_000;

/** Waits out the cost set_gp_cost() set, inside the grace period, sleeping while more than WAKEUP_MARGIN_NS is
 *  left: readers go on meanwhile, and the device stays dead and unsynchronized for that much longer, as behind
 *  a real synchronize_rcu(). */
function charge_gp_cost(): void {
  const ns = load<i64>(GP_COST_NS);
  if (ns <= 0) return;
  const deadline = clock_ns() + <u64>ns;
  if (ns > WAKEUP_MARGIN_NS) futex_sleep(ns - WAKEUP_MARGIN_NS);
  spin_until(deadline);
}

/** The grace period proper, timed: wait for every reader that might have missed alive = false, then publish
 *  that this generation's readers are all done. rcu-pointer publishes a dead copy and waits inside. */
function grace_period(): void {
  const start = clock_ns();
  if (!exchange_device_state(0)) synchronize();
  charge_gp_cost();
  store<u64>(dev_field(DEV_LAST_GP_NS), clock_ns() - start);
  dax_dev_mark_synchronized();
}

/** kill_dax(): alive = false, then the grace period. */
export function kill_dax(): void {
  dax_dev_mark_dead();
  random_delay(); // between clearing alive and the grace period
  grace_period();
}

/** kill_dev_dax() of the device this CPU works on (dax_select_device): kill_dax(), then unmap_mapping_range()
 *  zaps every entry of the device's share of the vma. Returns how many it zapped.
 *  rcu-zap-early, broken on purpose, zaps before the grace period: a fault still in its read side then
 *  installs behind the zap, and the mapping outlives its device. */
export function kill_dev_dax(): u64 {
  if (teardown_zaps_early()) {
    dax_dev_mark_dead();
    random_delay();
    const zapped = zap_device();
    grace_period();
    return zapped;
  }
  kill_dax();
  random_delay(); // between the grace period and the zap
  return zap_device();
}

/** rcutorture's fake writers (rcu_torture_fakewriter): `count` grace periods back to back, on a CPU beside the
 *  updater that kills, with nothing to free: what they stress is the grace-period machinery itself (the
 *  srcu_gp_mutex, the flips and scans racing the updater's own). Only under a scheme whose synchronize() is a
 *  grace period and nothing else (host/schemes.ts says which): the reference counts' would kill the device.
 *  Returns the grace periods it waited for. */
export function fake_writer(count: i64): i64 {
  const devices = dax_devices();
  for (let i: i64 = 0; i < count; i++) {
    if (devices > 1) dax_select_device(<i32>(i % <i64>devices)); // each device's domain in turn
    synchronize();
  }
  return count;
}

/** How long the last grace period of the device this CPU works on took, in ns. */
export function last_grace_period_ns(): u64 {
  return load<u64>(dev_field(DEV_LAST_GP_NS));
}

/** Brings the device back as a new generation, so that churn can kill it again: under the reference counts
 *  its initial reference first; under rcu-pointer one more published copy and one more grace period before the
 *  dead copy is freed. */
export function revive_dax(): void {
  protection_revive();
  dax_dev_revive();
  exchange_device_state(1);
}
