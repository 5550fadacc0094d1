// Teardown, after the kernel's kill_dax() and kill_dev_dax(): the guarantee daxbench tests is that once
// synchronize() has returned, no fault on the dead generation installs an entry.

import { dax_dev_mark_dead, dax_dev_mark_synchronized } from "./device";
import { synchronize } from "./protection";
import { zap_all } from "./pagetable";

/** kill_dax(): alive = false, then wait for every reader that might have missed it. */
export function kill_dax(): void {
  dax_dev_mark_dead();
  synchronize();
  dax_dev_mark_synchronized();
}

/** kill_dev_dax(): kill_dax(), then unmap_mapping_range() zaps every entry. Returns how many it zapped. */
export function kill_dev_dax(): u64 {
  kill_dax();
  return zap_all();
}
