import { handle_mm_fault } from "../fault";
import { set_devices } from "../protection";
import { dax_select_device, dax_devices, dax_device_span } from "../devices";
import { srcu_read_lock, srcu_read_unlock } from "../srcu";
import { kill_dax, kill_dev_dax, revive_dax, fake_writer } from "../teardown";
import { count_entries, count_stale_entries, count_unaccounted_installs, PTE_LEVEL } from "../pagetable";
import { attach } from "../percpu";
import { SRCU_IDX, SRCU_DOMAIN_STRIDE, SRCU_COUNTERS, SRCU_COUNTER_SET, SRCU_LOCK_COUNT } from "../layout";
import { EINVAL, PAGE_SIZE, PMD_SIZE, VM_FAULT_NOPAGE, VM_FAULT_SIGBUS } from "../kernel";
import { device, map, MiB, USER } from "./fixtures";

const SHARE: u64 = 16 * MiB; // 64 MiB among four devices

function srcu_idx(domain: i32): i32 {
  return load<i32>(SRCU_IDX + <usize>domain * SRCU_DOMAIN_STRIDE);
}

/** CPU 0's srcu_read_lock() count in `domain`, both indices. */
function cpu0_locks(domain: i32): u64 {
  const set = SRCU_COUNTERS + <usize>domain * SRCU_COUNTER_SET + SRCU_LOCK_COUNT;
  return load<u64>(set) + load<u64>(set + 8);
}

function four_devices(per_device: bool): void {
  attach(0, 1);
  device(PAGE_SIZE, 64 * MiB);
  expect(map(64 * MiB)).toBe(0);
  expect(set_devices(4, per_device)).toBe(0);
}

describe("several devices on one region", () => {
  it("splits the vma into equal shares of whole entries, or refuses", () => {
    four_devices(false);
    expect(dax_devices()).toBe(4);
    expect(set_devices(0, false)).toBe(-EINVAL);
    expect(set_devices(9, false)).toBe(-EINVAL);
    expect(set_devices(3, false)).toBe(-EINVAL); // 64 MiB is no three equal shares of 4 KiB pages
    device(PMD_SIZE, 64 * MiB);
    expect(map(4 * MiB)).toBe(0);
    expect(set_devices(4, false)).toBe(-EINVAL); // 1 MiB shares of a 2 MiB region
    expect(set_devices(2, false)).toBe(0);
  });

  it("the rule asked before any work: an equal share of whole entries, or none", () => {
    expect(dax_device_span(64 * MiB, PAGE_SIZE, 4)).toBe(SHARE);
    expect(dax_device_span(64 * MiB, PAGE_SIZE, 3)).toBe(0); // not three equal shares
    expect(dax_device_span(6 * MiB, PMD_SIZE, 2)).toBe(0); // 3 MiB shares: no whole 2 MiB entries
    expect(dax_device_span(6 * MiB, PMD_SIZE, 3)).toBe(PMD_SIZE);
    expect(dax_device_span(64 * MiB, PAGE_SIZE, 0)).toBe(0);
    expect(dax_device_span(64 * MiB, PAGE_SIZE, 9)).toBe(0); // MAX_DEVICES is 8
  });

  it("a fault works on the device whose share holds its address", () => {
    four_devices(true);
    dax_select_device(2);
    kill_dax();
    dax_select_device(0);
    expect(handle_mm_fault(USER + 2 * SHARE)).toBe(VM_FAULT_SIGBUS);
    expect(handle_mm_fault(USER + 3 * SHARE - PAGE_SIZE)).toBe(VM_FAULT_SIGBUS);
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_NOPAGE);
    expect(handle_mm_fault(USER + 2 * SHARE - PAGE_SIZE)).toBe(VM_FAULT_NOPAGE);
    expect(handle_mm_fault(USER + 3 * SHARE)).toBe(VM_FAULT_NOPAGE);
  });

  it("a kill zaps its own device's share and no other, and the census adds up over every device", () => {
    four_devices(false);
    for (let dev: u64 = 0; dev < 4; dev++) expect(handle_mm_fault(USER + dev * SHARE)).toBe(VM_FAULT_NOPAGE);
    dax_select_device(1);
    expect(kill_dev_dax()).toBe(1);
    revive_dax();
    expect(count_entries(PTE_LEVEL)).toBe(3);
    expect(handle_mm_fault(USER + SHARE + PAGE_SIZE)).toBe(VM_FAULT_NOPAGE); // device 1's second generation
    expect(count_unaccounted_installs()).toBe(0);
    expect(count_stale_entries()).toBe(0);
  });

  it("an entry a device's kill left behind is stale whichever device's share it is in", () => {
    four_devices(false);
    expect(handle_mm_fault(USER + 2 * SHARE)).toBe(VM_FAULT_NOPAGE); // device 2's generation 1
    dax_select_device(2);
    kill_dax(); // a teardown that never zaps: the entry outlives its generation
    revive_dax();
    expect(count_stale_entries()).toBe(1);
    expect(count_unaccounted_installs()).toBe(0);
  });

  it("with one domain for all, a read side of any device is in domain 0 and every kill flips its index", () => {
    four_devices(false);
    const before = cpu0_locks(0); // dax_mmap's own read side is counted there too
    dax_select_device(3);
    const token = srcu_read_lock();
    expect(cpu0_locks(0) - before).toBe(1);
    expect(cpu0_locks(3)).toBe(0);
    srcu_read_unlock(token);
    kill_dax();
    expect(srcu_idx(0)).toBe(1);
    expect(srcu_idx(3)).toBe(0);
  });

  it("with a domain each, a grace period waits for its own device's readers only", () => {
    four_devices(true);
    const before = cpu0_locks(0);
    dax_select_device(1);
    const token = srcu_read_lock(); // a reader inside device 1's read side, still there
    expect(cpu0_locks(1)).toBe(1);
    expect(cpu0_locks(0)).toBe(before);
    dax_select_device(0);
    kill_dax(); // returns: device 1's reader is in another domain
    expect(srcu_idx(0)).toBe(1);
    expect(srcu_idx(1)).toBe(0);
    dax_select_device(1);
    srcu_read_unlock(token);
    kill_dax();
    expect(srcu_idx(1)).toBe(1);
  });

  it("fake writers run grace periods in each device's domain in turn", () => {
    four_devices(true);
    expect(fake_writer(8)).toBe(8);
    for (let domain = 0; domain < 4; domain++) expect(srcu_idx(domain)).toBe(2, "two grace periods each");
  });
});
