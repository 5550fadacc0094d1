// `daxbench native`: the same read-side pairs as the wasm readside scenario, in C (bench/native/readside.c),
// built with the system C compiler and run in the same session, so that wasm figures sit beside native ones
// measured on the same machine at the same time; on one thread, two operations the fault path is made of (a
// compare-and-swap, a random hit), beside the core's micro cases for them; and on two threads a futex
// wake-up, what the contended locks pay when their spin fails. Flavours whose compiler or library is missing
// are skipped with a note, and the command still succeeds.
//
// Every cell (native flavour x worker count) is measured `repeat` times on each side. The samples are kept
// (results/native.csv holds one row per measurement), and every figure printed about a cell, the ratio and
// its interval included, is computed from them by nativeCells: the README's speed bar recomputes it the same
// way from the CSV.

import { median } from "simple-statistics";
import { measureConfiguration } from "./runner.ts";
import { WorkerPool } from "./pool.ts";
import { DaxMachine } from "../machine/dax.ts";
import { expandMatrix, timing } from "./matrix.ts";
import { readside } from "../registry/scenarios.ts";
import { MiB } from "../units.ts";
import { comparePair, type PairComparison } from "../results/stats.ts";
import { METADATA_COLUMNS, METADATA_TEXT_COLUMNS } from "../results/schema.ts";
import { readTable, cellError, writeTable, type CsvTable } from "../csv-table.ts";
import { buildC, runProgram, type Built } from "./cc.ts";
import { groupBy } from "../results/group.ts";
import type { Configuration, ReaderJob } from "../types.ts";
import type { RunMetadata } from "../results/metadata.ts";
import type { SchemeName } from "../schemes.ts";
import { NATIVE_FLAVOURS, schemeCalibratedBy, type NativeFlavour } from "../schemes.ts";
import { casCase, randomHitCase, BATCH } from "./micro-cases.ts";
import { sixSignificantDigits } from "../units.ts";

/** How each native flavour is built. */
const BUILDS = {
  load: { binary: "plain", flags: [], libs: [], what: "no read side: the seq-cst load of alive alone" },
  percpu: { binary: "plain", flags: [], libs: [], what: "per-CPU seq-cst counters (SRCU's read side)" },
  mutex: { binary: "plain", flags: [], libs: [], what: "pthread mutex" },
  rwlock: { binary: "plain", flags: [], libs: [], what: "pthread rwlock" },
  "urcu-memb": {
    binary: "memb",
    flags: ["-DFLAVOR_MEMB"],
    libs: ["-lurcu-memb"],
    what: "liburcu memb (membarrier: no fence on the read side)",
  },
  "urcu-qsbr": { binary: "qsbr", flags: ["-DFLAVOR_QSBR"], libs: ["-lurcu-qsbr"], what: "liburcu qsbr" },
  refcount: { binary: "plain", flags: [], libs: [], what: "an atomic refcount: inc_not_zero, then put" },
  "percpu-ref": {
    binary: "plain",
    flags: [],
    libs: [],
    what: "percpu_ref live: a mode check and a count on the thread's own line, online per batch",
  },
  seqlock: { binary: "plain", flags: [], libs: [], what: "a seqlock reader: sample, load, re-check" },
} as const satisfies Record<
  NativeFlavour,
  { binary: string; flags: readonly string[]; libs: readonly string[]; what: string }
>;

/** Each native flavour: its build, and the wasm scheme it calibrates (the scheme of host/schemes.ts that names it). */
const NATIVE = NATIVE_FLAVOURS.map((native) => ({ native, ...BUILDS[native], wasm: schemeCalibratedBy(native).name }));

/** Operations of the fault path timed on one thread, beside the micro case that runs them in the core (on the
 *  main thread, CPU 0, timed around batches as benchmark.js would). */
const OPERATIONS = [
  {
    native: "cas",
    binary: "plain",
    flags: [],
    libs: [],
    what: "one uncontended compare-and-swap on the thread's own line",
    micro: casCase,
  },
  {
    native: "random-load",
    binary: "plain",
    flags: [],
    libs: [],
    what: "a random entry of a 16,384-entry table (a 64 MiB mapping's ptes), wasm: a random hit",
    micro: randomHitCase,
  },
] as const;

/** A wake-up, on two threads: a futex word handed back and forth, each side asleep until the other wakes it;
 *  what a contended mutex pays each time its spin fails. Natively FUTEX_WAIT/FUTEX_WAKE, in wasm the core's
 *  bench_futex_handover on two workers (memory.atomic.wait32/notify). Each side times the hand-overs that
 *  woke it from sleep, from just before the word moved to its return; a sample is their mean. A sample is a
 *  fixed count of hand-overs a side, whatever the duration: both threads must stop on the same one. */
export const HANDOVER = {
  native: "handover",
  binary: "plain",
  flags: [],
  libs: [],
  wasm: "futex-handover",
  count: 2048,
  what:
    "a futex wake-up: from a thread's move of a word to its partner's return from sleep " +
    "(FUTEX_WAIT; wasm: memory.atomic.wait32)",
} as const;

/** Uncounted runs before the measured ones, on each side. */
const WARMUP = 1;
/** The ratio's interval is at confidence at least 1 - NATIVE_ALPHA. */
export const NATIVE_ALPHA = 0.05;

/** The native schema, long form: one row per measurement, then the run's metadata. */
export const NATIVE_COLUMNS = [
  "native",
  "what",
  "wasm",
  "workers",
  "side",
  "rep",
  "ns_per_op",
  ...METADATA_COLUMNS,
] as const;
export type NativeColumn = (typeof NATIVE_COLUMNS)[number];
/** The native schema as read back: every figure a cell is computed from must be positive. */
export const NATIVE_TABLE: CsvTable<NativeColumn> = {
  kind: "native",
  columns: NATIVE_COLUMNS,
  text: new Set(["native", "what", "wasm", "side", ...METADATA_TEXT_COLUMNS]),
  rules: { workers: "positive", rep: "positive", ns_per_op: "positive" },
};
export type Side = "native" | "wasm";

/** One measurement: ns per operation (a read-side pair, or one of OPERATIONS) per thread, of one side of one
 *  cell in one repetition. */
export interface NativeSample {
  native: string;
  what: string;
  wasm: string;
  workers: number;
  side: Side;
  /** 1 to repeat, per side. */
  rep: number;
  nsPerOp: number;
}

/** A native flavour at one worker count, beside its wasm scheme: everything below comes from the samples. */
export interface NativeCell {
  native: string;
  what: string;
  wasm: string;
  workers: number;
  nativeNs: number[];
  wasmNs: number[];
  nativeMedian: number;
  wasmMedian: number;
  /** comparePair(native, wasm): its estimate is the Hodges-Lehmann estimate of wasm / native. */
  comparison: PairComparison;
}

/** The wasm side of a cell: the readside scenario, configured by the matrix as `daxbench run --scenario readside
 *  --protection P --workers N` would be. */
function wasmConfiguration(protection: SchemeName, workers: number, durationNs: number): Configuration {
  const [config] = expandMatrix(
    { scenario: [readside], protection: [protection], workers: [workers], align: ["4k"], size: [64n * MiB] },
    timing({ durationNs }),
  );
  return config;
}

/** Measures every cell that can be built here: `repeat` runs per side after WARMUP uncounted ones. */
export async function runNative(
  workerCounts: number[],
  durationNs: number,
  repeat: number,
  note: (line: string) => void,
  onCell: (label: string) => void = () => {},
  signal?: AbortSignal,
): Promise<NativeSample[]> {
  const builds = new Map<string, Built>();
  const everyProgram = [...NATIVE, ...OPERATIONS, HANDOVER];
  for (const n of everyProgram)
    if (!builds.has(n.binary)) builds.set(n.binary, buildC("readside.c", `readside-${n.binary}`, n.flags, n.libs));
  for (const n of everyProgram) {
    const skipped = builds.get(n.binary)!.skipped;
    if (skipped) note(`${n.native}: skipped, ${skipped}`);
  }
  const milliseconds = String(Math.max(1, Math.round(durationNs / 1e6)));
  const probe = new DaxMachine();
  const samples: NativeSample[] = [];
  for (const n of NATIVE) {
    const path = builds.get(n.binary)!.path;
    if (!path) continue;
    for (const workers of workerCounts) {
      const cell = { native: n.native, what: n.what, wasm: n.wasm, workers };
      onCell(`native ${n.native} / wasm ${n.wasm}, ${workers} worker${workers > 1 ? "s" : ""}`);
      await measureNative(path, cell, milliseconds, repeat, samples, signal);
      const reps = await measureConfiguration(wasmConfiguration(n.wasm, workers, durationNs), {
        repeat,
        warmup: WARMUP,
        timeoutMs: durationNs / 1e6 + 60_000,
        signal,
      });
      if (reps.some((m) => m.ops === 0))
        throw new Error(
          `wasm ${n.wasm} at ${workers} workers completed no read-side pair in ${milliseconds} ms: ` +
            "give a longer --duration",
        );
      reps.forEach((m, i) =>
        samples.push({
          ...cell,
          side: "wasm",
          rep: i + 1,
          nsPerOp: sixSignificantDigits((m.elapsedNs * workers) / m.ops),
        }),
      );
    }
  }
  for (const n of OPERATIONS) {
    const path = builds.get(n.binary)!.path;
    if (!path) continue;
    const cell = { native: n.native, what: n.what, wasm: n.micro.name, workers: 1 };
    onCell(`native ${n.native} / wasm ${n.micro.name}, 1 worker`);
    await measureNative(path, cell, milliseconds, repeat, samples, signal);
    const batch = n.micro.prepare(probe);
    for (let i = -WARMUP; i < repeat; i++) {
      signal?.throwIfAborted();
      const ns = timeBatches(batch, durationNs);
      if (i >= 0) samples.push({ ...cell, side: "wasm", rep: i + 1, nsPerOp: sixSignificantDigits(ns) });
    }
  }
  const handover = builds.get(HANDOVER.binary)!.path;
  if (handover) {
    const cell = { native: HANDOVER.native, what: HANDOVER.what, wasm: HANDOVER.wasm, workers: 2 };
    onCell(`native ${HANDOVER.native} / wasm ${HANDOVER.wasm}, 2 workers`);
    await measureNative(handover, cell, String(HANDOVER.count), repeat, samples, signal);
    const ns = await wasmHandovers(HANDOVER.count, repeat, signal);
    ns.forEach((x, i) => samples.push({ ...cell, side: "wasm", rep: i + 1, nsPerOp: sixSignificantDigits(x) }));
  }
  return samples;
}

/** The wasm side of the wake-up cell: `repeat` samples (after WARMUP) of ns per wake-up, `count` hand-overs a
 *  worker (CPUs 1 and 2): the latency the core summed over the run, over the wake-ups the workers timed. */
async function wasmHandovers(count: number, repeat: number, signal?: AbortSignal): Promise<number[]> {
  const machine = new DaxMachine();
  const pool = await WorkerPool.start(machine, 2);
  const stopPool = () => void pool.stop();
  signal?.addEventListener("abort", stopPool);
  const job: ReaderJob = {
    role: "reader",
    fn: "bench_futex_handover",
    args: [BigInt(count)],
    untilStopped: false,
    stopOnViolation: false,
  };
  const ns: number[] = [];
  try {
    for (let i = -WARMUP; i < repeat; i++) {
      signal?.throwIfAborted();
      const before = machine.core.exports.handover_wakeup_ns();
      const results = await pool.run([job, job], { timeoutMs: 60_000 });
      const woken = results.reduce((sum, r) => sum + r.ops, 0);
      if (woken === 0) throw new Error(`wasm futex-handover: no hand-over of ${count} woke a sleeper`);
      if (i >= 0) ns.push(Number(machine.core.exports.handover_wakeup_ns() - before) / woken);
    }
  } finally {
    signal?.removeEventListener("abort", stopPool);
    await pool.stop();
  }
  return ns;
}

/** The native side of a cell: WARMUP uncounted runs, then `repeat` samples. `length` is the program's last
 *  argument: the milliseconds of a timed cell, or the count of hand-overs. */
async function measureNative(
  path: string,
  cell: Omit<NativeSample, "side" | "rep" | "nsPerOp">,
  length: string,
  repeat: number,
  samples: NativeSample[],
  signal?: AbortSignal,
): Promise<void> {
  for (let i = -WARMUP; i < repeat; i++) {
    const result = await runProgram(path, [cell.native, String(cell.workers), length], signal);
    if (result.code === 3)
      throw new Error(
        `native ${cell.native} at ${cell.workers} workers: ${result.stderr.trim()}: give a longer --duration`,
      );
    const output = result.stdout.trim();
    const ns = Number(output);
    if (result.code !== 0 || output === "" || !(ns > 0) || !Number.isFinite(ns)) {
      throw new Error(
        `${path} ${cell.native} ${cell.workers} ${length} exited ${result.code} printing ${JSON.stringify(output)}, ` +
          "not ns per operation",
      );
    }
    if (i >= 0) samples.push({ ...cell, side: "native", rep: i + 1, nsPerOp: sixSignificantDigits(ns) });
  }
}

/** Runs `batch` (BATCH operations a call) for at least `durationNs`, timed around the batches; ns per operation. */
function timeBatches(batch: () => void, durationNs: number): number {
  let calls = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  do {
    batch();
    calls++;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < BigInt(Math.round(durationNs)));
  return Number(elapsed) / (calls * Number(BATCH));
}

/** Groups samples into cells (in the order they first appear) and computes each cell's figures. */
export function nativeCells(samples: NativeSample[], alpha = NATIVE_ALPHA): NativeCell[] {
  return [...groupBy(samples, (s) => `${s.native}|${s.workers}`).values()].map((group) => {
    const { native, what, wasm, workers } = group[0];
    const side = (name: Side) => group.filter((s) => s.side === name).map((s) => s.nsPerOp);
    const nativeNs = side("native");
    const wasmNs = side("wasm");
    if (nativeNs.length === 0 || wasmNs.length === 0) {
      throw new Error(
        `native ${native} at ${workers} workers has ${nativeNs.length} native and ${wasmNs.length} wasm samples: ` +
          "a cell needs both sides",
      );
    }
    return {
      native,
      what,
      wasm,
      workers,
      nativeNs,
      wasmNs,
      nativeMedian: median(nativeNs),
      wasmMedian: median(wasmNs),
      comparison: comparePair(nativeNs, wasmNs, alpha),
    };
  });
}

/** Every sample, one row each: the data every figure about a cell is computed from. */
export function nativeCsv(samples: NativeSample[], meta: RunMetadata): string {
  const rows = samples.map(
    (s): Record<NativeColumn, string | number> => ({
      native: s.native,
      what: s.what,
      wasm: s.wasm,
      workers: s.workers,
      side: s.side,
      rep: s.rep,
      ns_per_op: s.nsPerOp,
      ...(Object.fromEntries(METADATA_COLUMNS.map((column) => [column, meta[column]])) as Pick<
        RunMetadata,
        (typeof METADATA_COLUMNS)[number]
      >),
    }),
  );
  return writeTable(NATIVE_TABLE, rows);
}

/** Reads nativeCsv's output back; throws (a UsageError) naming the file, the line and the column of anything else. */
export function parseNativeCsv(text: string, path: string): NativeSample[] {
  return readTable(path, text, NATIVE_TABLE).map(({ line, row }) => {
    const side = row.side;
    if (side !== "native" && side !== "wasm")
      throw cellError(path, line, "side", `${JSON.stringify(side)} is not one of: native, wasm`);
    return {
      native: String(row.native),
      what: String(row.what),
      wasm: String(row.wasm),
      workers: Number(row.workers),
      side,
      rep: Number(row.rep),
      nsPerOp: Number(row.ns_per_op),
    };
  });
}
