// A per-CPU reference count, the percpu-ref scheme, after lib/percpu-refcount.c as mm/memremap.c uses it for
// a device's pages: while the ref is live, percpu_ref_tryget_live() and percpu_ref_put() count on this CPU's
// own line; percpu_ref_kill() marks it dead (tryget_live refuses from then on), drops the initial reference,
// waits for an RCU-sched grace period so that every CPU that saw it live is done with its counter, folds the
// per-CPU counts into the shared atomic count and drops its bias; teardown then waits for the count to reach
// zero (memremap's wait_for_completion()). RCU-sched's read side is preemption disabled, free in the kernel:
// here it is QSBR's (qsbr.ts), a reader online for its whole batch.

import { PERCPU_REF_MODE, PERCPU_REF_COUNT, PERCPU_REF_CPU_COUNT } from "./layout";
import { this_cpu_reader_line, per_cpu_reader_line, nr_cpu_ids } from "./percpu";
import { synchronize_qsbr } from "./qsbr";

/** Faults count on their own CPU's line. */
export const PERCPU_REF_LIVE: i32 = 0;
/** Killed (__PERCPU_REF_DEAD | __PERCPU_REF_ATOMIC): tryget_live refuses, puts go to the atomic count. */
export const PERCPU_REF_DEAD: i32 = 1;
/** PERCPU_COUNT_BIAS: the atomic count cannot reach zero while the per-CPU counts are still out of it. */
const PERCPU_COUNT_BIAS: i64 = 1 << 62;

/** this_cpu_add(): only this CPU writes its count, and a grace period separates its writes from the sum, so a
 *  plain add is enough, as the kernel's this_cpu_inc() is one non-atomic instruction. */
@inline function this_cpu_ref_add(n: i64): void {
  const counter = this_cpu_reader_line() + PERCPU_REF_CPU_COUNT;
  store<i64>(counter, load<i64>(counter) + n);
}

/** percpu_ref_tryget_live(): a reference on this CPU while live, none once killed. */
@inline export function percpu_ref_tryget_live(): bool {
  if (atomic.load<i32>(PERCPU_REF_MODE) != PERCPU_REF_LIVE) return false;
  this_cpu_ref_add(1);
  return true;
}

/** percpu_ref_put(): on this CPU while live; on the atomic count once killed, the last one out waking the
 *  teardown. */
@inline export function percpu_ref_put(): void {
  if (atomic.load<i32>(PERCPU_REF_MODE) == PERCPU_REF_LIVE) this_cpu_ref_add(-1);
  else if (atomic.sub<i64>(PERCPU_REF_COUNT, 1) == 1) atomic.notify(PERCPU_REF_COUNT);
}

/** percpu_ref_kill(), the switch to atomic mode it schedules, and the wait for the release. */
export function percpu_ref_kill_and_wait(): void {
  atomic.store<i32>(PERCPU_REF_MODE, PERCPU_REF_DEAD);
  atomic.sub<i64>(PERCPU_REF_COUNT, 1); // the initial reference: the count is still biased
  synchronize_qsbr(); // call_rcu_hurry(): a reader that saw the ref live has left its batch, counter updated
  // percpu_ref_switch_to_atomic_rcu(): fold in every CPU's gets less puts, and drop the bias.
  let sum: i64 = 0;
  for (let cpu = 0, cpus = nr_cpu_ids(); cpu < cpus; cpu++) {
    sum += load<i64>(per_cpu_reader_line(cpu) + PERCPU_REF_CPU_COUNT);
  }
  atomic.add<i64>(PERCPU_REF_COUNT, sum - PERCPU_COUNT_BIAS);
  // Released at zero. Below zero a reference was missed and put twice (the kernel WARNs): the release came
  // early, and the teardown goes on, as the kernel's would, for torture to see what follows.
  for (let count = atomic.load<i64>(PERCPU_REF_COUNT); count > 0; count = atomic.load<i64>(PERCPU_REF_COUNT)) {
    memory.atomic.wait64(PERCPU_REF_COUNT, count); // returns at once if a put moved the count meanwhile
  }
}

/** percpu_ref_reinit() after the release: every per-CPU count back to zero (no CPU uses them: the ref is dead
 *  and drained), the initial reference on the biased atomic count, then live again. */
export function percpu_ref_reinit(): void {
  for (let cpu = 0, cpus = nr_cpu_ids(); cpu < cpus; cpu++) {
    store<i64>(per_cpu_reader_line(cpu) + PERCPU_REF_CPU_COUNT, 0);
  }
  atomic.store<i64>(PERCPU_REF_COUNT, PERCPU_COUNT_BIAS + 1);
  atomic.store<i32>(PERCPU_REF_MODE, PERCPU_REF_LIVE);
}
