// The side schemas' renderers (kernel, micro, native): each one's Markdown table, and its formats through its
// CsvTable (host/csv-table.ts), which writes its CSV and JSON as it reads them back. The run schema's renderers
// are csv.ts, json.ts and markdown.ts beside this file.

import { writeTable, writeTableJson, type CsvTable } from "../csv-table.ts";
import { geomeanWithInterval } from "../print/figures.ts";
import type { PairComparison } from "../results/stats.ts";
import { tooSmallText } from "../print/pairs.ts";
import type { FormatName } from "./formats.ts";
import {
  kernelResults,
  gracePeriodSummary,
  GRACE_PERIOD_CASE,
  GRACE_PERIOD_WHAT,
  KERNEL_TABLE,
  type KernelRow,
} from "../run/kernel.ts";
import { formatDuration } from "../units.ts";
import { MICRO_TABLE, type MicroRow } from "../run/micro.ts";
import { HANDOVER, NATIVE_ALPHA, type NativeCell } from "../run/native.ts";

/** A side schema's CSV or JSON. */
function renderTable<Column extends string>(
  format: Exclude<FormatName, "md">,
  table: CsvTable<Column>,
  rows: readonly Record<Column, string | number>[],
): string {
  return format === "csv" ? writeTable(table, rows) : writeTableJson(table, rows);
}

/** One Markdown row per case: the geometric mean over repetitions with its 95% interval. */
export function kernelMarkdown(rows: KernelRow[]): string {
  const results = kernelResults(rows);
  return (
    [
      "| case | n | ns per touch, geomean (95% CI) | ns per fault, geomean (95% CI) | faults per pass | " +
        "ms per GiB, geomean (95% CI) | what |",
      "|:--|--:|--:|--:|--:|--:|:--|",
      ...results.map(
        (r) =>
          `| ${r.kernelCase.name} | ${r.nsPerTouch.n} | ${geomeanWithInterval(r.nsPerTouch)} | ` +
          `${geomeanWithInterval(r.nsPerFault)} | ${r.faultsPerPass.toLocaleString("en-US")} | ` +
          `${geomeanWithInterval(r.msPerGiB)} | ${r.kernelCase.what} |`,
      ),
    ].join("\n") +
    "\n" +
    gracePeriodMarkdown(rows)
  );
}

/** The grace period's own table, after the faults': its calls' median and range, and whether the kernel
 *  expedites its grace periods; "" where none was timed. */
function gracePeriodMarkdown(rows: KernelRow[]): string {
  const gp = gracePeriodSummary(rows);
  if (gp === undefined) return "";
  const expedited = rows.find((r) => r.case === GRACE_PERIOD_CASE)?.rcu_expedited || "–";
  return (
    [
      "",
      "| grace period | n | median | min…max | rcu_expedited | what |",
      "|:--|--:|--:|--:|--:|:--|",
      `| ${GRACE_PERIOD_CASE} | ${gp.n} | ${formatDuration(gp.median)} | ` +
        `${formatDuration(gp.min)}…${formatDuration(gp.max)} | ${expedited} | ${GRACE_PERIOD_WHAT} |`,
    ].join("\n") + "\n"
  );
}

/** The kernel schema in `format`. */
export function renderKernel(format: FormatName, rows: KernelRow[]): string {
  return format === "md" ? kernelMarkdown(rows) : renderTable(format, KERNEL_TABLE, rows);
}

/** `| case | protection | align | ns/op | ± rme | samples |`: ns/op to three significant digits. */
export function microMarkdown(rows: MicroRow[]): string {
  return (
    [
      "| case | protection | align | ns/op | ± rme | samples |",
      "|:--|:--|:--|--:|--:|--:|",
      ...rows.map(
        (r) =>
          `| ${r.case} | ${r.protection} | ${r.align} | ${Number(r.ns_per_op).toPrecision(3)} | ` +
          `${Number(r.rme_percent).toFixed(2)}% | ${r.samples} |`,
      ),
    ].join("\n") + "\n"
  );
}

/** The micro schema in `format`. */
export function renderMicro(format: FormatName, rows: MicroRow[]): string {
  return format === "md" ? microMarkdown(rows) : renderTable(format, MICRO_TABLE, rows);
}

/** "1.023…1.187", or why there is no interval. */
export function formatInterval(comparison: PairComparison, digits = 3): string {
  if (comparison.interval) return comparison.interval.map((x) => x.toFixed(digits)).join("…");
  return `none: ${comparison.tooSmall ? tooSmallText(comparison.tooSmall) : "a value is not positive"}`;
}

export function nativeMarkdown(cells: NativeCell[], alpha = NATIVE_ALPHA): string {
  const confidence = `${Math.round((1 - alpha) * 100)}%`;
  return (
    [
      "| native | workers | native ns/op (median) | wasm | wasm ns/op (median) | wasm / native | " +
        `≥ ${confidence} interval | n (native+wasm) |`,
      "|:--|--:|--:|:--|--:|--:|--:|--:|",
      ...cells.map(
        (c) =>
          `| ${c.native}: ${c.what} | ${c.workers} | ${c.nativeMedian.toFixed(2)} | ` +
          `${c.wasm} | ${c.wasmMedian.toFixed(2)} | ` +
          `${c.comparison.estimate === undefined ? "–" : c.comparison.estimate.toFixed(3)} | ` +
          `${formatInterval(c.comparison)} | ${c.nativeNs.length}+${c.wasmNs.length} |`,
      ),
      "",
      "An operation is a read-side pair around a load of alive, " +
        "or the operation named (cas, random-load, on one thread;",
      "handover, on two threads: ns per wake-up, the mean over the hand-overs that woke a sleeper, " +
        `of ${HANDOVER.count.toLocaleString("en-US")} a side per sample).`,
      "wasm / native is the Hodges-Lehmann estimate " +
        "(the median of every wasm sample over every native sample), not the",
      "ratio of the medians; its interval is distribution-free (Mann-Whitney's critical value), " +
        `at confidence ${confidence} or more.`,
    ].join("\n") + "\n"
  );
}
