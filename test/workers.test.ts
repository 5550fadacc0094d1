// The core on one shared memory across worker threads: concurrent installs, re-instantiation, teardown.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DaxMachine, simpleMapping, ALIGNMENTS } from "../host/machine/dax.ts";
import { CpuWorker } from "../host/run/cpu.ts";

const MiB = 1n << 20n;

async function withWorkers<T>(machine: DaxMachine, cpus: number[], body: (workers: CpuWorker[]) => Promise<T>): Promise<T> {
  const workers = await Promise.all(cpus.map((cpu) => CpuWorker.start(machine, cpu)));
  try {
    return await body(workers);
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

function mapped(align: keyof typeof ALIGNMENTS, bytes: bigint, scheme = "rcu"): DaxMachine {
  const machine = new DaxMachine();
  const { device, vma } = simpleMapping(ALIGNMENTS[align], bytes);
  machine.createDevice(device);
  machine.setProtection(scheme);
  machine.mmap(vma);
  return machine;
}

test("two workers populating the same range install each entry exactly once, with one pfn", async () => {
  const machine = mapped("4k", 64n * MiB);
  const core = machine.core.exports;
  const pte = machine.core.constant("PTE_LEVEL");
  await withWorkers(machine, [1, 2], async (workers) => {
    await Promise.all(workers.map((worker) => worker.call("populate", 0n, 64n * MiB)));
  });
  const total = machine.totalStats([1, 2]);
  assert.equal(total.pte_installs, 16384n, "installs across both CPUs");
  assert.equal(total.pte_installs + total.raced + total.hits, 2n * 16384n, "every touch accounted for");
  assert.equal(core.count_entries(pte), 16384n);
  assert.equal(core.count_misplaced_entries(pte), 0n);
});

test("a worker instantiated afterwards finds the shared state intact", async () => {
  const machine = mapped("2m", 64n * MiB);
  const core = machine.core.exports;
  const pmd = machine.core.constant("PMD_LEVEL");
  await withWorkers(machine, [1, 2], async (workers) => {
    await Promise.all(workers.map((worker) => worker.call("populate", 0n, 64n * MiB)));
  });
  const before = { cpu1: machine.stats(1), cpu2: machine.stats(2), entries: core.count_entries(pmd) };
  assert.equal(before.entries, 32n);
  await withWorkers(machine, [3], async ([third]) => {
    // Instantiation re-runs the start function and would re-copy data segments: neither may reset anything.
    assert.deepEqual(machine.stats(1), before.cpu1);
    assert.deepEqual(machine.stats(2), before.cpu2);
    assert.equal(core.count_entries(pmd), 32n);
    await third.call("populate", 0n, 64n * MiB);
  });
  const third = machine.stats(3);
  assert.equal(third.hits, 16384n, "the third CPU finds every page mapped");
  assert.equal(third.pmd_installs, 0n);
});

for (const scheme of ["rcu", "mutex", "rwlock", "qsbr"]) {
  test(`with ${scheme}, once kill returns no entry survives and every later touch is SIGBUS`, async () => {
    const machine = mapped("4k", 16n * MiB, scheme);
    const core = machine.core.exports;
    const pte = machine.core.constant("PTE_LEVEL");
    await withWorkers(machine, [1, 2, 3], async ([reader1, reader2, updater]) => {
      const readers = [reader1, reader2].map((reader) => reader.call("touch_random", 400_000n));
      await reader1.call("touch_random", 1n); // the readers are running, or have been
      await updater.call("kill_dev_dax");
      await Promise.all(readers);
      assert.equal(core.count_entries(pte), 0n, "nothing installed after synchronize returned");
      const sigbusBefore = machine.totalStats([1, 2]).sigbus;
      await Promise.all([reader1, reader2].map((reader) => reader.call("touch_random", 10_000n)));
      const after = machine.totalStats([1, 2]);
      assert.equal(after.sigbus - sigbusBefore, 20_000n, "every touch after kill is refused");
      assert.equal(after.sigbus, after.sigbus_dead, "refused because the device is dead");
      assert.equal(core.count_entries(pte), 0n);
    });
  });
}
