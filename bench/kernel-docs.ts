// Writes docs/kernel.md's generated section ("The model against this machine's kernel") from the committed results: the
// kernel's fault costs and populate times (results/kernel.csv, `daxbench kernel`), the model's populate with
// and without the kernel's fault cost (results/kernel-model.csv, `daxbench run --fault-cost 0,kernel`), and
// the model's own fault (results/micro.csv). Every figure, interval and verdict is computed here from those
// files by kernelSection(), a pure function tested in test/docs.test.ts; `npm run results:kernel` measures them
// first.

import "./usage-exit.ts";
import { join } from "node:path";
import { replaceSection } from "../host/export/readme.ts";
import { readResultFile } from "../host/results/file.ts";
import { byConfiguration, type ConfigurationResult } from "../host/results/configurations.ts";
import { readKernelFile, kernelResults, type KernelCaseResult } from "../host/run/kernel.ts";
import { kernelMarkdown } from "../host/export/side-tables.ts";
import { readMicroFile } from "../host/run/micro.ts";
import { comparePair, summarize, barVerdict, quotientInterval } from "../host/results/stats.ts";
import { figure, geomeanWithInterval } from "../host/print/figures.ts";
import { populate } from "../host/registry/scenarios.ts";
import type { ResultRow } from "../host/results/schema.ts";
import type { Verdict } from "../host/results/stats.ts";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { readGuestFile, type GuestRow } from "../host/guest/results.ts";

const GiB = 2 ** 30;
const ALPHA = 0.05;
/** The goal: the modelled 4k/2m populate ratio, with the kernel's fault cost, within this factor of the kernel's. */
export const GOAL_FACTOR = 2;

/** Whether an interval of a ratio lies within factor× of 1 either way: met when all of it does, missed when
 *  all of it lies beyond one end, inconclusive otherwise (or without an interval). */
export function withinFactor(interval: readonly [number, number] | undefined, factor: number): Verdict {
  const [low, high] = [barVerdict(interval, { atLeast: 1 / factor }), barVerdict(interval, { atMost: factor })];
  return low === "met" && high === "met" ? "met" : low === "missed" || high === "missed" ? "missed" : "inconclusive";
}

/** The measured populate figures both sections are written from: the kernel's cases and the model's populate
 *  with and without the kernel's fault cost, and the three 4 KiB / 2 MiB ratios. */
function populateFigures(kernelRows: ReturnType<typeof readKernelFile>, modelRows: ResultRow[]) {
  const kernel = kernelResults(kernelRows);
  const model = byConfiguration(modelRows).filter((c) => c.identity.scenario === populate.name);

  function kernelCase(name: string): KernelCaseResult | undefined {
    return kernel.find((r) => r.kernelCase.name === name);
  }

  /** The model's populate at `align`, with the kernel's fault cost charged or not. */
  function modelled(align: string, charged: boolean): ConfigurationResult {
    const found = model.find((c) => c.identity.align === align && Number(c.identity.fault_cost_ns) > 0 === charged);
    if (!found)
      throw new Error(`results/kernel-model.csv has no populate ${align} ${charged ? "with" : "without"} a fault cost`);
    return found;
  }

  /** ms per GiB of each repetition of a modelled populate (one worker: its elapsed time is the work's). */
  function modelMsPerGiB(c: ConfigurationResult): number[] {
    return c.reps.map((r) => Number(r.elapsed_ns) / 1e6 / (Number(r.mapping_bytes) / GiB));
  }

  function kernelMsPerGiB(name: string): number[] {
    return kernelCase(name)?.reps.map((r) => Number(r.elapsed_ns) / 1e6 / (Number(r.mapping_bytes) / GiB)) ?? [];
  }

  const bare = { "4k": modelled("4k", false), "2m": modelled("2m", false) };
  const charged = { "4k": modelled("4k", true), "2m": modelled("2m", true) };
  return {
    kernelCase,
    kernelMsPerGiB,
    modelMsPerGiB,
    bare,
    charged,
    kernelRatio: ratioOf(kernelMsPerGiB("2m populate"), kernelMsPerGiB("4k populate")),
    bareRatio: ratioOf(modelMsPerGiB(bare["2m"]), modelMsPerGiB(bare["4k"])),
    chargedRatio: ratioOf(modelMsPerGiB(charged["2m"]), modelMsPerGiB(charged["4k"])),
  };
}

/** docs/kernel.md's generated section, from results/kernel.csv's rows, results/kernel-model.csv's and
 *  results/micro.csv's, and results/guest.csv's where there are any. */
export function kernelSection(
  kernelRows: ReturnType<typeof readKernelFile>,
  modelRows: ResultRow[],
  micro: ReturnType<typeof readMicroFile>,
  guestRows: GuestRow[] = [],
): string {
  const { kernelCase, kernelMsPerGiB, modelMsPerGiB, bare, charged, kernelRatio, bareRatio, chargedRatio } =
    populateFigures(kernelRows, modelRows);

  function microCase(name: string): string {
    const row = micro.find((r) => r.case === name);
    return row ? `${figure(Number(row.ns_per_op))} ± ${Number(row.rme_percent).toFixed(1)}%` : "–";
  }

  const fourKFault = kernelCase("4k populate");
  const twoMFault = kernelCase("2m fault");
  if (!fourKFault || !twoMFault)
    throw new Error(
      "results/kernel.csv lacks the 4k populate or the 2m fault case: run npm run results:kernel with huge pages",
    );
  const msPerGiB = (values: number[]) => geomeanWithInterval(values.length ? summarize(values) : undefined);

  // model / kernel for the 4k/2m ratio: its interval from the two ratios' intervals, at their ends.
  const apart =
    chargedRatio.pair.estimate !== undefined && kernelRatio.pair.estimate !== undefined
      ? chargedRatio.pair.estimate / kernelRatio.pair.estimate
      : undefined;
  const apartInterval = quotientInterval(chargedRatio.pair.interval, kernelRatio.pair.interval);
  const apartIntervalText = apartInterval
    ? ` (${figure(apartInterval[0])}…${figure(apartInterval[1])}, ` +
      "at least 90%: the two ratios' intervals taken at their ends)"
    : "";
  const verdict = withinFactor(apartInterval, GOAL_FACTOR);

  // What is left over: the touches that do not fault, inside each 2 MiB page.
  const perTouch = (c: ConfigurationResult) => summarize(c.reps.map((r) => Number(r.ns_per_op)));
  const kernelTouch2m = kernelCase("2m populate")!.nsPerTouch;
  const kernelHit = kernelCase("4k hit")?.nsPerTouch;
  const first = kernelRows[0];
  const modelRun = charged["4k"].identity;

  const table = [
    "| | 4 KiB | 2 MiB | 4 KiB / 2 MiB |",
    "|:--|--:|--:|--:|",
    `| kernel: one write fault, ns | ${geomeanWithInterval(fourKFault.nsPerFault)} | ` +
      `${geomeanWithInterval(twoMFault.nsPerFault)} | |`,
    `| model: one fault and its zap (\`daxbench micro\`), ns ± rme | ${microCase("micro-pte_fault_zap")} | ` +
      `${microCase("micro-pmd_fault_zap")} | |`,
    "| charged before each modelled fault by `--fault-cost kernel`, ns | " +
      `${figure(Number(charged["4k"].identity.fault_cost_ns))} | ` +
      `${figure(Number(charged["2m"].identity.fault_cost_ns))} | |`,
    `| kernel: populate, ms per GiB | ${msPerGiB(kernelMsPerGiB("4k populate"))} | ` +
      `${msPerGiB(kernelMsPerGiB("2m populate"))} | ${kernelRatio.text} |`,
    `| model: populate, ms per GiB | ${msPerGiB(modelMsPerGiB(bare["4k"]))} | ` +
      `${msPerGiB(modelMsPerGiB(bare["2m"]))} | ${bareRatio.text} |`,
    `| model with \`--fault-cost kernel\`: populate, ms per GiB | ${msPerGiB(modelMsPerGiB(charged["4k"]))} | ` +
      `${msPerGiB(modelMsPerGiB(charged["2m"]))} | ${chargedRatio.text} |`,
    ...guestTableRows(guestRows, msPerGiB),
  ].join("\n");

  return [
    `Measured on ${first.cpu} x${first.cpu_count}, kernel ${first.kernel} ` +
      `(transparent huge pages ${first.thp_enabled}, shmem ${first.thp_shmem_enabled}, ${first.hugepages_2m} 2 MiB ` +
      `huge pages), Node ${first.node}, daxbench ${first.daxbench_version}, commit ${first.commit || "unknown"}: ` +
      `\`daxbench kernel\` started ${first.started_at} (\`results/kernel.csv\`), the model's populate (rcu, ` +
      `1 worker, ${figure(Number(modelRun.mapping_bytes) / 2 ** 20)} MiB) started ${modelRun.started_at} ` +
      "(`results/kernel-model.csv`). Geometric means over 5 repetitions with their 95% intervals; ratios are " +
      "Hodges-Lehmann estimates with their distribution-free intervals.",
    "",
    table,
    "",
    `**Goal**: with \`--fault-cost kernel\`, the modelled 4 KiB / 2 MiB populate ratio within ${GOAL_FACTOR}× ` +
      `of the kernel's. Model over kernel: ${apart === undefined ? "–" : figure(apart)}${apartIntervalText}: ` +
      `**${verdict}** (met when the whole interval lies within ${1 / GOAL_FACTOR}…${GOAL_FACTOR}).`,
    "",
    "What is left over is the touches that do not fault. A 2 MiB populate faults once per 512 touches; the rest " +
      `are hits. The kernel's touch there writes to memory not yet in cache: a median of ` +
      `${figure(kernelTouch2m.median)} ns per touch of its 2 MiB populate, fault included (a read of a mapped 4 KiB ` +
      `page: ${kernelHit ? figure(kernelHit.median) : "–"} ns). The model's hit reads a page-table slot that stays ` +
      `in cache and touches no data: a median of ${figure(perTouch(charged["2m"]).median)} ns per touch of its ` +
      "2 MiB populate with the kernel's fault cost charged. Hits pay nothing extra by design (`--fault-cost` " +
      "stands for what a fault costs, not memory), so the model's 2 MiB populate stays " +
      `${perTouch(charged["2m"]).median < kernelTouch2m.median ? "cheaper" : "dearer"} ` +
      `than the kernel's and its 4k/2m ratio ${apart !== undefined && apart > 1 ? "larger" : "smaller"}.`,
    "",
    "Every case `daxbench kernel` measured (`results/kernel.md`):",
    "",
    kernelMarkdown(kernelRows).trim(),
  ].join("\n");
}

/** "86.4× (80.1…90.2)": how many times the 4 KiB populate takes the 2 MiB one (Hodges-Lehmann, its interval). */
function ratioOf(twoM: number[], fourK: number[]) {
  const pair = comparePair(twoM, fourK, ALPHA);
  const interval = pair.interval ? ` (${figure(pair.interval[0])}…${figure(pair.interval[1])})` : "";
  const text = pair.estimate === undefined ? "–" : `${figure(pair.estimate)}×${interval}`;
  return { pair, text };
}

/** The real driver's populate passes (`daxbench guest`, results/guest.csv) in ms of the guest's clock per GiB,
 *  the warm-up left out. */
function guestMsPerGiB(rows: GuestRow[], alignBytes: number): number[] {
  return rows
    .filter((r) => r.step === "fault" && r.case === "populate" && Number(r.align_bytes) === alignBytes)
    .filter((r) => Number(r.rep) > 0)
    .map((r) => Number(r.guest_clock_ns) / 1e6 / (Number(r.mapping_bytes) / GiB));
}

/** The real driver's row of the table: its 4 KiB / 2 MiB populate ratio, with the accelerator and the guest's
 *  kernel named; under TCG no time, since its clock runs emulated. None without guest results. */
function guestTableRows(rows: GuestRow[], msPerGiB: (values: number[]) => string): string[] {
  const [fourK, twoM] = [guestMsPerGiB(rows, 4096), guestMsPerGiB(rows, 2 * 2 ** 20)];
  if (rows.length === 0 || fourK.length === 0 || twoM.length === 0) return [];
  const { accel, guest_kernel } = rows[0];
  const times = accel === "kvm" ? [msPerGiB(fourK), msPerGiB(twoM)] : ["emulated: ratio only", ""];
  return [
    `| the real Device-DAX driver in a guest (${accel === "kvm" ? "KVM" : "QEMU's TCG"}, kernel ${guest_kernel}): ` +
      `populate, ms per GiB | ${times[0]} | ${times[1]} | ${ratioOf(twoM, fourK).text} |`,
  ];
}

/** The README's "model against this machine's kernel" section: what 4 KiB pages cost against 2 MiB ones when
 *  populating, in this machine's kernel, in the model, and in the real driver in a guest. */
export function readmeKernelSection(
  kernelRows: ReturnType<typeof readKernelFile>,
  modelRows: ResultRow[],
  guestRows: GuestRow[],
): string {
  const { kernelRatio, bareRatio, chargedRatio } = populateFigures(kernelRows, modelRows);
  const kernel = kernelRows[0];
  const rows = [
    `| this machine's kernel (\`daxbench kernel\`: a shared memfd, hugetlb pages; ${kernel.kernel}) | ` +
      `${kernelRatio.text} |`,
    `| the model (\`daxbench run --scenario populate\`) | ${bareRatio.text} |`,
    `| the model with \`--fault-cost kernel\` | ${chargedRatio.text} |`,
  ];
  const [fourK, twoM] = [guestMsPerGiB(guestRows, 4096), guestMsPerGiB(guestRows, 2 * 2 ** 20)];
  if (fourK.length && twoM.length) {
    const { accel, guest_kernel } = guestRows[0];
    const under = accel === "kvm" ? "KVM" : "QEMU's TCG emulation, a ratio of emulated times";
    rows.push(
      `| the real Device-DAX driver (\`daxbench guest\`: kernel ${guest_kernel} under ${under}) | ` +
        `${ratioOf(twoM, fourK).text} |`,
    );
  }
  const commits = [kernel.commit, modelRows[0]?.commit, guestRows[0]?.commit].filter(Boolean);
  return [
    "| populate, 4 KiB pages over 2 MiB pages, per GiB | ratio (95% CI) |",
    "|:--|--:|",
    ...rows,
    "",
    `From results/kernel.csv, results/kernel-model.csv${guestRows.length ? " and results/guest.csv" : ""} ` +
      `(commits ${[...new Set(commits.map((c) => String(c).slice(0, 12)))].join(", ")}); every case and what ` +
      "each leaves out: [docs/kernel.md](docs/kernel.md), [docs/guest.md](docs/guest.md).",
  ].join("\n");
}

function main(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const path = (name: string) => join(root, "results", name);
  const kernelRows = readKernelFile(path("kernel.csv"));
  const modelRows = readResultFile(path("kernel-model.csv")).rows;
  // The real driver's figures join the tables once `npm run results:guest` has measured them.
  const guestRows = existsSync(path("guest.csv")) ? readGuestFile(path("guest.csv")) : [];
  replaceSection(
    join(root, "docs", "kernel.md"),
    "kernel",
    kernelSection(kernelRows, modelRows, readMicroFile(path("micro.csv")), guestRows),
  );
  replaceSection(join(root, "README.md"), "model-vs-kernel", readmeKernelSection(kernelRows, modelRows, guestRows));
  console.log(
    "docs/kernel.md and the README's model-vs-kernel section written from results/kernel.csv, " +
      "results/kernel-model.csv, results/micro.csv" +
      (guestRows.length ? " and results/guest.csv" : ""),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
