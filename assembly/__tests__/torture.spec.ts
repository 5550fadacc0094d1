import { handle_mm_fault } from "../fault";
import { set_invariant_check } from "../torture";
import { count_stale_entries, zap_all } from "../pagetable";
import { dax_dev_revive, dax_dev_mark_dead } from "../device";
import { kill_dax, kill_dev_dax, last_grace_period_ns } from "../teardown";
import { set_protection, SCHEME_RCU_CHECK_OUTSIDE, SCHEME_RCU_ZAP_EARLY } from "../protection";
import { attach, this_cpu_violations, per_cpu_violations, STATS_PIPE_OFFSET } from "../percpu";
import { STATS, DEV_SYNCED_GENERATION, DEV_KILL_BEGUN_GENERATION } from "../layout";
import { PAGE_SIZE, VM_FAULT_NOPAGE, VM_FAULT_SIGBUS } from "../kernel";
import { device, map, MiB, USER } from "./fixtures";

function pipe(stage: i32): u64 {
  return load<u64>(STATS + STATS_PIPE_OFFSET + (<usize>stage << 3)); // CPU 0's Reader Pipe line
}

describe("Reader Pipe", () => {
  beforeEach(() => {
    attach(0, 1);
    device(PAGE_SIZE, 64 * MiB);
    expect(map(64 * MiB)).toBe(0);
    set_invariant_check(true);
  });

  it("files an install of a live generation in stage 0", () => {
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_NOPAGE);
    expect(pipe(0)).toBe(1);
    expect(this_cpu_violations()).toBe(0);
  });

  it("files an install whose generation's kill has begun in stage 1", () => {
    store<i32>(DEV_KILL_BEGUN_GENERATION, 1); // the updater is between alive = false and the end of synchronize
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_NOPAGE);
    expect(pipe(1)).toBe(1);
    expect(this_cpu_violations()).toBe(0);
  });

  it("files an install that lands after its generation was synchronized in stage 2: a violation", () => {
    store<i32>(DEV_SYNCED_GENERATION, 1); // as if synchronize returned while this fault was in its read side
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_NOPAGE);
    expect(pipe(2)).toBe(1);
    expect(this_cpu_violations()).toBe(1);
    expect(per_cpu_violations(0)).toBe(1); // the host's read of the same count
    expect(per_cpu_violations(1)).toBe(0);
  });

  it("records nothing when the check is off", () => {
    set_invariant_check(false);
    store<i32>(DEV_SYNCED_GENERATION, 1);
    handle_mm_fault(USER);
    expect(this_cpu_violations()).toBe(0);
    expect(pipe(0)).toBe(0);
  });
});

describe("stale entries", () => {
  beforeEach(() => {
    attach(0, 1);
    device(PAGE_SIZE, 64 * MiB);
    expect(map(64 * MiB)).toBe(0);
  });

  it("counts an entry of a dead generation that a revive did not zap, and a later zap keeps the count", () => {
    handle_mm_fault(USER);
    handle_mm_fault(USER + PAGE_SIZE);
    dax_dev_mark_dead();
    dax_dev_revive(); // generation 2 without a zap: two entries of generation 1 outlive their device
    expect(count_stale_entries()).toBe(2);
    handle_mm_fault(USER + 2 * PAGE_SIZE); // generation 2's own entry is not stale
    expect(count_stale_entries()).toBe(2);
    kill_dax();
    expect(zap_all()).toBe(3);
    expect(count_stale_entries()).toBe(2);
  });

  it("finds none after a proper kill", () => {
    handle_mm_fault(USER);
    kill_dax();
    zap_all();
    dax_dev_revive();
    handle_mm_fault(USER);
    expect(count_stale_entries()).toBe(0);
  });
});

describe("teardown, whole in the core", () => {
  beforeEach(() => {
    attach(0, 1);
    device(PAGE_SIZE, 64 * MiB);
    expect(map(64 * MiB)).toBe(0);
  });

  it("times its grace period with the host's clock", () => {
    handle_mm_fault(USER);
    expect(kill_dev_dax()).toBe(1);
    expect(last_grace_period_ns()).toBeGreaterThan(0);
  });

  it("rcu-check-outside still maps a live device and refuses a dead one: its bug needs a concurrent kill", () => {
    expect(set_protection(SCHEME_RCU_CHECK_OUTSIDE)).toBe(0);
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_NOPAGE);
    dax_dev_mark_dead();
    expect(handle_mm_fault(USER + PAGE_SIZE)).toBe(VM_FAULT_SIGBUS);
  });

  it("rcu-zap-early zaps before its grace period, and still zaps everything a single CPU installed", () => {
    expect(set_protection(SCHEME_RCU_ZAP_EARLY)).toBe(0);
    handle_mm_fault(USER);
    handle_mm_fault(USER + PAGE_SIZE);
    expect(kill_dev_dax()).toBe(2);
    expect(count_stale_entries()).toBe(0);
  });
});
