// Teardown, after the kernel's kill_dax() and kill_dev_dax(): the guarantee daxbench tests is that once
// synchronize() has returned, no fault on the dead generation installs an entry.

import { dax_dev_mark_dead, dax_dev_mark_synchronized, dax_dev_revive } from "./device";
import { synchronize, exchange_device_state } from "./protection";
import { zap_all } from "./pagetable";

/** kill_dax(): alive = false, then wait for every reader that might have missed it. */
export function kill_dax(): void {
  dax_dev_mark_dead();
  if (!exchange_device_state(0)) synchronize(); // rcu-pointer publishes a dead copy and waits inside
  dax_dev_mark_synchronized();
}

/** Brings the device back as a new generation, so that churn can kill it again; under rcu-pointer that is
 *  one more published copy and one more grace period before the dead copy is freed. */
export function revive_dax(): void {
  dax_dev_revive();
  exchange_device_state(1);
}

/** kill_dev_dax(): kill_dax(), then unmap_mapping_range() zaps every entry. Returns how many it zapped. */
export function kill_dev_dax(): u64 {
  kill_dax();
  return zap_all();
}
