import { handle_mm_fault } from "../fault";
import { set_invariant_check, set_random_delay, set_migration } from "../torture";
import { srcu_lock_count, srcu_unlock_count } from "../probe";
import { count_stale_entries, count_unaccounted_installs, zap_device, insert_pfn, PTE_LEVEL } from "../pagetable";
import { srcu_read_lock, srcu_read_unlock } from "../srcu";
import { qsbr_online, qsbr_offline } from "../qsbr";
import { dax_dev_revive, dax_dev_mark_dead } from "../device";
import { kill_dax, kill_dev_dax, last_grace_period_ns, fake_writer } from "../teardown";
import {
  set_protection, SCHEME_RCU, SCHEME_QSBR, SCHEME_RCU_CHECK_OUTSIDE, SCHEME_RCU_ZAP_EARLY,
} from "../protection";
import {
  attach, this_cpu_violations, per_cpu_violations, this_cpu_random, this_cpu_inc, STATS_PIPE_OFFSET, STAT_PTE_INSTALLS,
  STATS_MIGRATIONS_OFFSET, forget_other_cpus,
} from "../percpu";
import { STATS, DEV_SYNCED_GENERATION, DEV_KILL_BEGUN_GENERATION, SRCU_IDX, QSBR_GP_CTR } from "../layout";
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
    expect(zap_device()).toBe(3);
    expect(count_stale_entries()).toBe(2);
  });

  it("finds none after a proper kill", () => {
    handle_mm_fault(USER);
    kill_dax();
    zap_device();
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

// Whether the primitives drew from this CPU's generator since attach(0, SEED): its next number is then not
// the one a fresh generator gives.
const SEED: u64 = 7;

function drew(): bool {
  const next = this_cpu_random();
  attach(0, SEED);
  return this_cpu_random() != next;
}

describe("random delays inside the primitives", () => {
  beforeEach(() => {
    attach(0, SEED);
    device(PAGE_SIZE, 64 * MiB);
    expect(map(64 * MiB)).toBe(0);
    set_random_delay(1); // at most 1 spin, of 0: the draws without the wait
  });

  it("srcu_read_lock draws one between loading srcu_idx and its increment", () => {
    srcu_read_unlock(srcu_read_lock());
    expect(drew()).toBe(true);
  });

  it("the install draws one between reading the slot and its compare-and-swap", () => {
    expect(insert_pfn(PTE_LEVEL, USER, 0, 1)).toBe(0);
    expect(drew()).toBe(true);
  });

  it("an install that finds the slot filled returns -EBUSY before the delay", () => {
    expect(insert_pfn(PTE_LEVEL, USER, 0, 1)).toBe(0);
    attach(0, SEED);
    expect(insert_pfn(PTE_LEVEL, USER, 0, 1)).toBeLessThan(0);
    expect(drew()).toBe(false);
  });

  it("QSBR's quiescent states draw around them, online and offline", () => {
    qsbr_online();
    expect(drew()).toBe(true);
    qsbr_offline();
    expect(drew()).toBe(true);
  });

  it("none of them draws, or waits, when torture's random delay is 0, as in every benchmark", () => {
    set_random_delay(0);
    srcu_read_unlock(srcu_read_lock());
    expect(insert_pfn(PTE_LEVEL, USER, 0, 1)).toBe(0);
    qsbr_online();
    qsbr_offline();
    expect(handle_mm_fault(USER + PAGE_SIZE)).toBe(VM_FAULT_NOPAGE);
    expect(drew()).toBe(false);
  });
});

describe("the census of installs", () => {
  beforeEach(() => {
    attach(0, 1);
    device(PAGE_SIZE, 64 * MiB);
    expect(map(64 * MiB)).toBe(0);
  });

  it("adds up: installs counted = entries zapped + entries present, across kills and revives", () => {
    handle_mm_fault(USER);
    handle_mm_fault(USER + PAGE_SIZE);
    handle_mm_fault(USER); // a hit: no install
    expect(kill_dev_dax()).toBe(2);
    dax_dev_revive();
    handle_mm_fault(USER);
    expect(count_unaccounted_installs()).toBe(0);
  });

  it("counts an install that landed on another's entry: counted by a second CPU, no entry of its own", () => {
    handle_mm_fault(USER);
    attach(1, 1); // CPU 1 found the slot none before CPU 0 installed, then stored over CPU 0's entry
    this_cpu_inc(STAT_PTE_INSTALLS);
    attach(0, 1);
    expect(count_unaccounted_installs()).toBe(1);
    zap_device();
    expect(count_unaccounted_installs()).toBe(1);
  });
});

describe("fake writers", () => {
  beforeEach(() => {
    attach(0, 1);
    device(PAGE_SIZE, 64 * MiB);
    expect(map(64 * MiB)).toBe(0);
  });

  it("wait for one grace period each under rcu: SRCU's index flips once a grace period", () => {
    set_protection(SCHEME_RCU);
    const before = load<i32>(SRCU_IDX);
    expect(fake_writer(3)).toBe(3);
    expect(load<i32>(SRCU_IDX) - before).toBe(3);
  });

  it("advance QSBR's grace-period counter under qsbr, and kill nothing", () => {
    set_protection(SCHEME_QSBR);
    const before = load<i32>(QSBR_GP_CTR);
    expect(fake_writer(2)).toBe(2);
    expect(load<i32>(QSBR_GP_CTR)).not.toBe(before); // two grace periods advanced the counter
    expect(handle_mm_fault(USER)).toBe(VM_FAULT_NOPAGE); // and killed nothing
  });
});

describe("migrating readers", () => {
  beforeEach(() => {
    attach(1, 7); // a second CPU for unlocks to land on
    attach(0, 1);
    device(PAGE_SIZE, 64 * MiB);
    expect(map(64 * MiB)).toBe(0);
    set_protection(SCHEME_RCU);
  });

  afterEach(() => {
    set_migration(0);
    forget_other_cpus();
  });

  it("unlock on another CPU's counter at odds of 1, and the sums over the CPUs still balance", () => {
    const locks = srcu_lock_count(0);
    const unlocks = srcu_unlock_count(0) + srcu_unlock_count(1);
    const moved = load<u64>(STATS + STATS_MIGRATIONS_OFFSET);
    set_migration(1);
    for (let i = 0; i < 200; i++) srcu_read_unlock(srcu_read_lock());
    expect(srcu_lock_count(0) - locks).toBe(200, "every lock on the CPU the read side began on");
    expect(srcu_unlock_count(0) + srcu_unlock_count(1) - unlocks).toBe(200, "every unlock somewhere");
    expect(srcu_unlock_count(1)).toBeGreaterThan(0, "some on the other CPU");
    expect(load<u64>(STATS + STATS_MIGRATIONS_OFFSET) - moved).toBe(200);
    expect(fake_writer(1)).toBe(1); // a grace period ends: the sums balance though no CPU's own counts do
  });

  it("never move while off", () => {
    const before = srcu_unlock_count(1);
    for (let i = 0; i < 200; i++) srcu_read_unlock(srcu_read_lock());
    expect(srcu_unlock_count(1)).toBe(before);
  });
});
