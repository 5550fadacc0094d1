// The reviewer's alternative from the seed thread: "exchange the entire structure". Readers dereference the
// device state through an RCU-published pointer; an update publishes a fresh copy, waits for a grace period,
// then frees the old one, which the model poisons so that a reader still using it is caught.

import { DEV_STATE_PTR, DEV_COPIES, DEV_COPY_SIZE, DEV_ALIVE, DEV_GENERATION } from "./layout";
import { DEV_POISON } from "./device";
import { dev_field } from "./devices";

/** Starts the published state as a copy of the device's own. */
export function rcu_pointer_init(): void {
  copy_state(dev_field(DEV_COPIES), atomic.load<i32>(dev_field(DEV_ALIVE)));
  atomic.store<u32>(dev_field(DEV_STATE_PTR), <u32>dev_field(DEV_COPIES));
}

function copy_state(slot: usize, alive: i32): void {
  atomic.store<i32>(slot, alive);
  atomic.store<i32>(slot + 4, atomic.load<i32>(dev_field(DEV_GENERATION)));
}

/** rcu_assign_pointer() of a new copy with `alive`; returns the copy it replaced, to be freed after a grace
 *  period. Of the two slots the new copy takes the one freed by the previous update. */
export function rcu_pointer_publish(alive: i32): usize {
  const copies = dev_field(DEV_COPIES);
  const old = <usize>atomic.load<u32>(dev_field(DEV_STATE_PTR));
  const next = old == copies ? copies + DEV_COPY_SIZE : copies;
  copy_state(next, alive);
  atomic.store<u32>(dev_field(DEV_STATE_PTR), <u32>next);
  return old;
}

/** kfree() of a retired copy: poisoned, as slab debugging would, so that a late reader reads poison. */
export function rcu_pointer_free(slot: usize): void {
  atomic.store<i32>(slot, DEV_POISON);
  atomic.store<i32>(slot + 4, DEV_POISON);
}
