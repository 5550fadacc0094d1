import { handle_mm_fault } from "../fault";
import { kill_dev_dax, revive_dax } from "../teardown";
import { set_protection, SCHEME_REFCOUNT, SCHEME_PERCPU_REF } from "../protection";
import { refcount_tryget, refcount_put } from "../refcount";
import {
  percpu_ref_tryget_live, percpu_ref_put, percpu_ref_reinit, PERCPU_REF_LIVE, PERCPU_REF_DEAD,
} from "../percpu_ref";
import { read_seqbegin, read_seqretry, write_seqcount_bump } from "../seqlock";
import { attach, per_cpu_reader_line } from "../percpu";
import { REFCOUNT_WORD, PERCPU_REF_MODE, PERCPU_REF_COUNT, PERCPU_REF_CPU_COUNT } from "../layout";
import { PAGE_SIZE, VM_FAULT_NOPAGE, VM_FAULT_SIGBUS } from "../kernel";
import { device, map, MiB, USER } from "./fixtures";

function this_cpu_ref_count(): i64 {
  return load<i64>(per_cpu_reader_line(0) + PERCPU_REF_CPU_COUNT);
}

describe("refcount", () => {
  beforeEach(() => {
    attach(0, 1);
    device(PAGE_SIZE, 4 * MiB);
    expect(set_protection(SCHEME_REFCOUNT)).toBe(0);
    expect(map(4 * MiB)).toBe(0);
  });

  it("holds the device's base reference while it lives, and one more per reference taken", () => {
    expect(load<i32>(REFCOUNT_WORD)).toBe(1);
    expect(refcount_tryget()).toBe(true);
    expect(load<i32>(REFCOUNT_WORD)).toBe(2);
    refcount_put();
    expect(load<i32>(REFCOUNT_WORD)).toBe(1);
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_NOPAGE);
    expect(load<i32>(REFCOUNT_WORD)).toBe(1, "a fault puts what it took");
  });

  it("refuses every reference once teardown dropped the base one, and takes them again after a revive", () => {
    kill_dev_dax();
    expect(load<i32>(REFCOUNT_WORD)).toBe(0);
    expect(refcount_tryget()).toBe(false);
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_SIGBUS);
    expect(load<i32>(REFCOUNT_WORD)).toBe(0, "a refused fault takes nothing, so puts nothing");
    revive_dax();
    expect(load<i32>(REFCOUNT_WORD)).toBe(1);
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_NOPAGE);
  });
});

describe("percpu-ref", () => {
  beforeEach(() => {
    attach(0, 1);
    attach(1, 1); // a second CPU, for reinit to reach
    attach(0, 1);
    device(PAGE_SIZE, 4 * MiB);
    expect(set_protection(SCHEME_PERCPU_REF)).toBe(0);
    expect(map(4 * MiB)).toBe(0);
  });

  it("counts on this CPU while live, and leaves the shared count alone", () => {
    expect(load<i32>(PERCPU_REF_MODE)).toBe(PERCPU_REF_LIVE);
    const shared = load<i64>(PERCPU_REF_COUNT);
    expect(percpu_ref_tryget_live()).toBe(true);
    expect(this_cpu_ref_count()).toBe(1);
    percpu_ref_put();
    expect(this_cpu_ref_count()).toBe(0);
    expect(load<i64>(PERCPU_REF_COUNT)).toBe(shared);
  });

  it("after a kill refuses, counts a put of a reference taken before on the shared count, and releases at zero", () => {
    expect(percpu_ref_tryget_live()).toBe(true); // taken while live: +1 on this CPU
    store<i32>(PERCPU_REF_MODE, PERCPU_REF_DEAD); // as percpu_ref_kill() marks it, before the switch
    expect(percpu_ref_tryget_live()).toBe(false);
    const shared = load<i64>(PERCPU_REF_COUNT);
    percpu_ref_put(); // dead: on the shared count, not this CPU's
    expect(load<i64>(PERCPU_REF_COUNT)).toBe(shared - 1);
    expect(this_cpu_ref_count()).toBe(1);
  });

  it("reinit zeroes every CPU's count, whatever a put after the kill left there", () => {
    store<i64>(per_cpu_reader_line(0) + PERCPU_REF_CPU_COUNT, 3);
    store<i64>(per_cpu_reader_line(1) + PERCPU_REF_CPU_COUNT, -2);
    percpu_ref_reinit();
    expect(this_cpu_ref_count()).toBe(0);
    expect(load<i64>(per_cpu_reader_line(1) + PERCPU_REF_CPU_COUNT)).toBe(0);
  });

  it("a kill drains to zero and refuses faults; a revive makes it live, every CPU's count back to zero", () => {
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_NOPAGE);
    kill_dev_dax();
    expect(load<i32>(PERCPU_REF_MODE)).toBe(PERCPU_REF_DEAD);
    expect(load<i64>(PERCPU_REF_COUNT)).toBe(0);
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_SIGBUS);
    revive_dax();
    expect(load<i32>(PERCPU_REF_MODE)).toBe(PERCPU_REF_LIVE);
    expect(this_cpu_ref_count()).toBe(0);
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_NOPAGE);
  });
});

describe("seqlock", () => {
  it("a read side that a writer came by must retry; one left alone need not", () => {
    const before = read_seqbegin();
    expect(before & 1).toBe(0);
    expect(read_seqretry(before)).toBe(false);
    write_seqcount_bump();
    expect(read_seqretry(before)).toBe(true);
    const after = read_seqbegin();
    expect(after).toBe(before + 2);
    expect(read_seqretry(after)).toBe(false);
  });
});
