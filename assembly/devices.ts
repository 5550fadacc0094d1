// Several devices on one region (churn and torture's --devices): each has its own device block (alive, its
// generation, its kill's progress; layout.ts) and an equal, contiguous share of the vma, and the readers' SRCU
// read sides enter either one domain for every device (later Linux's dax_srcu, drivers/dax/super.c) or a
// domain per device. A fault works on the device whose share holds its address; the updater picks the device it
// kills. Which device and which domain a CPU works on are wasm globals, per instance and so per worker.

import {
  DEV_ALIVE, DEV_STATE_PTR, DEVICE_STRIDE, MAX_DEVICES, REGION_DEVICES, REGION_SRCU_PER_DEVICE, REGION_DEVICE_SPAN,
  REGION_ALIGN, VMA_START, VMA_END, SRCU_DOMAIN_STRIDE, SRCU_COUNTER_SET,
} from "./layout";
import { EINVAL } from "./kernel";
import { use_srcu_counter_set } from "./percpu";

/** How far the device this CPU works on lies from device 0's block, in bytes. */
let this_dev_offset: usize = 0;
/** How far the SRCU domain this CPU's read sides and grace periods use lies from domain 0's srcu_struct (its
 *  counters are percpu.ts's to find: use_srcu_counter_set). */
let this_srcu_offset: usize = 0;

/** Where the DEV_* field `field` (device 0's address) of the device this CPU works on lives. */
@inline export function dev_field(field: usize): usize {
  return field + this_dev_offset;
}

/** Where the srcu_struct field `field` (SRCU_IDX or SRCU_GP_MUTEX_WORD, domain 0's) of this CPU's domain lives. */
@inline export function srcu_field(field: usize): usize {
  return field + this_srcu_offset;
}

/** The devices in use: 1 until dax_split_devices() says more. */
export function dax_devices(): i32 {
  return max(1, load<i32>(REGION_DEVICES));
}

/** Makes device `dev` the one this CPU works on, with its SRCU domain. */
export function dax_select_device(dev: i32): void {
  this_dev_offset = <usize>dev * DEVICE_STRIDE;
  const domain = load<i32>(REGION_SRCU_PER_DEVICE) != 0 ? dev : 0;
  this_srcu_offset = <usize>domain * SRCU_DOMAIN_STRIDE;
  use_srcu_counter_set(<usize>domain * SRCU_COUNTER_SET);
}

/** A fault works on the device whose share of the vma holds addr. With one device nothing changes: one load
 *  and one branch, never taken. */
@inline export function dax_select_device_of(addr: u64): void {
  if (load<i32>(REGION_DEVICES) > 1) {
    dax_select_device(<i32>((addr - load<u64>(VMA_START)) / load<u64>(REGION_DEVICE_SPAN)));
  }
}

/** The share of a vma of `length` bytes that each of `count` devices maps: an equal share, a whole number of
 *  `align` entries; 0 where the vma does not split so or count is outside 1..MAX_DEVICES. The one rule: the
 *  host asks it before any work (DaxMachine.deviceSpan), dax_split_devices applies it. */
export function dax_device_span(length: u64, align: u64, count: i32): u64 {
  if (count < 1 || count > MAX_DEVICES) return 0;
  const span = length / <u64>count;
  return span * <u64>count == length && span % align == 0 ? span : 0;
}

/** Splits the mapped vma among `count` devices (dax_device_span), with one SRCU domain for all or one each.
 *  Returns 0, or -EINVAL where it does not split. Device 0 keeps its state; the others start as copies of it,
 *  each reading its own flag (protection.ts' set_devices gives rcu-pointer's each its own published copy).
 *  Only while no worker runs; leaves this CPU on device 0. */
export function dax_split_devices(count: i32, srcu_per_device: bool): i32 {
  const span = dax_device_span(load<u64>(VMA_END) - load<u64>(VMA_START), load<u64>(REGION_ALIGN), count);
  if (span == 0) return -EINVAL;
  store<i32>(REGION_DEVICES, count);
  store<i32>(REGION_SRCU_PER_DEVICE, srcu_per_device ? 1 : 0);
  store<u64>(REGION_DEVICE_SPAN, span);
  for (let dev = 1; dev < count; dev++) {
    const block = <usize>dev * DEVICE_STRIDE;
    memory.copy(DEV_ALIVE + block, DEV_ALIVE, DEVICE_STRIDE);
    atomic.store<u32>(DEV_STATE_PTR + block, <u32>(DEV_ALIVE + block));
  }
  dax_select_device(0);
  return 0;
}

/** The first address of the share of the vma that the device this CPU works on maps, and one past its last. */
export function dev_vma_start(): u64 {
  return load<u64>(VMA_START) + <u64>(this_dev_offset / DEVICE_STRIDE) * dev_vma_span();
}

export function dev_vma_end(): u64 {
  return dev_vma_start() + dev_vma_span();
}

@inline function dev_vma_span(): u64 {
  return load<i32>(REGION_DEVICES) > 1 ? load<u64>(REGION_DEVICE_SPAN) : load<u64>(VMA_END) - load<u64>(VMA_START);
}
