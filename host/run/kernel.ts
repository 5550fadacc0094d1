// `daxbench kernel`: what a fault costs in this machine's kernel, the anchor the model is held to. A small C
// probe (bench/native/kernel-faults.c, built on the fly like native's) maps memory that already exists: a
// shared memfd whose 4 KiB pages stay in the page cache, or a hugetlb memfd of 2 MiB or 1 GiB pages; each
// timed pass first drops the page-table entries (MADV_DONTNEED), then writes one byte per touch. The cases
// below give the cost of one fault per page size, and the time to populate a mapping the way daxbench's
// populate does (every 4 KiB touched once). Beside them, one grace period of the kernel's RCU: a second probe
// (bench/native/grace-period.c) times membarrier(MEMBARRIER_CMD_GLOBAL), which waits in synchronize_rcu(), what
// `--gp-cost kernel` charges. Results have their own schema: one row per case and repetition.

import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { join } from "node:path";
import { buildC, runProgram } from "./cc.ts";
import { METADATA_COLUMNS, METADATA_TEXT_COLUMNS } from "../results/schema.ts";
import { summarize, type Summary } from "../results/stats.ts";
import { ALIGNMENTS } from "../machine/dax.ts";
import { formatSize, sixSignificantDigits } from "../units.ts";
import { UsageError } from "../errors.ts";
import { sysfsChoice } from "../system.ts";
import { waitForLock } from "../pid-lock.ts";
import { readCsvText, readTable, type CsvTable } from "../csv-table.ts";
import type { AlignName } from "../types.ts";
import type { RunMetadata } from "../results/metadata.ts";

export type PageName = AlignName;

export interface KernelCase {
  name: string;
  page: PageName;
  /** Bytes between touches: 4 KiB (populate), or the page size (one touch, one fault, per page). */
  stride: "4k" | "page";
  mode: "fault" | "hit";
  what: string;
}

export const KERNEL_CASES: readonly KernelCase[] = [
  {
    name: "4k populate",
    page: "4k",
    stride: "4k",
    mode: "fault",
    what: "every 4 KiB written once: one 4 KiB fault each (a shared memfd, pages in the page cache)",
  },
  { name: "4k hit", page: "4k", stride: "4k", mode: "hit", what: "every 4 KiB read once, all mapped: no fault" },
  {
    name: "2m fault",
    page: "2m",
    stride: "page",
    mode: "fault",
    what: "each 2 MiB page written once: one 2 MiB fault each (a hugetlb memfd)",
  },
  {
    name: "2m populate",
    page: "2m",
    stride: "4k",
    mode: "fault",
    what: "every 4 KiB written once: a fault per 2 MiB, the rest hits on memory not yet in cache",
  },
  {
    name: "1g fault",
    page: "1g",
    stride: "page",
    mode: "fault",
    what: "each 1 GiB page written once (a hugetlb memfd)",
  },
  {
    name: "1g populate",
    page: "1g",
    stride: "4k",
    mode: "fault",
    what: "every 4 KiB written once: a fault per 1 GiB, the rest hits",
  },
];

/** The grace-period case's name in the rows: the kernel function it times. Its rows leave the fault columns
 *  empty; elapsed_ns is one call's time. */
export const GRACE_PERIOD_CASE = "synchronize_rcu";
export const GRACE_PERIOD_WHAT =
  "membarrier(MEMBARRIER_CMD_GLOBAL), which waits in synchronize_rcu() for every CPU to pass a quiescent state";

/** The case whose fault cost stands for a fault of each page size. */
export const FAULT_CASE: Record<PageName, string> = { "4k": "4k populate", "2m": "2m fault", "1g": "1g fault" };

/** The kernel schema: what was measured, the figures, what shaped them on this machine, then the metadata. */
export const KERNEL_COLUMNS = [
  "case",
  "page",
  "mode",
  "mapping_bytes",
  "stride_bytes",
  "rep",
  "elapsed_ns",
  "touches",
  "minor_faults",
  "ns_per_touch",
  "ns_per_fault",
  "kernel",
  "thp_shmem_enabled",
  "hugepages_2m",
  "hugepages_1g",
  "rcu_expedited",
  ...METADATA_COLUMNS,
] as const;
export type KernelColumn = (typeof KERNEL_COLUMNS)[number];
/** The kernel schema as read back: words in some columns, numbers in the others, and ns_per_fault empty where
 *  not every touch faults. */
export const KERNEL_TABLE: CsvTable<KernelColumn> = {
  kind: "kernel",
  columns: KERNEL_COLUMNS,
  text: new Set(["case", "page", "mode", "kernel", "thp_shmem_enabled", "rcu_expedited", ...METADATA_TEXT_COLUMNS]),
  later: new Set(["rcu_expedited"]),
  // The grace-period rows have no page, mapping or touches.
  rules: {
    ns_per_fault: "optional",
    mapping_bytes: "optional",
    stride_bytes: "optional",
    touches: "optional",
    minor_faults: "optional",
    ns_per_touch: "optional",
  },
};
export type KernelRow = Record<KernelColumn, string | number>;

const HUGEPAGES = (page: PageName) => `/sys/kernel/mm/hugepages/hugepages-${Number(ALIGNMENTS[page] >> 10n)}kB`;
export const NR_HUGEPAGES = "/proc/sys/vm/nr_hugepages";

function readSetting(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}

/** Free huge pages of a size, 0 where the kernel has none of that size. */
export function freeHugePages(page: PageName): number {
  return Number(readSetting(`${HUGEPAGES(page)}/free_hugepages`) || 0);
}

/** The settings that shape the run: the kernel, transparent huge pages, the huge-page pools, and whether
 *  synchronize_rcu() is expedited (/sys/kernel/rcu_expedited: then a grace period is microseconds, not
 *  milliseconds). */
export function kernelSettings(): Pick<
  KernelRow,
  "kernel" | "thp_shmem_enabled" | "hugepages_2m" | "hugepages_1g" | "rcu_expedited"
> {
  return {
    kernel: release(),
    // Transparent huge pages for anonymous memory are in every row's metadata; shared memory has its own setting.
    thp_shmem_enabled: sysfsChoice("/sys/kernel/mm/transparent_hugepage/shmem_enabled"),
    hugepages_2m: Number(readSetting(`${HUGEPAGES("2m")}/nr_hugepages`) || 0),
    hugepages_1g: Number(readSetting(`${HUGEPAGES("1g")}/nr_hugepages`) || 0),
    rcu_expedited: readSetting("/sys/kernel/rcu_expedited"),
  };
}

/** How to get huge pages of a size, for the line that says a case was skipped. */
export function hugePageAdvice(page: PageName, needed: number): string {
  return page === "2m"
    ? `as root, run with --reserve-hugepages ${needed} (or: echo ${needed} > ${NR_HUGEPAGES})`
    : `as root: echo ${needed} > ${HUGEPAGES("1g")}/nr_hugepages ` +
        `(1 GiB pages may need to be reserved at boot: hugepagesz=1G hugepages=${needed})`;
}

/** The mapping a case uses: --size, or one page where the page is larger. */
export function caseBytes(c: KernelCase, size: bigint): bigint {
  return size > ALIGNMENTS[c.page] ? size : ALIGNMENTS[c.page];
}

/** Parses the probe's lines ("elapsed_ns touches minor_faults", one per timed pass). */
export function parseProbeOutput(text: string): { elapsedNs: number; touches: number; minorFaults: number }[] {
  return text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const fields = line.trim().split(/\s+/).map(Number);
      if (fields.length !== 3 || fields.some((x) => !Number.isInteger(x) || x < 0) || fields[1] === 0) {
        throw new Error(`the kernel probe printed ${JSON.stringify(line)}, not "elapsed_ns touches minor_faults"`);
      }
      return { elapsedNs: fields[0], touches: fields[1], minorFaults: fields[2] };
    });
}

export interface KernelRunOptions {
  size: bigint;
  repeat: number;
  signal?: AbortSignal;
}

/** Measures every case this machine can run; `note` gets one line per case skipped and why. */
export async function runKernel(
  options: KernelRunOptions,
  meta: RunMetadata,
  note: (line: string) => void,
  onCase: (name: string) => void = () => {},
): Promise<KernelRow[]> {
  const built = buildC("kernel-faults.c", "kernel-faults");
  if (built.skipped !== undefined) {
    note(`every case skipped: ${built.skipped}`);
    return [];
  }
  const settings = kernelSettings();
  const rows: KernelRow[] = [];
  for (const c of KERNEL_CASES) {
    const bytes = caseBytes(c, options.size);
    const pages = Number(bytes / ALIGNMENTS[c.page]);
    if (c.page !== "4k" && freeHugePages(c.page) < pages) {
      note(
        `${c.name}: skipped, ${freeHugePages(c.page)} free ${c.page} huge pages, ${pages} needed: ` +
          `${hugePageAdvice(c.page, pages)}`,
      );
      continue;
    }
    onCase(c.name);
    const stride = c.stride === "page" ? ALIGNMENTS[c.page] : ALIGNMENTS["4k"];
    const result = await runProgram(
      built.path,
      [c.page, String(bytes), String(stride), c.mode, String(options.repeat)],
      options.signal,
    );
    if (result.code === 3) {
      note(`${c.name}: skipped, ${result.stderr.trim()}`);
      continue;
    }
    if (result.code !== 0)
      throw new Error(`the kernel probe failed on ${c.name} (exit ${result.code}): ${result.stderr.trim()}`);
    parseProbeOutput(result.stdout).forEach((pass, i) => {
      rows.push({
        case: c.name,
        page: c.page,
        mode: c.mode,
        mapping_bytes: Number(bytes),
        stride_bytes: Number(stride),
        rep: i + 1,
        elapsed_ns: pass.elapsedNs,
        touches: pass.touches,
        minor_faults: pass.minorFaults,
        ns_per_touch: sixSignificantDigits(pass.elapsedNs / pass.touches),
        // A fault's cost only where every touch faults: a populate pass's time is mostly its hits.
        ns_per_fault:
          c.mode === "fault" && stride === ALIGNMENTS[c.page] && pass.minorFaults > 0
            ? sixSignificantDigits(pass.elapsedNs / pass.minorFaults)
            : "",
        ...settings,
        ...Object.fromEntries(METADATA_COLUMNS.map((column) => [column, meta[column]])),
      } as KernelRow);
    });
  }
  rows.push(...(await gracePeriodRows(options, meta, settings, note, onCase)));
  return rows;
}

/** Parses the grace-period probe's lines ("elapsed_ns", one per timed call). */
export function parseGracePeriodOutput(text: string): number[] {
  return text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const ns = Number(line.trim());
      if (!Number.isInteger(ns) || ns <= 0)
        throw new Error(`the grace-period probe printed ${JSON.stringify(line)}, not "elapsed_ns"`);
      return ns;
    });
}

/** Times `repeat` grace periods (GRACE_PERIOD_CASE), or says in one line why it cannot here. */
async function gracePeriodRows(
  options: KernelRunOptions,
  meta: RunMetadata,
  settings: ReturnType<typeof kernelSettings>,
  note: (line: string) => void,
  onCase: (name: string) => void,
): Promise<KernelRow[]> {
  const built = buildC("grace-period.c", "grace-period");
  if (built.skipped !== undefined) {
    note(`${GRACE_PERIOD_CASE}: skipped, ${built.skipped}`);
    return [];
  }
  onCase(GRACE_PERIOD_CASE);
  const result = await runProgram(built.path, [String(options.repeat)], options.signal);
  if (result.code === 3) {
    note(`${GRACE_PERIOD_CASE}: skipped, ${result.stderr.trim()}`);
    return [];
  }
  if (result.code !== 0)
    throw new Error(`the grace-period probe failed (exit ${result.code}): ${result.stderr.trim()}`);
  return parseGracePeriodOutput(result.stdout).map(
    (elapsedNs, i) =>
      ({
        case: GRACE_PERIOD_CASE,
        page: "",
        mode: "grace-period",
        mapping_bytes: "",
        stride_bytes: "",
        rep: i + 1,
        elapsed_ns: elapsedNs,
        touches: "",
        minor_faults: "",
        ns_per_touch: "",
        ns_per_fault: "",
        ...settings,
        ...Object.fromEntries(METADATA_COLUMNS.map((column) => [column, meta[column]])),
      }) as KernelRow,
  );
}

/** The grace periods of a kernel run, summarised (elapsed_ns of each call); undefined when none was timed. */
export function gracePeriodSummary(rows: KernelRow[]): Summary | undefined {
  const times = rows.filter((r) => r.case === GRACE_PERIOD_CASE).map((r) => Number(r.elapsed_ns));
  return times.length ? summarize(times) : undefined;
}

/** What `--gp-cost kernel` charges: the median grace period a kernel results file holds, and the file and run
 *  it came from; undefined when the file timed none. */
export function kernelGracePeriod(path: string): { ns: number; source: string } | undefined {
  const rows = readKernelFile(path);
  const summary = gracePeriodSummary(rows);
  if (summary === undefined) return undefined;
  return { ns: summary.median, source: kernelSource(path, rows[0]) };
}

/** A case's repetitions, summarised; `faultsExpected` the faults a pass should take (one per page touched). */
export interface KernelCaseResult {
  kernelCase: KernelCase;
  reps: KernelRow[];
  nsPerTouch: Summary;
  nsPerFault: Summary | undefined;
  msPerGiB: Summary;
  faultsPerPass: number;
  faultsExpected: number;
}

export function kernelResults(rows: KernelRow[]): KernelCaseResult[] {
  return KERNEL_CASES.flatMap((kernelCase) => {
    const reps = rows.filter((r) => r.case === kernelCase.name);
    if (reps.length === 0) return [];
    const numbers = (column: KernelColumn) =>
      reps.map((r) => r[column]).filter((v): v is number => typeof v === "number");
    const perFault = numbers("ns_per_fault");
    const bytes = Number(reps[0].mapping_bytes);
    const pagesTouched = Math.ceil(bytes / Number(ALIGNMENTS[kernelCase.page]));
    return [
      {
        kernelCase,
        reps,
        nsPerTouch: summarize(numbers("ns_per_touch")),
        nsPerFault: perFault.length ? summarize(perFault) : undefined,
        msPerGiB: summarize(numbers("elapsed_ns").map((ns) => ns / 1e6 / (bytes / 2 ** 30))),
        faultsPerPass: summarize(numbers("minor_faults")).median,
        faultsExpected: kernelCase.mode === "fault" ? pagesTouched : 0,
      },
    ];
  });
}

/** Cases whose passes did not take the faults they should: the pages were not of the size the case is about
 *  (shmem's transparent huge pages behind a 4 KiB memfd, say), so its figures are not that page size's. */
export function kernelWarnings(results: KernelCaseResult[]): string[] {
  return results
    .filter(
      (r) => r.kernelCase.mode === "fault" && Math.abs(r.faultsPerPass - r.faultsExpected) > 0.01 * r.faultsExpected,
    )
    .map(
      (r) =>
        `warning: ${r.kernelCase.name}: ${r.faultsPerPass} minor faults per pass, ${r.faultsExpected} expected: ` +
        `its pages were not all ${r.kernelCase.page} ` +
        `(transparent huge pages: ${r.reps[0].thp_enabled}, shmem: ${r.reps[0].thp_shmem_enabled})`,
    );
}

/** Reads kernelCsv's output back; throws naming the file, the line and the column of anything else. */
export function readKernelFile(path: string): KernelRow[] {
  const rows = readTable(path, readCsvText(path), KERNEL_TABLE).map(({ row }) => row);
  if (rows.length === 0) throw new UsageError(`${path}: no rows: not a daxbench kernel result file`);
  return rows;
}

/** The kernel's cost of one fault of each page size (the median of its fault case), where it was measured,
 *  and the file and run it came from: what `--fault-cost kernel` charges. */
export interface KernelFaultCosts {
  ns: Partial<Record<PageName, number>>;
  source: string;
}

/** The newest kernel results in results/ (results/kernel.csv, or a later results/kernel-<date>.csv). */
export function latestKernelFile(dir: string): string | undefined {
  const candidates = existsSync(dir) ? readdirSync(dir).filter((name) => /^kernel(-[\dT-]+)?\.csv$/.test(name)) : [];
  const startedAt = (name: string) => String(readKernelFile(join(dir, name))[0]?.started_at ?? "");
  return candidates
    .map((name) => ({ name, at: startedAt(name) }))
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((c) => join(dir, c.name))
    .pop();
}

export function kernelFaultCosts(path: string): KernelFaultCosts {
  const results = kernelResults(readKernelFile(path));
  const ns: Partial<Record<PageName, number>> = {};
  for (const page of Object.keys(FAULT_CASE) as PageName[]) {
    const found = results.find((r) => r.kernelCase.name === FAULT_CASE[page]);
    if (found?.nsPerFault) ns[page] = found.nsPerFault.median;
  }
  return { ns, source: kernelSource(path, results[0]?.reps[0]) };
}

/** "kernel PATH (commit C, started_at)": where a cost taken from a kernel results file came from. */
function kernelSource(path: string, first: KernelRow | undefined): string {
  return `kernel ${path} (commit ${first?.commit || "unknown"}, ${first?.started_at ?? ""})`;
}

/** The pool of 2 MiB huge pages is the whole machine's: a run that reserves pages holds this lock until it has
 *  put the pool back, so that two runs never take each other's pages for their own or put back the pool at the
 *  other's count (which would leave it changed for good). */
export const HUGE_PAGE_POOL_LOCK = "/run/daxbench-hugepages.lock";

/** How long a run waits for another run's reservation to end. */
const HUGE_PAGE_POOL_WAIT_MS = 10 * 60_000;

/** `--reserve-hugepages N`: makes N 2 MiB huge pages free, and gives back restore() to put the pool as it was.
 *  Root only; waits while another daxbench run holds the pool (`waiting` is told its pid). The caller
 *  restores however the run ends. */
export async function reserveHugePages(
  count: number,
  waiting: (holder: number) => void,
): Promise<{ restore: () => void; message: string }> {
  if (process.getuid?.() !== 0)
    throw new UsageError(`--reserve-hugepages ${count} needs root: ${NR_HUGEPAGES} is the kernel's to change`);
  const releasePool = await waitForLock(HUGE_PAGE_POOL_LOCK, HUGE_PAGE_POOL_WAIT_MS, waiting);
  const before = Number(readSetting(NR_HUGEPAGES) || 0);
  const missing = count - freeHugePages("2m");
  if (missing <= 0)
    return { restore: releasePool, message: `${freeHugePages("2m")} 2 MiB huge pages already free: none reserved` };
  writeFileSync(NR_HUGEPAGES, String(before + missing));
  const after = Number(readSetting(NR_HUGEPAGES) || 0);
  const restore = () => {
    writeFileSync(NR_HUGEPAGES, String(before));
    releasePool();
  };
  return {
    restore,
    message:
      `nr_hugepages ${before} → ${after} (${formatSize(BigInt(after - before) * ALIGNMENTS["2m"])} reserved` +
      `${after - before < missing ? `, ${missing} asked: memory is fragmented` : ""}); ` +
      `put back to ${before} when the run ends`,
  };
}
