// Teardown, after kill_dev_dax() and unmap_mapping_range(): the guarantee daxbench tests is that once
// synchronize() has returned, no fault on the dead generation installs an entry.

import { dax_dev_mark_dead } from "./device";
import { synchronize } from "./protection";
import { zap_all } from "./pagetable";

/** alive = false; wait for readers; zap every entry of the device. Returns how many entries it zapped. */
export function kill_dax_dev(): u64 {
  dax_dev_mark_dead();
  synchronize();
  return zap_all();
}
