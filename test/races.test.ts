// Two CPUs racing for the same slots: each slot is installed once, by a compare-and-swap, and the CPU that lost
// is counted as raced. A plain store, or a check followed by a store, installs some slots twice; only a real
// race can show it, so this test makes two workers race, round after round, and judges counts, never times.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DaxMachine, simpleMapping, ALIGNMENTS } from "../host/machine/dax.ts";
import { CpuWorker } from "../host/run/cpu-worker.ts";

const MiB = 1n << 20n;
const BYTES = 64n * MiB;
const PAGES = BYTES >> 12n;
const PTE_TABLES = BYTES >> 21n;
/** A round in which the workers raced for this many slots ran side by side, in step, for a while... */
const IN_STEP = PAGES / 16n;
/** ...and rounds go on until this many did so... */
const ENOUGH_IN_STEP = 5;
/** ...or for this many rounds, however busy the machine: a worker the OS has not scheduled races nobody. */
const MOST_ROUNDS = 100;

test(
  "two workers populating the same mapping at once install each slot once, " +
    "count the loser as raced, and give a raced page table back",
  async () => {
    const machine = new DaxMachine();
    const { device, vma } = simpleMapping(ALIGNMENTS["4k"], BYTES);
    machine.createDevice(device);
    machine.setProtection("rcu");
    machine.mmap(vma);
    // Every fault's read side a little longer (100 ns): the worker behind catches up through hits, then both
    // fault the same pages in step, and each such page is a race for its slot (and each new 2 MiB, a race for
    // its pte table).
    machine.setReadDelay(100);
    // Torture's random delays, which include one between the install's read of the slot and its compare-and-swap:
    // an install made of a check and a separate store is then overtaken between the two now and then.
    machine.setRandomDelay(1000);
    const core = machine.core.exports;
    const workers = await Promise.all([1, 2].map((cpu) => CpuWorker.start(machine, cpu)));
    let raced = 0n;
    let inStep = 0;
    try {
      for (let round = 0; round < MOST_ROUNDS && inStep < ENOUGH_IN_STEP; round++) {
        machine.mmap(vma); // empty tables again; the counters go on
        // The pte tables the mapping needs, and one more: two CPUs racing for one pmd slot each allocate a table
        // before they find out who won (as __pte_alloc allocates before it takes the lock), and the loser gives
        // its table back. A loser that kept it would leak a table per lost race: the round would end with none
        // left, or run out. (Torture's random delays fall between pte_alloc's look at the slot and its claim too.)
        core.dax_set_pgtable_budget(PTE_TABLES + 1n);
        const before = machine.totalStats([1, 2]);
        await Promise.all(workers.map((worker) => worker.call("populate", 0n, BYTES)));
        const after = machine.totalStats([1, 2]);
        const d = Object.fromEntries(
          Object.entries(after).map(([name, value]) => [name, value - before[name as keyof typeof before]]),
        );
        assert.equal(
          d.pte_installs,
          PAGES,
          `round ${round}: installs (${d.pte_installs}) equal the slots filled (${PAGES}): none installed twice`,
        );
        assert.equal(d.oom, 0n, `round ${round}: no fault ran out of page tables`);
        assert.equal(
          core.dax_pgtable_budget(),
          1n,
          `round ${round}: one table left of the budget: every table allocated in a lost race went back`,
        );
        assert.equal(core.count_entries(0), PAGES, `round ${round}: every slot filled`);
        assert.equal(
          d.pte_installs + d.raced + d.hits,
          2n * PAGES,
          `round ${round}: every touch is an install, a race or a hit`,
        );
        assert.equal(d.sigbus, 0n, `round ${round}: a lost race is not SIGBUS`);
        assert.equal(core.count_misplaced_entries(0), 0n, `round ${round}: every entry maps its own page`);
        raced += d.raced;
        if (d.raced >= IN_STEP) inStep++;
      }
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
    assert.ok(
      raced > 0n,
      `over up to ${MOST_ROUNDS} rounds the workers raced for a slot at least once (raced ${raced})`,
    );
  },
);
