// A benchmark loop does what its label says, shown by the core's own counters and by locks the test holds,
// never by timing and never by reading the source: each scheme's loop takes that scheme's read side (populate
// under mutex holds the mutex; the readside loop loads alive inside its read side), a fault pays --fault-cost
// once per touch that faults, at whichever sizes it tries, and pays it before the read side; and each
// scenario runs the loop it is named for.
import { matrixConfigurations } from "../host/cli/options.ts";
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { DaxMachine, simpleMapping, ALIGNMENTS } from "../host/machine/dax.ts";
import { CpuWorker } from "../host/run/cpu-worker.ts";
import { measureGroup } from "../host/run/runner.ts";
import { schedule } from "../host/run/schedule.ts";
import { SCHEME_NAMES } from "../host/schemes.ts";
import type { AlignName, Stats } from "../host/types.ts";
import type { SchemeName } from "../host/schemes.ts";

const KiB = 1n << 10n;
const MiB = 1n << 20n;
const GiB = 1n << 30n;
const PAGE = 4n * KiB;

/** A machine with one device of `bytes` at `align` mapped whole (or a vma of `vmaBytes` at its start). */
function mapped(align: AlignName, bytes: bigint, scheme: SchemeName = "rcu", vmaBytes = bytes): DaxMachine {
  const machine = new DaxMachine();
  map(machine, align, bytes, scheme, vmaBytes);
  return machine;
}

/** A fresh device and vma on `machine`: every lock and counter reset. */
function map(machine: DaxMachine, align: AlignName, bytes: bigint, scheme: SchemeName, vmaBytes = bytes): void {
  const { device, vma } = simpleMapping(ALIGNMENTS[align], bytes);
  machine.createDevice(device);
  machine.setProtection(scheme);
  machine.mmap({ ...vma, end: vma.start + vmaBytes });
}

/** The i32 word at a byte address of the shared memory (a fresh view: mmap may have grown the memory). */
function word(
  machine: DaxMachine,
  constant: "DEV_ALIVE" | "MUTEX_WORD" | "RWLOCK_WORD" | "REFCOUNT_WORD" | "PERCPU_REF_MODE" | "SEQLOCK_SEQUENCE",
): { view: Int32Array; index: number } {
  return { view: new Int32Array(machine.memory.buffer), index: machine.core.constant(constant) / 4 };
}

/** Polls until `done()`, failing in `what`'s words after a minute rather than hanging the file. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 60_000; !done(); await delay(1)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
  }
}

/** Touches that faulted end in one of these (a FALLBACK is an attempt at a larger size, not an end). */
const faultEnds = (s: Stats) => s.pte_installs + s.pmd_installs + s.pud_installs + s.raced + s.sigbus + s.oom;
/** The read sides a run entered: one per attempt at a size, each ending in one of faultEnds or a FALLBACK. */
const attempts = (s: Stats) => faultEnds(s) + s.fallback;

// ---------------------------------------------------------------------------------------------------------
// The fault cost: once per touch that faults, outside the read side.

test(
  "--fault-cost is paid once per touch that faults, " +
    "whatever sizes it tries (a 1 GiB vma tries pud, then pmd, then pte), and never on a hit",
  () => {
    const cases: { align: AlignName; vma: bigint; first: { fallback: bigint; installed: keyof Stats } }[] = [
      { align: "4k", vma: GiB, first: { fallback: 2n, installed: "pte_installs" } }, // pud FALLBACK, pmd FALLBACK, pte
      { align: "2m", vma: GiB, first: { fallback: 1n, installed: "pmd_installs" } }, // pud FALLBACK, pmd
      { align: "1g", vma: GiB, first: { fallback: 0n, installed: "pud_installs" } }, // pud
      // a vma too small for a pmd: pte only
      { align: "4k", vma: MiB, first: { fallback: 0n, installed: "pte_installs" } },
    ];
    const machine = new DaxMachine();
    const core = machine.core.exports;
    for (const { align, vma, first } of cases) {
      const what = `${align} region, ${vma / MiB} MiB vma`;
      map(machine, align, GiB, "rcu", vma);
      machine.setFaultCost(50);
      // The first touch alone: every size the vma allows is tried, and the cost is paid once.
      core.populate(0n, PAGE);
      const one = machine.stats(0);
      assert.equal(one.fallback, first.fallback, `${what}: the first touch tried the larger sizes first`);
      assert.equal(one[first.installed], 1n, `${what}: the first touch installed at its size`);
      assert.equal(
        one.fault_costs_paid,
        1n,
        `${what}: the first touch paid the fault cost once, not once per size tried`,
      );
      // Then the whole vma, and again: every touch that faulted paid once, every hit nothing.
      core.populate(0n, vma);
      core.populate(0n, vma);
      const all = machine.stats(0);
      const touches = 1n + 2n * (vma / PAGE);
      assert.equal(all.hits + faultEnds(all), touches, `${what}: every touch a hit or a fault`);
      assert.equal(
        all.fault_costs_paid,
        faultEnds(all),
        `${what}: each touch that faulted paid once (${all.fault_costs_paid} of ${faultEnds(all)})`,
      );
      assert.ok(all.hits > 0n, `${what}: the second pass hit`);
    }
    // Touches refused as SIGBUS faulted too, and paid.
    map(machine, "4k", 4n * MiB, "rcu");
    machine.setFaultCost(50);
    core.kill_dev_dax();
    core.populate(0n, 4n * MiB);
    const refused = machine.stats(0);
    assert.equal(refused.sigbus_dead, 1024n);
    assert.equal(refused.fault_costs_paid, 1024n, "a refused touch paid on the way in");
    // No cost set: nothing paid, nothing counted.
    map(machine, "4k", 4n * MiB, "rcu");
    machine.setFaultCost(0);
    core.populate(0n, 4n * MiB);
    assert.equal(machine.stats(0).fault_costs_paid, 0n);
  },
);

/** Holds the mutex scheme's futex word as a CPU would (0 unlocked, 1 locked, 2 locked with sleepers). */
function holdMutex(machine: DaxMachine) {
  const { view, index } = word(machine, "MUTEX_WORD");
  assert.equal(Atomics.compareExchange(view, index, 0, 1), 0, "the mutex was free");
  return {
    contended: () => Atomics.load(view, index) === 2,
    release() {
      if (Atomics.sub(view, index, 1) !== 1) {
        Atomics.store(view, index, 0);
        Atomics.notify(view, index, 1);
      }
    },
  };
}

/** Holds the rwlock scheme's word for writing: readers that come find the writer bit and sleep on the word. */
function holdRwlockForWriting(machine: DaxMachine) {
  const { view, index } = word(machine, "RWLOCK_WORD");
  const writer = machine.core.constant("RW_WRITER");
  assert.equal(Atomics.compareExchange(view, index, 0, writer), 0, "the rwlock was free");
  return {
    // Wakes whoever sleeps on the word (a reader wakes, finds the writer bit still set, and sleeps again):
    // true once a reader was asleep there.
    contended: () => Atomics.notify(view, index) > 0,
    release() {
      Atomics.and(view, index, ~writer);
      Atomics.notify(view, index);
    },
  };
}

const LOCKS = { mutex: holdMutex, rwlock: holdRwlockForWriting } as const;

/** Runs `body` with worker CPU 1 on `machine`. */
async function withWorker<T>(machine: DaxMachine, body: (worker: CpuWorker) => Promise<T>): Promise<T> {
  const worker = await CpuWorker.start(machine, 1);
  try {
    return await body(worker);
  } finally {
    await worker.stop();
  }
}

for (const scheme of ["mutex", "rwlock"] as const) {
  test(
    `with ${scheme}, a fault pays --fault-cost before it takes the read side: ` + "blocked on the lock, it has paid",
    async () => {
      const machine = mapped("4k", GiB, scheme);
      machine.setFaultCost(1000);
      await withWorker(machine, async (worker) => {
        const lock = LOCKS[scheme](machine);
        let finished = false;
        const done = worker.call("populate", 0n, PAGE).finally(() => (finished = true));
        try {
          await until(() => lock.contended() || finished, "the reader blocks on the lock, or finishes");
          assert.equal(finished, false, "the fault did not complete while the test held the lock");
          const blocked = machine.stats(1);
          assert.equal(blocked.fault_costs_paid, 1n, "the fault paid its cost before the read side, outside it");
          assert.equal(faultEnds(blocked) + blocked.fallback, 0n, "and no attempt has ended");
        } finally {
          lock.release();
        }
        assert.equal(await done, 1n);
        const after = machine.stats(1);
        assert.equal(after.pte_installs, 1n);
        assert.equal(after.fault_costs_paid, 1n, "paid once for the touch");
      });
    },
  );
}

// ---------------------------------------------------------------------------------------------------------
// Each scheme's loop takes that scheme's read side.

/** The read side each scheme's loops must take: its own, or the one it shares (the SRCU variants, broken on
 *  the update side or behind a pointer, read as rcu does; rcu-check-outside checks alive before it). */
const READ_SIDE: Record<
  SchemeName,
  "none" | "srcu" | "mutex" | "rwlock" | "qsbr" | "refcount" | "percpu-ref" | "seqlock"
> = {
  none: "none",
  rcu: "srcu",
  mutex: "mutex",
  rwlock: "rwlock",
  qsbr: "qsbr",
  refcount: "refcount",
  "percpu-ref": "percpu-ref",
  seqlock: "seqlock",
  "rcu-pointer": "srcu",
  "rcu-skip-scan2": "srcu",
  "rcu-pointer-free-early": "srcu",
  "rcu-check-outside": "srcu",
  "rcu-zap-early": "srcu",
};

const LOOPS = {
  /** Every 4 KiB of 4 MiB once, on a fresh mapping: every touch faults. */
  populate: (machine: DaxMachine) => machine.core.exports.populate(0n, 4n * MiB),
  /** Random touches of a fresh 64 MiB mapping: faults, and a few hits. */
  touch_random: (machine: DaxMachine) => machine.core.exports.touch_random(3000n),
  readside: (machine: DaxMachine) => machine.core.exports.readside(3000n),
} as const;

test(
  "every scheme's loops take its read side and no other: " +
    "SRCU's counters once per read side, QSBR's batch ending offline, none nothing",
  () => {
    assert.deepEqual(
      Object.keys(READ_SIDE).sort(),
      [...SCHEME_NAMES].sort(),
      "every scheme has its expected read side here",
    );
    const machine = new DaxMachine();
    const core = machine.core.exports;
    const MARK = 12345; // a QSBR counter no batch writes: only going offline at a batch's end clears it
    for (const scheme of SCHEME_NAMES) {
      for (const [name, loop] of Object.entries(LOOPS)) {
        const what = `${scheme} ${name}`;
        map(machine, "4k", 64n * MiB, scheme);
        core.set_qsbr_reader_ctr(0, MARK);
        // mmap checked the vma under the read side
        const [locks, unlocks] = [core.srcu_lock_count(0), core.srcu_unlock_count(0)];
        const ops = loop(machine);
        const s = machine.stats(0);
        const sides = name === "readside" ? 3000n : attempts(s);
        if (name !== "readside") {
          assert.ok(faultEnds(s) > 1000n, `${what}: the touches faulted (${faultEnds(s)})`);
          assert.equal(ops, s.hits + s.pte_installs + s.raced, `${what}: ops are the touches that ended mapped`);
        } else {
          assert.equal(ops, 3000n);
          assert.equal(s.alive_seen, 3000n, `${what}: each pair loaded alive, and found it true`);
          assert.equal(faultEnds(s) + s.hits, 0n, `${what}: the readside loop touches nothing`);
        }
        const srcu = READ_SIDE[scheme] === "srcu";
        assert.equal(
          core.srcu_lock_count(0) - locks,
          srcu ? sides : 0n,
          `${what}: srcu_read_lock once per read side (${sides}) under SRCU, never otherwise`,
        );
        assert.equal(
          core.srcu_unlock_count(0) - unlocks,
          core.srcu_lock_count(0) - locks,
          `${what}: each srcu_read_lock unlocked`,
        );
        assert.equal(
          core.qsbr_reader_ctr(0),
          ["qsbr", "percpu-ref"].includes(READ_SIDE[scheme]) ? 0 : MARK,
          `${what}: only the loops of QSBR and of percpu-ref (RCU-sched's read side) come online and go offline`,
        );
        for (const lock of ["MUTEX_WORD", "RWLOCK_WORD", "SEQLOCK_SEQUENCE"] as const) {
          const { view, index } = word(machine, lock);
          assert.equal(Atomics.load(view, index), 0, `${what}: ${lock} left free`);
        }
        const refcount = word(machine, "REFCOUNT_WORD");
        assert.equal(
          Atomics.load(refcount.view, refcount.index),
          READ_SIDE[scheme] === "refcount" ? 1 : 0,
          `${what}: the refcount back at the device's one reference under refcount, untouched otherwise`,
        );
      }
    }
  },
);

for (const scheme of ["mutex", "rwlock"] as const) {
  for (const name of Object.keys(LOOPS) as (keyof typeof LOOPS)[]) {
    test(
      `${name} under ${scheme} holds the ${scheme}: ` +
        "with the lock held elsewhere it waits" +
        (name === "readside" ? ", and loads alive only once it has the lock" : ""),
      async () => {
        const machine = mapped("4k", 64n * MiB, scheme);
        const alive = word(machine, "DEV_ALIVE");
        await withWorker(machine, async (worker) => {
          const lock = LOCKS[scheme](machine);
          // While the test holds the lock, alive reads false: a read side that loaded it outside the lock sees that.
          if (name === "readside") Atomics.store(alive.view, alive.index, 0);
          let finished = false;
          const count = 3n;
          const done = (
            name === "populate" ? worker.call("populate", 0n, 4n * PAGE) : worker.call(name, count)
          ).finally(() => (finished = true));
          try {
            await until(() => lock.contended() || finished, `the ${name} loop blocks on the ${scheme}, or finishes`);
            assert.equal(finished, false, `the ${name} loop ran on while the test held the ${scheme}`);
            if (name === "readside") Atomics.store(alive.view, alive.index, 1);
          } finally {
            lock.release();
          }
          const ops = await done;
          const s = machine.stats(1);
          if (name === "readside") {
            assert.equal(ops, count);
            assert.equal(
              s.alive_seen,
              count,
              "every pair loaded alive inside its read side, after the lock was released",
            );
          } else {
            assert.equal(ops, s.hits + s.pte_installs + s.raced);
            assert.ok(s.pte_installs > 0n);
          }
        });
      },
    );
  }
}

/** What refuses a reference count's read side while the device still reads alive: the count at zero, the
 *  percpu-ref marked dead. */
const REFUSE = {
  refcount: (machine: DaxMachine) => {
    const { view, index } = word(machine, "REFCOUNT_WORD");
    Atomics.store(view, index, 0);
  },
  "percpu-ref": (machine: DaxMachine) => {
    const { view, index } = word(machine, "PERCPU_REF_MODE");
    Atomics.store(view, index, machine.core.constant("PERCPU_REF_DEAD"));
  },
} as const;

for (const scheme of ["refcount", "percpu-ref"] as const) {
  test(
    `${scheme}'s loops take its reference: refused it, every fault is refused as a dead device and readside ` +
      "reads no alive, though alive is true; under rcu the same words change nothing",
    () => {
      for (const protection of [scheme, "rcu"] as const) {
        const machine = mapped("4k", 4n * MiB, protection);
        REFUSE[scheme](machine);
        const core = machine.core.exports;
        const touched = core.populate(0n, 4n * MiB);
        const read = core.readside(3000n);
        const s = machine.stats(0);
        const what = `${scheme}'s reference refused, under ${protection}`;
        if (protection === scheme) {
          assert.deepEqual([touched, s.pte_installs, s.sigbus_dead], [0n, 0n, 1024n], `${what}: populate`);
          assert.equal(s.alive_seen, 0n, `${what}: readside`);
        } else {
          assert.deepEqual([touched, s.pte_installs, s.sigbus_dead], [1024n, 1024n, 0n], `${what}: populate`);
          assert.equal(s.alive_seen, 3000n, `${what}: readside`);
        }
        assert.equal(read, 3000n, `${what}: readside counts its pairs`);
      }
    },
  );
}

test("seqlock: with a writer inside (an odd sequence) a fault waits for it, and installs once it is out", async () => {
  const machine = mapped("4k", 64n * MiB, "seqlock");
  machine.setFaultCost(1000);
  const sequence = word(machine, "SEQLOCK_SEQUENCE");
  Atomics.store(sequence.view, sequence.index, 1);
  await withWorker(machine, async (worker) => {
    let finished = false;
    const done = worker.call("populate", 0n, PAGE).finally(() => (finished = true));
    try {
      await until(() => machine.stats(1).fault_costs_paid === 1n || finished, "the fault reaches its read side");
      // The reader spins in read_seqbegin(): give it the time to have installed, had it not waited.
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(finished, false, "the fault completed while the writer was inside");
      assert.equal(machine.stats(1).pte_installs, 0n);
    } finally {
      Atomics.store(sequence.view, sequence.index, 2);
    }
    assert.equal(await done, 1n);
    assert.equal(machine.stats(1).pte_installs, 1n);
  });
});

test(
  "seqlock: a fault whose read side a writer came by runs again: one reader alone finds its own entry " +
    "(raced), which only a retry can",
  async () => {
    const machine = mapped("4k", 64n * MiB, "seqlock");
    machine.setReadDelay(1000); // a read side long enough for the writer to land in it
    const sequence = word(machine, "SEQLOCK_SEQUENCE");
    await withWorker(machine, async (worker) => {
      const done = worker.call("populate", 0n, 64n * MiB);
      // write_seqlock() and write_sequnlock() every 100 us while the reader faults (no kill: alive stays true),
      // until its installs, which it counts in shared memory, are all in: no timer of the event loop between.
      const pause = new Int32Array(new SharedArrayBuffer(4));
      const deadline = Date.now() + 60_000; // a generous bound, should the worker fail: await done then says why
      while (machine.stats(1).pte_installs < 16384n && Date.now() < deadline) {
        Atomics.add(sequence.view, sequence.index, 1);
        Atomics.add(sequence.view, sequence.index, 1);
        Atomics.wait(pause, 0, 0, 0.1);
      }
      assert.equal(await done, 16384n, "every touch ended mapped");
    });
    const s = machine.stats(1);
    assert.equal(s.pte_installs, 16384n, "each page installed once");
    assert.ok(s.raced > 0n, "some faults ran again and found the entry their first attempt had installed");
  },
);

// ---------------------------------------------------------------------------------------------------------
// Each scenario runs the loop it is named for.

test(
  "each scenario runs its own loop: " +
    "populate touches every page once, random and churn touch at random, readside only loads alive",
  async () => {
    const probe = new DaxMachine();
    const run = async (scenario: string, protection: string, extra: Record<string, string[]> = {}) => {
      const [config] = matrixConfigurations(
        { scenario: [scenario], protection: [protection], align: ["4k"], workers: ["1"], size: ["8m"], ...extra },
        { duration: "30ms", minTime: "0" },
        probe,
      );
      const machine = new DaxMachine();
      const [m] = await measureGroup(machine, schedule([config], 1, "sequential", 1n)[0], "sequential", {
        repeat: 1,
        warmup: 0,
        timeoutMs: 60_000,
      });
      return { m, core: machine.core.exports };
    };
    const populate = await run("populate", "rcu");
    assert.equal(populate.m.ops, 2048, "populate: each 4 KiB of 8 MiB once");
    assert.equal(populate.m.stats.pte_installs, 2048n);
    assert.equal(populate.m.stats.fallback, 4n, "each 2 MiB's first touch tried a pmd first");
    assert.equal(populate.core.srcu_lock_count(1), 2048n + 4n, "populate: one read side per attempt");
    for (const scenario of ["random", "churn"]) {
      const { m, core } = await run(scenario, "rcu", scenario === "churn" ? { killPeriod: ["1ms"] } : {});
      assert.equal(
        BigInt(m.ops),
        m.stats.hits + m.stats.pte_installs + m.stats.raced,
        `${scenario}: ops are touches that ended mapped`,
      );
      assert.ok(
        m.stats.pte_installs > 0n && m.stats.alive_seen === 0n,
        `${scenario}: touches that fault, no readside pairs`,
      );
      assert.equal(core.srcu_lock_count(1), attempts(m.stats), `${scenario}: a read side per fault, none per hit`);
    }
    const readside = await run("readside", "rcu");
    assert.ok(readside.m.ops > 0);
    assert.equal(
      readside.m.stats.alive_seen,
      BigInt(readside.m.ops),
      "readside: every operation a pair that loaded alive",
    );
    assert.equal(
      readside.core.srcu_lock_count(1),
      BigInt(readside.m.ops),
      "readside: one SRCU read side per operation",
    );
    assert.equal(faultEnds(readside.m.stats) + readside.m.stats.hits, 0n, "readside: no touch");
  },
);
