// `daxbench micro`: runs the micro-benchmark cases (micro-cases.ts) with benchmark.js on the main thread.
// Its results have their own schema (MICRO_COLUMNS), not the run schema's: one row per case with the mean ns
// per operation, benchmark.js's relative margin of error and its sample count, then the run's metadata.

import { createRequire } from "node:module";
import type BenchmarkJs from "benchmark";
import { DaxMachine } from "../machine/dax.ts";
import { BENCHMARKED_SCHEMES } from "../schemes.ts";
import { microCases, BATCH } from "./micro-cases.ts";
import { METADATA_COLUMNS, METADATA_TEXT_COLUMNS } from "../results/schema.ts";
import { readCsvText, readTable, type CsvTable } from "../csv-table.ts";
import type { RunMetadata } from "../results/metadata.ts";
import type { MicroResult } from "../results/micro.ts";
import { sixSignificantDigits } from "../units.ts";

/** The micro schema: what was timed, the figures, then the run's metadata. */
export const MICRO_COLUMNS = [
  "case",
  "protection",
  "align",
  "mapping_bytes",
  "installs_per_op",
  "ns_per_op",
  "rme_percent",
  "samples",
  ...METADATA_COLUMNS,
] as const;
export type MicroColumn = (typeof MICRO_COLUMNS)[number];
export type MicroRow = Record<MicroColumn, string | number>;
export const MICRO_TABLE: CsvTable<MicroColumn> = {
  kind: "micro",
  columns: MICRO_COLUMNS,
  text: new Set(["case", "protection", "align", ...METADATA_TEXT_COLUMNS]),
};

/** benchmark.js, loaded by the one command that uses it: it costs 0.15 s of CPU to load (lodash), which every
 *  other command, and every process that imports the CLI, would pay. */
const loadBenchmark = (): typeof BenchmarkJs => createRequire(import.meta.url)("benchmark");

export function runMicro(maxTimeSeconds: number, onCase: (name: string) => void = () => {}): MicroResult[] {
  const Benchmark = loadBenchmark();
  const machine = new DaxMachine();
  const results: MicroResult[] = [];
  for (const micro of microCases(BENCHMARKED_SCHEMES)) {
    onCase(`${micro.name} ${micro.protection}`);
    const batch = micro.prepare(machine);
    // benchmark.js times cycles of at least 50 ms by default, so 10 samples would take 0.5 s whatever --max-time
    // says: below that, cycles of a tenth of it (still far above the timer's resolution) keep to --max-time.
    const minTime = maxTimeSeconds < 0.5 ? { minTime: maxTimeSeconds / 10 } : {};
    const bench = new Benchmark(micro.name, batch, { maxTime: maxTimeSeconds, minSamples: 10, ...minTime });
    bench.run();
    if (bench.error) throw bench.error;
    results.push({
      micro,
      nsPerOp: (bench.stats.mean * 1e9) / Number(BATCH),
      rmePercent: bench.stats.rme,
      samples: bench.stats.sample.length,
    });
  }
  return results;
}

export function microRow(result: MicroResult, meta: RunMetadata): MicroRow {
  const row: MicroRow = {
    case: result.micro.name,
    protection: result.micro.protection,
    align: result.micro.align,
    mapping_bytes: Number(result.micro.mappingBytes),
    installs_per_op: result.micro.installsPerOp,
    ns_per_op: sixSignificantDigits(result.nsPerOp),
    rme_percent: sixSignificantDigits(result.rmePercent),
    samples: result.samples,
    ...Object.fromEntries(METADATA_COLUMNS.map((column) => [column, meta[column]])),
  } as MicroRow;
  return row;
}

/** Reads microCsv's output back; throws (a UsageError) naming the file, the line and the column of anything else. */
export function readMicroFile(path: string): MicroRow[] {
  return readTable(path, readCsvText(path), MICRO_TABLE).map(({ row }) => row);
}
