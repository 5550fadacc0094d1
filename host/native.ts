// `daxbench native`: the same read-side pairs as the wasm readside scenario, in C (bench/native/readside.c),
// built with the system C compiler and run in the same session, so that wasm figures sit beside native ones
// measured on the same machine at the same time. Flavours whose compiler or library is missing are skipped
// with a note; nothing here is needed by the tests.

import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { findScenario } from "../bench/scenarios.ts";
import { measureConfiguration } from "./runner.ts";
import { SKYLAKE_TLB } from "./dax.ts";
import { median } from "simple-statistics";
import { stringify } from "csv-stringify/sync";

const source = fileURLToPath(new URL("../bench/native/readside.c", import.meta.url));
const buildDir = fileURLToPath(new URL("../build/native/", import.meta.url));

/** Each native scheme: its build, and the wasm scheme it calibrates. */
const NATIVE = [
  { native: "percpu", binary: "plain", flags: [], libs: [], wasm: "rcu", what: "per-CPU seq-cst counters (SRCU's read side)" },
  { native: "mutex", binary: "plain", flags: [], libs: [], wasm: "mutex", what: "pthread mutex" },
  { native: "rwlock", binary: "plain", flags: [], libs: [], wasm: "rwlock", what: "pthread rwlock" },
  { native: "urcu-memb", binary: "memb", flags: ["-DFLAVOR_MEMB"], libs: ["-lurcu-memb"], wasm: "rcu", what: "liburcu memb (membarrier: no fence on the read side)" },
  { native: "urcu-qsbr", binary: "qsbr", flags: ["-DFLAVOR_QSBR"], libs: ["-lurcu-qsbr"], wasm: "qsbr", what: "liburcu qsbr" },
] as const;

export interface NativeRow {
  native: string;
  what: string;
  wasm: string;
  workers: number;
  nativeNs: number;
  wasmNs: number;
}

/** Builds one flavour; returns its path, or a one-line reason it could not be built. */
function build(binary: string, flags: readonly string[], libs: readonly string[]): { path?: string; skipped?: string } {
  mkdirSync(buildDir, { recursive: true });
  const path = `${buildDir}readside-${binary}`;
  try {
    execFileSync("cc", ["-O2", "-pthread", ...flags, source, "-o", path, ...libs], { stdio: ["ignore", "ignore", "pipe"] });
    return { path };
  } catch (error) {
    const reason = (error as { code?: string }).code === "ENOENT" ? "no C compiler (cc)" : `cc failed${libs.length ? ` (is liburcu-dev installed?)` : ""}`;
    return { skipped: `${binary}: skipped, ${reason}` };
  }
}

export async function runNative(workerCounts: number[], durationNs: number, note: (line: string) => void): Promise<NativeRow[]> {
  const builds = new Map<string, { path?: string; skipped?: string }>();
  for (const n of NATIVE) if (!builds.has(n.binary)) builds.set(n.binary, build(n.binary, n.flags, n.libs));
  for (const b of builds.values()) if (b.skipped) note(b.skipped);
  const readside = findScenario("readside")!;
  const wasmNs = new Map<string, number>();
  const rows: NativeRow[] = [];
  for (const n of NATIVE) {
    const path = builds.get(n.binary)!.path;
    if (!path) continue;
    for (const workers of workerCounts) {
      const key = `${n.wasm}|${workers}`;
      if (!wasmNs.has(key)) {
        const config = { scenario: readside, protection: n.wasm, align: "4k" as const, policy: "device" as const, tlbGeometry: SKYLAKE_TLB, workers, size: 64n << 20n, durationNs, killPeriodNs: 0, readDelayNs: 0 };
        const reps = await measureConfiguration(config, { repeat: 3, warmup: 1, timeoutMs: durationNs / 1e6 + 60_000 });
        wasmNs.set(key, median(reps.map((m) => (m.elapsedNs * workers) / m.ops)));
      }
      const runs = [0, 1, 2].map(() => Number(execFileSync(path, [n.native, String(workers), String(Math.round(durationNs / 1e6))]).toString()));
      rows.push({ native: n.native, what: n.what, wasm: n.wasm, workers, nativeNs: median(runs), wasmNs: wasmNs.get(key)! });
    }
  }
  return rows;
}

/** The same rows for programs (the README's speed bar reads them): csv-stringify, one row per scheme and count. */
export function nativeCsv(rows: NativeRow[]): string {
  return stringify(rows.map((r) => ({ native: r.native, wasm: r.wasm, workers: r.workers, native_ns: r.nativeNs, wasm_ns: r.wasmNs })), { header: true });
}

export function nativeMarkdown(rows: NativeRow[]): string {
  return [
    "| native read side | workers | native ns/pair | wasm scheme | wasm ns/pair | wasm / native |",
    "|:--|--:|--:|:--|--:|--:|",
    ...rows.map((r) => `| ${r.native}: ${r.what} | ${r.workers} | ${r.nativeNs.toFixed(2)} | ${r.wasm} | ${r.wasmNs.toFixed(2)} | ${(r.wasmNs / r.nativeNs).toFixed(2)} |`),
  ].join("\n") + "\n";
}
