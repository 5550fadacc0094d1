// What `daxbench micro` prints: ns per operation with benchmark.js's relative margin of error, and the
// harness overhead (an empty batch) as a share of the cheapest real operation.

import { textTable } from "./table.ts";
import type { MicroResult } from "../results/micro.ts";

export function microTable(results: MicroResult[]): string {
  return textTable(
    ["case", "protection", "align", "ns/op", "± rme", "samples"],
    results.map((r) => [
      r.micro.name,
      r.micro.protection,
      r.micro.align,
      r.nsPerOp.toFixed(3),
      `${r.rmePercent.toFixed(2)}%`,
      String(r.samples),
    ]),
    ["left", "left", "left", "right", "right", "right"],
  );
}

/** "harness overhead: 0.012 ns/op, 0.9% of the cheapest operation (micro-readside none)". */
export function harnessOverhead(results: MicroResult[]): string {
  const empty = results.find((r) => r.micro.name === "micro-empty_batch");
  const others = results.filter((r) => r !== empty);
  if (!empty || others.length === 0) return "";
  const cheapest = others.reduce((best, r) => (r.nsPerOp < best.nsPerOp ? r : best));
  const share = (empty.nsPerOp / cheapest.nsPerOp) * 100;
  return (
    `harness overhead (an empty batch): ${empty.nsPerOp.toFixed(4)} ns/op, ${share.toFixed(2)}% of the cheapest ` +
    `operation (${cheapest.micro.name} ${cheapest.micro.protection})`
  );
}
