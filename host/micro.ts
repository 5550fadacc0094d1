// `daxbench micro`: runs the micro-benchmark cases (bench/micro.ts) with benchmark.js on the main thread and
// turns each into a result row (ns per operation, with benchmark.js's relative margin of error).

import Benchmark from "benchmark";
import { DaxMachine, BROKEN_ON_PURPOSE } from "./dax.ts";
import { microCases, BATCH, type MicroCase } from "../bench/micro.ts";
import { ROW_COLUMNS, type ResultRow, type RunMetadata } from "./results.ts";

export interface MicroResult {
  micro: MicroCase;
  nsPerOp: number;
  rmePercent: number;
  samples: number;
}

/** The schemes a read-side case is run for: every scheme but those broken on purpose. */
export function microSchemes(machine: DaxMachine): string[] {
  return machine.schemes().filter((scheme) => !BROKEN_ON_PURPOSE.includes(scheme));
}

export function runMicro(maxTimeSeconds: number, onCase: (name: string) => void = () => {}): MicroResult[] {
  const machine = new DaxMachine();
  const results: MicroResult[] = [];
  for (const micro of microCases(microSchemes(machine))) {
    onCase(`${micro.scenario} ${micro.protection}`);
    const batch = micro.prepare(machine);
    const bench = new Benchmark(micro.scenario, batch, { maxTime: maxTimeSeconds, minSamples: 10 });
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

export function microRow(result: MicroResult, meta: RunMetadata): ResultRow {
  const row = Object.fromEntries(ROW_COLUMNS.map((column) => [column, ""])) as ResultRow;
  const ns = Math.round(result.nsPerOp * 1000) / 1000;
  return Object.assign(row, {
    scenario: result.micro.scenario, protection: result.micro.protection, align: result.micro.align, workers: 1, rep: 1,
    mapping_bytes: Number(result.micro.mappingBytes), elapsed_ns: Math.round(result.nsPerOp * Number(BATCH)),
    ops: Number(BATCH), faults: result.micro.installsPerOp * Number(BATCH), ns_per_op: ns, ops_per_sec: Math.round(1e9 / result.nsPerOp), sigbus: 0,
    fallback: 0, raced: 0, kills: 0, read_delay_ns: 0, pte_installs: 0, pmd_installs: 0, pud_installs: 0, hits: 0, oom: 0,
    rme_percent: Math.round(result.rmePercent * 100) / 100, ...meta,
  });
}
