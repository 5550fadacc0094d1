// What a scenario's table shows, one column at a time: the headline figure summarised over repetitions, then
// the figures the scenario lists (host/registry/scenarios.ts). The screen summary and the Markdown export draw
// the same columns from here, so a figure has one label and one meaning wherever it appears.

import { median } from "simple-statistics";
import { describe, values, headlineValues, type ConfigurationResult } from "../results/configurations.ts";
import { comparePair, type Summary } from "../results/stats.ts";
import { formatDuration } from "../units.ts";
import type { ResultRow } from "../results/schema.ts";
import type { FigureName, Scale, Scenario } from "../types.ts";

export interface TableColumn {
  header: string;
  align: "left" | "right";
  cell(c: ConfigurationResult): string;
}

const significant = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 });
const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const DASH = "–";

/** A figure to three significant digits, "–" when there is none. */
export function figure(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? DASH : significant.format(value);
}

/** "p=0.012", or "p<0.001" for a p that three decimals would round to zero: no test here gives a p of 0. */
export function pValue(p: number): string {
  return p < 0.0005 ? "p<0.001" : `p=${p.toFixed(3)}`;
}

/** "25.5 (24.1…27.3)": a summary's geometric mean with its 95% interval; "–" without an interval (n < 2, or a
 *  value not positive). The figure beside an interval is always the value it is an interval of. */
export function geomeanWithInterval(s: Summary | undefined): string {
  return s?.ci95 ? `${figure(s.geomean)} (${figure(s.ci95[0])}…${figure(s.ci95[1])})` : DASH;
}

function medianOf(numbers: number[]): number | undefined {
  return numbers.length ? median(numbers) : undefined;
}

/** Median over repetitions of a figure computed per row, rows where it does not apply left out. */
function perRow(c: ConfigurationResult, of: (row: ResultRow) => number | undefined): number | undefined {
  return medianOf(c.reps.map(of).filter((v): v is number => v !== undefined && Number.isFinite(v)));
}

const num = (value: string | number): number | undefined => (typeof value === "number" ? value : undefined);

/** Refused touches as a share of all touches: SIGBUS (and OOM) are work the fault path refused. */
export function sigbusPercent(row: ResultRow): number | undefined {
  const touches = row.ops + row.sigbus + row.oom;
  return touches > 0 ? (100 * row.sigbus) / touches : undefined;
}

const FIGURES: Record<FigureName, TableColumn> = {
  ops_per_sec: {
    header: "ops/s",
    align: "right",
    cell: (c) => {
      const v = medianOf(values(c, "ops_per_sec"));
      return v === undefined ? DASH : whole.format(v);
    },
  },
  faults: {
    header: "faults",
    align: "right",
    cell: (c) => {
      const v = medianOf(values(c, "faults"));
      return v === undefined ? DASH : whole.format(v);
    },
  },
  // A fixed-work repetition does its work `passes` times: the faults of one pass are what the work costs.
  faults_per_pass: {
    header: "faults/pass",
    align: "right",
    cell: (c) => {
      const v = perRow(c, (r) => r.faults / r.passes);
      return v === undefined ? DASH : whole.format(v);
    },
  },
  sigbus_share: { header: "sigbus %", align: "right", cell: (c) => figure(perRow(c, sigbusPercent)) },
  kill_period: {
    header: "kill period asked → got",
    align: "right",
    cell: (c) => {
      const asked = c.identity.kill_period_ns === "" ? "never" : formatDuration(Number(c.identity.kill_period_ns));
      const got = medianOf(values(c, "kill_period_achieved_ns"));
      return `${asked} → ${got === undefined ? "no kill" : formatDuration(Math.round(got))}`;
    },
  },
  grace_period: {
    header: "gp p50 / p99",
    align: "right",
    cell: (c) => {
      const p50 = medianOf(values(c, "gp_p50_ns"));
      const p99 = medianOf(values(c, "gp_p99_ns"));
      return p50 === undefined || p99 === undefined
        ? DASH
        : `${formatDuration(Math.round(p50))} / ${formatDuration(Math.round(p99))}`;
    },
  },
  mmaps: {
    header: "vmas mapped / refused per pass",
    align: "right",
    cell: (c) =>
      `${figure(perRow(c, (r) => Number(r.vmas_mapped) / r.passes))} / ` +
      `${figure(perRow(c, (r) => Number(r.mmaps_rejected) / r.passes))}`,
  },
  ns_per_vma: {
    header: "ns/vma",
    align: "right",
    cell: (c) => figure(perRow(c, (r) => (num(r.vmas_mapped) ? r.elapsed_ns / Number(r.vmas_mapped) : undefined))),
  },
  tlb_l1_misses: {
    header: "L1 misses/1k",
    align: "right",
    cell: (c) => figure(medianOf(values(c, "tlb_l1_misses_per_1k"))),
  },
  tlb_walks: { header: "walks/1k", align: "right", cell: (c) => figure(medianOf(values(c, "tlb_walks_per_1k"))) },
  // The TLB model's time per touch is the cost of the simulator, not of a machine: labelled as such.
  simulator_ns: { header: "simulator ns/touch", align: "right", cell: (c) => figure(medianOf(values(c, "ns_per_op"))) },
};

/** The headline's columns: n, median, mean ± σ, min…max and the 95% interval of the geometric mean. */
function headlineColumns(scenario: Scenario): TableColumn[] {
  const unit = scenario.headline.unit;
  return [
    { header: "n", align: "right", cell: (c) => String(c.headline?.n ?? 0) },
    { header: `${unit} median`, align: "right", cell: (c) => figure(c.headline?.median) },
    {
      header: "mean ± σ",
      align: "right",
      cell: (c) => (c.headline ? `${figure(c.headline.mean)} ± ${figure(c.headline.sd)}` : DASH),
    },
    {
      header: "min…max",
      align: "right",
      cell: (c) => (c.headline ? `${figure(c.headline.min)}…${figure(c.headline.max)}` : DASH),
    },
    {
      header: "geomean (95% CI)",
      align: "right",
      cell: (c) => geomeanWithInterval(c.headline),
    },
  ];
}

/** An estimate of a pair on its scale: "1.38" times, or "+2,497" more. */
export function amount(value: number, scale: Scale): string {
  return scale === "ratio" ? value.toFixed(2) : `${value >= 0 ? "+" : ""}${figure(value)}`;
}

/** hyperfine's Relative column, with the one rule for "faster": each configuration's headline against the
 *  table's best (lowest median), the Hodges-Lehmann estimate with its interval when the difference is
 *  significant at alpha, "~ estimate" when it is not. On the difference scale (counts that may be zero) the
 *  column is how much more than the best, not how many times. */
function relativeColumn(scenario: Scenario, results: ConfigurationResult[], alpha: number): TableColumn {
  const { scale } = scenario.headline;
  const ranked = results.filter((c) => c.headline !== undefined);
  const best = ranked.reduce<ConfigurationResult | undefined>(
    (b, c) => (b === undefined || c.headline!.median < b.headline!.median ? c : b),
    undefined,
  );
  return {
    header: scale === "ratio" ? "relative" : "vs best",
    align: "right",
    cell: (c) => {
      if (!best || !c.headline) return DASH;
      if (c === best) return scale === "ratio" ? "1.00" : "best";
      const pair = comparePair(headlineValues(best), headlineValues(c), alpha, scale);
      if (pair.estimate === undefined) return DASH;
      if (!pair.significant || !pair.interval) return `~ ${amount(pair.estimate, scale)}`;
      return `${amount(pair.estimate, scale)} (${amount(pair.interval[0], scale)}…${amount(pair.interval[1], scale)})`;
    },
  };
}

/** Every column of one scenario's table, configuration first. */
export function scenarioColumns(
  scenario: Scenario,
  results: ConfigurationResult[],
  options: { relative?: { alpha: number } } = {},
): TableColumn[] {
  return [
    { header: "configuration", align: "left", cell: (c) => describe(c.name, "scenario") },
    ...headlineColumns(scenario),
    ...(options.relative ? [relativeColumn(scenario, results, options.relative.alpha)] : []),
    ...scenario.figures.map((name) => FIGURES[name]),
  ];
}
