// `daxbench guest`'s results: one row per fault pass, per rule case and per race round, in one schema (the
// columns a step does not fill stay empty), and the verdict the run ends with. Times are the guest's own
// clock: under TCG they are emulated, so what is published from them is ratios (populate 4 KiB over 2 MiB,
// the first SIGBUS against the unbind's duration), never the real driver's nanoseconds.

import { METADATA_COLUMNS, METADATA_TEXT_COLUMNS } from "../results/schema.ts";
import { summarize } from "../results/stats.ts";
import type { RunMetadata } from "../results/metadata.ts";
import { readCsvText, readTable, type CsvTable, type NumberRule } from "../csv-table.ts";
import { UsageError } from "../errors.ts";
import type { Accelerator } from "./boot.ts";
import type { GuestFault, GuestOutput, GuestRace, GuestTrace } from "./probe-output.ts";
import type { RuleComparison } from "./rules.ts";

const STEP_COLUMNS = {
  fault: ["mapping_bytes", "touches", "minor_faults", "guest_clock_ns"],
  rule: ["mmap", "touch", "entry_bytes", "model_mmap", "model_touch", "model_entry_bytes", "agree"],
  race: [
    "readers",
    "accesses",
    "accesses_after_disable",
    "violations",
    "sigbus",
    "pages_checked",
    "pages_not_sigbus",
    "disable_guest_ns",
    "first_sigbus_guest_ns",
  ],
  trace: ["calls"],
} as const;

export const GUEST_COLUMNS = [
  "step",
  "case",
  "align_bytes",
  /** The fault pass (0 the warm-up) or the race round; empty for a rule. */
  "rep",
  ...STEP_COLUMNS.fault,
  ...STEP_COLUMNS.rule,
  ...STEP_COLUMNS.race,
  ...STEP_COLUMNS.trace,
  /** A line of the guest kernel's own bug report (step "oops"). */
  "kernel_report",
  "accel",
  "guest_kernel",
  ...METADATA_COLUMNS,
] as const;
export type GuestColumn = (typeof GUEST_COLUMNS)[number];
export type GuestRow = Record<GuestColumn, string | number>;

const optional = (columns: readonly GuestColumn[]): Partial<Record<GuestColumn, NumberRule>> =>
  Object.fromEntries(columns.map((column) => [column, "optional"]));

export const GUEST_TABLE: CsvTable<GuestColumn> = {
  kind: "guest",
  columns: GUEST_COLUMNS,
  text: new Set([
    "step",
    "case",
    "mmap",
    "touch",
    "model_mmap",
    "model_touch",
    "agree",
    "kernel_report",
    "accel",
    "guest_kernel",
    ...METADATA_TEXT_COLUMNS,
  ]),
  rules: optional([
    "rep",
    ...STEP_COLUMNS.fault,
    "entry_bytes",
    "model_entry_bytes",
    ...STEP_COLUMNS.race.filter((c) => c !== "first_sigbus_guest_ns"),
    "first_sigbus_guest_ns",
    ...STEP_COLUMNS.trace,
  ]),
};

/** Where the rows were measured, in every row. */
export interface GuestContext {
  accel: Accelerator;
  meta: RunMetadata;
}

function emptyRow(step: string, name: string, align: number, context: GuestContext, guestKernel: string): GuestRow {
  const row = Object.fromEntries(GUEST_COLUMNS.map((column) => [column, ""])) as GuestRow;
  return {
    ...row,
    step,
    case: name,
    align_bytes: align,
    accel: context.accel,
    guest_kernel: guestKernel,
    ...Object.fromEntries(METADATA_COLUMNS.map((column) => [column, context.meta[column]])),
  };
}

export function guestRows(output: GuestOutput, rules: RuleComparison[], context: GuestContext): GuestRow[] {
  const row = (step: string, name: string, align: number) => emptyRow(step, name, align, context, output.release);
  return [
    ...output.faults.map((f) => ({
      ...row("fault", f.case, f.align),
      rep: f.rep,
      mapping_bytes: f.bytes,
      touches: f.touches,
      minor_faults: f.faults,
      guest_clock_ns: f.elapsedNs,
    })),
    ...rules.map((r) => ({
      ...row("rule", r.case.name, r.align),
      mmap: r.driver?.mmap ?? "",
      touch: r.driver?.touch ?? "",
      entry_bytes: r.driver?.entry ?? "",
      model_mmap: r.model.mmap,
      model_touch: r.model.touch,
      model_entry_bytes: r.model.entry,
      agree: r.agree ? "yes" : "no",
    })),
    ...output.races.map((r) => ({
      ...row("race", "unbind", r.align),
      rep: r.round,
      readers: r.readers,
      accesses: r.accesses,
      accesses_after_disable: r.after,
      violations: r.violations,
      sigbus: r.sigbus,
      pages_checked: r.pages,
      pages_not_sigbus: r.pagesNotSigbus,
      disable_guest_ns: r.unbindNs,
      first_sigbus_guest_ns: r.firstSigbusNs ?? "",
    })),
    ...output.traces.map((t) => ({
      ...row("trace", t.function, t.align),
      calls: t.calls,
      guest_clock_ns: t.totalNs,
    })),
    ...output.oopsCases.map((c) => ({ ...row("oops-case", `${c.case} ${c.step}`, 0), mmap: c.result })),
    ...output.oops.map((line) => ({ ...row("oops", "", 0), kernel_report: line })),
  ];
}

/** Each alignment's fault figures over its measured passes (the warm-up left out). */
export interface AlignFaults {
  align: number;
  bytes: number;
  /** Minor faults of a fault pass and of a populate pass, each the same in every pass, or the passes'
   *  counts when they differ; the driver's guarantee is bytes / align of each. */
  faultPassFaults: number[];
  populateFaults: number[];
  expectedFaults: number;
  /** Median guest-clock ns of a populate pass, and per GiB. */
  populateMedianNs: number;
  populateNsPerGiB: number;
}

const measured = (faults: GuestFault[], name: GuestFault["case"], align: number) =>
  faults.filter((f) => f.case === name && f.align === align && f.rep > 0);

export function alignFaults(output: GuestOutput): AlignFaults[] {
  const aligns = [...new Set(output.faults.map((f) => f.align))];
  return aligns.flatMap((align) => {
    const populate = measured(output.faults, "populate", align);
    if (populate.length === 0) return [];
    const bytes = populate[0].bytes;
    const median = summarize(populate.map((f) => f.elapsedNs)).median;
    return [
      {
        align,
        bytes,
        faultPassFaults: [...new Set(measured(output.faults, "fault", align).map((f) => f.faults))],
        populateFaults: [...new Set(populate.map((f) => f.faults))],
        expectedFaults: bytes / align,
        populateMedianNs: median,
        populateNsPerGiB: (median * 2 ** 30) / bytes,
      },
    ];
  });
}

/** Populate of the 4 KiB-aligned namespace over the 2 MiB one, per GiB: the real driver's answer to what
 *  alignment buys, as a ratio (what TCG leaves meaningful). Undefined without both. */
export function populateRatio(faults: AlignFaults[]): number | undefined {
  const small = faults.find((f) => f.align === 4096);
  const huge = faults.find((f) => f.align === 2 * 1024 * 1024);
  return small && huge ? small.populateNsPerGiB / huge.populateNsPerGiB : undefined;
}

/** The race over its rounds, per alignment. */
export interface RaceSummary {
  align: number;
  rounds: number;
  accessesChecked: number;
  violations: number;
  pagesChecked: number;
  pagesNotSigbus: number;
  disableMedianNs: number;
  /** The first SIGBUS's time over the unbind's duration, median over the rounds that took one. */
  firstSigbusShare: number | undefined;
  /** Each traced teardown function's summed time over the rounds' summed unbind time. */
  traced: { function: string; share: number }[];
}

export function raceSummaries(races: GuestRace[], traces: GuestTrace[] = []): RaceSummary[] {
  const aligns = [...new Set(races.map((r) => r.align))];
  return aligns.map((align) => {
    const rounds = races.filter((r) => r.align === align);
    const sum = (f: (r: GuestRace) => number) => rounds.reduce((total, r) => total + f(r), 0);
    const shares = rounds.filter((r) => r.firstSigbusNs !== undefined).map((r) => r.firstSigbusNs! / r.unbindNs);
    return {
      align,
      rounds: rounds.length,
      accessesChecked: sum((r) => r.after),
      violations: sum((r) => r.violations),
      pagesChecked: sum((r) => r.pages),
      pagesNotSigbus: sum((r) => r.pagesNotSigbus),
      disableMedianNs: summarize(rounds.map((r) => r.unbindNs)).median,
      firstSigbusShare: shares.length ? summarize(shares).median : undefined,
      traced: traces
        .filter((t) => t.align === align)
        .map((t) => ({ function: t.function, share: t.totalNs / sum((r) => r.unbindNs) }))
        .sort((a, b) => a.function.localeCompare(b.function)),
    };
  });
}

export interface GuestVerdict {
  outcome: "SUCCESS" | "FAILURE";
  /** Why not SUCCESS, a line each. */
  reasons: string[];
}

/** SUCCESS only when the guest ran to its end with no bug reported, every fault pass took exactly
 *  bytes / align faults, every rule agreed with the model, and no access after a disable went through. */
export function guestVerdict(
  output: GuestOutput,
  faults: AlignFaults[],
  rules: RuleComparison[],
  timedOut: boolean,
): GuestVerdict {
  const reasons = [...output.failures];
  if (timedOut) reasons.push("the guest did not finish before --timeout");
  else if (output.oops.length)
    reasons.push(`the guest kernel ${output.release || "(unknown)"} reported a bug: ${output.oops[0]}`);
  else if (!output.ended) reasons.push("the guest stopped before its last step (see its console)");
  for (const f of faults) {
    const exact = (counts: number[]) => counts.length === 1 && counts[0] === f.expectedFaults;
    if (!exact(f.faultPassFaults) || !exact(f.populateFaults))
      reasons.push(
        `align ${f.align}: faults per pass ${[...f.faultPassFaults, ...f.populateFaults].join(", ")}, ` +
          `not ${f.expectedFaults} (${f.bytes} / ${f.align})`,
      );
  }
  for (const r of rules.filter((c) => !c.agree))
    reasons.push(
      `rule ${r.case.name} at align ${r.align}: the driver gave ${answerText(r.driver)}, ` +
        `the model ${answerText(r.model)}`,
    );
  for (const race of raceSummaries(output.races)) {
    if (race.violations)
      reasons.push(`race at align ${race.align}: ${race.violations} accesses after the disable went through`);
    if (race.pagesNotSigbus)
      reasons.push(`race at align ${race.align}: ${race.pagesNotSigbus} pages did not SIGBUS afterwards`);
  }
  return { outcome: reasons.length ? "FAILURE" : "SUCCESS", reasons };
}

/** "mmap 0, touch none, entry 2097152" (or "no answer"). */
export function answerText(a: { mmap: string; touch: string; entry: number } | undefined): string {
  if (!a) return "no answer";
  return a.mmap !== "0" ? `mmap ${a.mmap}` : `mmap 0, touch ${a.touch}, entry ${a.entry}`;
}

/** The rows of a `daxbench guest` result file, every cell checked. */
export function readGuestFile(path: string): GuestRow[] {
  const rows = readTable(path, readCsvText(path), GUEST_TABLE).map(({ row }) => row);
  if (rows.length === 0) throw new UsageError(`${path}: no rows: not a daxbench guest result file`);
  return rows;
}
