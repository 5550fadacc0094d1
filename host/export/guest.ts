// `daxbench guest`'s Markdown: the real driver's faults, its rules against the model's, and the teardown race
// with its verdict; its CSV and JSON through GUEST_TABLE. Under TCG no time is printed as one: the guest's
// clock runs emulated, so populate is given against the 2 MiB namespace's and the first SIGBUS against the
// unbind's own duration.

import { writeTable, writeTableJson } from "../csv-table.ts";
import { markdownTable } from "./markdown.ts";
import { formatDuration, formatSize } from "../units.ts";
import {
  GUEST_TABLE,
  alignFaults,
  answerText,
  populateRatio,
  raceSummaries,
  type GuestRow,
  type GuestVerdict,
} from "../guest/results.ts";
import type { Accelerator } from "../guest/boot.ts";
import type { GuestOutput } from "../guest/probe-output.ts";
import type { RuleComparison } from "../guest/rules.ts";
import type { FormatName } from "./formats.ts";

/** Everything a guest run printed and wrote comes from this. */
export interface GuestReport {
  accel: Accelerator;
  output: GuestOutput;
  rules: RuleComparison[];
  verdict: GuestVerdict;
  rows: GuestRow[];
}

/** The one line that says what a time from this accelerator means. */
export function acceleratorLine(accel: Accelerator, release: string): string {
  return accel === "tcg"
    ? `guest kernel ${release || "unknown"} under QEMU's TCG emulation: the guest's clock runs emulated (kernel ` +
        "paths 8-40x slower than native), so times are given as ratios only, never as the real driver's nanoseconds"
    : `guest kernel ${release || "unknown"} under KVM: times are the guest's, at hardware speed`;
}

const align = (bytes: number) => formatSize(BigInt(bytes));
const count = (n: number) => n.toLocaleString("en-US");

function faultsTable(report: GuestReport): string {
  const faults = alignFaults(report.output);
  if (faults.length === 0) return "";
  const huge = faults.find((f) => f.align === 2 * 1024 * 1024);
  const per = (ns: number) =>
    report.accel === "kvm"
      ? formatDuration(ns)
      : huge
        ? `${(ns / huge.populateNsPerGiB).toFixed(2)}× the 2 MiB namespace's`
        : "(emulated: no ratio without the 2 MiB namespace)";
  const ratio = populateRatio(faults);
  return [
    "## Faults of the real driver",
    "",
    markdownTable(
      [
        "namespace align",
        "mapping",
        "faults per fault pass",
        "faults per populate pass",
        "size / align",
        "populate per GiB",
      ],
      faults.map((f) => [
        align(f.align),
        align(f.bytes),
        f.faultPassFaults.map(count).join(", "),
        f.populateFaults.map(count).join(", "),
        count(f.expectedFaults),
        per(f.populateNsPerGiB),
      ]),
      ["left", "right", "right", "right", "right", "right"],
    ),
    "",
    ratio === undefined ? "" : `populate of 4 KiB pages over 2 MiB pages, per GiB: ${ratio.toFixed(1)}×`,
    "",
  ].join("\n");
}

function rulesTable(rules: RuleComparison[]): string {
  if (rules.length === 0) return "";
  return [
    "## The driver's rules against the model's",
    "",
    markdownTable(
      ["case", "align", "driver", "model", "agree", "rule (kernels)"],
      rules.map((r) => [
        r.case.name,
        align(r.align),
        answerText(r.driver),
        answerText(r.model),
        r.agree ? "yes" : "**no**",
        r.case.rule,
      ]),
      ["left", "right", "left", "left", "left", "left"],
    ),
    "",
  ].join("\n");
}

function raceTable(report: GuestReport): string {
  const races = raceSummaries(report.output.races, report.output.traces);
  const traced = races.some((r) => r.traced.length > 0);
  if (races.length === 0) return "";
  const kvm = report.accel === "kvm";
  return [
    "## The teardown race: readers on every CPU while the device is unbound",
    "",
    markdownTable(
      [
        "align",
        "rounds",
        "accesses after the disable",
        "went through",
        "pages checked after",
        "not SIGBUS",
        ...(kvm ? ["disable, median"] : []),
        "first SIGBUS, share of the disable",
        ...(traced ? ["teardown functions, share of the disable (ftrace)"] : []),
      ],
      races.map((r) => [
        align(r.align),
        count(r.rounds),
        count(r.accessesChecked),
        count(r.violations),
        count(r.pagesChecked),
        count(r.pagesNotSigbus),
        ...(kvm ? [formatDuration(r.disableMedianNs)] : []),
        r.firstSigbusShare === undefined ? "none" : `${(r.firstSigbusShare * 100).toFixed(1)}%`,
        ...(traced ? [r.traced.map((t) => `${t.function} ${(t.share * 100).toFixed(1)}%`).join(", ")] : []),
      ]),
      [
        "right",
        "right",
        "right",
        "right",
        "right",
        "right",
        ...(kvm ? ["right" as const] : []),
        "right",
        ...(traced ? ["left" as const] : []),
      ],
    ),
    "",
  ].join("\n");
}

export function guestMarkdown(report: GuestReport): string {
  const { verdict, output } = report;
  const asked = output.oopsCases.map((c) => `- asked (--oops-cases): ${c.case}, ${c.step}: ${c.result}`);
  const oops =
    output.oops.length || asked.length
      ? [
          `## The guest kernel's bug reports (${output.release || "kernel unknown"})`,
          "",
          ...asked,
          ...(output.oops.length ? ["", ...output.oops.map((line) => `    ${line}`)] : ["", "none"]),
        ].join("\n")
      : "";
  const outcome =
    verdict.outcome === "SUCCESS" ? "SUCCESS" : ["FAILURE", "", ...verdict.reasons.map((r) => `- ${r}`)].join("\n");
  const parts = [
    "# Device-DAX in a guest kernel",
    acceleratorLine(report.accel, output.release),
    faultsTable(report),
    rulesTable(report.rules),
    raceTable(report),
    oops,
    outcome,
  ];
  return `${parts
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .join("\n\n")}\n`;
}

export function renderGuest(format: FormatName, report: GuestReport): string {
  if (format === "md") return guestMarkdown(report);
  return format === "csv" ? writeTable(GUEST_TABLE, report.rows) : writeTableJson(GUEST_TABLE, report.rows);
}
